"""Cells written before the first email, in the write that adds the job's columns (writer.prepare).

A first run that sends over SMTP adds its columns before the first email (that write is the test of
edit rights). The cells that no email can change (every added column but Contacted On and Last Email,
and never a seller's column the job fills) go into that same write, as far as one request of at most
~2 MB holds them, at the rows' positions as just read. They then move with their rows if the seller
sorts during the emails, like any cell, so the write after the last email has that much less to place.

The write brings the identity columns back in its answer. If a row moved between the read and the
write (or the header did), the cells may sit in other rows: they are cleared again at once, before any
email, and the write after the emails places them all where their rows are then. That clear finds the
columns by developer metadata the same write puts on each of them (key EARLY_KEY, a value of this run's
own), not by position: a column the seller inserts meanwhile moves them, and the clear follows them
(a column deleted meanwhile takes its metadata with it, and is not cleared). The metadata stays on the
columns afterwards (a few short items, only on the run that adds the columns).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

from ..sheet.write_plan import FILLABLE_KEYS, WritePlan
from .draw_tab import cell_value
from .row_matching import keys_of, locate
from .workbook import Kept

EARLY_KEY = "sheetreturns.early"  # developer metadata key on the columns the early cells went to
EMAIL_KEYS = frozenset({"contacted_on", "last_email"})  # what the emails change (the rest is known before them)


@dataclass
class Early:
    """An updateCells request of the rows' values in the added columns, and what it holds."""

    request: dict
    columns: dict[int, dict[int, object]] = field(default_factory=dict)  # 0-based column -> 0-based row -> value as the API gives it
    tag: str = field(default_factory=lambda: secrets.token_hex(8))  # this run's metadata value (see EARLY_KEY)

    @property
    def rows(self) -> set[int]:
        return set().union(*self.columns.values())

    @property
    def cells(self) -> int:
        return sum(len(c) for c in self.columns.values())


def size(item: object) -> int:
    """Bytes of `item` as the client sends it (requests' json: ASCII, default separators)."""
    return len(json.dumps(item))


def _entered(value: object) -> tuple[dict, object] | None:
    """(userEnteredValue, the value as a read gives it back) for a planned value; None for a blank."""
    entered = cell_value(value)
    return (entered, next(iter(entered.values()))) if entered else None


def early_cells(plan: WritePlan, kept: Kept, positions: dict[str, int], added: list[str], sheet_id: int,
                budget: int) -> Early | None:
    """The added columns' values of the rows as read, from the top, within `budget` bytes; None if none."""
    keys = [k for k in added if k not in EMAIL_KEYS and k not in FILLABLE_KEYS]
    if not keys or budget <= 0:
        return None
    cols = {k: positions[k] for k in keys}
    first_col, last_col = min(cols.values()), max(cols.values())
    first_row = plan.header.row_index + 1
    rows: list[dict] = []
    columns: dict[int, dict[int, object]] = {}
    used, start = 200, None
    pending_gap = 0  # rows with nothing to write since the last row written (sent as {} only if a row follows)
    for index in range(first_row, kept.height):
        wanted = plan.rows.get(index + 1)
        if not wanted:
            pending_gap += start is not None
            continue
        line: list[dict] = [{} for _ in range(last_col - first_col + 1)]
        values: dict[int, object] = {}
        for key, col in cols.items():
            entered = _entered(wanted.get(key))
            if entered is not None:
                line[col - first_col] = {"userEnteredValue": entered[0]}
                values[col] = entered[1]
        if not values:
            pending_gap += start is not None
            continue
        while line and not line[-1]:
            line.pop()
        row = {"values": line}
        cost = size(row) + 2 + 4 * pending_gap
        if used + cost > budget:
            break
        if start is None:
            start = index
        rows.extend({} for _ in range(pending_gap))
        pending_gap = 0
        rows.append(row)
        used += cost
        for col, value in values.items():
            columns.setdefault(col, {})[index] = value
    if start is None:
        return None
    request = {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": start, "columnIndex": first_col},
                               "rows": rows, "fields": "userEnteredValue"}}
    return Early(request, columns)


def in_place(plan: WritePlan, kept: Kept, first: dict[str, list], identity: tuple[str, ...], header, columns,
             early: Early) -> bool:
    """Whether every row the early cells went to still held, when they were written, the row read first
    (the header where it was, with the same headers)."""
    if header.row_index != plan.header.row_index or header.headers[:len(plan.header.headers)] != plan.header.headers:
        return False
    then = keys_of(first, plan.header, kept.height, identity)
    height = max((len(c) for c in columns.values()), default=0)
    now = keys_of(columns, header, height, identity)
    start = plan.header.row_index + 1
    rows = early.rows
    moved, lost = locate(then, start, now, header.row_index + 1, rows)
    return not lost and all(moved.get(r) == r for r in rows)


def remember(kept: Kept, early: Early) -> None:
    """Make the early cells part of the tab as read: the write after the emails sends only what differs."""
    for col, values in early.columns.items():
        column = kept.columns.setdefault(col, [None] * kept.height)
        for row, value in values.items():
            column[row] = value


def tag_requests(early: Early, sheet_id: int) -> list[dict]:
    """Developer metadata on each column the early cells go to, created in the same write as they are."""
    return [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": EARLY_KEY, "metadataValue": f"{early.tag} {col}", "visibility": "DOCUMENT",
        "location": {"dimensionRange": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col,
                                        "endIndex": col + 1}}}}} for col in sorted(early.columns)]


def clear_data(plan: WritePlan, early: Early) -> list[dict]:
    """The early cells' columns emptied again below the header, found by their metadata wherever they are
    now (values only: formats stay; the header and anything above it are skipped)."""
    above = plan.header.row_index + 1
    below = max(early.rows) + 1 - above
    return [{"dataFilter": {"developerMetadataLookup": {"metadataKey": EARLY_KEY, "metadataValue": f"{early.tag} {col}"}},
             "majorDimension": "COLUMNS", "values": [[None] * above + [""] * below]} for col in sorted(early.columns)]

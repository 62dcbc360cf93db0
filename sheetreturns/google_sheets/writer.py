"""Applying a WritePlan to a Google Sheet with as few requests as the change allows.

Before the first email of a run that sends over SMTP, prepare() adds the columns the plan adds (that
write shows the sheet can be edited), with the cells no email changes that fit in it (early_cells). Then,
order of requests: (1) re-read the identity columns, only if
Returns cells change and emails went out over SMTP since the first read (or it is older than
FRESH_SECONDS), unless (2) places nothing by position (the columns were prepared, no rows appended, no
date formats outside the added columns); (2) one
spreadsheets.batchUpdate for structure and looks (new columns, date formats, status colours), the
new rows (appendCells) and the generated tabs, which, after a fresh first read, brings the identity
columns back in its answer (so that rows sorted a moment ago are found without a read of their own);
(3) the changed cells in values.batchUpdate calls of at most ~2 MB each. An unchanged sheet costs no
request at all: the generated tabs carry a digest of what they show (developer metadata), and a tab
that would show the same is not redrawn. A batchUpdate applies at most once (sheets_client's write
token); one found applied after its answer was lost is followed by a read of the identity columns.
A values.batchUpdate with no clear answer is sent again after the wait, with its cells (and those of
the writes still to come) placed where their rows are found then.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..engine.columns import BY_KEY, HeaderMap
from ..sheet.write_plan import FILLABLE_KEYS, JOB_KEYS, WritePlan
from ..sheet.workbook import WriteReport
from .cells import a1, column_index, same, to_api
from .draw_tab import cell_data, status_rules, stored_digest, tab_requests
from .row_matching import (IDENTITY_KEYS, fewest_keys, found_again, keys_of, locate, read_back,
                           reread, reread_ranges)
from ..engine.ownership import MARK, keep_ownership, mark_text, owned_headers
from .workbook import Kept, job_columns_metadata
from .early_cells import clear_data, early_cells, in_place, remember, size, tag_requests

TABS_WRITTEN = "the generated tabs were written, no cell of its rows"  # what is done when the rows come back with the tabs
FRESH_SECONDS = 20.0  # a first read younger than this, with no email sent since, is trusted for row positions
MAX_PAYLOAD = 1_900_000  # bytes per values.batchUpdate; Google recommends staying under 2 MB
MAX_RUN = 5000  # rows per ValueRange, so that a payload can be split between ranges
MAX_GAP = 8  # unchanged cells between two changed ones sent as null (skipped) rather than starting a new range
DATE_FORMAT = {"type": "DATE", "pattern": "yyyy-mm-dd"}


@dataclass
class Change:
    row: int  # 0-based row index as first read
    key: str
    value: object


@dataclass
class Draft:
    """What the plan changes, worked out against the values as first read."""

    changes: list[Change] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # column key -> 0-based column (added ones too)
    added: list[str] = field(default_factory=list)
    width: int = 0  # columns in use before any is added

    def counts(self, plan: WritePlan) -> dict[str, int]:
        return {
            "cells": len(self.changes),
            "rows": len({c.row for c in self.changes}),
            "ids_assigned": sum(1 for c in self.changes if c.key == "return_id"),
            "dates_filled": sum(1 for c in self.changes if c.key == "notified_on"),
            "columns_added": len(self.added),
            "rows_appended": len(plan.append),
            "tabs": len(plan.tabs),
        }


def draft(plan: WritePlan, kept: Kept) -> Draft:
    header = plan.header
    width = kept.width
    positions = dict(header.columns)
    added = [k for k in plan.add_columns if k not in positions]
    for offset, key in enumerate(added):
        positions[key] = width + offset
    out = Draft(positions=positions, added=added, width=width)
    first = header.row_index + 1
    job_columns = [(key, kept.columns.get(header.columns[key])) for key in JOB_KEYS if key in header.columns]
    for index in range(first, max(kept.height, max(plan.rows, default=0))):
        wanted = plan.rows.get(index + 1)
        if wanted is None:
            # No seller data on this row: blank any job-owned cell left over from earlier runs.
            for key, column in job_columns:
                if column is not None and index < len(column) and column[index] not in ("", None):
                    out.changes.append(Change(index, key, None))
            continue
        for key, value in wanted.items():
            col = positions.get(key)
            if col is None:
                continue
            column = kept.columns.get(col)
            current = column[index] if column is not None and index < len(column) else None
            if key in FILLABLE_KEYS and current not in ("", None):
                continue  # never overwrite a seller's value
            if value is None:
                changed = current not in ("", None)
            elif value.__class__ is str:
                changed = current != value
            else:
                changed = not same(current, value)
            if changed:
                out.changes.append(Change(index, key, value))
    return out


def apply_plan(book, plan: WritePlan, *, dry_run: bool) -> WriteReport:
    kept = book.kept(plan.tab, plan.header)
    work = draft(plan, kept)
    as_read = work  # the cells by the rows and columns as read (found again if a value write's answer is lost)
    counts = work.counts(plan)
    tabs = changed_tabs(book, plan)
    counts["tabs"] = len(tabs)
    if not (work.changes or work.added or plan.append or tabs):
        return WriteReport(written=False, changes=counts, unchanged=not dry_run)
    if dry_run:
        return WriteReport(written=False, changes=counts)
    api, tab = book.api, plan.tab
    sheet = book.sheets[tab]["properties"]
    header, moved, skipped = plan.header, None, 0
    cells = bool(work.changes or work.added or plan.append)
    slow = plan.emails_sent or book.read_age() > FRESH_SECONDS
    prepared = _prepared(book, plan, work)  # the columns were added before the first email (prepare)
    whole = _whole_date_columns(work)
    early = getattr(book, "early", None) if prepared else None  # cells written with the columns (early_cells)
    # After the emails, the rows may come back in the answer of a write that places nothing by position:
    # the generated tabs, with the columns (their formats, colours and headers) written before the emails.
    placeless = prepared and bool(tabs) and not plan.append and not _date_runs(work, None, whole)
    if cells and slow and not placeless:
        # Emails went out (which can take minutes) or the read is old: the seller may have sorted or
        # inserted rows meanwhile, so the rows are found again before anything is written.
        header, moved, skipped, work = _find_rows_again(book, plan, kept, work, prepared, early)
    requests_ = _structure(book, plan, header, work, moved, sheet, columns=not prepared, whole=whole)
    if requests_ and cells and (not slow or placeless):
        # The read is fresh (or this write places nothing by position), yet a seller may have sorted a
        # moment ago: the batchUpdate brings the rows back in its answer, and the cells are written where
        # their rows are now (no request of its own). Its own requests (formats, appended rows, colours)
        # follow the read; rows moved by then take nothing but a date format within the same column.
        identity = fewest_keys(_first_columns(plan, kept), plan.header, kept.height)
        keys = _keys(work, identity)
        wanted, ranges = reread_ranges(tab, plan.header, keys, _grid_rows(book, tab))
        answer = api.batch_update(requests_, response_ranges=ranges)
        if answer is None:  # it applied, but its answer (the rows) was lost: read them
            header, columns = reread(api, tab, plan.header, keys, _grid_rows(book, tab), TABS_WRITTEN)
        else:
            top, columns = read_back(answer, tab, wanted)
            header, columns = found_again(api, tab, plan.header, keys, top, columns, TABS_WRITTEN)
        before = _date_runs(work, None, whole)
        header, moved, skipped, work = _relocate(plan, kept, work, header, columns, identity, prepared, early)
        formatted = set(before)  # the batchUpdate above formatted these already
        after = [run for run in _date_runs(work, moved, whole) if run not in formatted]
        if after:  # dates whose rows moved: their cells get the date format where they are
            sheet_id = sheet["sheetId"]
            api.batch_update([_number_format(_grid(sheet_id, start, end, col, col + 1)) for col, start, end in after])
    elif requests_:
        api.batch_update(requests_)
    elif cells and not slow and any(c.key in FILLABLE_KEYS for c in work.changes):
        # Only cells change, and some are the seller's (a blank Return ID or date filled in): find the rows
        # again first, so that a sort made a moment ago cannot put them in another row.
        header, moved, skipped, work = _find_rows_again(book, plan, kept, work)
    if prepared and work.added and moved is not None:
        # A column added before the emails was deleted or renamed meanwhile (it is not where its header is).
        _add_again(book, plan, header, work)
    queue = _chunks(_value_ranges(tab, header, work, moved, plan.header), tab)
    # The Return IDs this run assigns: an earlier value write may have filled them in before one got no answer.
    # (ID -> the rows, as first read, it was assigned to: a joined return's ID may be one the sheet already has.)
    ours: dict[str, set[int]] = {}
    for change in as_read.changes:
        if change.key == "return_id":
            ours.setdefault(change.value, set()).add(change.row)

    def again() -> list[dict]:
        """A value write got no clear answer and is about to go again: the rows are found again (a sort during
        the wait would put its cells in other rows), and every cell is placed anew: the one to send now."""
        nonlocal header, moved, skipped, work, queue
        header, moved, skipped, work = _find_rows_again(book, plan, kept, as_read, True, early, ours,
                                                        done="some cells may be written; the next run completes the write")
        queue = _chunks(_value_ranges(tab, header, work, moved, plan.header), tab)
        return queue.pop(0) if queue else []

    while queue:
        api.write_values(queue.pop(0), again=again)
    counts["cells"] = len(work.changes)
    if early is not None:  # written before the emails, with the columns (see early_cells)
        counts["cells"] += early.cells
        counts["rows"] = len(early.rows | {c.row for c in work.changes})
    if skipped:
        counts["rows_left_for_next_run"] = skipped
    return WriteReport(written=True, changes=counts, saved_to=book.url)


def _add_again(book, plan: WritePlan, header: HeaderMap, work: Draft) -> None:
    """Columns added before the emails (prepare) that the seller deleted or renamed during them, added again
    at the right end: grid, the header's look, dates as dates, status colours (one batchUpdate; their cells
    go with the others, see _relocate)."""
    sheet_id = book.sheets[plan.tab]["properties"]["sheetId"]
    requests_: list[dict] = [{"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                                  "length": len(work.added)}}]
    requests_ += _added_look(sheet_id, header, work)
    if "status" in work.added:  # its colour rules went with the column
        requests_.extend(status_rules({}, sheet_id, header.row_index + 1, work.positions["status"]))
    book.api.batch_update(requests_)


def _keys(work: Draft, identity: tuple[str, ...] = IDENTITY_KEYS) -> tuple[str, ...]:
    """The columns read again: the identity columns, and the seller's columns the job fills when blank."""
    fills = {c.key for c in work.changes if c.key in FILLABLE_KEYS}
    return tuple(dict.fromkeys(identity + tuple(sorted(fills))))


def _first_columns(plan: WritePlan, kept: Kept) -> dict[str, list]:
    return {k: kept.columns[plan.header.columns[k]] for k in IDENTITY_KEYS if k in plan.header.columns}


def _grid_rows(book, tab: str) -> int:
    return book.sheets[tab]["properties"].get("gridProperties", {}).get("rowCount", 0)


def _find_rows_again(book, plan: WritePlan, kept: Kept, work: Draft, prepared: bool = False, early=None,
                     ours: dict[str, set[int]] | None = None, done: str = "nothing was written"):
    """Re-read the identity columns; map every changed row to where it is now (or drop it). `done`: what is
    written so far, for the error if the header row is not found again."""
    keys = _keys(work)
    header, columns = reread(book.api, plan.tab, plan.header, keys, _grid_rows(book, plan.tab), done)
    return _relocate(plan, kept, work, header, columns, prepared=prepared, early=early, ours=ours)


def _relocate(plan: WritePlan, kept: Kept, work: Draft, header: HeaderMap, columns: dict[str, list],
              identity: tuple[str, ...] = IDENTITY_KEYS, prepared: bool = False, early=None,
              ours: dict[str, set[int]] | None = None):
    """Map every changed row to where it is now by its identity (or drop it), given the rows read again.
    `prepared`: the added columns were written with their headers before (prepare): they are found by
    their header text, wherever they are now; `early`: the cells written with them (early_cells);
    `ours`: Return IDs this run assigned, with the rows (as first read) each went to, that an earlier value
    write of it may have filled in already: a row holding one is matched as the blank it was when read, only
    if it is one of those rows (a seller's row that already had the ID, a return the new line joined, is
    matched as itself)."""
    keep_ownership(plan.header, header)
    if prepared:
        for key in work.added:
            text = plan.header.added_header(key)
            where = [i for i, h in enumerate(header.headers) if h == text]
            if where:
                header.columns[key] = min(where, key=lambda i: abs(i - work.positions[key]))
        if early is not None:  # a column deleted or renamed since: the cells it got before the emails go again
            again = [Change(row, key, value) for key in work.added if key not in header.columns
                     for row, value in early.columns.get(work.positions[key], {}).items()]
            work = Draft(work.changes + again, work.positions, work.added, work.width)
    first = keys_of(_first_columns(plan, kept), plan.header, kept.height, identity)
    height = max((len(c) for c in columns.values()), default=0)
    now = keys_of(columns, header, height, identity)
    if ours and "return_id" in identity and "return_id" in header.columns:
        at = [k for k in identity if k in header.columns].index("return_id")

        def matched_as_read(key: tuple) -> tuple:
            rows = ours.get(key[at])
            if not rows:
                return key
            blank = key[:at] + (None,) + key[at + 1:]
            return blank if any(row < len(first) and first[row] == blank for row in rows) else key

        now = [matched_as_read(key) for key in now]
    wanted = {c.row for c in work.changes}
    moved, lost = locate(first, plan.header.row_index + 1, now, header.row_index + 1, wanted)
    positions = dict(header.columns)
    # The table's right end now: where it ended as read, moved by the columns inserted or deleted since, as
    # the header row's end (its last header) shows; a column the seller left blank between the header's end
    # and data further right counts once. Prepared, the header row ended with the columns added then.
    then = work.width + len(work.added) if prepared else _header_end(plan.header.headers)
    width = max(len(header.headers), work.width + (len(work.added) if prepared else 0) + _header_end(header.headers) - then)
    if prepared and not any(k in header.columns for k in work.added):
        # None of them is where its header was: they may all be gone, and with them the header row's end
        # they made; the table's end is then as read, moved by the seller's columns.
        width = max(width, work.width + _header_end(header.headers) - _header_end(plan.header.headers))
    added = [k for k in work.added if k not in positions]
    for offset, key in enumerate(added):
        positions[key] = width + offset
    remaining = []
    for change in work.changes:
        target = moved.get(change.row)
        if target is None or change.key not in positions:
            continue
        if change.key in FILLABLE_KEYS:
            current = columns.get(change.key, [])
            if target < len(current) and current[target] not in ("", None):
                continue  # filled in by the seller meanwhile
        remaining.append(change)
    return header, moved, lost, Draft(remaining, positions, added, width)


def _header_end(headers: list[str]) -> int:
    """Columns up to the header row's last header."""
    return max((i + 1 for i, h in enumerate(headers) if h), default=0)


def prepare(book, plan: WritePlan) -> bool:
    """Before the first email of a run: add the columns the plan adds (grid, headers, formats, status
    colours, the record of the job's columns) in one batchUpdate, which nothing that the emails change
    goes into. The write itself shows that the sheet can be edited (a sheet shared for viewing only
    stops the run here, before any email). False, and nothing written, when no column is to be added."""
    kept = book.kept(plan.tab, plan.header)
    work = _columns_of(plan, kept)
    if not work.added:
        return False
    sheet = book.sheets[plan.tab]["properties"]
    # The columns are inserted at the right end of the table as read rather than written into the grid's
    # empty columns: a column the seller inserted a moment ago has moved the table's last column there.
    # They take their look from the column after them (an empty one), never from the seller's last column;
    # Google refuses that at the grid's end, so a grid with no column spare right of the table gets one first.
    requests_ = []
    # Two spare: the insert still has a column after it if the seller deletes one meanwhile.
    have = sheet.get("gridProperties", {}).get("columnCount", 0)
    if work.width + 2 > have:
        requests_.append({"appendDimension": {"sheetId": sheet["sheetId"], "dimension": "COLUMNS",
                                              "length": work.width + 2 - have}})
    requests_.append({"insertDimension": {"range": {"sheetId": sheet["sheetId"], "dimension": "COLUMNS",
                                                    "startIndex": work.width, "endIndex": work.width + len(work.added)},
                                          "inheritFromBefore": False}})
    requests_ += _column_requests(book, plan, plan.header, work, sheet, grow=False)
    first = work.positions[work.added[0]]
    requests_.append({"updateCells": {
        "start": {"sheetId": sheet["sheetId"], "rowIndex": plan.header.row_index, "columnIndex": first},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": plan.header.added_header(k)}} for k in work.added]}],
        "fields": "userEnteredValue"}})
    early = None
    if book.read_age() <= FRESH_SECONDS:  # the rows are where the read found them a moment ago
        # Room for the write token, the read-back ranges and the early columns' metadata (tag_requests).
        budget = MAX_PAYLOAD - size({"requests": requests_}) - 1000 - 300 * len(work.added)
        early = early_cells(plan, kept, work.positions, work.added, sheet["sheetId"], budget)
    if early is None:
        book.api.batch_update(requests_)
    else:
        tags = tag_requests(early, sheet["sheetId"])
        _write_early(book, plan, kept, requests_ + [early.request] + tags, early)
    book.prepared = (plan.tab, tuple(work.added), work.width)
    return True


def _write_early(book, plan: WritePlan, kept: Kept, requests_: list[dict], early) -> None:
    """The column write with the early cells, bringing the identity columns back in its answer: kept as
    written if every row was where it was read, else cleared again (see early_cells)."""
    api, tab = book.api, plan.tab
    first = _first_columns(plan, kept)
    identity = fewest_keys(first, plan.header, kept.height)
    wanted, ranges = reread_ranges(tab, plan.header, identity, _grid_rows(book, tab))
    answer = api.batch_update(requests_, response_ranges=ranges)
    done = "the job's columns were added; no email was sent"
    if answer is None:  # it applied, but its answer (the rows) was lost: read them
        header, columns = reread(api, tab, plan.header, identity, _grid_rows(book, tab), done)
    else:
        top, columns = read_back(answer, tab, wanted)
        header, columns = found_again(api, tab, plan.header, identity, top, columns, done)
    if in_place(plan, kept, first, identity, header, columns, early):
        remember(kept, early)
        book.early = early
    else:  # a row moved before the write: its cells may be in another row; the write after the emails places them
        api.write_values_by_filter(clear_data(plan, early))


def _columns_of(plan: WritePlan, kept: Kept) -> Draft:
    """Where every column of the plan goes (added ones at the right end), as draft() places them."""
    positions = dict(plan.header.columns)
    added = [k for k in plan.add_columns if k not in positions]
    for offset, key in enumerate(added):
        positions[key] = kept.width + offset
    return Draft(positions=positions, added=added, width=kept.width)


def _prepared(book, plan: WritePlan, work: Draft) -> bool:
    return getattr(book, "prepared", None) == (plan.tab, tuple(work.added), work.width) and bool(work.added)


def _whole_date_columns(work: Draft) -> frozenset[str]:
    """Added date columns: formatted as dates from the header down, so their written dates need no format."""
    return frozenset(k for k in work.added if BY_KEY[k].kind == "date")


def _structure(book, plan: WritePlan, header: HeaderMap, work: Draft, moved, sheet: dict, *, columns: bool = True,
               whole: frozenset[str] = frozenset()) -> list[dict]:
    """One batchUpdate: grow the grid, format new columns and written dates, status colours, generated tabs.
    Without `columns`, the added columns' part (see prepare) is left out: it was written already."""
    sheet_id = sheet["sheetId"]
    requests_ = _column_requests(book, plan, header, work, sheet) if columns else []
    for col, start, end in _date_runs(work, moved, whole):
        requests_.append(_number_format(_grid(sheet_id, start, end, col, col + 1)))
    if plan.append:
        requests_.append(_append_cells(sheet_id, header, work.positions, plan.append))
    taken = {s["properties"]["sheetId"] for s in book.sheets.values()}
    for tab in changed_tabs(book, plan):
        existing = _existing_tab(book, tab.title)
        requests_.extend(tab_requests(tab, existing, taken, plan.currency_symbol, record_digest=True))
    return requests_


def _column_requests(book, plan: WritePlan, header: HeaderMap, work: Draft, sheet: dict, grow: bool = True) -> list[dict]:
    """Grow the grid for added columns (unless not `grow`), give them the header's look (dates as dates),
    record them as the job's, and colour the Status column by label."""
    sheet_id = sheet["sheetId"]
    requests_: list[dict] = []
    needed = max(work.positions.values(), default=-1) + 1
    have = sheet.get("gridProperties", {}).get("columnCount", 0)
    if grow and needed > have:
        requests_.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": needed - have}})
    requests_ += _added_look(sheet_id, header, work)
    requests_.extend(_record_job_columns(book.sheets[plan.tab], plan, work))
    status_col = work.positions.get("status")
    if status_col is not None:
        requests_.extend(status_rules(book.sheets[plan.tab], sheet_id, header.row_index + 1, status_col))
    return requests_


def _added_look(sheet_id: int, header: HeaderMap, work: Draft) -> list[dict]:
    """The added columns' look: the header cells' format of the header's last column, dates as dates below."""
    if not work.added:
        return []
    hr = header.row_index
    last = max((i for i, h in enumerate(header.headers) if h), default=0)
    first_new, last_new = work.positions[work.added[0]], work.positions[work.added[-1]]
    requests_ = [{"copyPaste": {"source": _grid(sheet_id, hr, hr + 1, last, last + 1),
                                "destination": _grid(sheet_id, hr, hr + 1, first_new, last_new + 1),
                                "pasteType": "PASTE_FORMAT"}}]
    for key in work.added:
        if BY_KEY[key].kind == "date":
            col = work.positions[key]
            requests_.append(_number_format(_grid(sheet_id, hr + 1, None, col, col + 1)))
    return requests_


def _record_job_columns(sheet: dict, plan: WritePlan, work: Draft) -> list[dict]:
    """Record which columns are the job's in the tab's developer metadata (nothing when already recorded)."""
    mark = mark_text(plan.tab, owned_headers(plan.header, work.added))
    existing = job_columns_metadata(sheet)
    if mark is None or existing.get("metadataValue") == mark:
        return []
    if existing:
        return [{"updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {"metadataId": existing["metadataId"]}}],
            "developerMetadata": {"metadataValue": mark}, "fields": "metadataValue"}}]
    return [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": MARK, "metadataValue": mark, "location": {"sheetId": sheet["properties"]["sheetId"]},
        "visibility": "DOCUMENT"}}}]


def _existing_tab(book, title: str) -> dict | None:
    return next((s for t, s in book.sheets.items() if t.lower() == title.lower()), None)


def changed_tabs(book, plan: WritePlan) -> list:
    """The generated tabs that would show something other than they show now (their stamp row aside)."""
    return [tab for tab in plan.tabs if stored_digest(_existing_tab(book, tab.title)) != tab.digest()]


def _grid(sheet_id: int, r0: int, r1: int | None, c0: int, c1: int) -> dict:
    grid = {"sheetId": sheet_id, "startRowIndex": r0, "startColumnIndex": c0, "endColumnIndex": c1}
    if r1 is not None:
        grid["endRowIndex"] = r1
    return grid


def _number_format(grid: dict) -> dict:
    return {"repeatCell": {"range": grid, "cell": {"userEnteredFormat": {"numberFormat": DATE_FORMAT}},
                           "fields": "userEnteredFormat.numberFormat"}}


def _target(change: Change, moved) -> int:
    return change.row if moved is None else moved[change.row]


def _date_runs(work: Draft, moved, whole: frozenset[str] = frozenset()) -> list[tuple[int, int, int]]:
    """(column, first row, end row) runs of cells that receive a date, 0-based, end exclusive (none in the
    `whole` columns, formatted as dates all the way down)."""
    by_col: dict[int, list[int]] = {}
    for change in work.changes:
        if isinstance(change.value, date) and change.key not in whole:
            by_col.setdefault(work.positions[change.key], []).append(_target(change, moved))
    runs = []
    for col, rows in sorted(by_col.items()):
        for start, end in _runs(sorted(rows)):
            runs.append((col, start, end))
    return runs


def _runs(rows: list[int], gap: int = 0) -> list[tuple[int, int]]:
    """Sorted row numbers -> (first, end) runs; rows up to `gap` apart share a run."""
    out = []
    for row in rows:
        if out and row <= out[-1][1] + gap:
            out[-1] = (out[-1][0], row + 1)
        else:
            out.append((row, row + 1))
    return out


def _value_ranges(tab: str, header: HeaderMap, work: Draft, moved, as_read: HeaderMap) -> list[dict]:
    """The changed cells as ValueRanges: one per run of consecutive rows in a column."""
    data = []
    for key in work.added:
        data.append({"range": a1(tab, work.positions[key], header.row_number), "values": [[as_read.added_header(key)]]})
    by_col: dict[int, dict[int, object]] = {}
    for change in work.changes:
        value = change.value
        by_col.setdefault(work.positions[change.key], {})[_target(change, moved)] = (
            value if value.__class__ is str else to_api(value))
    for col, cells in sorted(by_col.items()):
        for start, end in _runs(sorted(cells), MAX_GAP):
            for piece in range(start, end, MAX_RUN):
                stop = min(end, piece + MAX_RUN)
                # A null leaves its cell as it is: short gaps of unchanged cells cost less than a new range.
                data.append(_column_range(tab, col, piece, [cells.get(r) for r in range(piece, stop)]))
    return data


def _column_range(tab: str, col: int, start: int, values: list) -> dict:
    """Cells of one column from 0-based row `start` down, as a ValueRange."""
    return {"range": a1(tab, col, start + 1, start + len(values)), "majorDimension": "COLUMNS", "values": [values]}


def _size(item: dict) -> int:
    return size(item) + 2  # as sent (non-ASCII text escaped), and the comma between two ranges


def _split(item: dict, tab: str) -> list[dict]:
    """A column ValueRange too big for one request, as pieces (halves, recursively) that each fit."""
    if _size(item) <= MAX_PAYLOAD - 200 or len(item["values"][0]) < 2:
        return [item]
    cell = item["range"].rpartition("!")[2].split(":")[0]
    col = column_index("".join(ch for ch in cell if ch.isalpha()))
    start = int("".join(ch for ch in cell if ch.isdigit())) - 1
    values = item["values"][0]
    half = len(values) // 2
    return [piece for first, part in ((start, values[:half]), (start + half, values[half:]))
            for piece in _split(_trimmed(tab, col, first, part), tab)]


def _trimmed(tab: str, col: int, start: int, values: list) -> dict:
    """A column range without skipped (null) cells at either end, so it never names cells it leaves alone."""
    first = next(i for i, v in enumerate(values) if v is not None)
    last = len(values) - next(i for i, v in enumerate(reversed(values)) if v is not None)
    return _column_range(tab, col, start + first, values[first:last])


def _chunks(data: list[dict], tab: str = "") -> list[list[dict]]:
    """ValueRanges packed into requests of at most MAX_PAYLOAD bytes each."""
    chunks, current, size = [], [], 200  # room for the request's own fields
    for whole in data:
        for item in _split(whole, tab) if "majorDimension" in whole else [whole]:
            cost = _size(item)
            if current and size + cost > MAX_PAYLOAD:
                chunks.append(current)
                current, size = [], 200
            current.append(item)
            size += cost
    if current:
        chunks.append(current)
    return chunks


def _append_cells(sheet_id: int, header: HeaderMap, positions: dict[str, int], rows: list[dict]) -> dict:
    """New rows (intake) after the last row with data; columns placed by the header, text as text,
    dates as dates with a date format: one request inside the batchUpdate, applied atomically."""
    width = max(positions.values()) + 1
    data = []
    for item in rows:
        cells: list[dict] = [{} for _ in range(width)]
        for key, value in item.items():
            col = positions.get(key)
            if col is not None and value is not None:
                cells[col] = cell_data(value, "")
        data.append({"values": cells})
    return {"appendCells": {"sheetId": sheet_id, "rows": data, "fields": "userEnteredValue,userEnteredFormat.numberFormat"}}

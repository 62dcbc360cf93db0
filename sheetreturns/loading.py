"""Loading a sheet: open it, read its Returns tab and Settings, and evaluate every row."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .settings.config_file import Config
from .settings.policy_layers import SheetPolicy
from .engine.columns import BY_KEY, HeaderMap
from .engine.evaluate import evaluate, identity
from .engine.layout_rows import Reading
from .engine.model import Evaluation, Line
from .engine.policy import Policy
from .engine.ownership import claim
from .engine.typed_lines import build_lines, parsers_for
from .engine.values import BadValue
from .progress import Reporter
from .sheet.loaded import Loaded
from .sheet.workbook import Workbook, open_workbook, resolve_source
from .imports.journal import load_facts
from .state import remembered_ids

if TYPE_CHECKING:
    from .imports.record import ImportBatch


@contextmanager
def bulk_allocation():
    """Pause the cyclic garbage collector while building many small acyclic objects.

    Reading a sheet creates a few objects per cell and no reference cycles; without this the
    collector rescans the growing heap over and over (a third of the run time at 100k rows).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # what was built is acyclic: spare the collector one long scan of all of it
            gc.enable()


# Called while the sheet is open and its rows are read, before they are evaluated: rows to add below
# the last row (column key -> value), evaluated with the others and written in the same plan.
NewRows = Callable[[Workbook, list[Line], Policy, HeaderMap], list[dict[str, object]]]
# Called at the same point, before NewRows, with the sheet row number of the last row holding anything:
# imported reports' new rows, the blank cells they fill and the columns they add, for the same plan.
Imported = Callable[[Workbook, list[Line], HeaderMap, int], "ImportBatch | None"]


def load(source: str | None, as_of: date, config: Config, progress: Reporter | None = None, *,
         new_rows: NewRows | None = None, new_replies: Callable[[], list] | None = None, emails: bool = True,
         imported: Imported | None = None) -> Loaded:
    """Open SOURCE, read its Returns tab and Settings, and evaluate every row as of `as_of`.

    `emails=False` (check) leaves out which emails are due. `imported` and `new_rows` (a sync) add rows
    and fill blank cells while the sheet is open; they are evaluated with the rest and written in its plan."""
    chosen = resolve_source(source, config)
    progress = progress or Reporter(None)
    progress.stage("read", f"Reading {chosen if '://' in chosen else Path(chosen).name}")
    workbook = open_workbook(chosen, config)
    with bulk_allocation():
        return _load(chosen, workbook, as_of, config, progress, new_rows, new_replies, emails, imported)


def _load(chosen: str, workbook: Workbook, as_of: date, config: Config, progress: Reporter,
          new_rows: NewRows | None, new_replies: Callable[[], list] | None = None, emails: bool = True,
          imported: Imported | None = None) -> Loaded:
    try:
        # The seller's [columns] are read once the sheet's first rows (and its Settings tab) are in; the policy
        # is resolved once for the whole run, and every later step (intake, import, emails, tabs) gets it here.
        resolved = SheetPolicy(config, workbook)
        tab, header = workbook.returns_tab(resolved.columns)
        policy = resolved()
        reading = Reading()
        first = header.row_index + 1  # 0-based index of the first row below the header
        # Which job-named columns are the job's: recorded as such, or holding only what the job writes.
        owned = claim(header, workbook.job_columns(tab), (name for name, _ in policy.reason_keywords))
        rows = progress.count(owned.watch(islice(workbook.iter_rows(tab), first, None)),
                              f"Reading {workbook.name}: {{n}} rows")
        last = _LastFilled(rows, first) if new_rows is not None or imported is not None else None
        job_cells: dict[str, list[object]] = {}
        lines = build_lines(last if last is not None else rows, first + 1, header, policy, workbook.date1904,
                            job_cells, reading)
        if owned.settle():
            # A seller's column that only shares a name with one of the job's is not read as the job's either.
            for key in owned.foreign:
                job_cells.pop(key, None)
            blank = {key: None for key in ("contacted_on", "last_email") if key in owned.foreign}
            if blank:
                lines = [line._replace(**blank) for line in lines]
        appended: list[dict[str, object]] = []
        batch = imported(workbook, lines, header, last.row) if imported is not None else None
        seen = header  # the header as it will be once the plan's write adds import's columns
        if batch is not None:
            seen = _with_columns(header, batch.add_columns)
            if batch.fills:
                lines = _filled(lines, batch.fills, policy, workbook.date1904)
            appended += batch.rows
            lines += _appended_lines(batch.rows, last.row + 1, seen, policy, workbook.date1904)
        if new_rows is not None:
            rows_now = new_rows(workbook, lines, policy, seen)
            lines += _appended_lines(rows_now, last.row + 1 + len(appended), seen, policy, workbook.date1904)
            appended += rows_now
        workbook.done_reading()
        progress.stage("evaluate", f"Checking {len(lines):,} rows")
        # What imported reports said about rows: this run's too, before the journal is saved after the write.
        facts = batch.facts_index() if batch is not None else load_facts(config.state_dir, chosen)
        evaluation = evaluate(lines, seen, policy, as_of, remembered_ids(config.state_dir, chosen), facts,
                              emails=emails)
        with_replies(evaluation, policy, config, chosen, new_replies() if new_replies is not None else ())
    except BaseException:
        workbook.close()
        raise
    return Loaded(chosen, workbook, tab, header, policy, evaluation, appended, last.row if last else None, job_cells,
                  reading, fills=batch.fills if batch is not None else {},
                  added_columns=list(batch.add_columns) if batch is not None else [])


def _with_columns(header: HeaderMap, keys: list[str]) -> HeaderMap:
    """HEADER with columns the write adds at its right end (for reading new rows and naming cells)."""
    if not keys:
        return header
    width = len(header.headers)
    return replace(header, headers=[*header.headers, *(header.added_header(k) for k in keys)],
                   columns={**header.columns, **{key: width + n for n, key in enumerate(keys)}})


def _appended_lines(rows: list[dict[str, object]], first: int, header: HeaderMap, policy: Policy,
                    date1904: bool) -> list[Line]:
    if not rows:
        return []
    width = max(header.columns.values(), default=-1) + 1
    keys = _keys_by_position(header, width)
    return build_lines([[row.get(key) for key in keys] for row in rows], first, header, policy, date1904)


def _filled(lines: list[Line], fills: dict[int, dict[str, object]], policy: Policy, date1904: bool) -> list[Line]:
    """LINES with blank cells filled in (by import), each value typed as the sheet's reader types it."""
    parsers = parsers_for(policy, date1904)
    out = []
    for line in lines:
        values = fills.get(line.row)
        if values:
            typed, bad = {}, dict(line.bad)
            for key, value in values.items():
                try:
                    typed[key] = parsers[BY_KEY[key].kind](value)
                except BadValue as exc:
                    bad[key] = (value, str(exc))
            line = line._replace(**typed, bad=bad) if bad else line._replace(**typed)
        out.append(line)
    return out


class _LastFilled:
    """Passes rows through, noting the sheet row number of the last one that holds anything."""

    def __init__(self, rows: Iterable[list[object]], first: int):
        self.rows, self.row = rows, first  # `first` 0-based = the header's 1-based row number

    def __iter__(self):
        for number, cells in enumerate(self.rows, start=self.row + 1):
            if any(c is not None and c != "" for c in cells):
                self.row = number
            yield cells


def _keys_by_position(header: HeaderMap, width: int) -> list[str | None]:
    by_position: list[str | None] = [None] * width
    for key, index in header.columns.items():
        by_position[index] = key
    return by_position


def with_replies(evaluation: Evaluation, policy, config: Config, chosen: str, new: Iterable = ()) -> None:
    """Customers' replies that intake recorded (and `new`: this run's, not yet in the journal), put on their
    returns: Next Step, the Reply columns, reminders held."""
    from .engine.replies import apply_replies
    from .intake.replies import recorded_replies

    replies, answers, others = recorded_replies(config.state_dir, chosen, new)
    if replies or others:
        apply_replies(evaluation, replies, answers, policy)
        evaluation.other_replies = others


def assigned_identities(evaluation: Evaluation) -> dict[tuple[str, str, str], str]:
    """(order, sku, email) -> the Return ID this run gave each row that had none."""
    if not evaluation.assigned_ids:
        return {}
    by_row = {line.row: line for line in evaluation.lines}
    found = {}
    for row, return_id in evaluation.assigned_ids.items():
        key = identity(by_row[row])
        if key is not None:
            found[key] = return_id
    return found

"""Loading a sheet: open it, read its Returns tab and Settings, and evaluate every row."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable

from .settings.config_file import Config
from .settings.policy_layers import resolve_policy
from .engine.columns import HeaderMap
from .engine.evaluate import evaluate, identity
from .engine.layout_rows import Reading
from .engine.model import Evaluation, Line
from .engine.policy import Policy
from .engine.typed_lines import build_lines
from .progress import Reporter
from .sheet.loaded import Loaded
from .sheet.workbook import Workbook, open_workbook, resolve_source
from .imports.journal import load_facts
from .state import remembered_ids


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


def load(source: str | None, as_of: date, config: Config, progress: Reporter | None = None, *,
         new_rows: NewRows | None = None, new_replies: Callable[[], list] | None = None, emails: bool = True) -> Loaded:
    """Open SOURCE, read its Returns tab and Settings, and evaluate every row as of `as_of`.

    `emails=False` (check) leaves out which emails are due."""
    chosen = resolve_source(source, config)
    progress = progress or Reporter(None)
    progress.stage("read", f"Reading {chosen if '://' in chosen else Path(chosen).name}")
    workbook = open_workbook(chosen, config)
    with bulk_allocation():
        return _load(chosen, workbook, as_of, config, progress, new_rows, new_replies, emails)


def _load(chosen: str, workbook: Workbook, as_of: date, config: Config, progress: Reporter,
          new_rows: NewRows | None, new_replies: Callable[[], list] | None = None, emails: bool = True) -> Loaded:
    try:
        policy_once: list[Policy] = []

        def named_columns() -> tuple[tuple[str, str], ...]:
            """The seller's [columns], read once the sheet's first rows (and its Settings tab) are in."""
            if not policy_once:
                policy_once.append(resolve_policy(config, workbook))
            return policy_once[0].columns

        tab, header = workbook.returns_tab(named_columns)
        policy = policy_once[0] if policy_once else resolve_policy(config, workbook)
        reading = Reading()
        first = header.row_index + 1  # 0-based index of the first row below the header
        rows = progress.count(islice(workbook.iter_rows(tab), first, None), f"Reading {workbook.name}: {{n}} rows")
        last = _LastFilled(rows, first) if new_rows is not None else None
        job_cells: dict[str, list[object]] = {}
        lines = build_lines(last if last is not None else rows, first + 1, header, policy, workbook.date1904,
                            job_cells, reading)
        appended: list[dict[str, object]] = []
        if new_rows is not None:
            appended = new_rows(workbook, lines, policy, header)
            width = max(header.columns.values(), default=-1) + 1
            cells = [[row.get(key) for key in _keys_by_position(header, width)] for row in appended]
            lines += build_lines(cells, last.row + 1, header, policy, workbook.date1904)
        workbook.done_reading()
        progress.stage("evaluate", f"Checking {len(lines):,} rows")
        facts = load_facts(config.state_dir, chosen)  # what imported reports said about rows
        evaluation = evaluate(lines, header, policy, as_of, remembered_ids(config.state_dir, chosen), facts,
                              emails=emails)
        with_replies(evaluation, policy, config, chosen, new_replies() if new_replies is not None else ())
    except BaseException:
        workbook.close()
        raise
    return Loaded(chosen, workbook, tab, header, policy, evaluation, appended, last.row if last else None, job_cells,
                  reading)


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
    by_row = {line.row: line for line in evaluation.lines}
    found = {}
    for row, return_id in evaluation.assigned_ids.items():
        key = identity(by_row[row])
        if key is not None:
            found[key] = return_id
    return found

"""Loading a sheet: open it, read its Returns tab and Settings, and evaluate every row."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import islice
from datetime import date
from pathlib import Path

from .settings.config_file import Config
from .settings.policy_layers import resolve_policy
from .engine.evaluate import evaluate, identity
from .engine.typed_lines import build_lines
from .engine.model import Evaluation
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


def load(source: str | None, as_of: date, config: Config, progress: Reporter | None = None) -> Loaded:
    """Open SOURCE, read its Returns tab and Settings, and evaluate every row as of `as_of`."""
    chosen = resolve_source(source, config)
    progress = progress or Reporter(None)
    progress.stage("read", f"Reading {chosen if '://' in chosen else Path(chosen).name}")
    workbook = open_workbook(chosen, config)
    with bulk_allocation():
        return _load(chosen, workbook, as_of, config, progress)


def _load(chosen: str, workbook: Workbook, as_of: date, config: Config, progress: Reporter) -> Loaded:
    try:
        tab, header = workbook.returns_tab()
        policy = resolve_policy(config, workbook)
        first = header.row_index + 1  # 0-based index of the first row below the header
        rows = progress.count(islice(workbook.iter_rows(tab), first, None), f"Reading {workbook.name}: {{n}} rows")
        lines = build_lines(rows, first + 1, header, policy, workbook.date1904)
        workbook.done_reading()
        progress.stage("evaluate", f"Checking {len(lines):,} rows")
        facts = load_facts(config.state_dir, chosen)  # what imported reports said about rows
        evaluation = evaluate(lines, header, policy, as_of, remembered_ids(config.state_dir, chosen), facts)
    except BaseException:
        workbook.close()
        raise
    return Loaded(chosen, workbook, tab, header, policy, evaluation)


def assigned_identities(evaluation: Evaluation) -> dict[tuple[str, str, str], str]:
    """(order, sku, email) -> the Return ID this run gave each row that had none."""
    by_row = {line.row: line for line in evaluation.lines}
    found = {}
    for row, return_id in evaluation.assigned_ids.items():
        key = identity(by_row[row])
        if key is not None:
            found[key] = return_id
    return found

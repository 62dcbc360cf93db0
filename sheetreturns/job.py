"""The commands as library calls: load a sheet, evaluate it, and (for sync) act on the result."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from itertools import islice
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .columns import HeaderMap
from .config import Config, load_config
from .engine import evaluate, identity
from .lines import build_lines
from .mail import deliver
from .model import Evaluation
from .plan import build_plan
from .policy import Policy, apply_settings
from .progress import ProgressCallback, Reporter
from .result import RunResult
from .source import Workbook, open_workbook, resolve_source
from .state import remember_ids, remembered_ids, run_lock


@dataclass
class Loaded:
    """A sheet read and evaluated: everything later steps (writing, emails, summary) start from."""

    source: str
    workbook: Workbook
    tab: str
    header: HeaderMap
    policy: Policy
    evaluation: Evaluation


def resolve_policy(config: Config, workbook: Workbook) -> Policy:
    """Defaults, then sheetreturns.toml [policy], then the workbook's Settings tab."""
    policy = apply_settings(Policy(), config.policy_entries, "sheetreturns.toml")
    return apply_settings(policy, workbook.settings(), "Settings tab")


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
        evaluation = evaluate(lines, header, policy, as_of, remembered_ids(config.state_dir, chosen))
    except BaseException:
        workbook.close()
        raise
    return Loaded(chosen, workbook, tab, header, policy, evaluation)


def check(source: str | Path | None = None, *, as_of: date | None = None,
          config: Config | str | Path | None = None) -> RunResult:
    """Read and evaluate a sheet; change nothing, send nothing."""
    config = config if isinstance(config, Config) else load_config(config)
    as_of = as_of or date.today()
    loaded = load(str(source) if source is not None else None, as_of, config)
    loaded.workbook.close()
    return RunResult("check", as_of, loaded.workbook.name, loaded.tab, loaded.evaluation)


def sync(source: str | Path | None = None, *, as_of: date | None = None,
         config: Config | str | Path | None = None, dry_run: bool = False, outbox: str | Path | None = None,
         now: datetime | None = None, progress: ProgressCallback | None = None) -> RunResult:
    """The job: evaluate the sheet, send the emails that are due, write statuses and the generated tabs back.

    With dry_run nothing is written and nothing is sent; the result says what would change.
    `progress`, if given, is called with a Progress at each stage (reading, checking, emails, writing).
    """
    reporter = Reporter(progress)
    config = config if isinstance(config, Config) else load_config(config)
    now = now or datetime.now()
    as_of = as_of or now.date()
    chosen = resolve_source(str(source) if source is not None else None, config)
    from .intake.record import intake_first  # mail modules load only for a sync

    with run_lock(config.state_dir, chosen):
        if config.intake.get("mailbox"):
            reporter.stage("read", "Recording new return notices from the mail folder")
        intake = intake_first(chosen, config, dry_run=dry_run, now=now)  # new notices become rows first
        loaded = load(chosen, as_of, config, reporter)
        try:
            if not dry_run:
                loaded.workbook.preflight()
            reporter.stage("emails", "Working out emails" if dry_run else "Sending emails")
            if not dry_run:
                # Before any email goes out under a new Return ID, make that ID stick to its row.
                remember_ids(config.state_dir, chosen, assigned_identities(loaded.evaluation))
            delivery = deliver(loaded, config, dry_run=dry_run, outbox=Path(outbox) if outbox else None, now=now)
            from .summary import summary_tab  # pandas: imported only when a summary is built

            tabs = [summary_tab(loaded.evaluation, loaded.policy, now)]
            if delivery.log_tab is not None:
                tabs.append(delivery.log_tab)
            plan = build_plan(loaded.tab, loaded.header, loaded.evaluation, delivery.contacted_on,
                              delivery.last_email, tabs, loaded.policy.currency_symbol)
            reporter.stage("write", f"Checking what would change in {loaded.workbook.name}" if dry_run
                           else f"Saving {loaded.workbook.name}")
            report = loaded.workbook.apply(plan, dry_run=dry_run, backups=config.backups)
        finally:
            loaded.workbook.close()
    reporter.finished("Done")
    return RunResult(
        "sync", as_of, loaded.workbook.name, loaded.tab, loaded.evaluation, emails=delivery.records,
        written=report.written, failures=[*intake.failures, *delivery.failures], changes=report.changes,
        notes=list(intake.notes),
    )


def assigned_identities(evaluation: Evaluation) -> dict[tuple[str, str, str], str]:
    """(order, sku, email) -> the Return ID this run gave each row that had none."""
    by_row = {line.row: line for line in evaluation.lines}
    found = {}
    for row, return_id in evaluation.assigned_ids.items():
        key = identity(by_row[row])
        if key is not None:
            found[key] = return_id
    return found

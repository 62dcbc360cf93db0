"""The library's front door: every command of the command line is one call here.

Each function takes a SOURCE (an .xlsx/.xlsm path, a Google Sheets link or ``gsheet:KEY``; ``None`` means
the ``source`` in sheetreturns.toml) and keyword options, and returns a result object. Nothing here prints:
the command line renders the results as text or JSON and decides the exit code.

``config`` is a loaded :class:`~sheetreturns.settings.config_file.Config`, a path to a settings file, or
``None`` to look for ``sheetreturns.toml`` in the working folder and then the user's config folder.
"""
from __future__ import annotations

from dataclasses import replace
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .emails import deliver
from .engine.ownership import column_notes
from .errors import SheetReturnsError
from .loading import assigned_identities, load
from .progress import ProgressCallback, Reporter
from .results import BackupList, Restored, RunResult
from .settings.config_file import Config, load_config
from .sheet.workbook import WriteReport, google_key, resolve_source
from .sheet.write_plan import build_plan
from .state import adopt_legacy_state, backup_folder, remember_ids, run_lock, sheet_state_dir
from .summary.known import import_in_background

if TYPE_CHECKING:  # the heavier result types are imported when their function runs
    from .emails.delivery import Delivery
    from .sheet.loaded import Loaded
    from .sheet.tab_model import Tab
    from .sheet.write_plan import WritePlan
    from .config_check import SetupReport
    from .emails.preview import Preview
    from .imports.record import ImportResult
    from .intake.record import IntakeResult
    from .summary.report import SummaryReport

ConfigLike = Config | str | Path | None


def _config(config: ConfigLike) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def _source(source: str | Path | None) -> str | None:
    return str(source) if source is not None else None


def _for_sheet(config: Config, chosen: str) -> tuple[Config, tuple[Path, ...]]:
    """The config with state_dir set to where this sheet's state lives; and the config's own folder, when that
    is not it (state found there is moved over)."""
    folder = sheet_state_dir(config, chosen)
    if folder == Path(config.state_dir).absolute():
        return config, ()
    return replace(config, state_dir=folder), (Path(config.state_dir),)


def _reading(source: str | Path | None, config: Config) -> tuple[str, Config]:
    """For commands that only read: the sheet and its config; state an earlier version kept elsewhere is moved
    to the sheet's state folder first (unless a run holds the sheet)."""
    chosen = resolve_source(_source(source), config)
    config, also = _for_sheet(config, chosen)
    adopt_legacy_state(config.state_dir, chosen, also=also)
    return chosen, config


def check(source: str | Path | None = None, *, as_of: date | None = None, config: ConfigLike = None) -> RunResult:
    """Read and evaluate a sheet: every row's status, next step and problems. Changes nothing, sends nothing."""
    config = _config(config)
    as_of = as_of or date.today()
    chosen, config = _reading(source, config)
    loaded = load(chosen, as_of, config, emails=False)  # a check sends nothing: no emails worked out
    loaded.workbook.close()
    reading = loaded.reading
    return RunResult("check", as_of, loaded.workbook.name, loaded.tab, loaded.evaluation,
                     columns=loaded.header.described(), left_alone=list(reading.left_alone),
                     sales_export=sales_export_message(loaded) if reading.sales_export else None,
                     notes=column_notes(loaded.header))


def sales_export_message(loaded) -> str:
    """What a seller reads when their sheet looks like a sales export: why, and how to confirm it is not."""
    return (
        f"{loaded.workbook.name}: {loaded.reading.sales_export}, so nothing is written and no email is sent. "
        f"If every row is a return, add this_is_a_returns_sheet = yes to the Settings tab "
        f"(or under [policy] in sheetreturns.toml) and run again"
    )


def sync(source: str | Path | None = None, *, as_of: date | None = None, config: ConfigLike = None,
         dry_run: bool = False, outbox: str | Path | None = None, now: datetime | None = None,
         progress: ProgressCallback | None = None, send_backlog: bool = False) -> RunResult:
    """The job: import new report files and record new notices, evaluate the sheet, send the emails that are
    due, and write it all (new rows, filled cells, statuses, tabs) in one save.

    With ``dry_run`` nothing is written and nothing is sent; the result says what would change.
    ``outbox`` writes emails as .eml files into that folder instead of sending them.
    Over SMTP, the first run of a sheet and a run that would send more than ``bulk_email_limit`` emails
    hold them (records say "held"); ``send_backlog`` sends them.
    ``progress``, if given, is called with a Progress at each stage (reading, checking, emails, writing).
    """
    reporter = Reporter(progress)
    config = _config(config)
    now = now or datetime.now()
    as_of = as_of or now.date()
    chosen = resolve_source(_source(source), config)
    config, also = _for_sheet(config, chosen)
    batch = None
    imported = None

    def new_notices(workbook, lines, policy, header):
        """Intake, while the sheet is open and read: new notices become rows of this run's one write."""
        nonlocal batch
        from .intake.record import intake_for_sync  # the mail folder modules load only when intake is on

        reporter.stage("read", "Recording new return notices from the mail folder")
        batch = intake_for_sync(workbook, chosen, config, lines, policy, dry_run=dry_run, now=now)
        return batch.rows_for(header)

    import_result = None
    if config.imports.get("folder"):  # the report import modules load only when an [import] folder is set
        from .imports.record import ImportResult, imports_for_sync, new_reports

        import_result = ImportResult(chosen, dry_run)

    def new_report_lines(workbook, lines, header, last):
        """[import] folder, while the sheet is open and read: new report files' rows and filled cells join
        this run's one write."""
        nonlocal imported
        imported = imports_for_sync(workbook, chosen, config, reports, lines, header, last, import_result,
                                    dry_run=dry_run, now=now)
        return imported

    with run_lock(config.state_dir, chosen, also):
        # Each new report file is read before the sheet is opened.
        reports = new_reports(config, chosen, import_result) if import_result is not None else []
        # A first run that writes computes and draws the Summary: its libraries load while the sheet is read,
        # and so does the .xlsx writer, which every run that writes a file imports.
        write_modules = () if google_key(chosen) is not None else ("sheetreturns.excel.writer",)
        importing = None if dry_run else import_in_background(config.state_dir, chosen, also=write_modules)
        try:
            loaded = load(chosen, as_of, config, reporter,
                          new_rows=new_notices if config.intake.get("mailbox") else None,
                          new_replies=lambda: [*batch.adopted, *batch.changed] if batch is not None else [],
                          imported=new_report_lines if reports else None)
            if batch is not None:
                loaded.evaluation.new_replies = batch.new_replies
            delivery = None
            try:
                if loaded.reading.sales_export:
                    raise SheetReturnsError(sales_export_message(loaded))
                reporter.stage("emails", "Working out emails" if dry_run else "Sending emails")
                if not dry_run:
                    # Before any email goes out under a new Return ID, make that ID stick to its row.
                    remember_ids(config.state_dir, chosen, assigned_identities(loaded.evaluation))
                # Whether the sheet can be written is asked only when an email is about to go: a run with
                # nothing to send and nothing to change touches nothing (a write that fails says why itself).
                # A workbook that stages the outbox needs no question: its files appear only after the write.
                # The question can make the plan as known before the emails: a Google Sheet adds its
                # columns then, which answers it.

                def before_sending() -> None:
                    loaded.workbook.preflight(lambda: _write_plan(loaded))

                delivery = deliver(loaded, config, dry_run=dry_run, outbox=Path(outbox) if outbox else None,
                                   now=now, before_sending=before_sending, send_backlog=send_backlog,
                                   stage_outbox=loaded.workbook.stages_outbox)
                staged = delivery.staging is not None  # outbox files wait for the write (see deliver)
                from .summary.known import deferred_summary  # computed (with pandas) only if the sheet lacks it

                tabs = [deferred_summary(loaded.evaluation, loaded.policy, now, delivery.not_acknowledged,
                                         config.state_dir, chosen, remember=not dry_run)]
                if delivery.log_tab is not None:
                    tabs.append(delivery.log_tab)
                if batch is not None and batch.log_tab is not None:
                    tabs.append(batch.log_tab)
                if imported is not None and imported.log_tab is not None:
                    tabs.append(imported.log_tab)
                plan = _write_plan(loaded, delivery, tabs)
                reporter.stage("write", f"Checking what would change in {loaded.workbook.name}" if dry_run
                               else f"Saving {loaded.workbook.name}")
                try:
                    written = loaded.workbook.apply(plan, dry_run=dry_run, backups=config.backups)
                except SheetReturnsError as exc:
                    if staged and not loaded.workbook.may_have_written():
                        delivery.withdraw(f"not written: {loaded.workbook.name} could not be saved")
                        raise  # the sheet was not changed, so no outbox file appears: nothing was done
                    delivery.publish()  # the sheet may record them already (part of the write may have gone)
                    gone = [e for e in delivery.records if e.result in ("sent", "outbox")]
                    if dry_run or not gone:
                        raise  # nothing went out: nothing was done, and the error says so
                    # Emails went out and cannot be taken back: the run is done with a failure, not "nothing done".
                    written = WriteReport(written=False, changes={})
                    unsaved = (f"{loaded.workbook.name} was not saved: {exc}. The {len(gone)} "
                               f"email{'s' if len(gone) != 1 else ''} listed above went out and "
                               f"{'are' if len(gone) != 1 else 'is'} in the email journal: the next run writes "
                               f"{'them' if len(gone) != 1 else 'it'} to the sheet and sends nothing twice")
                    delivery.failures.append(unsaved)
                delivery.publish()  # the sheet records the staged outbox files: they appear now
                recorded = written.written or written.unchanged  # unchanged: the sheet already holds it
                if imported is not None:  # after the sheet write: the import journal
                    imported.finish(recorded)
                    import_result.written = written.written
                if batch is not None:  # after the sheet write: the intake journal, then moving mail
                    batch.finish(recorded)
            finally:
                if delivery is not None:  # stopped before the write: staged outbox files never appear
                    delivery.withdraw(f"not written: the run stopped before {loaded.workbook.name} was saved")
                loaded.workbook.close()
        finally:
            if batch is not None:
                batch.close()
            if importing is not None:
                importing.join()
    reporter.finished("Done")
    notes, intake_failures = [], []
    if batch is not None:
        from .intake.record import sync_notes

        notes, intake_failures = sync_notes(batch)
    import_failures, import_notes = ([], []) if import_result is None else (import_result.failures,
                                                                          import_result.notes)
    return RunResult(
        "sync", as_of, loaded.workbook.name, loaded.tab, loaded.evaluation, emails=delivery.records,
        written=written.written, failures=[*import_failures, *intake_failures, *delivery.failures],
        changes=written.changes, notes=[*import_notes, *notes, *column_notes(loaded.header), *delivery.notes],
        unchanged=written.unchanged, left_alone=list(loaded.reading.left_alone),
    )


def _write_plan(loaded: Loaded, delivery: Delivery | None = None, tabs: list[Tab] | None = None) -> WritePlan:
    """The write a sync makes of a loaded sheet. Without `delivery`, the write as known before the emails (what
    a workbook's preflight may begin writing: the columns to add); with it, the whole write, with what the
    emails changed and the generated `tabs`, and the job's cells as read to tell an unchanged sheet."""
    return build_plan(loaded.tab, loaded.header, loaded.evaluation,
                      delivery.contacted_on if delivery is not None else None,
                      delivery.last_email if delivery is not None else None,
                      tabs, loaded.policy.currency_symbol, append=loaded.appended, append_after=loaded.append_after,
                      fills=loaded.fills, added_columns=loaded.added_columns,
                      current=loaded.job_cells if delivery is not None else None,
                      emails_sent=delivery.went_out if delivery is not None else True)


def report(source: str | Path | None = None, *, as_of: date | None = None, config: ConfigLike = None) -> SummaryReport:
    """Read and evaluate a sheet and compute its Summary figures. Changes nothing, sends nothing."""
    from .summary import compute  # pandas: imported only when a summary is built
    from .summary.report import SummaryReport

    config = _config(config)
    as_of = as_of or date.today()
    chosen, config = _reading(source, config)
    loaded = load(chosen, as_of, config)
    loaded.workbook.close()
    result = RunResult("report", as_of, loaded.workbook.name, loaded.tab, loaded.evaluation)
    return SummaryReport(result, compute(loaded.evaluation, loaded.policy), loaded.policy.store_name)


def intake(source: str | Path | None = None, *, config: ConfigLike = None, mailbox: str | None = None,
           dry_run: bool = False, now: datetime | None = None) -> IntakeResult:
    """Record new return notices from the mail folder (``[intake] mailbox``, or ``mailbox``) as rows of SOURCE."""
    from .intake.record import record_notices
    from .settings.intake import intake_settings

    config = _config(config)
    chosen = resolve_source(_source(source), config)
    config, also = _for_sheet(config, chosen)
    settings = intake_settings(config, mailbox)
    with run_lock(config.state_dir, chosen, also):
        return record_notices(chosen, config, settings, dry_run=dry_run, now=now)


def import_reports(reports: list[str | Path], source: str | Path | None = None, *, config: ConfigLike = None,
                   dry_run: bool = False, now: datetime | None = None) -> ImportResult:
    """Import marketplace report files (returns, refunds, reimbursements) into SOURCE's Returns tab.

    New returns and refunds become rows; later reports fill only blank cells. Importing a file twice adds
    nothing. Every file is read before anything is written: a bad file or an unknown layout raises
    SheetReturnsError and changes nothing.
    """
    from .imports.record import import_files

    if not reports:
        raise SheetReturnsError("name at least one report file to import")
    config = _config(config)
    chosen = resolve_source(_source(source), config)
    config, also = _for_sheet(config, chosen)
    with run_lock(config.state_dir, chosen, also):
        return import_files(chosen, [Path(r) for r in reports], config, dry_run=dry_run, now=now)


def preview_emails(source: str | Path | None = None, *, as_of: date | None = None, config: ConfigLike = None,
                   return_id: str | None = None, kind: str | None = None, now: datetime | None = None) -> Preview:
    """The emails a sync would send now, rendered (optionally one Return ID's, or one kind). Sends nothing."""
    from .emails.preview import preview

    config = _config(config)
    now = now or datetime.now()
    as_of = as_of or now.date()
    chosen, config = _reading(source, config)
    loaded = load(chosen, as_of, config)
    try:
        return preview(loaded, config, as_of=as_of, now=now, return_id=return_id, kind=kind)
    finally:
        loaded.workbook.close()


def backups(source: str | Path | None = None, *, config: ConfigLike = None) -> BackupList:
    """The backups kept of a workbook, oldest first: one made before each save that changed it."""
    from .excel.backups import list_backups

    config = _config(config)
    chosen, path = _workbook_path(source, config)
    chosen, config = _reading(chosen, config)
    folder = backup_folder(config.state_dir, chosen)
    return BackupList(path.name, str(folder), list_backups(path, folder), config.backups, config.backup_days)


def restore(backup: str, source: str | Path | None = None, *, config: ConfigLike = None) -> Restored:
    """Put a backup (its number in `backups`, 1 = newest, its name or its path) back in place of the workbook.

    The swap is atomic, and the file it replaces is kept as a backup first, so a restore can be undone.
    """
    from .excel.backups import restore_backup

    config = _config(config)
    chosen, path = _workbook_path(source, config)
    config, also = _for_sheet(config, chosen)
    with run_lock(config.state_dir, chosen, also):
        restored, kept = restore_backup(path, backup_folder(config.state_dir, chosen), backup, config.backups,
                                        config.backup_days)
    return Restored(path.name, restored, str(kept) if kept else None)


def _workbook_path(source: str | Path | None, config: Config) -> tuple[str, Path]:
    chosen = resolve_source(_source(source), config)
    if google_key(chosen) is not None:
        raise SheetReturnsError("sheetreturns keeps no backups of a Google Sheet: Google keeps every version "
                                "(File > Version history > See version history)")
    return chosen, Path(os.path.realpath(Path(chosen).expanduser()))


def check_setup(source: str | None = None, *, config: str | Path | None = None, timeout: float = 20.0) -> SetupReport:
    """Check the settings file, the sheet and its Settings tab, the state folder, the SMTP login and Google access."""
    from .config_check import check_setup as run_checks

    return run_checks(config, source, timeout=timeout)


def create_sheet(path: str | Path | None = None, *, google: str | None = None, store_name: str | None = None,
                 currency: str | None = None, config: ConfigLike = None, today: date | None = None):
    """A new tracking sheet: a new .xlsx at ``path``, or the same tabs set up in an existing Google Sheet.

    Returns what was made: ``Created`` for a file, ``InitResult`` for a Google Sheet. An existing file is
    never overwritten; Google tabs that already hold anything are left alone.
    """
    from .engine.policy import Policy, apply_settings

    entries = [(k, v, f"--{k.replace('_', '-')}") for k, v in (("store_name", store_name), ("currency", currency))
               if v is not None]
    policy = apply_settings(Policy(), entries, "command line")
    today = today or date.today()
    if google:
        if path:
            raise SheetReturnsError(f"give either a file name ({path}) or --google, not both")
        key = google_key(google)
        if key is None:
            raise SheetReturnsError(f"{google!r} is not a Google Sheets link or gsheet:KEY: copy the sheet's link")
        from .google_sheets.new_sheet import init_google_sheet

        return init_google_sheet(key, _config(config), today=today, policy=policy)
    if not path:
        raise SheetReturnsError("give the new workbook's file name, e.g. sheetreturns init returns.xlsx")
    from .excel.new_workbook import create_workbook  # openpyxl: imported only when a workbook is made

    return create_workbook(path, today=today, policy=policy)


def password_status(kind: str, *, user: str | None = None, config: ConfigLike = None):
    """Whether a password for the ``"smtp"`` or ``"imap"`` login is in the system keyring where the job looks.

    ``user`` defaults to ``user`` in [smtp] (or the user in [intake]'s mailbox). Returns a ``PasswordStatus``;
    the password itself is never returned.
    """
    from .settings.stored_passwords import password_status as status

    return status(kind, _config(config), user)


def store_password(kind: str, password: str, *, user: str | None = None, config: ConfigLike = None):
    """Store the password for the ``"smtp"`` or ``"imap"`` login in the system keyring, where the job looks."""
    from .settings.stored_passwords import store_password as store

    return store(kind, password, _config(config), user)

"""Commands for setting up and hosting sheetreturns: init, config check, schedule."""
from __future__ import annotations

import io
import json
import os
import shlex
import signal
import sys
import threading
from datetime import date, datetime

import click

from . import runlog
from .cli import AS_OF_HELP, CONFIG_HELP, DEBUG_HELP, JSON_HELP, _parse_as_of, reports_errors
from .config import load_config
from .errors import SheetReturnsError
from .policy import Policy, apply_settings
from .result import EXIT_FAILED
from .schedule import describe_interval, parse_interval, run_every, run_once, sync_command
from .setup_check import check_setup
from .source import resolve_source


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--store-name", metavar="NAME", help="Your shop's name, put on the Settings tab (used in emails).")
@click.option("--currency", metavar="CODE", help="Currency of prices and refunds, e.g. GBP, EUR, USD (default GBP).")
@click.option("--google", "google", metavar="SOURCE",
              help="Set up the same tabs in this existing Google Sheet (its link or gsheet:KEY) instead of a new file.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP + " Used with --google.")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@reports_errors("init")
def init(path: str | None, store_name: str | None, currency: str | None, google: str | None,
         config_path: str | None, debug: bool) -> None:
    """Create a new returns-tracking workbook at PATH (e.g. returns.xlsx), ready to fill in.

    It has the Returns tab with every column, dropdowns and a few example rows, a How-to tab in plain
    language and a Settings tab. An existing file is never overwritten. With --google, the same tabs
    go into an existing Google Sheet (shared with your service account); tabs that already hold
    anything are left alone. Exit codes: 0 created, 2 not.
    """
    entries = [(k, v, f"--{k.replace('_', '-')}") for k, v in (("store_name", store_name), ("currency", currency))
               if v is not None]
    policy = apply_settings(Policy(), entries, "command line")
    if google:
        from .gsheet.command import init_google

        init_google(google, config_path, policy, path)
        return
    if not path:
        raise SheetReturnsError("give the new workbook's file name, e.g. sheetreturns init returns.xlsx")
    from .init_workbook import create_workbook  # openpyxl: imported only when a workbook is made

    created = create_workbook(path, today=date.today(), policy=policy)
    name = shlex.quote(str(path))
    click.echo(f"Created {created.path}: a Returns tab with {created.columns} columns and {created.example_rows} "
               f"example rows, a How-to tab and a Settings tab.")
    click.echo("Next:")
    click.echo("  1. Open it, read the How-to tab, delete the example rows and add your returns.")
    click.echo(f"  2. Check it (changes nothing):     sheetreturns check {name}")
    click.echo(f"  3. Run the job, emails to a folder: sheetreturns sync {name} --outbox outbox")


@click.group("config")
def config_group() -> None:
    """Check the settings file (sheetreturns.toml) and what it connects to."""


@config_group.command("check")
@click.argument("source", required=False)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--timeout", default=20.0, show_default=True, metavar="SECONDS", type=click.FloatRange(min=0.1),
              help="How long to wait for the mail server before giving up.")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@reports_errors("config check")
def config_check(source: str | None, config_path: str | None, as_json: bool, timeout: float, debug: bool) -> None:
    """Check the config file, the sheet (SOURCE, or source in the config) and its Settings tab, the state
    folder, the SMTP login and Google access. Sends nothing and writes nothing.

    Exit codes: 0 all good, 1 something to fix, 2 could not run.
    """
    report = check_setup(config_path, source, timeout=timeout)
    if as_json:
        click.echo(json.dumps(report.as_json()))
        sys.exit(report.exit_code)
    width = max(len(i.name) for i in report.items)
    for item in report.items:
        mark = {True: "ok", False: "FAIL", None: "-"}[item.ok]
        click.echo(f"  {item.name.ljust(width)}  {mark.ljust(4)}  {item.message}")
    failed = len(report.failed)
    click.echo("")
    click.echo("All good. Nothing was sent or written." if not failed else
               f"{failed} check{'s' if failed != 1 else ''} failed: fix {'it' if failed == 1 else 'them'} and run "
               f"sheetreturns config check again. Nothing was sent or written.")
    sys.exit(report.exit_code)


@click.command()
@click.argument("source", required=False)
@click.option("--every", default="15m", show_default=True, metavar="INTERVAL",
              help="Time between the starts of two runs: a number and a unit, e.g. 15m, 1h, 30s.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--outbox", type=click.Path(file_okay=False), help="Write emails as .eml files into this folder instead of sending them.")
@click.option("--dry-run", is_flag=True, help="Each run reports what it would change and send; changes and sends nothing.")
@click.option("--as-of", "as_of", callback=_parse_as_of, metavar="DATE", help=AS_OF_HELP + " For trying it out.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors (every run is still logged in the state folder).")
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@reports_errors("schedule")
def schedule(source: str | None, every: str, config_path: str | None, outbox: str | None, dry_run: bool,
             as_of: date | None, quiet: bool, debug: bool) -> None:
    """Run sync on SOURCE now and then every --every, until stopped (Ctrl-C or SIGTERM).

    For simple hosting where cron or a systemd timer is not at hand. Each run is a separate process: a
    failed run is reported and logged, and the next one starts on time. Stopping waits for the current
    run to finish. Prints one line per run; sheetreturns.log in the state folder gets the same.
    """
    interval = parse_interval(every)
    config = load_config(config_path)
    chosen = resolve_source(source, config)
    options = [*(["--config", str(config.path)] if config.path else []), *(["--outbox", outbox] if outbox else []),
               *(["--dry-run"] if dry_run else []), *(["--as-of", as_of.isoformat()] if as_of else [])]
    command = sync_command(chosen, options)
    stop = threading.Event()

    def say(text: str, error: bool = False) -> None:
        # One stream in order for a hosting log; with --quiet only errors, on stderr.
        if error or not quiet:
            click.echo(f"{datetime.now():%Y-%m-%d %H:%M:%S}  {text}", err=error and quiet)

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        if not quiet:
            # Straight to the file descriptor: the signal may arrive while click is writing to stdout.
            text = (f"{datetime.now():%Y-%m-%d %H:%M:%S}  {signal.Signals(signum).name}: "
                    f"stopping after the current run (again to stop at once)\n")
            try:
                os.write(sys.stdout.fileno(), text.encode())
            except (OSError, ValueError, io.UnsupportedOperation):
                pass

    def report(outcome, next_at: datetime | None) -> None:
        after = f" (next run {next_at:%H:%M:%S})" if next_at and not outcome.ok else ""
        say(f"{outcome.line}{after}", error=not outcome.ok)
        if outcome.data is None:  # the run could not log itself
            runlog.write(config, "sync", chosen, "error", outcome.line.removeprefix("Error: "))

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        runlog.write(config, "schedule", chosen, "started", f"every {describe_interval(interval)}")
        say(f"Running sync on {runlog.source_name(chosen)} every {describe_interval(interval)}. Stop with Ctrl-C.")
        runs = run_every(interval, lambda: run_once(command, dry_run=dry_run), stop, report)
    except KeyboardInterrupt:
        runlog.write(config, "schedule", chosen, "stopped", "at once, on a second signal")
        click.echo("Error: stopped at once; a sync run in progress finishes on its own", err=True)
        sys.exit(EXIT_FAILED)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    runlog.write(config, "schedule", chosen, "stopped", f"after {runs} run{'s' if runs != 1 else ''}")
    say(f"Stopped after {runs} run{'s' if runs != 1 else ''}.")

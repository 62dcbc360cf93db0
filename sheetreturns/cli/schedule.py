"""`sheetreturns schedule`: run sync every so often until stopped, for hosting without cron or systemd."""
from __future__ import annotations

import io
import os
import signal
import sys
import threading
from datetime import date, datetime

import click

from .render_text import one_line
from .. import run_log as runlog
from .run_loop import describe_interval, parse_interval, run_every, run_once, sync_command
from ..settings.config_file import load_config
from ..sheet.workbook import resolve_source
from .exit_codes import EXIT_FAILED
from .options import AS_OF_HELP, CONFIG_HELP, DEBUG_HELP, parse_as_of as _parse_as_of, reports_errors


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
            click.echo(f"{datetime.now():%Y-%m-%d %H:%M:%S}  {one_line(text)}", err=error and quiet)

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

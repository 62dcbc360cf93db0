"""`sheetreturns sync`: run the job once, with a progress bar in a terminal and a line in the run log."""
from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import date

import click

from .render_text import one_line, visible
from .. import api, run_log
from ..errors import SheetReturnsError
from ..results import RunResult
from ..settings.config_file import Config, load_config
from .exit_codes import exit_code
from .options import common_options, print_json, reports_errors
from .progress_bar import TerminalBar, is_terminal
from .render import sync_report, sync_summary_line


@click.command()
@click.argument("source", required=False)
@common_options
@click.option("--dry-run", is_flag=True, help="Report what would change and which emails would go; change and send nothing.")
@click.option("--outbox", type=click.Path(file_okay=False), help="Write emails as .eml files into this folder instead of sending them.")
@click.option("--send-backlog", is_flag=True,
              help="Send the emails a run held: the first run of a sheet over SMTP, or more than bulk_email_limit.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (the exit code still tells).")
@reports_errors("sync")
def sync(source: str | None, as_of: date | None, config_path: str | None, as_json: bool, debug: bool,
         dry_run: bool, outbox: str | None, send_backlog: bool, quiet: bool) -> None:
    """Run the job on SOURCE: update every row's status and next step, send due emails, rebuild the Summary.

    A progress bar shows in a terminal (not with --json or --quiet, nor in cron); each run adds a line to
    sheetreturns.log in the state folder. Exit codes: 0 done, 1 done with failures (an email or a write
    failed), 2 nothing done.
    """
    config = load_config(config_path)
    bar = TerminalBar() if not (as_json or quiet) and is_terminal(sys.stderr) else None
    try:
        with bar or nullcontext():
            result = api.sync(source, as_of=as_of, config=config, dry_run=dry_run, outbox=outbox, progress=bar,
                              send_backlog=send_backlog)
    except BaseException as exc:
        log_failure(config, "sync", source, exc)
        raise
    trouble = log_run(config, result, dry_run)
    if as_json:
        print_json(result.as_json())
    elif not quiet:
        click.echo(visible(sync_report(result, dry_run)))
    if trouble and not as_json:
        click.echo(f"Warning: {one_line(trouble)}", err=True)
    sys.exit(exit_code(result))


def log_run(config: Config, result: RunResult, dry_run: bool) -> str | None:
    outcome = "dry-run" if dry_run else ("failures" if result.failures else "ok")
    return run_log.write(config, result.command, result.source, outcome, sync_summary_line(result, dry_run),
                         result.failures)


def log_failure(config: Config, command: str, source: str | None, exc: BaseException) -> None:
    """Record a run that stopped (the CLI prints the same message as its Error: line)."""
    if isinstance(exc, (click.exceptions.Exit, SystemExit)):
        return
    if isinstance(exc, KeyboardInterrupt):
        message = "interrupted before finishing"
    elif isinstance(exc, SheetReturnsError):
        message = str(exc)
    else:
        message = f"unexpected {type(exc).__name__}: {exc}"
    run_log.write(config, command, source or config.source, "error", message)

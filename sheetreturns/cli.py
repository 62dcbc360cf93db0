"""The sheetreturns command line: parse options, call the library, render its result."""
from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import date, datetime
from functools import wraps

import click

from . import job, runlog
from .config import Config, load_config
from .errors import SheetReturnsError
from .render import check_report, sync_report, sync_summary_line
from .result import EXIT_FAILED, RunResult, error_json
from .terminal import TerminalBar, is_terminal

AS_OF_HELP = "Evaluate as of this date (YYYY-MM-DD) instead of today."
CONFIG_HELP = "Settings file (default: sheetreturns.toml here, then your user config folder)."
JSON_HELP = "Print one JSON object on stdout and nothing else."
DEBUG_HELP = "Show the full traceback when something goes wrong."


def _parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-26") from None


def common_options(func):
    func = click.option("--debug", is_flag=True, help=DEBUG_HELP)(func)
    func = click.option("--json", "as_json", is_flag=True, help=JSON_HELP)(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)(func)
    func = click.option("--as-of", "as_of", callback=_parse_as_of, metavar="DATE", help=AS_OF_HELP)(func)
    return func


def reports_errors(command: str):
    """Turn a SheetReturnsError (or any crash, without --debug) into one `Error:` line and exit 2."""

    def decorate(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            debug, as_json, as_of = kwargs.get("debug"), kwargs.get("as_json"), kwargs.get("as_of")
            try:
                return func(*args, **kwargs)
            except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
                raise
            except SheetReturnsError as exc:
                if debug:
                    raise
                _fail(command, as_json, as_of, str(exc))
            except KeyboardInterrupt:
                _fail(command, as_json, as_of, "interrupted before finishing; nothing more was done")
            except Exception as exc:  # a bug or an environment problem: never a traceback without --debug
                if debug:
                    raise
                _fail(command, as_json, as_of,
                      f"unexpected {type(exc).__name__}: {exc} (run again with --debug for details)")

        return wrapper

    return decorate


def _fail(command: str, as_json: bool, as_of: date | None, message: str) -> None:
    if as_json:
        click.echo(json.dumps(error_json(command, as_of, message)))
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_FAILED)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sheetreturns")
def main() -> None:
    """Track product returns in your spreadsheet: statuses, next steps, customer emails and a summary."""


@main.command()
@click.argument("source", required=False)
@common_options
@reports_errors("check")
def check(source: str | None, as_of: date | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Read SOURCE and list its problems and the rows per status; change nothing, send nothing.

    SOURCE is an .xlsx/.xlsm file, a Google Sheets URL or gsheet:KEY. Exit codes: 0 no problems,
    1 problems found, 2 could not run.
    """
    result = job.check(source, as_of=as_of, config=config_path)
    if as_json:
        click.echo(json.dumps(result.as_json()))
    else:
        click.echo(check_report(result))
    sys.exit(result.exit_code)


@main.command()
@click.argument("source", required=False)
@common_options
@click.option("--dry-run", is_flag=True, help="Report what would change and which emails would go; change and send nothing.")
@click.option("--outbox", type=click.Path(file_okay=False), help="Write emails as .eml files into this folder instead of sending them.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (the exit code still tells).")
@reports_errors("sync")
def sync(source: str | None, as_of: date | None, config_path: str | None, as_json: bool, debug: bool,
         dry_run: bool, outbox: str | None, quiet: bool) -> None:
    """Run the job on SOURCE: update every row's status and next step, send due emails, rebuild the Summary.

    A progress bar shows in a terminal (not with --json or --quiet, nor in cron); each run adds a line to
    sheetreturns.log in the state folder. Exit codes: 0 done, 1 done with failures (an email or a write
    failed), 2 nothing done.
    """
    config = load_config(config_path)
    bar = TerminalBar() if not (as_json or quiet) and is_terminal(sys.stderr) else None
    try:
        with bar or nullcontext():
            result = job.sync(source, as_of=as_of, config=config, dry_run=dry_run, outbox=outbox, progress=bar)
    except BaseException as exc:
        log_failure(config, "sync", source, exc)
        raise
    trouble = log_run(config, result, dry_run)
    if as_json:
        click.echo(json.dumps(result.as_json()))
    elif not quiet:
        click.echo(sync_report(result, dry_run))
    if trouble and not as_json:
        click.echo(f"Warning: {trouble}", err=True)
    sys.exit(result.exit_code)


@main.command()
@click.argument("source", required=False)
@common_options
@reports_errors("report")
def report(source: str | None, as_of: date | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Print the Summary of SOURCE in the terminal: returns needing action, money at risk, reasons, products.

    The same figures as the Summary tab that sync writes; reads SOURCE only, changes nothing.
    Exit codes: 0 done, 2 could not run.
    """
    from .summary import report as summary_report, report_text

    summary = summary_report(source, as_of=as_of, config=config_path)
    click.echo(json.dumps(summary.as_json()) if as_json else report_text(summary))


def log_run(config: Config, result: RunResult, dry_run: bool) -> str | None:
    outcome = "dry-run" if dry_run else ("failures" if result.failures else "ok")
    return runlog.write(config, result.command, result.source, outcome, sync_summary_line(result, dry_run),
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
    runlog.write(config, command, source or config.source, "error", message)


from .cli_setup import config_group, init, schedule  # noqa: E402 - they use the helpers above

for command in (init, config_group, schedule):
    main.add_command(command)

from .mail.commands import emails  # noqa: E402  (imports this module's options: after they exist)
main.add_command(emails)

from .intake.command import intake_command  # noqa: E402  (registered after main exists)

main.add_command(intake_command)

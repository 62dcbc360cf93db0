"""What every command shares: option help, the --as-of parser, and turning errors into one `Error:` line."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime
from functools import wraps

import click

from ..errors import SheetReturnsError
from .render_text import one_line
from .exit_codes import EXIT_FAILED

AS_OF_HELP = "Evaluate as of this date (YYYY-MM-DD) instead of today."
CONFIG_HELP = "Settings file (default: sheetreturns.toml here, then your user config folder)."
JSON_HELP = "Print one JSON object on stdout and nothing else."
DEBUG_HELP = "Show the full traceback when something goes wrong."
# The version of every command's --json shape (sheetreturns/schemas/*.json describe them): raised when a
# field is removed or changes meaning; new fields may appear without it.
JSON_SCHEMA = 1


def print_json(data: dict) -> None:
    """The one JSON object a command prints with --json, with the shape's version first."""
    click.echo(json.dumps({"schema": JSON_SCHEMA, **data}))


def parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-26") from None


def config_option(func, extra: str = ""):
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP + extra)(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help=JSON_HELP)(func)


def debug_option(func):
    return click.option("--debug", is_flag=True, help=DEBUG_HELP)(func)


def as_of_option(func, extra: str = ""):
    return click.option("--as-of", "as_of", callback=parse_as_of, metavar="DATE", help=AS_OF_HELP + extra)(func)


def common_options(func):
    """--as-of, --config, --json and --debug."""
    return as_of_option(config_option(json_option(debug_option(func))))


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
                fail(command, as_json, as_of, str(exc))
            except KeyboardInterrupt:
                fail(command, as_json, as_of, "interrupted before finishing; nothing more was done")
            except Exception as exc:  # a bug or an environment problem: never a traceback without --debug
                if debug:
                    raise
                fail(command, as_json, as_of,
                     f"unexpected {type(exc).__name__}: {exc} (run again with --debug for details)")

        return wrapper

    return decorate


def error_json(command: str, as_of: date | None, message: str) -> dict:
    """The JSON object printed when a command could not run at all."""
    return {
        "command": command,
        "ok": False,
        "as_of": as_of.isoformat() if as_of else None,
        "error": message,
        "counts": {},
        "problems": [],
        "emails": [],
        "written": False,
    }


def fail(command: str, as_json: bool, as_of: date | None, message: str) -> None:
    if as_json:
        print_json(error_json(command, as_of, message))
    click.echo(f"Error: {one_line(message)}", err=True)
    sys.exit(EXIT_FAILED)

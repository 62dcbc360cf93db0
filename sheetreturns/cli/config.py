"""`sheetreturns config check`: is everything a scheduled run needs in place?"""
from __future__ import annotations

import sys

import click

from .render_text import visible
from .. import api
from .exit_codes import exit_code
from .options import config_option, debug_option, json_option, print_json, reports_errors
from .render import setup_report


@click.group("config")
def config_group() -> None:
    """Check the settings file (sheetreturns.toml) and what it connects to."""


@config_group.command("check")
@click.argument("source", required=False)
@config_option
@json_option
@click.option("--timeout", default=20.0, show_default=True, metavar="SECONDS", type=click.FloatRange(min=0.1),
              help="How long to wait for the mail server before giving up.")
@debug_option
@reports_errors("config check")
def config_check(source: str | None, config_path: str | None, as_json: bool, timeout: float, debug: bool) -> None:
    """Check the config file, the sheet (SOURCE, or source in the config) and its Settings tab, the state
    folder, the SMTP login and Google access. Sends nothing and writes nothing.

    Exit codes: 0 all good, 1 something to fix, 2 could not run.
    """
    report = api.check_setup(source, config=config_path, timeout=timeout)
    if as_json:
        print_json(report.as_json())
    else:
        click.echo(visible(setup_report(report)))
    sys.exit(exit_code(report))

"""`sheetreturns check` and `sheetreturns report`: read a sheet and say where every return stands."""
from __future__ import annotations

import sys
from datetime import date

import click

from .render_text import visible
from .. import api
from .exit_codes import exit_code
from .options import common_options, print_json, reports_errors
from .render import check_report


@click.command()
@click.argument("source", required=False)
@common_options
@reports_errors("check")
def check(source: str | None, as_of: date | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Read SOURCE and list its problems and the rows per status; change nothing, send nothing.

    SOURCE is an .xlsx/.xlsm file, a Google Sheets URL or gsheet:KEY. Exit codes: 0 no problems,
    1 problems found, 2 could not run.
    """
    result = api.check(source, as_of=as_of, config=config_path)
    if as_json:
        print_json(result.as_json())
    else:
        click.echo(visible(check_report(result)))
    sys.exit(exit_code(result))


@click.command()
@click.argument("source", required=False)
@common_options
@reports_errors("report")
def report(source: str | None, as_of: date | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Print the Summary of SOURCE in the terminal: returns needing action, money at risk, reasons, products.

    The same figures as the Summary tab that sync writes; reads SOURCE only, changes nothing.
    Exit codes: 0 done, 2 could not run.
    """
    summary = api.report(source, as_of=as_of, config=config_path)
    if as_json:
        print_json(summary.as_json())
    else:
        from .render_summary import report_text  # pandas: loaded by `report` only

        click.echo(visible(report_text(summary)))

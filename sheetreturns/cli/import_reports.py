"""`sheetreturns import REPORT... [--into SOURCE]`: parse options, call the library, render its result."""
from __future__ import annotations

import sys

import click

from .render_text import visible
from .. import api
from .exit_codes import exit_code
from .options import CONFIG_HELP, DEBUG_HELP, JSON_HELP, print_json, reports_errors


@click.command("import")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--into", "source", metavar="SOURCE",
              help="The tracking sheet to import into (default: source in sheetreturns.toml).")
@click.option("--dry-run", is_flag=True, help="Read the reports and say what would be added; change nothing.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@reports_errors("import")
def import_command(reports: tuple[str, ...], source: str | None, dry_run: bool, config_path: str | None,
                   as_json: bool, debug: bool) -> None:
    """Import marketplace REPORTS (Amazon FBA returns, payments, reimbursements; Shopify orders ...) into SOURCE.

    REPORTS are the report files as downloaded (.txt, .tsv, .csv or .xlsx), each recognised by its header row.
    New returns and refunds become rows of the Returns tab, with Channel set; later reports fill in only
    blank cells. Importing the same file again, or overlapping files, adds nothing twice. Every file is
    listed on the Import Log tab. Exit codes: 0 done, 1 some lines not understood, 2 nothing done.
    """
    from .render_import import import_report

    result = api.import_reports(list(reports), source, config=config_path, dry_run=dry_run)
    if as_json:
        print_json(result.as_json())
    else:
        click.echo(visible(import_report(result)))
    sys.exit(exit_code(result))

"""`sheetreturns init`: a new tracking workbook, or the same tabs in an existing Google Sheet."""
from __future__ import annotations

import shlex

import click

from .. import api
from .options import config_option, debug_option, reports_errors


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--store-name", metavar="NAME", help="Your shop's name, put on the Settings tab (used in emails).")
@click.option("--currency", metavar="CODE", help="Currency of prices and refunds, e.g. GBP, EUR, USD (default GBP).")
@click.option("--google", "google", metavar="SOURCE",
              help="Set up the same tabs in this existing Google Sheet (its link or gsheet:KEY) instead of a new file.")
@(lambda f: config_option(f, " Used with --google."))
@debug_option
@reports_errors("init")
def init(path: str | None, store_name: str | None, currency: str | None, google: str | None,
         config_path: str | None, debug: bool) -> None:
    """Create a new returns-tracking workbook at PATH (e.g. returns.xlsx), ready to fill in.

    It has the Returns tab with every column, dropdowns and a few example rows, a How-to tab in plain
    language and a Settings tab. An existing file is never overwritten. With --google, the same tabs
    go into an existing Google Sheet (shared with your service account); tabs that already hold
    anything are left alone. Exit codes: 0 created, 2 not.
    """
    made = api.create_sheet(path, google=google, store_name=store_name, currency=currency, config=config_path)
    if google:
        _say_google(made)
        return
    name = shlex.quote(str(path))
    click.echo(f"Created {made.path}: a Returns tab with {made.columns} columns and {made.example_rows} "
               f"example rows, a How-to tab and a Settings tab.")
    _next_steps(name)


def _say_google(result) -> None:
    if not result.created:
        click.echo(f"Nothing to set up in {result.name}: its {', '.join(result.kept)} tabs already have content.")
        return
    made = f" (a Returns tab with {result.columns} columns and {result.example_rows} example rows)" if result.columns else ""
    click.echo(f"Set up {', '.join(result.created)} in {result.name}{made}: {result.url}")
    if result.kept:
        click.echo(f"Left alone (they already had content): {', '.join(result.kept)}.")
    _next_steps(f"gsheet:{result.key}")


def _next_steps(source: str) -> None:
    click.echo("Next:")
    click.echo("  1. Open it, read the How-to tab, delete the example rows and add your returns.")
    click.echo(f"  2. Check it (changes nothing):     sheetreturns check {source}")
    click.echo(f"  3. Run the job, emails to a folder: sheetreturns sync {source} --outbox outbox")

"""The `--google` part of `sheetreturns init` (cli_setup.py): set up the tabs, say what was done."""
from __future__ import annotations

from datetime import date

import click

from ..config import load_config
from ..errors import SheetReturnsError
from ..policy import Policy
from ..source import google_key


def init_google(source: str, config_path: str | None, policy: Policy, path: str | None = None) -> None:
    """Set up SOURCE (a Google Sheets link or gsheet:KEY) and print what was set up and what to do next."""
    if path:
        raise SheetReturnsError(f"give either a file name ({path}) or --google, not both")
    key = google_key(source)
    if key is None:
        raise SheetReturnsError(f"{source!r} is not a Google Sheets link or gsheet:KEY: copy the sheet's link")
    from .setup import init_google_sheet

    result = init_google_sheet(key, load_config(config_path), today=date.today(), policy=policy)
    if not result.created:
        click.echo(f"Nothing to set up in {result.name}: its {', '.join(result.kept)} tabs already have content.")
        return
    made = f" (a Returns tab with {result.columns} columns and {result.example_rows} example rows)" if result.columns else ""
    click.echo(f"Set up {', '.join(result.created)} in {result.name}{made}: {result.url}")
    if result.kept:
        click.echo(f"Left alone (they already had content): {', '.join(result.kept)}.")
    click.echo("Next:")
    click.echo("  1. Open it, read the How-to tab, delete the example rows and add your returns.")
    click.echo(f"  2. Check it (changes nothing):     sheetreturns check gsheet:{key}")
    click.echo(f"  3. Run the job, emails to a folder: sheetreturns sync gsheet:{key} --outbox outbox")

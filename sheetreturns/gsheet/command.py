"""`sheetreturns init --google SOURCE`: the command line over gsheet.setup (registered in cli.py)."""
from __future__ import annotations

import json
import sys

import click

from ..config import load_config
from ..errors import SheetReturnsError
from ..source import google_key

GOOGLE_HELP = "Set up the tabs in this existing Google Sheet (its URL or gsheet:KEY) instead of a new .xlsx file."


@click.command("init")
@click.argument("path", required=False)
@click.option("--google", "google", metavar="SOURCE", help=GOOGLE_HELP)
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="Settings file (default: sheetreturns.toml here, then your user config folder).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout and nothing else.")
@click.option("--debug", is_flag=True, help="Show the full traceback when something goes wrong.")
def init(path: str | None, google: str | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Set up a sheet for tracking returns: Returns tab (headers, dropdowns), Settings and How-to tabs.

    With --google, prepares an existing Google Sheet (share it with your service account first);
    tabs that already hold anything are left alone. Exit codes: 0 done, 2 could not run.
    """
    try:
        if not google:
            raise SheetReturnsError(
                "this build creates Google Sheets tabs only: run `sheetreturns init --google gsheet:KEY`"
                + (f" (for {path}, use the Excel init)" if path else ""))
        key = google_key(google)
        if key is None:
            raise SheetReturnsError(f"{google!r} is not a Google Sheets link or gsheet:KEY: copy the sheet's link")
        from .setup import init_google_sheet

        result = init_google_sheet(key, load_config(config_path))
    except SheetReturnsError as exc:
        if debug:
            raise
        if as_json:
            click.echo(json.dumps({"command": "init", "ok": False, "error": str(exc)}))
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps({"command": "init", "ok": True, "source": result.url, "created": result.created,
                               "kept": result.kept}))
        return
    done = ", ".join(result.created) if result.created else "nothing new"
    click.echo(f"Set up {done} in {result.name} ({result.url}).")
    if result.kept:
        click.echo(f"Left alone (already filled in): {', '.join(result.kept)}.")

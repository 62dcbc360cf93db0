"""`sheetreturns backups` and `sheetreturns restore`: the copies kept of a workbook, and putting one back."""
from __future__ import annotations

import click

from .. import api
from .options import config_option, debug_option, json_option, print_json, reports_errors
from .render import table


@click.command("backups")
@click.argument("source", required=False)
@config_option
@json_option
@debug_option
@reports_errors("backups")
def backups_command(source: str | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """List the backups kept of the workbook SOURCE, newest first.

    A backup is made each time a sync changes the workbook (a sync that changes nothing makes none).
    Kept: the newest `backups` (default 3) and the first of each of the newest `backup_days` days
    that had a change (default 30). Put one back with `sheetreturns restore NUMBER`.
    """
    listing = api.backups(source, config=config_path)
    if as_json:
        print_json({"command": "backups", "ok": True, **listing.as_json()})
        return
    if not listing.items:
        click.echo(f"No backups of {listing.workbook} yet (in {listing.folder}): one is made each time a sync "
                   f"changes it.")
        return
    rows = [[str(number), item.taken.strftime("%Y-%m-%d %H:%M:%S"), f"{item.size / 1024:,.0f} KB", item.path.name]
            for number, item in enumerate(reversed(listing.items), start=1)]
    click.echo(f"Backups of {listing.workbook} in {listing.folder} (newest first):")
    click.echo("\n".join(table(["#", "Taken (before a save)", "Size", "File"], rows, right={0, 2})))
    click.echo(f"Restore one with: sheetreturns restore NUMBER {source or ''}".rstrip())


@click.command("restore")
@click.argument("backup")
@click.argument("source", required=False)
@config_option
@json_option
@debug_option
@reports_errors("restore")
def restore_command(backup: str, source: str | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Put BACKUP back as the workbook SOURCE (BACKUP: its number in `sheetreturns backups`, 1 = the newest,
    or its file name).

    The swap is atomic, and the current workbook is kept as a backup first, so a restore can be undone
    the same way. Close the workbook in Excel first.
    """
    done = api.restore(backup, source, config=config_path)
    if as_json:
        print_json({"command": "restore", "ok": True, **done.as_json()})
        return
    taken = done.restored.taken.strftime("%Y-%m-%d %H:%M:%S")
    click.echo(f"Restored {done.workbook} from the backup taken {taken} ({done.restored.path.name}).")
    if done.kept:
        click.echo(f"The file it replaced is kept as a backup: {done.kept}")

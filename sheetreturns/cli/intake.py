"""`sheetreturns intake SOURCE`: parse options, call the library, render its result."""
from __future__ import annotations

import sys

import click

from .render_text import visible
from .. import api
from .exit_codes import exit_code
from .options import CONFIG_HELP, DEBUG_HELP, JSON_HELP, print_json, reports_errors


@click.command("intake")
@click.argument("source", required=False)
@click.option("--mailbox", metavar="URI",
              help="Mail folder to read instead of [intake] mailbox: imaps://USER@SERVER/FOLDER, "
                   "maildir:PATH, mbox:PATH or eml:FOLDER.")
@click.option("--dry-run", is_flag=True, help="Read the mail and report what would be recorded; change nothing.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@reports_errors("intake")
def intake_command(source: str | None, mailbox: str | None, dry_run: bool, config_path: str | None, as_json: bool,
                   debug: bool) -> None:
    """Record new return notices from the seller's mail folder as rows of SOURCE.

    Each message is read once: its Message-ID is remembered, so running intake again adds nothing,
    and an Order ID + SKU already on the sheet is not added twice. Messages the rules cannot read are
    listed on the Intake Log tab. Exit codes: 0 done, 1 some messages not recorded (or a failure),
    2 nothing done.
    """
    from .render_intake import intake_report  # the mail modules load only when the command runs

    result = api.intake(source, config=config_path, mailbox=mailbox, dry_run=dry_run)
    if as_json:
        print_json(result.as_json())
    else:
        click.echo(visible(intake_report(result)))
    sys.exit(exit_code(result))

"""The sheetreturns command line: each command parses its options, calls one function of `sheetreturns.api`
and renders the result as text or JSON. One module per command group; shared options in options.py."""
from __future__ import annotations

import click

from .backups import backups_command, restore_command
from .check import check, report
from .config import config_group
from .console import make_output_safe
from .emails import emails
from .import_reports import import_command
from .init import init
from .intake import intake_command
from .password import password_group
from .schedule import schedule
from .sync import sync


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sheetreturns")
def main() -> None:
    """Track product returns in your spreadsheet: statuses, next steps, customer emails and a summary."""
    make_output_safe()


for command in (check, sync, report, init, config_group, password_group, schedule, emails, intake_command,
                import_command,
                backups_command, restore_command):
    main.add_command(command)

"""`sheetreturns password set|check smtp|imap`: the mail passwords, in the system keyring where the job looks."""
from __future__ import annotations

import sys

import click

from .. import api
from .exit_codes import EXIT_OK, EXIT_PROBLEMS
from .options import config_option, debug_option, json_option, print_json, reports_errors

KIND = click.Choice(["smtp", "imap"])
WHAT = {"smtp": "SMTP (sending email)", "imap": "IMAP (reading return notices)"}
USER_HELP = "The login name (default: user in [smtp], or the user in [intake]'s mailbox address)."


@click.group("password")
def password_group() -> None:
    """Store the mail passwords the job uses in the system keyring (Windows Credential Manager, the macOS
    Keychain, the Secret Service on Linux), so no password sits in a file."""


def _where(status) -> str:
    return f'{status.keyring} (service "{status.service}", user {status.user})'


def _variable_note(status) -> list[str]:
    if not status.variable:
        return []
    return [f"Note: the environment variable {status.variable} is set here, and the job uses it before the keyring."]


@password_group.command("set")
@click.argument("kind", type=KIND)
@click.option("--user", metavar="ADDRESS", help=USER_HELP)
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of asking (for scripts).")
@config_option
@debug_option
@reports_errors("password set")
def password_set(kind: str, user: str | None, from_stdin: bool, config_path: str | None, debug: bool) -> None:
    """Ask for the KIND (smtp or imap) password without showing it, and store it in the system keyring
    where `sheetreturns sync` and `intake` look for it."""
    before = api.password_status(kind, user=user, config=config_path)  # the login and a usable keyring, first
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"{WHAT[kind].split(' ')[0]} password for {before.user}", hide_input=True,
                                confirmation_prompt="Type it again", prompt_suffix=": ")
    status = api.store_password(kind, password, user=before.user, config=config_path)
    verb = "Replaced" if before.stored else "Stored"
    click.echo("\n".join([f"{verb} the {WHAT[kind]} password in {_where(status)}.", *_variable_note(status),
                          f"Check it with: sheetreturns password check {kind}" + (f" --user {status.user}" if user else "")]))


@password_group.command("check")
@click.argument("kind", type=KIND)
@click.option("--user", metavar="ADDRESS", help=USER_HELP)
@config_option
@json_option
@debug_option
@reports_errors("password check")
def password_check(kind: str, user: str | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Say whether a KIND (smtp or imap) password is stored where the job looks, without showing it.

    Exit codes: 0 stored, 1 not stored, 2 could not check.
    """
    status = api.password_status(kind, user=user, config=config_path)
    if as_json:
        print_json({"command": "password check", "ok": status.stored, **status.as_json()})
    elif status.stored:
        click.echo("\n".join([f"An {WHAT[kind]} password is stored in {_where(status)}.", *_variable_note(status)]))
    else:
        click.echo("\n".join([f"No {WHAT[kind]} password is stored in {_where(status)}: store one with "
                              f"sheetreturns password set {kind}" + (f" --user {status.user}" if user else ""),
                              *_variable_note(status)]))
    sys.exit(EXIT_OK if status.stored else EXIT_PROBLEMS)

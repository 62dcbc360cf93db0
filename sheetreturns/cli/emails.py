"""`sheetreturns emails ...`: commands about customer emails (registered on the main CLI group)."""
from __future__ import annotations

import sys
from datetime import date

import click

from .render_text import visible
from .. import api
from ..emails.preview import Preview
from ..engine.model import EmailKind
from .exit_codes import EXIT_OK
from .options import common_options, print_json, reports_errors

KIND_HELP = "Only emails of this kind."
RETURN_HELP = "Only the emails of this Return ID (e.g. R-00022)."
HTML_HELP = "Show the HTML part instead of the plain-text part."
RULE = "-" * 72


@click.group()
def emails() -> None:
    """Customer emails: see what a sync would send."""


@emails.command("preview")
@click.argument("source", required=False)
@click.option("--return", "return_id", metavar="ID", help=RETURN_HELP)
@click.option("--kind", type=click.Choice([k.value for k in EmailKind]), help=KIND_HELP)
@click.option("--html", "show_html", is_flag=True, help=HTML_HELP)
@common_options
@reports_errors("emails preview")
def preview_command(source: str | None, return_id: str | None, kind: str | None, show_html: bool,
                    as_of: date | None, config_path: str | None, as_json: bool, debug: bool) -> None:
    """Render the emails a sync of SOURCE would send now, with their wording; send and change nothing.

    Emails already sent (according to the email journal) are not shown. Exit codes: 0 shown (or none
    due), 2 could not run (for example a broken template, named with its line).
    """
    result = api.preview_emails(source, as_of=as_of, config=config_path, return_id=return_id, kind=kind)
    if as_json:
        print_json({
            "command": "emails preview", "ok": True, "as_of": result.as_of.isoformat(), "source": result.source,
            "emails": [e.as_dict() for e in result.emails],
        })
    else:
        click.echo(visible(preview_report(result, show_html, return_id, kind)))
    sys.exit(EXIT_OK)


def preview_report(result: Preview, show_html: bool, return_id: str | None, kind: str | None) -> str:
    if not result.emails:
        which = " ".join(filter(None, [return_id, kind])) or "emails"
        return f"No {which} due to send as of {result.as_of.isoformat()} ({result.source})."
    out = []
    for email in result.emails:
        out += [RULE, f"{email.return_id} · {email.kind}" + ("  (over the per-run cap: goes in a later run)"
                                                            if email.over_cap else ""), RULE]
        if email.error:
            out.append(f"Cannot be sent: {email.error}")
        out += [f"From: {email.sender}", f"To: {email.to}"]
        if email.reply_to:
            out.append(f"Reply-To: {email.reply_to}")
        out += [f"Subject: {email.subject}", "", (email.html if show_html else email.text).rstrip(), ""]
    count = len(result.emails)
    out.append(f"{count} email{'s' if count != 1 else ''} due to send as of {result.as_of.isoformat()} "
               f"({result.source}); nothing was sent.")
    return "\n".join(out)

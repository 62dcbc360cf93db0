"""An intake run's result as text for a terminal."""
from __future__ import annotations

from ..intake.journal import ANSWERED, DUPLICATE, LABELS, PARTIAL, RECORDED, REPLY, REPLY_ELSEWHERE, SKIPPED, UNPARSED
from ..intake.record import IntakeResult
from .render import table

MAX_LISTED = 50


def intake_report(result: IntakeResult) -> str:
    total = len(result.notices) + result.known
    head = f"{result.mailbox} · {total} message{'s' if total != 1 else ''}"
    if result.known:
        head += f" · {result.known} recorded before"
    lines = [head]
    counts = [[LABELS[r], result.count(r)] for r in (RECORDED, PARTIAL, DUPLICATE, REPLY, REPLY_ELSEWHERE, ANSWERED, UNPARSED, SKIPPED)
              if result.count(r)]
    if counts:
        lines += ["", *table(["New messages", "How many"], counts, right={1})]
    check = [n for n in result.notices if n.result == PARTIAL]
    if check:
        rows = [[n.order_id or "", n.subject[:50], n.details] for n in check[:MAX_LISTED]]
        lines += ["", f"Recorded, check these rows ({len(check)})", *table(["Order", "Subject", "What is missing"], rows)]
    elsewhere = [n for n in result.notices if n.result == REPLY_ELSEWHERE]
    if elsewhere:
        rows = [[n.return_id or "", n.sender[:40], n.reply[:60]] for n in elsewhere[:MAX_LISTED]]
        lines += ["", f"Replies not from the return's customer, not put on the rows ({len(elsewhere)})",
                  *table(["Return", "From", "Reply"], rows)]
    missing = result.not_recorded
    if missing:
        rows = [[n.sender[:40], n.subject[:50], n.details] for n in missing[:MAX_LISTED]]
        lines += ["", f"Not recorded ({len(missing)})", *table(["From", "Subject", "Why"], rows)]
        if len(missing) > MAX_LISTED:
            lines.append(f"  ... and {len(missing) - MAX_LISTED} more (see the Intake Log tab)")
    lines.append("")
    lines += [f"Note: {note}" for note in result.notes]
    lines += [f"Failed: {failure}" for failure in result.failures]
    rows = len(result.rows)
    added = f"{rows} row{'s' if rows != 1 else ''}"
    if result.dry_run:
        summary = f"would add {added} to {result.source} · nothing written"
    elif result.written:
        summary = f"{added} added · saved {result.source}"
    else:
        summary = "nothing new · nothing written"
    if result.moved:
        summary += f" · {result.moved} message{'s' if result.moved != 1 else ''} moved"
    lines.append(summary)
    return "\n".join(lines)

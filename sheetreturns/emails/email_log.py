"""What the sheet shows about emails, rebuilt from the journal on every run: the Email Log tab and the
Contacted On / Last Email columns. Because they come from the journal, a run whose sheet write failed
is repaired by the next one.
"""
from __future__ import annotations

from datetime import date

from ..engine.model import EmailKind
from ..sheet.tab_model import Styled, Tab
from ..sheet.tab_names import EMAIL_LOG_TAB
from .journal import DONE, FAILED, OUTBOX, SENT, UNCONFIRMED, Event, Journal
from .templates import DIGEST

HEADERS = ("Time", "Return ID", "To", "Kind", "Subject", "Result")
WIDTHS = {1: 17, 2: 12, 3: 30, 4: 22, 5: 48, 6: 60}
ACKNOWLEDGEMENT = EmailKind.ACKNOWLEDGEMENT.value


def contacted_on(journal: Journal) -> dict[str, date]:
    """Return ID -> the day its acknowledgement went out (all time)."""
    return {
        entry.return_id: entry.updated.date()
        for entry in journal.entries.values()
        if entry.kind == ACKNOWLEDGEMENT and entry.state in DONE
    }


def last_email(events: list[Event]) -> dict[str, str]:
    """Return ID -> "<kind> <date>" of its latest email, or what went wrong with it."""
    latest: dict[str, str] = {}
    for event in events:
        if event.kind == DIGEST:
            continue
        day = event.time.date().isoformat()
        if event.outcome == SENT:
            latest[event.return_id] = f"{event.kind} {day}"
        elif event.outcome == OUTBOX:
            latest[event.return_id] = f"{event.kind} {day} (outbox)"
        elif event.outcome == UNCONFIRMED:
            latest[event.return_id] = f"{event.kind} {day} (unconfirmed)"
        elif event.outcome == FAILED:
            latest[event.return_id] = f"{event.kind} failed {day}: {event.detail}"
    return latest


def result_text(event: Event) -> str:
    if event.outcome == SENT:
        return "sent"
    if event.outcome == OUTBOX:
        return f"written to the outbox: {event.detail}"
    if event.outcome == UNCONFIRMED:
        return event.detail
    return f"failed: {event.detail}"


def log_tab(events: list[Event]) -> Tab | None:
    """The Email Log tab: every send and every failure, newest first (None before the first email)."""
    if not events:
        return None
    tab = Tab(EMAIL_LOG_TAB, widths=dict(WIDTHS), freeze_rows=1)
    tab.add(*(Styled(h, "header") for h in HEADERS))
    for event in reversed(events):
        tab.add(
            Styled(event.time, "datetime"),
            "" if event.kind == DIGEST else event.return_id,
            event.recipient,
            event.kind,
            event.subject,
            result_text(event),
        )
    return tab

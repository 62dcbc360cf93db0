"""Customer replies on the rows: what a reply changes in a return's Next Step and in the emails due.

Pure: the replies intake recorded (and the shop's answers it saw) come in as arguments, with the
evaluation they change. A reply waits for the seller until a Reply Handled On date on the return is
on or after the reply's date, or the shop answered in the thread. While it waits, the row's Next Step
says to read it, and no reminder goes to that customer; nor while a tracking number the customer gave
is fresh (within tracking_fresh_days of the reply).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from .model import SETTLED, EmailKind, Evaluation, Status
from .policy import Policy
from .wording import day

# Steps that only wait (for the item, the customer, the deadline): a waiting reply comes before them.
WAITING = frozenset({Status.AWAITING_ITEM, Status.REFUNDED_NOT_BACK, Status.ITEM_OVERDUE,
                     Status.REIMBURSEMENT_DUE}) | SETTLED
HELD = frozenset({EmailKind.REMINDER})


@dataclass(frozen=True)
class CustomerReply:
    """One reply intake attached to a return (its text already cut to a safe preview)."""

    key: str  # Message-ID
    return_id: str
    received: date
    preview: str
    tracking: str = ""  # carrier, number and/or "already sent", as shown in Return Tracking
    tracking_number: bool = False  # a tracking number was found (not only a claim)


@dataclass(frozen=True)
class ShopAnswer:
    """A message from the shop in a reply's thread (seen in the Sent folder or the intake folder)."""

    return_id: str
    sent: date


@dataclass(frozen=True)
class OtherReply:
    """A reply about a return from an address that is not its customer's: listed for the seller, never attached."""

    return_id: str
    sender: str
    received: date
    preview: str


@dataclass(frozen=True, slots=True)
class ReplyShown:
    """What a row shows about its return's latest reply."""

    replied_on: date
    preview: str
    tracking: str
    waiting: bool  # nobody handled it yet


def next_step_text(replied_on: date) -> str:
    return f"Customer replied on {day(replied_on)}: read it"


def apply_replies(evaluation: Evaluation, replies: Iterable[CustomerReply], answers: Iterable[ShopAnswer],
                  policy: Policy) -> dict[str, ReplyShown]:
    """Put each return's latest reply on its outcomes, change the Next Step of a waiting one, hold reminders.

    Returns Return ID -> what its rows show.
    """
    by_return: dict[str, list[CustomerReply]] = defaultdict(list)
    for reply in replies:
        by_return[reply.return_id].append(reply)
    if not by_return:
        return {}
    answered: dict[str, date] = {}
    for answer in answers:
        answered[answer.return_id] = max(answer.sent, answered.get(answer.return_id, answer.sent))
    handled: dict[str, date] = {}
    for line, outcome in zip(evaluation.lines, evaluation.outcomes):
        if line.reply_handled_on is not None and outcome.return_id in by_return:
            rid = outcome.return_id
            handled[rid] = max(line.reply_handled_on, handled.get(rid, line.reply_handled_on))

    shown: dict[str, ReplyShown] = {}
    quiet: set[str] = set()  # returns whose reminders wait
    for return_id, found in by_return.items():
        found.sort(key=lambda r: (r.received, r.key))
        latest = found[-1]
        with_tracking = [r for r in found if r.tracking]
        tracking = with_tracking[-1].tracking if with_tracking else ""
        done_on = max((d for d in (handled.get(return_id), answered.get(return_id)) if d is not None), default=None)
        waiting = done_on is None or done_on < latest.received
        shown[return_id] = ReplyShown(latest.received, latest.preview, tracking, waiting)
        numbered = [r for r in found if r.tracking_number]
        fresh = bool(numbered) and (evaluation.as_of - numbered[-1].received).days <= policy.tracking_fresh_days
        if waiting or fresh:
            quiet.add(return_id)

    for outcome in evaluation.outcomes:
        reply = shown.get(outcome.return_id)
        if reply is None:
            continue
        outcome.reply = reply
        if reply.waiting and outcome.status is not Status.NEEDS_INFO:
            step = next_step_text(reply.replied_on)
            outcome.next_step = step if outcome.status in WAITING else f"{outcome.next_step}; {step[0].lower()}{step[1:]}"
    if quiet:
        evaluation.emails = [e for e in evaluation.emails if not (e.kind in HELD and e.return_id in quiet)]
    return shown


def waiting_replies(evaluation: Evaluation) -> list[tuple[str, str | None, ReplyShown]]:
    """(Return ID, customer, reply) for every reply nobody handled yet, oldest first."""
    seen: dict[str, tuple[str, str | None, ReplyShown]] = {}
    for line, outcome in zip(evaluation.lines, evaluation.outcomes):
        reply = outcome.reply
        if reply is not None and reply.waiting and outcome.return_id not in seen:
            seen[outcome.return_id] = (outcome.return_id, line.customer or line.email, reply)
    return sorted(seen.values(), key=lambda item: (item[2].replied_on, item[0]))

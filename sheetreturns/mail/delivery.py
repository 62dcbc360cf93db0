"""The email step of a sync: which due emails still have to go, sending them exactly once, the owner digest,
and what the sheet shows about emails afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from ..config import Config
from ..errors import ConfigError
from ..model import EmailDue, Status
from ..result import EmailRecord
from ..tabmodel import Tab
from . import email_log
from .channels import INTERRUPTED_TEXT, OutboxChannel, Outgoing, SmtpChannel, failed, file_holds
from .journal import FILE, IN_FLIGHT, OUTBOX, UNCONFIRMED, Journal, journal_path
from .message import BadAddress, compose, domain_of, new_message_id
from .smtp import Sender, sender_of, smtp_settings
from .templates import DIGEST, Rendered, Templates, customer_context, long_date

WAITING = "waiting (over the per-run cap)"
WOULD_SEND = "would send"
CALM = (Status.DONE.value, Status.AWAITING_ITEM.value)  # statuses that need nothing from the seller


@dataclass
class Delivery:
    """What the email step did, and what the sheet should show about it."""

    records: list[EmailRecord] = field(default_factory=list)  # this run's sends, failures, outbox files
    contacted_on: dict[str, date] = field(default_factory=dict)  # Return ID -> acknowledgement date (all time)
    last_email: dict[str, str] = field(default_factory=dict)  # Return ID -> "<kind> <date>" or failure text
    log_tab: Tab | None = None  # the Email Log tab, rebuilt from the journal
    failures: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """A due email rendered for its customer (`error`: why it cannot be composed, e.g. a bad address)."""

    due: EmailDue
    rendered: Rendered
    outgoing: Outgoing | None
    error: str = ""
    over_cap: bool = False  # only when prepared past the cap on purpose (previews)


@dataclass
class Batch:
    """The emails a run would send now, and those over the per-run cap."""

    ready: list[Prepared]
    waiting: list[EmailDue]


def default_outbox(config: Config) -> Path:
    return config.folder / "outbox"


def prepare(loaded, config: Config, journal: Journal, now: datetime, *, everything: bool = False,
            wanted: Callable[[EmailDue], bool] | None = None) -> tuple[Batch, Sender, Templates]:
    """Render every due email the journal has not seen go out, up to the per-run cap (past it with
    `everything`, marking those over it). A broken template raises ConfigError."""
    policy = loaded.policy
    sender = sender_of(config, policy)
    templates = Templates(config.templates_dir, policy, sender.reply_to)
    lines = {line.row: line for line in loaded.evaluation.lines}
    todo = [
        due for due in loaded.evaluation.emails
        if not journal.is_done(due.return_id, str(due.kind))
        and not (journal.readonly and _in_flight(journal, due))
    ]
    cap = policy.max_emails_per_run
    ready = []
    for position, due in enumerate(todo if everything else todo[:cap]):
        if wanted is not None and not wanted(due):
            continue
        kind = str(due.kind)
        rendered = templates.render(kind, customer_context(due, lines, policy))
        entry = journal.get(due.return_id, kind)
        message_id = entry.message_id if entry else new_message_id(domain_of(sender.address), f"{due.return_id}.{kind}")
        try:
            message = compose(sender=(sender.name, sender.address), to=(due.customer, due.to), subject=rendered.subject,
                              text=rendered.text, html=rendered.html, message_id=message_id, date=now,
                              reply_to=sender.reply_to)
        except BadAddress as exc:
            ready.append(Prepared(due, rendered, None, str(exc), position >= cap))
            continue
        ready.append(Prepared(due, rendered, Outgoing(due.return_id, kind, message), "", position >= cap))
    return Batch(ready, [] if everything else todo[cap:]), sender, templates


def _in_flight(journal: Journal, due: EmailDue) -> bool:
    entry = journal.get(due.return_id, str(due.kind))
    return entry is not None and entry.state == IN_FLIGHT


def deliver(loaded, config: Config, *, dry_run: bool, outbox: Path | None, now: datetime) -> Delivery:
    """Send (or write to the outbox) every due email not sent before, and report what the sheet should show.

    With dry_run nothing is sent and the journal is not touched: records say "would send".
    """
    server = None if outbox is not None else smtp_settings(config)
    channel = SmtpChannel(server) if server is not None else OutboxChannel(outbox or default_outbox(config))
    delivery = Delivery()
    with Journal(journal_path(config.state_dir, loaded.source), readonly=dry_run) as journal:
        if not dry_run:
            _settle_interrupted(journal, channel, delivery, now)
        batch, sender, templates = prepare(loaded, config, journal, now)
        try:
            for item in batch.ready:
                due = item.due
                if item.outgoing is None:
                    record = EmailRecord(due.return_id, str(due.kind), due.to, f"failed: {item.error}",
                                         item.rendered.subject)
                    if not dry_run:
                        journal.fail(due.return_id, str(due.kind), recipient=due.to, subject=item.rendered.subject,
                                     message_id="", reason=item.error, now=now, channel=channel.name)
                elif dry_run:
                    record = EmailRecord(due.return_id, str(due.kind), due.to, WOULD_SEND, item.rendered.subject)
                else:
                    record = channel.send(item.outgoing, journal, now)
                _add(delivery, record)
            for due in batch.waiting:
                _add(delivery, EmailRecord(due.return_id, str(due.kind), due.to, WAITING))
            if loaded.policy.owner_email and delivery.records:
                _add(delivery, _digest(loaded, journal, channel, sender, templates, delivery, now, dry_run))
        finally:
            channel.close()
        events = journal.events()
        delivery.contacted_on = email_log.contacted_on(journal)
        delivery.last_email = email_log.last_email(events)
        delivery.log_tab = email_log.log_tab(events)
    return delivery


def _add(delivery: Delivery, record: EmailRecord) -> None:
    delivery.records.append(record)
    if record.result.startswith("failed"):
        who = f"{record.return_id} {record.kind}" if record.return_id else record.kind
        delivery.failures.append(f"{who} to {record.to}: {record.result[len('failed: '):]}")


def _settle_interrupted(journal: Journal, channel, delivery: Delivery, now: datetime) -> None:
    """Messages a killed run left in flight: an outbox file either exists whole or is written again; an SMTP
    message may have been accepted, so it is never sent again and is reported once."""
    for entry in journal.interrupted():
        if entry.channel == FILE:
            if file_holds(Path(entry.detail), entry.message_id):
                journal.finish(entry.return_id, entry.kind, OUTBOX, entry.updated, entry.detail)
            else:
                journal.fail(entry.return_id, entry.kind, recipient=entry.recipient, subject=entry.subject,
                             message_id=entry.message_id, reason="interrupted before the file was written",
                             now=now, channel=FILE)
            continue
        journal.finish(entry.return_id, entry.kind, UNCONFIRMED, entry.updated, INTERRUPTED_TEXT)
        record = EmailRecord(entry.return_id, entry.kind, entry.recipient, f"failed: {INTERRUPTED_TEXT}",
                             entry.subject)
        if entry.kind != DIGEST:
            _add(delivery, record)


def _digest(loaded, journal: Journal, channel, sender: Sender, templates: Templates, delivery: Delivery,
            now: datetime, dry_run: bool) -> EmailRecord:
    """The owner's digest of this run (sent only when the run had emails to report)."""
    policy, owner = loaded.policy, loaded.policy.owner_email
    records = delivery.records
    counts = loaded.evaluation.counts()
    context = {
        "kind": DIGEST,
        "source": loaded.workbook.name,
        "run_at": f"{long_date(now.date(), policy.day_first)} {now:%H:%M}",
        "as_of": long_date(loaded.evaluation.as_of, policy.day_first),
        "outbox": channel.name == FILE,
        "delivered": [r for r in records if r.result in ("sent", "outbox", WOULD_SEND)],
        "failed": [r for r in records if r.result.startswith("failed")],
        "waiting": [r for r in records if r.result == WAITING],
        "cap": policy.max_emails_per_run,
        "attention": [(label, n) for label, n in counts.items() if label not in CALM],
    }
    key = f"digest-{now:%Y%m%d-%H%M%S}"  # one digest per run: the journal key is the run's time
    try:
        rendered = templates.render(DIGEST, context)
    except ConfigError as exc:  # the customers' emails are out; a broken digest template must not undo the run
        return EmailRecord("", DIGEST, owner, f"failed: {exc}", "")
    if dry_run:
        return EmailRecord("", DIGEST, owner, WOULD_SEND, rendered.subject)
    message = compose(sender=(sender.name, sender.address), to=(None, owner), subject=rendered.subject,
                      text=rendered.text, html=rendered.html, date=now, reply_to=None,
                      message_id=new_message_id(domain_of(sender.address), "digest"))
    record = channel.send(Outgoing(key, DIGEST, message), journal, now)
    return EmailRecord("", DIGEST, owner, record.result, record.subject)

"""The email step of a sync: which due emails still have to go, sending them exactly once, the owner digest,
and what the sheet shows about emails afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from ..settings.config_file import Config
from ..settings.smtp import smtp_settings
from ..errors import ConfigError
from ..engine.evaluate import not_acknowledged
from ..engine.model import EmailDue, EmailKind, Line, Status
from ..engine.replies import waiting_replies
from ..results import EmailRecord
from ..sheet.tab_model import Tab
from . import email_log
from .channels import INTERRUPTED_TEXT, RESTARTED_TEXT, OutboxChannel, Outgoing, SmtpChannel, file_holds
from .journal import FILE, IN_FLIGHT, OUTBOX, QUEUED, SENT, UNCONFIRMED, Event, Journal, boot_id, journal_path
from .message import BadAddress, compose, domain_of, new_message_id
from .smtp import sender_of
from .templates import DIGEST, Rendered, Templates, customer_context, long_date

WAITING = "waiting (over the per-run cap)"
HELD = "held"  # worked out, not sent: the first real run of a sheet, or more than bulk_email_limit
WOULD_SEND = "would send"
CALM = (Status.DONE.value, Status.AWAITING_ITEM.value)  # statuses that need nothing from the seller
ACKNOWLEDGEMENT = EmailKind.ACKNOWLEDGEMENT.value
QUEUE_GROUP = 50  # messages queued (and fsynced) together: at most this many are unconfirmed after a power cut


@dataclass
class Delivery:
    """What the email step did, and what the sheet should show about it."""

    records: list[EmailRecord] = field(default_factory=list)  # this run's sends, failures, outbox files
    contacted_on: dict[str, date] = field(default_factory=dict)  # Return ID -> acknowledgement date (all time)
    last_email: dict[str, str] = field(default_factory=dict)  # Return ID -> "<kind> <date>" or failure text
    log_tab: Tab | None = None  # the Email Log tab, rebuilt from the journal
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the seller should know (emails held, and why)
    # Open returns noticed before the acknowledgement window that never got one: (Return ID, noticed on).
    not_acknowledged: list[tuple[str, date]] = field(default_factory=list)
    # Outbox files written aside until the sheet records them (deliver's stage_outbox): publish or withdraw.
    staging: "_Staging | None" = None

    @property
    def went_out(self) -> bool:
        """Whether any email went to the mail server or the outbox (or was tried): time passed since the
        sheet was read. Held and waiting emails were only worked out; staged outbox files have not appeared."""
        staged = self.staging is not None  # then every outbox file of the run is still aside
        return any(r.result not in (HELD, WAITING, WOULD_SEND) and not (staged and r.result == "outbox")
                   for r in self.records)

    def publish(self) -> None:
        """The sheet records the staged outbox emails now: make their files appear."""
        if self.staging is not None:
            for record in self.staging.publish():
                self.failures.append(f"{record.return_id} {record.kind} to {record.to}: "
                                     f"{record.result[len('failed: '):]}")
            self.staging = None

    def withdraw(self, reason: str) -> None:
        """The sheet could not record the staged outbox emails: they never appear, and the next run writes them."""
        if self.staging is not None:
            self.staging.withdraw(reason)
            self.staging = None


@dataclass
class _Staging:
    channel: OutboxChannel
    journal: Path
    now: datetime

    def publish(self) -> list[EmailRecord]:
        """The files appear; the failures, if a rename fails."""
        with Journal(self.journal) as journal:
            return self.channel.publish(journal, self.now)

    def withdraw(self, reason: str) -> None:
        with Journal(self.journal) as journal:
            self.channel.withdraw(journal, self.now, reason)


@dataclass
class Prepared:
    """A due email rendered for its customer (`error`: why it cannot be composed, e.g. a bad address)."""

    due: EmailDue
    rendered: Rendered
    outgoing: Outgoing | None
    error: str = ""
    over_cap: bool = False  # prepared past the per-run cap (previews only)


class Drafts:
    """The emails one run has to send (due, never sent before), and how to render and compose each."""

    def __init__(self, loaded, config: Config, journal: Journal, now: datetime, *, everything: bool = False):
        policy = loaded.policy
        self.sender = sender_of(smtp_settings(config), policy)
        self.templates = Templates(config.templates_dir, policy, self.sender.reply_to)
        self.loaded, self.now, self.cap = loaded, now, policy.max_emails_per_run
        todo = [due for due in loaded.evaluation.emails if not _settled(journal, due)]
        self.todo, self.waiting = (todo, []) if everything else (todo[:self.cap], todo[self.cap:])
        domain = domain_of(self.sender.address)
        self.message_ids = {}
        for due in self.todo:
            entry = journal.get(due.return_id, str(due.kind))
            # A retry keeps its Message-ID: a mail program that got the first try shows the second as the same
            label = f"{due.return_id}.{due.kind}"
            self.message_ids[id(due)] = entry.message_id if entry else new_message_id(domain, label)

    @cached_property
    def lines(self) -> dict[int, Line]:
        """Sheet row -> line: made when the first email is rendered (a run with none due never needs it)."""
        return {line.row: line for line in self.loaded.evaluation.lines}

    def prepare(self, due: EmailDue, position: int = 0) -> Prepared:
        """Render and compose one email (a broken template raises ConfigError naming it)."""
        kind = str(due.kind)
        rendered = self.templates.render(kind, customer_context(due, self.lines, self.loaded.policy,
                                                                self.loaded.evaluation.as_of))
        try:
            message = compose(sender=(self.sender.name, self.sender.address), to=(due.customer, due.to),
                              subject=rendered.subject, text=rendered.text, html=rendered.html,
                              message_id=self.message_ids[id(due)], date=self.now, reply_to=self.sender.reply_to)
        except BadAddress as exc:
            return Prepared(due, rendered, None, str(exc), position >= self.cap)
        return Prepared(due, rendered, Outgoing(due.return_id, kind, message), "", position >= self.cap)

    def prepare_all(self, wanted: Callable[[EmailDue], bool] | None = None) -> list[Prepared]:
        """Every email of the run, rendered and composed before the first one is sent: a broken template
        stops the run with nothing sent, and the sending loop does nothing but send (measured faster than
        rendering the next message while the server answers)."""
        return [self.prepare(due, i) for i, due in enumerate(self.todo) if wanted is None or wanted(due)]


def _settled(journal: Journal, due: EmailDue) -> bool:
    if journal.is_done(due.return_id, str(due.kind)):
        return True
    entry = journal.get(due.return_id, str(due.kind))  # a dry run cannot settle a killed run's message: skip it
    return journal.readonly and entry is not None and entry.state == IN_FLIGHT


def default_outbox(config: Config) -> Path:
    """`outbox` beside sheetreturns.toml; without one, beside a state_dir the caller chose, else in the current
    folder."""
    return (config.folder if config.path or not config.state_dir_set else config.state_dir.parent) / "outbox"


def not_acknowledged_note(found: list[tuple[str, date]], policy) -> str:
    listed = ", ".join(f"{rid} ({day.isoformat()})" for rid, day in found[:10])
    more = f" and {len(found) - 10} more" if len(found) > 10 else ""
    count = f"{len(found)} return{'s' if len(found) != 1 else ''}"
    return (f"Not acknowledged: noticed before the job ran: {count} noticed more than "
            f"{policy.acknowledge_within_days} days ago never got the acknowledgement, and will not now: "
            f"{listed}{more}. Write to {'them' if len(found) != 1 else 'the customer'} yourself if needed "
            f"(the Summary lists them).")


def hold_reason(journal: Journal, count: int, limit: int, over_smtp: bool) -> str | None:
    """Why `count` customer emails should be held rather than sent (None: send them).

    Over SMTP nothing goes on its own on a sheet that never emailed anyone over SMTP (its first real run),
    nor when more than `limit` would go at once: both are when an unexpected sheet or setting would
    write to many customers.
    """
    if not count or not over_smtp:
        return None
    if not any(e.channel != FILE for e in journal.entries.values()):
        return "first"
    return "bulk" if count > limit else None


def _held_note(reason: str, records: list[EmailRecord], limit: int) -> str:
    count = len(records)
    people = sorted({r.to for r in records})
    whom = ", ".join(people[:5]) + (f" and {len(people) - 5} more" if len(people) > 5 else "")
    emails = f"{count} email{'s' if count != 1 else ''}"
    why = (f"this is the first run of this sheet that would email customers over SMTP, so the {emails} it "
           f"worked out were held, none sent" if reason == "first" else
           f"{emails} would go at once, more than bulk_email_limit ({limit}), so none were sent")
    return (f"Emails held: {why} (to {whom}). Read them with `sheetreturns emails preview`, then send them with "
            f"`sheetreturns sync --send-backlog`.")


def deliver(loaded, config: Config, *, dry_run: bool, outbox: Path | None, now: datetime,
            before_sending: Callable[[], None] | None = None, send_backlog: bool = False,
            stage_outbox: bool = False) -> Delivery:
    """Send (or write to the outbox) every due email not sent before, and report what the sheet should show.

    With dry_run nothing is sent and the journal is not touched: records say "would send".
    `before_sending` is called once before the first email goes (it may raise to stop the run).
    Over SMTP, the first real run of a sheet and a run over `bulk_email_limit` hold their emails (records
    say "held", nothing is journaled) unless `send_backlog` lets them go.
    With `stage_outbox`, outbox files are written aside and appear only when the caller, having written the
    sheet, calls `Delivery.publish()` (`withdraw()` if the sheet could not be written): the write itself
    then shows that the sheet can be edited, before any email appears, and `before_sending` is not called.
    """
    server = smtp_settings(config)
    staging = stage_outbox and not dry_run
    channel = (SmtpChannel(server) if server.sends and outbox is None
               else OutboxChannel(outbox or default_outbox(config), staging=staging))
    delivery = Delivery()
    path = journal_path(config.state_dir, loaded.source)
    with Journal(path, readonly=dry_run) as journal:
        if not dry_run:
            _settle_interrupted(journal, delivery, now)
        drafts = Drafts(loaded, config, journal, now)
        prepared = drafts.prepare_all()
        limit = loaded.policy.bulk_email_limit
        count = len(drafts.todo) + len(drafts.waiting)
        held = None if send_backlog else hold_reason(journal, count, limit, channel.name != FILE)
        if held is None and channel.name == FILE and hold_reason(journal, count, limit, True):
            delivery.notes.append(
                f"Over SMTP these {count} email{'s' if count != 1 else ''} would be held, not sent: "
                + ("a first real run of a sheet sends nothing on its own" if hold_reason(journal, count, limit, True)
                   == "first" else f"more than bulk_email_limit ({limit}) at once")
                + "; `sheetreturns sync --send-backlog` sends them.")
        if held is not None:
            for due in drafts.todo + drafts.waiting:
                _add(delivery, EmailRecord(due.return_id, str(due.kind), due.to, HELD))
            delivery.notes.append(_held_note(held, delivery.records, limit))
            prepared, drafts.waiting = [], []
        sending = prepared or drafts.waiting or any(r.result != HELD for r in delivery.records)
        staged = staging and isinstance(channel, OutboxChannel)  # its files wait for the sheet write
        if not dry_run and before_sending is not None and sending and not staged:
            before_sending()
        try:
            _send_all(drafts, prepared, channel, journal, delivery, now, dry_run)
            for due in drafts.waiting:
                _add(delivery, EmailRecord(due.return_id, str(due.kind), due.to, WAITING))
            if loaded.policy.owner_email and held is None and (delivery.records or loaded.evaluation.new_replies):
                _add(delivery, _digest(loaded, journal, channel, drafts, delivery, now, dry_run))
        finally:
            channel.close()
        events = journal.events()
        delivery.contacted_on = email_log.contacted_on(journal)
        if staged and channel.staged:
            # What the journal will hold once the files appear, so that the sheet can record them first.
            when = datetime.fromisoformat(now.isoformat(timespec="seconds"))
            events += [Event(when, item.out.return_id, item.out.kind, item.out.to, item.out.message.subject,
                             OUTBOX, str(item.path)) for item in channel.staged]
            delivery.contacted_on.update({item.out.return_id: now.date() for item in channel.staged
                                          if item.out.kind == ACKNOWLEDGEMENT})
            delivery.staging = _Staging(channel, path, now)
        evaluation = loaded.evaluation
        delivery.not_acknowledged = [
            (rid, day) for rid, day in not_acknowledged(evaluation.lines, evaluation.outcomes, loaded.policy,
                                                        evaluation.as_of)
            if rid not in delivery.contacted_on and not journal.is_done(rid, ACKNOWLEDGEMENT)]
        if delivery.not_acknowledged:
            delivery.notes.append(not_acknowledged_note(delivery.not_acknowledged, loaded.policy))
        if dry_run:  # show what the sheet would show if every email went out
            events += [_expected_event(record, channel, now) for record in delivery.records
                       if record.result == WOULD_SEND]
            delivery.contacted_on.update({r.return_id: now.date() for r in delivery.records
                                          if r.result == WOULD_SEND and r.kind == ACKNOWLEDGEMENT})
        delivery.last_email = email_log.last_email(events)
        delivery.log_tab = email_log.log_tab(events)
    return delivery


def _expected_event(record: EmailRecord, channel, now: datetime) -> Event:
    if channel.name == FILE:
        return Event(now, record.return_id, record.kind, record.to, record.subject, OUTBOX,
                     str(channel.path_for(record.return_id, record.kind)))
    return Event(now, record.return_id, record.kind, record.to, record.subject, SENT, "")


def _send_all(drafts: Drafts, prepared: list[Prepared], channel, journal: Journal, delivery: Delivery,
              now: datetime, dry_run: bool) -> None:
    for index, item in enumerate(prepared):
        due = item.due
        kind = str(due.kind)
        if not dry_run and index % QUEUE_GROUP == 0:
            group = drafts.todo[index:index + QUEUE_GROUP]
            journal.queue([(d.return_id, str(d.kind), channel.name, d.to, drafts.message_ids[id(d)]) for d in group],
                          now)
        if item.outgoing is None:
            record = EmailRecord(due.return_id, kind, due.to, f"failed: {item.error}", item.rendered.subject)
            if not dry_run:
                journal.fail(due.return_id, kind, recipient=due.to, subject=item.rendered.subject,
                             message_id=drafts.message_ids[id(due)], reason=item.error, now=now, channel=channel.name)
        elif dry_run:
            record = EmailRecord(due.return_id, kind, due.to, WOULD_SEND, item.rendered.subject)
        else:
            record = channel.send(item.outgoing, journal, now)
        _add(delivery, record)


def _add(delivery: Delivery, record: EmailRecord) -> None:
    delivery.records.append(record)
    if record.result.startswith("failed"):
        who = f"{record.return_id} {record.kind}" if record.return_id else record.kind
        delivery.failures.append(f"{who} to {record.to}: {record.result[len('failed: '):]}")


def _settle_interrupted(journal: Journal, delivery: Delivery, now: datetime) -> None:
    """Messages a killed run left queued or in flight.

    An outbox file either exists whole or is written again. An SMTP message in flight may have been
    accepted: it is never sent again and is reported once. A queued one was never reached, unless the
    machine restarted since (its in-flight and sent records may then be lost): then it is unconfirmed too.
    """
    boot = boot_id()
    for entry in journal.interrupted():
        if entry.channel == FILE:
            if entry.state == IN_FLIGHT and file_holds(Path(entry.detail), entry.message_id):
                journal.finish(entry.return_id, entry.kind, OUTBOX, entry.updated, entry.detail)
            else:
                journal.fail(entry.return_id, entry.kind, recipient=entry.recipient, subject=entry.subject,
                             message_id=entry.message_id, reason="interrupted before the file was written",
                             now=now, channel=FILE, logged=False)
            continue
        if entry.state == QUEUED and entry.boot == boot:
            journal.fail(entry.return_id, entry.kind, recipient=entry.recipient, subject=entry.subject,
                         message_id=entry.message_id, reason="interrupted before it was sent", now=now, logged=False)
            continue
        text = INTERRUPTED_TEXT if entry.state == IN_FLIGHT else RESTARTED_TEXT
        journal.finish(entry.return_id, entry.kind, UNCONFIRMED, entry.updated, text)
        if entry.kind != DIGEST:
            _add(delivery, EmailRecord(entry.return_id, entry.kind, entry.recipient, f"failed: {text}", entry.subject))


def _digest(loaded, journal: Journal, channel, drafts: Drafts, delivery: Delivery, now: datetime,
            dry_run: bool) -> EmailRecord:
    """The owner's digest of this run (sent only when the run had emails to report)."""
    policy, owner, sender = loaded.policy, loaded.policy.owner_email, drafts.sender
    records = delivery.records
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
        "attention": [(label, n) for label, n in loaded.evaluation.counts().items() if label not in CALM],
        "replies": [{"return_id": rid, "customer": who or "", "replied_on": long_date(r.replied_on, policy.day_first),
                     "preview": r.preview} for rid, who, r in waiting_replies(loaded.evaluation)],
    }
    key = f"digest-{now:%Y%m%d-%H%M%S}"  # one digest per run: the journal key is the run's time
    try:
        rendered = drafts.templates.render(DIGEST, context)
    except ConfigError as exc:  # the customers' emails are out; a broken digest template must not undo the run
        return EmailRecord("", DIGEST, owner, f"failed: {exc}", "")
    if dry_run:
        return EmailRecord("", DIGEST, owner, WOULD_SEND, rendered.subject)
    message_id = new_message_id(domain_of(sender.address), "digest")
    message = compose(sender=(sender.name, sender.address), to=(None, owner), subject=rendered.subject,
                      text=rendered.text, html=rendered.html, date=now, reply_to=None, message_id=message_id)
    journal.queue([(key, DIGEST, channel.name, owner, message_id)], now)
    record = channel.send(Outgoing(key, DIGEST, message), journal, now)
    return EmailRecord("", DIGEST, owner, record.result, record.subject)

"""Recording return notices: read the mail folder, turn new notices into rows, write them and the Intake Log.

Order of work, so that nothing is lost and nothing is added twice: the sheet is written first (new
rows + Intake Log), then the journal, then processed mail is moved. A crash between the first two
steps is caught on the next run by the sheet itself: an Order ID + SKU already on it is not added.

`intake` on its own writes a plan of just the new rows and the Intake Log; a sync puts the same
rows and tab into its one plan with the job's own changes (NoticeBatch), and finishes the batch
after that single write.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Iterable

from ..engine.columns import BY_KEY, HeaderMap
from ..engine.model import Line
from ..sheet.tab_model import Tab
from ..settings.config_file import Config
from ..errors import SheetReturnsError
from ..sheet.write_plan import WritePlan
from ..engine.policy import Policy
from ..settings.policy_layers import SheetPolicy
from ..sheet.workbook import Workbook, WriteReport, open_workbook
from ..sheet.tab_names import INTAKE_LOG_TAB
from ..engine.values import BadValue, parse_text
from ..results import typed_failures
from .extract import Extracted, NotParsed, extract
from .folders import MailSource
from .journal import (
    DUPLICATE, PARTIAL, RECORDED, REPLIES, REPLY, REPLY_ELSEWHERE, SKIPPED, UNPARSED, Journal, NoticeRecord, journal_path, records_on_tab,
)
from .message import Unreadable, content_fingerprint, message_key, read_message, summary_of
from ..settings.intake import IntakeSettings, folder_settings, intake_settings, open_source
from .replies import CLOSED, ReplyFinder, is_open, reply_finder, reply_record, shop_answers


@dataclass
class IntakeResult:
    """What one intake run did: the messages it read, the rows it added, what it could not record."""

    source: str
    mailbox: str
    dry_run: bool = False
    notices: list[NoticeRecord] = field(default_factory=list)  # messages read this run (new or retried)
    known: int = 0  # messages in the folder recorded by an earlier run
    rows: list[dict[str, object]] = field(default_factory=list)  # appended (or, dry run, would be)
    written: bool = False
    moved: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for n in self.notices if n.result == result)

    @property
    def not_recorded(self) -> list[NoticeRecord]:
        return [n for n in self.notices if not n.final]

    @property
    def ok(self) -> bool:
        """Every message was recorded and nothing failed."""
        return not (self.failures or self.not_recorded)

    def as_json(self) -> dict:
        return {
            "command": "intake",
            "ok": self.ok,
            "source": self.source,
            "mailbox": self.mailbox,
            "dry_run": self.dry_run,
            "messages": len(self.notices) + self.known,
            "already_recorded": self.known,
            "counts": {r: self.count(r) for r in (RECORDED, PARTIAL, DUPLICATE, UNPARSED, SKIPPED)},
            "replies": {r: self.count(r) for r in sorted(REPLIES)},
            "rows_added": len(self.rows),
            "notices": [_notice_json(n) for n in self.notices],
            "written": self.written,
            "moved": self.moved,
            "notes": self.notes,
            "failures": typed_failures(self.failures, [], kind="intake"),
        }


def _notice_json(record: NoticeRecord) -> dict:
    data = record.as_dict()
    data.pop("read_at", None)
    data["message_id"] = data.pop("key")
    data["from"] = data.pop("sender")
    return data


@dataclass
class NoticeBatch:
    """New notices read from the mail folder, waiting for the sheet write that records them.

    `rows` (via rows_for) and `log_tab` go into a WritePlan; once the caller has applied it,
    `finish` saves the journal (only then: a crash before it is caught by Order ID + SKU on the sheet)
    and moves the processed mail. `close` lets go of the mail folder either way.
    """

    result: IntakeResult
    journal: Journal | None = None
    adopted: list[NoticeRecord] = field(default_factory=list)
    changed: list[NoticeRecord] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    mail: MailSource | None = None
    settings: IntakeSettings | None = None
    log_tab: Tab | None = None  # the Intake Log, when it changes (or is missing)
    more: list[tuple[MailSource, dict[str, str]]] = field(default_factory=list)  # the replies folder, its refs

    @property
    def new_replies(self) -> int:
        """Customers' replies read this run (a digest goes to the owner for them)."""
        return self.result.count(REPLY) + self.result.count(REPLY_ELSEWHERE)

    def rows_for(self, header: HeaderMap) -> list[dict[str, object]]:
        """The new rows, each with only the columns the sheet has (a column it lacks is named in the notes)."""
        return [_fit(row, header, self.result) for row in self.result.rows]

    def finish(self, written: bool) -> None:
        """After the sheet write: save the journal, then move recorded mail (neither on a dry run)."""
        result = self.result
        result.written = written
        if self.journal is None or result.dry_run:
            return
        self.journal.save([*self.adopted, *(self.changed if written else [])])
        if self.settings.move_to and self.mail is not None:
            for mail, refs in [(self.mail, self.refs), *self.more]:
                done = [ref for key, ref in refs.items() if self.journal.is_final(key)]
                result.moved += _move(mail, self.settings.move_to, done, result)

    def close(self) -> None:
        for mail in [self.mail, *(m for m, _ in self.more)]:
            if mail is not None:
                mail.close()
        self.mail, self.more = None, []


def read_notices(workbook: Workbook, source: str, config: Config, settings: IntakeSettings, on_sheet: "SheetKeys",
                 policy: Policy, *, dry_run: bool, now: datetime) -> NoticeBatch:
    """Read the mail folder and turn every new notice into rows, against the sheet as it was read."""
    journal = Journal.load(journal_path(config.state_dir, source))
    adopted = journal.adopt(records_on_tab(workbook.iter_rows(INTAKE_LOG_TAB))) \
        if INTAKE_LOG_TAB in workbook.titles else []  # the sheet remembers what a lost state folder forgot
    writable = bool(settings.move_to) and not dry_run
    mail = open_source(settings, writable=writable)
    more: list[tuple[MailSource, dict[str, str]]] = []
    try:
        if settings.replies:  # customers' replies (and notices) kept in a folder of their own
            more.append((open_source(folder_settings(settings, settings.replies), writable=writable), {}))
        result = IntakeResult(workbook.name, " + ".join([mail.label, *(m.label for m, _ in more)]), dry_run)
        finder = reply_finder(config, source, on_sheet, journal, policy)
        refs = read_folder(mail, journal, settings, on_sheet, policy, now, result, finder)
        for folder, its_refs in more:
            its_refs.update(read_folder(folder, journal, settings, on_sheet, policy, now, result, finder))
        if settings.sent:
            result.notices += _answers(settings, journal, finder, result, now)
        changed = [r for r in result.notices if not r.same_outcome(journal.get(r.key))]
        missing_tab = INTAKE_LOG_TAB not in workbook.titles and bool(journal.records or changed)
        log = Journal(journal.path, [*journal.records.values(), *changed]).log_tab(result.mailbox) \
            if changed or missing_tab else None
    except BaseException:
        for folder in [mail, *(m for m, _ in more)]:
            folder.close()
        raise
    return NoticeBatch(result, journal, adopted, changed, refs, mail, settings, log, more)


def record_notices(source: str, config: Config, settings: IntakeSettings, *, dry_run: bool = False,
                   now: datetime | None = None) -> IntakeResult:
    """The work of `intake` on its own (the caller holds the run lock): new rows and the Intake Log, one write."""
    now = now or datetime.now().astimezone()
    workbook = open_workbook(source, config)
    try:
        resolved = SheetPolicy(config, workbook)
        tab, header = workbook.returns_tab(resolved.columns)  # the seller's [columns]
        policy = resolved()
        on_sheet = SheetKeys.read(workbook, tab, header)
        batch = read_notices(workbook, source, config, settings, on_sheet, policy, dry_run=dry_run, now=now)
        try:
            written = False
            if batch.log_tab is not None:
                # Every existing row is named with no edits: "leave it as it is". New rows go below the last.
                plan = WritePlan(tab, header, add_columns=[], rows={n: {} for n in on_sheet.rows},
                                 append=batch.rows_for(header), tabs=[batch.log_tab],
                                 currency_symbol=policy.currency_symbol)
                report: WriteReport = workbook.apply(plan, dry_run=dry_run, backups=config.backups)
                written, batch.result.changes = report.written, dict(report.changes)
            batch.finish(written)
        finally:
            batch.close()
    finally:
        workbook.close()
    return batch.result


class SheetKeys:
    """What intake needs from the Returns tab as it is: the Order ID + SKU pairs (and Order IDs) already
    on it, lower-cased, and every row below the header that holds anything."""

    def __init__(self) -> None:
        self.pairs: set[tuple[str, str]] = set()
        self.orders: set[str] = set()
        self.rows: list[int] = []  # sheet row numbers below the header, up to the last row with content
        self.customers: list[tuple[str, str | None, bool]] = []  # (Return ID, Email, still open) per row, for replies

    @classmethod
    def read(cls, workbook: Workbook, tab: str, header: HeaderMap) -> "SheetKeys":
        keys = cls()
        at = {key: header.columns.get(key) for key in ("return_id", "order_id", "sku", "email", "status")}
        last = header.row_number
        for number, cells in enumerate(islice(workbook.iter_rows(tab), header.row_index + 1, None),
                                       start=header.row_number + 1):
            if not any(c is not None and c != "" for c in cells):
                continue
            last = number
            values = {key: _cell_text(cells, index) for key, index in at.items()}
            keys.add(values["order_id"], values["sku"])
            if values["return_id"]:
                keys.customers.append((values["return_id"], values["email"], values["status"] not in CLOSED))
        keys.rows = list(range(header.row_number + 1, last + 1))
        return keys

    @classmethod
    def of_lines(cls, lines: Iterable[Line]) -> "SheetKeys":
        """The Order ID + SKU pairs of rows already read and typed (a sync reads the sheet once)."""
        keys = cls()
        for line in lines:
            keys.add(line.order_id, line.sku)
            if line.return_id:
                keys.customers.append((line.return_id, line.email, is_open(line)))
        return keys

    def add(self, order_id: object, sku: object) -> None:
        if order_id:
            self.orders.add(str(order_id).lower())
            if sku:
                self.pairs.add((str(order_id).lower(), str(sku).lower()))

    def has(self, order_id: object, sku: object) -> bool:
        if not order_id:
            return False
        if sku:
            return (str(order_id).lower(), str(sku).lower()) in self.pairs
        return str(order_id).lower() in self.orders


def _cell_text(cells: list[object], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    try:
        return parse_text(cells[index])
    except BadValue:
        return None


def read_folder(mail: MailSource, journal: Journal, settings: IntakeSettings, on_sheet: SheetKeys, policy: Policy,
                now: datetime, result: IntakeResult, finder: ReplyFinder | None = None) -> dict[str, str]:
    """Records every message not recorded before into result.notices, the rows to add into result.rows.

    Returns every message's key -> its reference in the folder.
    """
    refs: dict[str, str] = {}
    keys: dict[str, str] = {}
    prints: dict[str, str] = {}
    for item in mail.list():
        key = message_key(item.headers)
        fingerprint = content_fingerprint(item.headers)
        earlier = journal.get(key)
        if (key in prints and prints[key] != fingerprint) or (
                key not in prints and earlier is not None and earlier.fingerprint
                and earlier.fingerprint != fingerprint):
            # A different message reusing a Message-ID already seen: read it as a message of its own, so that
            # nobody can suppress a notice by reusing an ID.
            key = f"{key}#{fingerprint}"
        if key in refs:
            continue  # the same message twice in the folder
        refs[key] = item.ref
        prints[key] = fingerprint
        if journal.is_final(key):
            result.known += 1
            continue
        if item.size > settings.max_message_bytes:
            sender, subject = summary_of(item.headers)
            limit = settings.max_message_bytes // 1024
            result.notices.append(_record(key, None, sender, subject, SKIPPED, now,
                                          details=f"too large to read ({item.size // 1024} KB; the limit is max_message_kb = {limit})"))
            continue
        keys[item.ref] = key
    for ref, raw in mail.fetch(list(keys)):
        key = keys[ref]
        if len(raw) > settings.max_message_bytes:
            sender, subject = summary_of(raw)
            result.notices.append(_record(key, None, sender, subject, SKIPPED, now, details="too large to read"))
            continue
        try:
            notice = read_message(raw, key)
        except Unreadable as exc:
            sender, subject = summary_of(raw)
            result.notices.append(_record(key, None, sender, subject, SKIPPED, now,
                                          details=f"{exc} (message {ref} in the folder)"))
            continue
        match = finder.thread(raw, notice) if finder is not None else None  # a reply to the job's own email?
        parsed = extract(notice, settings.rules, policy.day_first) if match is None else None
        if isinstance(parsed, NotParsed) and finder is not None:
            match = finder.by_sender(notice)
        if match is not None:
            result.notices.append(reply_record(match, notice, now))
            continue
        base = dict(key=key, received=notice.date, sender=str(notice.sender), subject=notice.subject, now=now)
        if isinstance(parsed, NotParsed):
            result.notices.append(_record(**base, result=UNPARSED, rule=parsed.rule, details=parsed.reason))
            continue
        result.notices.append(_classify(parsed, base, on_sheet, result))
    for notice in result.notices:
        if notice.key in prints and not notice.fingerprint:
            notice.fingerprint = prints[notice.key]
    return refs


def _answers(settings: IntakeSettings, journal: Journal, finder: ReplyFinder, result: IntakeResult,
             now: datetime) -> list[NoticeRecord]:
    """The shop's answers to recorded replies, from the Sent folder; a failure is reported, not raised."""
    try:
        sent = open_source(folder_settings(settings, settings.sent), writable=False)
    except SheetReturnsError as exc:
        result.failures.append(f"could not read the Sent folder: {exc}")
        return []
    try:
        return shop_answers(sent, journal, finder, result.notices, now)
    finally:
        sent.close()


def _classify(parsed: Extracted, base: dict, on_sheet: SheetKeys, result: IntakeResult) -> NoticeRecord:
    new, already = [], []
    for line in parsed.lines:
        (already if on_sheet.has(line.get("order_id"), line.get("sku")) else new).append(line)
    for line in new:
        on_sheet.add(line.get("order_id"), line.get("sku"))
    order_id = str(parsed.lines[0].get("order_id") or "") or None
    skus = [str(line["sku"]) for line in parsed.lines if line.get("sku")]
    if not new:
        what = ", ".join(skus) if skus else "this order"
        return _record(**base, result=DUPLICATE, rule=parsed.rule, order_id=order_id, skus=skus,
                       details=f"order {order_id} {what} is already on the sheet")
    result.rows.extend(new)
    details = list(parsed.notes)
    if already:
        details.append(f"{len(already)} line{'s' if len(already) != 1 else ''} already on the sheet: "
                       + ", ".join(str(line.get('sku')) for line in already))
    return _record(**base, result=PARTIAL if parsed.notes else RECORDED, rule=parsed.rule, order_id=order_id,
                   skus=skus, rows=len(new), details="; ".join(details))


def _record(key: str, received: datetime | None, sender: str, subject: str, result: str, now: datetime,
            **values: object) -> NoticeRecord:
    return NoticeRecord(key=key, received=received, sender=sender, subject=subject, result=result, read_at=now, **values)


def _fit(row: dict[str, object], header: HeaderMap, result: IntakeResult) -> dict[str, object]:
    """The row's values for the columns the sheet has; a column it lacks is named once in the notes."""
    kept = {k: v for k, v in row.items() if k in header.columns}
    for key in row.keys() - kept.keys():
        note = f"the sheet has no {BY_KEY[key].header} column: add one to record it"
        if note not in result.notes:
            result.notes.append(note)
    return kept


def _move(mail: MailSource, folder: str, refs: list[str], result: IntakeResult) -> int:
    """Move recorded mail (this run's and earlier runs') out of the folder; a failure is reported, not raised."""
    try:
        return mail.move(refs, folder)
    except SheetReturnsError as exc:
        result.failures.append(f"could not move recorded mail to {folder}: {exc}")
        return 0
    except OSError as exc:
        result.failures.append(f"could not move recorded mail to {folder}: {exc.strerror or exc}")
        return 0


def intake_for_sync(workbook: Workbook, source: str, config: Config, lines: list[Line], policy: Policy, *,
                    dry_run: bool, now: datetime | None = None) -> NoticeBatch:
    """For sync, while the sheet is open and read: the new notices, to be written with the job's own changes.

    A mail problem (server down, bad rule) is a failure of this run, not a stop: the sheet's own work goes on.
    """
    now = now or datetime.now().astimezone()
    mailbox = str(config.intake.get("mailbox") or "")
    try:
        return read_notices(workbook, source, config, intake_settings(config), SheetKeys.of_lines(lines), policy,
                            dry_run=dry_run, now=now)
    except SheetReturnsError as exc:
        return NoticeBatch(IntakeResult(source, mailbox, dry_run, failures=[f"{exc}"]))


def sync_notes(batch: NoticeBatch) -> tuple[list[str], list[str]]:
    """(notes, failures) a sync reports about intake."""
    result = batch.result
    failures = [f"intake: {failure}" for failure in result.failures]
    if batch.journal is None:
        return [], failures
    verb = "would add" if result.dry_run else "added"
    note = f"intake: {len(result.rows)} row{'s' if len(result.rows) != 1 else ''} {verb} from {result.mailbox}"
    replies = result.count(REPLY) + result.count(REPLY_ELSEWHERE)
    if replies:
        note += f"; {replies} customer repl{'ies' if replies != 1 else 'y'} {'would be ' if result.dry_run else ''}recorded"
    if result.not_recorded:
        note += f"; {len(result.not_recorded)} message{'s' if len(result.not_recorded) != 1 else ''} not recorded (see the Intake Log tab)"
    return [note, *result.notes], failures

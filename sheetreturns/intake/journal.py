"""What intake remembers: one record per message it has read, kept in a journal and shown on the Intake Log tab.

The journal (a JSON-lines file in the state folder, one per sheet) is appended to after the sheet is
written, and the Intake Log tab is rebuilt from it on every run that changes anything. The tab
holds everything the journal does, so a lost state folder is rebuilt from the sheet itself: a
message recorded once is never recorded again.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import SheetReturnsError
from ..state import ensure_dir, open_private, source_slug
from ..sheet.tab_model import Styled, Tab
from ..sheet.tab_names import INTAKE_LOG_TAB
from ..engine.values import parse_text

RECORDED, PARTIAL, DUPLICATE, UNPARSED, SKIPPED = "recorded", "partial", "duplicate", "unparsed", "skipped"
# Replies to the job's emails (intake/replies.py): a customer's reply, one from someone else, the shop's answer.
REPLY, REPLY_ELSEWHERE, ANSWERED = "reply", "reply-elsewhere", "answered"
REPLIES = frozenset({REPLY, REPLY_ELSEWHERE, ANSWERED})
FINAL = frozenset({RECORDED, PARTIAL, DUPLICATE}) | REPLIES  # never read again; the others are retried every run
LABELS = {
    RECORDED: "Recorded",
    PARTIAL: "Recorded, check it",
    DUPLICATE: "Already on the sheet",
    UNPARSED: "Not recorded",
    SKIPPED: "Skipped",
    REPLY: "Customer reply",
    REPLY_ELSEWHERE: "Reply, not from the customer",
    ANSWERED: "Answered by you",
}
RESULT_OF_LABEL = {label.lower(): result for result, label in LABELS.items()}
COLUMNS = ("Received", "From", "Subject", "Result", "Rule", "Order ID", "SKUs", "Rows", "Details", "Message-ID", "Read On",
           "Return ID", "Reply", "Tracking")
SERIAL_EPOCH = datetime(1899, 12, 30)


@dataclass
class NoticeRecord:
    """What happened to one message."""

    key: str  # Message-ID (or no-id:hash)
    received: datetime | None
    sender: str
    subject: str
    result: str  # one of LABELS
    rule: str | None = None
    order_id: str | None = None
    skus: list[str] = field(default_factory=list)
    rows: int = 0
    details: str = ""
    read_at: datetime | None = None
    return_id: str | None = None  # a reply's return
    reply: str = ""  # a reply's preview, as on the sheet
    tracking: str = ""  # what a reply says about the return parcel
    fingerprint: str = ""  # what the message says (Date, From, To, Subject): tells two messages sharing a Message-ID apart

    @property
    def final(self) -> bool:
        return self.result in FINAL

    def same_outcome(self, other: "NoticeRecord | None") -> bool:
        return other is not None and (self.result, self.details, self.rule) == (other.result, other.details, other.rule)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("received", "read_at"):
            data[key] = data[key].isoformat(timespec="seconds") if data[key] else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "NoticeRecord":
        values = {k: data.get(k) for k in cls.__dataclass_fields__}
        for key in ("received", "read_at"):
            values[key] = _when(values[key])
        values["skus"] = [str(s) for s in values["skus"] or []]
        values["rows"] = int(values["rows"] or 0)
        values["details"] = values["details"] or ""
        values["reply"] = values["reply"] or ""
        values["tracking"] = values["tracking"] or ""
        values["fingerprint"] = values["fingerprint"] or ""
        return cls(**values)


def journal_path(state_dir: Path, source: str) -> Path:
    return state_dir / f"{source_slug(source)}.intake.jsonl"


class Journal:
    """Every message read for one sheet, latest outcome per message."""

    def __init__(self, path: Path, records: Iterable[NoticeRecord] = ()) -> None:
        self.path = path
        self.records: dict[str, NoticeRecord] = {}
        for record in records:
            self.records[record.key] = record

    @classmethod
    def load(cls, path: Path) -> "Journal":
        if not path.exists():
            return cls(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SheetReturnsError(f"cannot read the intake journal {path}: {exc.strerror or exc}") from None
        return cls(path, _parse_lines(text))

    def get(self, key: str) -> NoticeRecord | None:
        return self.records.get(key)

    def is_final(self, key: str) -> bool:
        record = self.records.get(key)
        return record is not None and record.final

    def adopt(self, records: Iterable[NoticeRecord]) -> list[NoticeRecord]:
        """Take records found on the sheet's Intake Log that this journal lacks; returns them."""
        taken = [record for record in records if record.key not in self.records]
        self.update(taken)
        return taken

    def update(self, records: list[NoticeRecord]) -> None:
        for record in records:
            self.records[record.key] = record

    def save(self, records: list[NoticeRecord]) -> None:
        """Append records to the journal file (after the sheet is written)."""
        if not records:
            return
        ensure_dir(self.path.parent)
        try:
            with os.fdopen(open_private(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND), "a",
                           encoding="utf-8") as handle:
                for record in records:
                    handle.write(json.dumps(record.as_dict(), ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise SheetReturnsError(f"cannot write the intake journal {self.path}: {exc.strerror or exc}") from None
        self.update(records)

    def log_tab(self, mailbox: str) -> Tab:
        return intake_log_tab(list(self.records.values()), mailbox)


def _parse_lines(text: str) -> Iterator[NoticeRecord]:
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            yield NoticeRecord.from_dict(json.loads(line))
        except (ValueError, TypeError, KeyError):
            continue  # a line cut short by a crash: the sheet's Intake Log still has it


def _text(value: object) -> str | None:
    try:
        return parse_text(value)
    except ValueError:
        return None


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value < 2958466:
        return SERIAL_EPOCH + timedelta(days=value)  # a spreadsheet serial, as Google Sheets returns dates
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# -- the Intake Log tab ----------------------------------------------------------


def intake_log_tab(records: list[NoticeRecord], mailbox: str) -> Tab:
    """Every message read, newest first; those not recorded are flagged so the seller sees what to do."""
    ordered = sorted(records, key=lambda r: (r.received or r.read_at or datetime.min).replace(tzinfo=None), reverse=True)
    open_ones = [r for r in ordered if not r.final]
    shown = ordered  # every message, however many: the tab is also what a lost state folder is rebuilt from
    tab = Tab(INTAKE_LOG_TAB, freeze_rows=4)
    tab.add(Styled("Intake Log", "title"))
    attention = f"{len(open_ones)} not recorded: fix the rules in sheetreturns.toml or type them in" if open_ones else "every message was recorded"
    tab.add(Styled(f"Return notices read from {mailbox} · {attention} · rebuilt on every run, do not edit", "subtitle"))
    tab.blank()
    tab.add(*(Styled(name, "header") for name in COLUMNS))
    for r in shown:
        tab.add(
            Styled(_naive(r.received), "datetime") if r.received else None,
            r.sender,
            r.subject,
            Styled(LABELS[r.result], "good" if r.result == RECORDED else "alert" if not r.final or r.result == REPLY_ELSEWHERE
                   else "text"),
            r.rule,
            r.order_id,
            ", ".join(r.skus) or None,
            Styled(r.rows, "int"),
            r.details or None,
            r.key,
            Styled(_naive(r.read_at), "datetime") if r.read_at else None,
            r.return_id,
            r.reply or None,
            r.tracking or None,
        )
    tab.widths = {1: 17, 2: 30, 3: 40, 4: 20, 5: 10, 6: 20, 7: 18, 8: 6, 9: 50, 10: 36, 11: 17, 12: 11, 13: 60, 14: 28}
    return tab


def _naive(when: datetime) -> datetime:
    """Spreadsheets hold no time zones: the seller's local time."""
    return when.astimezone().replace(tzinfo=None) if when.tzinfo else when


def records_on_tab(rows: Iterable[list[object]]) -> list[NoticeRecord]:
    """Records read back from an Intake Log tab (any row below its header with a Message-ID)."""
    columns: dict[str, int] | None = None
    records: list[NoticeRecord] = []
    for cells in rows:
        texts = ["" if c is None else str(c).strip() for c in cells]
        if columns is None:
            if "Message-ID" in texts and "Result" in texts:
                columns = {name: texts.index(name) for name in COLUMNS if name in texts}
            continue

        def cell(name: str) -> object:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        key = str(cell("Message-ID") or "").strip()
        result = RESULT_OF_LABEL.get(str(cell("Result") or "").strip().lower())
        if not key or result is None:
            continue
        skus = [s.strip() for s in str(cell("SKUs") or "").split(",") if s.strip()]
        try:
            rows_added = int(float(str(cell("Rows") or 0)))
        except ValueError:
            rows_added = 0
        records.append(NoticeRecord(
            key=key, received=_when(cell("Received")), sender=str(cell("From") or ""),
            subject=str(cell("Subject") or ""), result=result, rule=(str(cell("Rule")) if cell("Rule") else None),
            order_id=_text(cell("Order ID")), skus=skus, rows=rows_added,
            details=str(cell("Details") or ""), read_at=_when(cell("Read On")),
            return_id=_text(cell("Return ID")), reply=str(cell("Reply") or ""), tracking=str(cell("Tracking") or ""),
        ))
    return records

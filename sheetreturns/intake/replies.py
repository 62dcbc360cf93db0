"""Customers' replies to the job's own emails: recognising them, and what of them goes on the sheet.

A message is a reply to a return when, in this order:
1. its In-Reply-To or References name a Message-ID the email journal recorded for that return (or a reply
   already recorded for it);
2. its subject carries the return's Return ID and reads as a reply ("Re: ..."), or comes from the
   return's customer: phone clients often drop In-Reply-To but keep the subject;
3. it comes from the address of a customer with an open return, and no notice rule reads it as a new
   return.
A reply whose sender is not the return's customer is listed for the seller and never attached to the row.

Only a preview goes on the sheet: the first lines of the customer's new text, without the quoted history
or the signature, cut to a cell's size, and cleaned so that it can never be a formula, a link or a
control character. The whole message stays in the mailbox.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .message import Notice, header_block, header_value

if TYPE_CHECKING:  # for annotations only
    from .journal import NoticeRecord

PREVIEW_LIMIT = 300  # characters of a reply shown in the Reply column
PREVIEW_LINES = 6
REPLY_PREFIX = re.compile(r"(?i)^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|antw|ref|réf|rif|r|fw|fwd|wg|tr)\s*(?:\[\d+\])?\s*[:：]")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")
_ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,38}[A-Za-z0-9]")

# -- the customer's new text ------------------------------------------------------------------

_QUOTE_HEADER = re.compile(
    r"(?im)^[ \t]*(?:"
    r"on\b[^\n]{0,300}?(?:\n[^\n]{0,300}?)?\bwrote:"  # On Mon, 23 Nov 2026, Shop <x@y> wrote:
    r"|le\b[^\n]{0,300}?a écrit\s*:"
    r"|am\b[^\n]{0,300}?schrieb[^\n]{0,100}:"
    r"|el\b[^\n]{0,300}?escribió\s*:"
    r"|op\b[^\n]{0,300}?schreef[^\n]{0,100}:"
    r"|-{2,}\s*(?:original message|forwarded message|ursprüngliche nachricht|message d'origine)\s*-{2,}"
    r"|_{8,}"
    r"|from:[ \t][^\n]*\n[ \t]*(?:sent|date|to|subject):"
    r"|begin forwarded message:"
    r")"
)
_SIGNATURE = re.compile(
    r"(?i)^[ \t]*(?:--[ \t]*$"
    r"|sent from my\b|sent from (?:outlook|mail|yahoo|gmail)\b|get outlook for\b|envoyé de mon\b|von meinem\b)"
)
_SIGN_OFF = re.compile(  # ends the text only after the customer said something: "Thanks!" may open a reply
    r"(?i)^[ \t]*(?:kind |best |warm |many )?(?:regards|thanks|thank you|cheers|best wishes|best|thx|ta)[ \t]*[,.!]?[ \t]*$"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_LINK = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]{1,15}://|www\.|(?:mailto|javascript|data|file|tel|vbscript):)[^\s\"'<>()\[\]]*")
_FORMULA_START = re.compile(r"^[\s=+\-@|*•'\"\\]+")


def new_text(notice: Notice) -> str:
    """The customer's own words: the text above the quoted history, without the signature."""
    text = notice.plain if notice.plain.strip() else notice.html
    cut = _QUOTE_HEADER.search(text)
    if cut:
        text = text[: cut.start()]
    kept: list[str] = []
    for line in text.split("\n"):
        if line.lstrip().startswith(">"):
            continue  # quoted lines interleaved with the answer
        if _SIGNATURE.match(line) or (_SIGN_OFF.match(line) and any(k.strip() for k in kept)):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def cell_text(text: str, limit: int = PREVIEW_LIMIT) -> str:
    """Text safe for a cell: one line, no control or direction characters, no link, never a formula."""
    text = _LINK.sub("[link]", text)
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    text = _FORMULA_START.sub("", text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def preview(notice: Notice) -> str:
    """The Reply cell: the first lines of the customer's new text, joined and cut to a cell's size."""
    lines = [line.strip() for line in new_text(notice).split("\n") if line.strip()]
    if not lines:
        return "(no new text: see the message in the mailbox)"
    return cell_text(" / ".join(lines[:PREVIEW_LINES])) or "(no new text: see the message in the mailbox)"


# -- tracking numbers and "already sent" ---------------------------------------------------------

_CARRIER_NUMBERS: tuple[tuple[str, re.Pattern, bool], ...] = (
    # (carrier, pattern, needs the carrier named in the text)
    ("UPS", re.compile(r"\b1Z ?[0-9A-Z]{3} ?[0-9A-Z]{3} ?[0-9A-Z]{2} ?[0-9A-Z]{4} ?[0-9A-Z]{3} ?[0-9A-Z]\b"), False),
    ("Royal Mail", re.compile(r"\b[A-Z]{2} ?\d{3} ?\d{3} ?\d{3} ?GB\b"), False),
    ("USPS", re.compile(r"\b[A-Z]{2} ?\d{3} ?\d{3} ?\d{3} ?US\b"), False),
    ("USPS", re.compile(r"\b9[2-5](?: ?\d){18,24}\b"), False),
    ("DHL", re.compile(r"\b(?:JJD|JVGL|JD)\d{10,20}\b"), False),
    ("DHL", re.compile(r"\b\d{10}\b"), True),
    ("FedEx", re.compile(r"\b(?:\d{12}|\d{15}|\d{20})\b"), True),
)
_CARRIER_NAMES = (
    ("Royal Mail", re.compile(r"(?i)\broyal ?mail\b|\bparcelforce\b")),
    ("UPS", re.compile(r"(?i)\bups\b")),
    ("USPS", re.compile(r"(?i)\busps\b|\bpostal service\b")),
    ("DHL", re.compile(r"(?i)\bdhl\b")),
    ("FedEx", re.compile(r"(?i)\bfed ?ex\b")),
)
_SENT_CLAIM = re.compile(  # the customer says they sent it: "I sent it back", "we've posted the parcel", "it's in the post"
    r"(?i)\b(?:(?:i|we|i've|we've|i have|we have|i already|we already|already|just)\s+(?:\w+\s+)?"
    r"(?:sent|posted|shipped|mailed|returned|dispatched|dropped|took|left|handed)\b[^.\n]{0,40}?"
    r"\b(?:it|them|back|off|in|the (?:item|parcel|package|return|box)|today|yesterday|at the|on (?:monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday))\b|in the post\b|on its way\b)"
)


@dataclass(frozen=True)
class Tracking:
    text: str  # for the Return Tracking column ("" when nothing was found)
    number: bool  # a tracking number was found


def find_tracking(text: str) -> Tracking:
    """A carrier's tracking number, the carrier named, or a claim that the item was sent, from the reply's text."""
    named = [name for name, pattern in _CARRIER_NAMES if pattern.search(text)]
    for carrier, pattern, needs_name in _CARRIER_NUMBERS:
        if needs_name and carrier not in named:
            continue
        match = pattern.search(text)
        if match:
            return Tracking(f"{carrier} {match[0].replace(' ', '')}", True)
    if _SENT_CLAIM.search(text):
        return Tracking(f"{named[0]}: sent, no tracking number" if named else "sent, no tracking number", False)
    if named:
        return Tracking(f"{named[0]} named, no tracking number", False)
    return Tracking("", False)


# -- recognising a reply ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyMatch:
    return_id: str
    how: str  # "thread", "subject" or "sender"
    from_customer: bool  # the sender is the return's customer (else: listed for the seller, not attached)
    from_shop: bool = False  # the shop's own answer in the thread


def normal_id(message_id: str) -> str:
    return message_id.strip().strip("<>").strip().lower()


def referenced_ids(headers: bytes) -> list[str]:
    """The Message-IDs a message answers: In-Reply-To, then References (newest last)."""
    block = header_block(headers)
    found: list[str] = []
    for name in ("in-reply-to", "references"):
        for match in _MESSAGE_ID.findall(header_value(block, name)):
            found.append(normal_id(match))
    return found


@dataclass
class ReplyFinder:
    """What is needed to tell a reply from a notice: the job's sent Message-IDs, the returns and their customers."""

    sent: dict[str, str] = field(default_factory=dict)  # normalised Message-ID -> Return ID
    customers: dict[str, set[str]] = field(default_factory=dict)  # Return ID -> customer addresses (lower case)
    open_by_address: dict[str, list[str]] = field(default_factory=dict)  # address -> open Return IDs, sheet order
    shop: frozenset[str] = frozenset()  # the shop's own addresses (From, Reply-To), lower case
    replies: dict[str, str] = field(default_factory=dict)  # normalised Message-ID of a recorded reply -> Return ID
    ids: dict[str, str] = field(default_factory=dict)  # lower-case Return ID -> as on the sheet

    def add_return(self, return_id: str, email: str | None, open_: bool) -> None:
        self.ids.setdefault(return_id.lower(), return_id)
        if email:
            address = email.strip().lower()
            self.customers.setdefault(return_id, set()).add(address)
            if open_:
                known = self.open_by_address.setdefault(address, [])
                if return_id not in known:
                    known.append(return_id)

    def thread(self, headers: bytes, notice: Notice) -> ReplyMatch | None:
        """By In-Reply-To / References, then by the Return ID in a reply's subject."""
        refs = list(reversed(referenced_ids(headers)))
        if notice.sender.address.lower() in self.shop:
            # The shop's own message counts only as an answer to a reply recorded before.
            return_id = next((self.replies[ref] for ref in refs if ref in self.replies), None)
            return ReplyMatch(return_id, "thread", False, True) if return_id else None
        for ref in refs:
            return_id = self.sent.get(ref) or self.replies.get(ref)
            if return_id is not None:
                return self._match(return_id, "thread", notice)
        return_id = self._id_in(notice.subject)
        if return_id is not None:
            match = self._match(return_id, "subject", notice)
            if REPLY_PREFIX.match(notice.subject) or match.from_customer:
                return match
        return None

    def by_sender(self, notice: Notice) -> ReplyMatch | None:
        """A message from a customer with an open return (checked only when no notice rule reads it)."""
        found = self.open_by_address.get(notice.sender.address.lower()) if notice.sender.address else None
        return ReplyMatch(found[-1], "sender", True) if found else None

    def _id_in(self, subject: str) -> str | None:
        for token in _ID_TOKEN.findall(subject):
            known = self.ids.get(token.lower())
            if known is not None and any(ch.isdigit() for ch in token):
                return known
        return None

    def _match(self, return_id: str, how: str, notice: Notice) -> ReplyMatch:
        address = notice.sender.address.lower()
        return ReplyMatch(return_id, how, address in self.customers.get(return_id, set()))


def sent_message_ids(state_dir: Path, source: str) -> dict[str, str]:
    """Normalised Message-ID -> Return ID of every customer email the email journal recorded for SOURCE."""
    from ..emails.journal import Journal, journal_path
    from ..emails.templates import DIGEST

    path = journal_path(state_dir, source)
    if not path.exists():
        return {}
    with Journal(path, readonly=True) as journal:
        return {normal_id(e.message_id): e.return_id for e in journal.entries.values()
                if e.kind != DIGEST and e.message_id}


# -- recording and reading back ---------------------------------------------------------------


def reply_finder(config, source: str, on_sheet, journal, policy) -> ReplyFinder:
    """The finder for one sheet: its returns as read (Return ID, customer, still open) and the job's sent mail."""
    from ..emails.smtp import sender_of
    from .journal import REPLY

    finder = ReplyFinder(sent=sent_message_ids(config.state_dir, source))
    for return_id, email, open_ in on_sheet.customers:
        finder.add_return(return_id, email, open_)
    for record in journal.records.values():
        if record.result == REPLY and record.return_id:
            finder.replies[normal_id(record.key)] = record.return_id
    try:
        shop = sender_of(config, policy)
        finder.shop = frozenset(a.lower() for a in (shop.address, shop.reply_to) if a)
    except Exception:  # a broken [smtp] table is reported by the email step, not here
        pass
    return finder


CLOSED = frozenset({"Done", "Refused"})  # Status as the last sync wrote it


def is_open(line) -> bool:
    """A typed row still open as far as its own cells tell (a sync has not evaluated it yet)."""
    if line.decision in ("Refuse", "Exchange", "Store credit"):
        return False
    return not (line.received_on is not None and line.refunded_on is not None)


def reply_record(match: ReplyMatch, notice: Notice, now) -> "NoticeRecord":
    """What the Intake Log and the journal keep of a reply: never its whole text."""
    from .journal import ANSWERED, REPLY, REPLY_ELSEWHERE, NoticeRecord

    base = dict(key=notice.key, received=notice.date, sender=cell_text(str(notice.sender), 200),
                subject=cell_text(notice.subject, 250),
                read_at=now, rule=f"reply by {match.how}", return_id=match.return_id)
    if match.from_shop:
        return NoticeRecord(**base, result=ANSWERED, details=f"your answer to the customer of {match.return_id}")
    shown = preview(notice)
    tracking = find_tracking(new_text(notice) or notice.subject)
    if not match.from_customer:
        return NoticeRecord(**base, result=REPLY_ELSEWHERE, reply=shown, tracking=tracking.text,
                            details=f"not from the customer of {match.return_id}: read it, it was not put on the row")
    details = "tracking number found" if tracking.number else ""
    return NoticeRecord(**base, result=REPLY, reply=shown, tracking=tracking.text, details=details)


def shop_answers(mail, journal, finder: ReplyFinder, found: list, now) -> list:
    """Messages in the Sent folder that answer a recorded customer reply (read from their headers only)."""
    from .journal import ANSWERED, NoticeRecord
    from .message import message_key, summary_of
    import email.parser
    import email.policy
    from email.utils import parsedate_to_datetime

    replies = dict(finder.replies)
    for record in found:
        if record.result == "reply" and record.return_id:
            replies[normal_id(record.key)] = record.return_id
    answers = []
    for item in mail.list():
        key = message_key(item.headers)
        if journal.is_final(key):
            continue
        return_id = next((replies[ref] for ref in reversed(referenced_ids(item.headers)) if ref in replies), None)
        if return_id is None:
            continue
        sender, subject = summary_of(item.headers)
        parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(header_block(item.headers))
        try:
            when = parsedate_to_datetime(str(parsed.get("date", "")))
            when = when.astimezone() if when.tzinfo else when
        except (TypeError, ValueError, IndexError, OverflowError):
            when = now
        answers.append(NoticeRecord(key=key, received=when, sender=sender, subject=cell_text(subject, 250),
                                    result=ANSWERED, read_at=now, rule="reply by thread", return_id=return_id,
                                    details=f"your answer to the customer of {return_id} (Sent folder)"))
    return answers


def recorded_replies(state_dir: Path, source: str, new=()):
    """(customer replies, shop answers, replies from other people) the intake journal holds for SOURCE,
    with `new` records of this run that are not saved yet."""
    from ..engine.replies import CustomerReply, OtherReply, ShopAnswer
    from .journal import ANSWERED, REPLY, REPLY_ELSEWHERE, Journal, journal_path

    path = journal_path(state_dir, source)
    records = Journal.load(path).records if path.exists() else {}
    records = {**records, **{r.key: r for r in new}}
    replies, answers, others = [], [], []
    for record in records.values():
        if not record.return_id:
            continue
        when = (record.received or record.read_at)
        if when is None:
            continue
        on = when.date()
        if record.result == REPLY:
            replies.append(CustomerReply(record.key, record.return_id, on, record.reply, record.tracking,
                                         _has_number(record.tracking)))
        elif record.result == ANSWERED:
            answers.append(ShopAnswer(record.return_id, on))
        elif record.result == REPLY_ELSEWHERE:
            others.append(OtherReply(record.return_id, record.sender, on, record.reply))
    return replies, answers, others


def _has_number(tracking: str) -> bool:
    return bool(tracking) and "no tracking number" not in tracking

"""One mail message as intake sees it: who sent it, when, its subject, and its text.

Attachments are never saved or opened: they are counted and skipped. HTML is read as text (a tree
walk, no scripts, no network). A forwarded message, inline or attached, adds its original sender.
"""
from __future__ import annotations

import email
import email.parser
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

MAX_TEXT = 200_000  # characters of text read per message: a notice is short, the rest is noise
MAX_DEPTH = 12  # nesting of multipart/forwarded parts before a message counts as malformed


class Unreadable(Exception):
    """The message cannot be read as an email; the text says why, for the Intake Log."""


@dataclass
class Sender:
    name: str
    address: str

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name and self.address else self.address or self.name


@dataclass
class Notice:
    key: str  # the Message-ID, or "no-id:<hash of the headers>" when there is none
    subject: str
    sender: Sender
    date: datetime | None
    plain: str = ""  # the text/plain parts
    html: str = ""  # the text/html parts, read as text
    forwarded: list[Sender] = field(default_factory=list)  # original senders of forwarded messages
    attachments: int = 0

    def texts(self) -> list[str]:
        """The bodies to search, best first: text parts, then HTML read as text."""
        return [t for t in (self.plain, self.html) if t.strip()]

    @property
    def original_sender(self) -> Sender:
        """Who wrote the notice: the first forwarded sender, else whoever sent the message."""
        return self.forwarded[0] if self.forwarded else self.sender


def header_block(raw: bytes) -> bytes:
    """The header lines of a raw message, up to the first blank line, with LF line ends."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    block = (raw[: min(ends) + 2] if ends else raw).replace(b"\r\n", b"\n")
    return block.rstrip(b"\n") + b"\n" if block.strip() else b""


def message_key(raw: bytes) -> str:
    """The identity intake remembers a message by: its Message-ID, or a hash of its header block."""
    block = header_block(raw)
    message_id = header_value(block, "message-id")
    if message_id:
        return message_id
    return "no-id:" + hashlib.sha256(block).hexdigest()[:24]


def content_fingerprint(raw: bytes) -> str:
    """What a message says about itself (Date, From, To, Subject), hashed: two messages that share a Message-ID
    but differ here are two messages, and both are read."""
    block = header_block(raw)
    said = "\n".join(header_value(block, name) for name in ("date", "from", "to", "subject"))
    return hashlib.sha256(said.encode("utf-8", "replace")).hexdigest()[:16]


def header_value(headers: bytes, name: str) -> str:
    """One header from a raw header block (unfolded, stripped), or ''."""
    try:
        parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(headers)
        value = parsed.get(name)
    except Exception:  # a header block too broken to parse has no usable value
        return ""
    return " ".join(str(value).split()) if value else ""


def summary_of(headers: bytes) -> tuple[str, str]:
    """(sender, subject) from a header block, decoded; for listing a message that cannot be read."""
    try:
        msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(header_block(headers))
        return str(_address(msg, "from")), _text_header(msg, "subject")
    except Exception:  # nothing readable in it: listed without sender and subject
        return "", ""


def read_message(raw: bytes, key: str | None = None) -> Notice:
    """Parse a whole message; raise Unreadable when it is not an email one could act on.

    `key` is the message's identity when the caller already has it (from the folder's listing).
    """
    try:
        # compat32: header values stay plain text until needed, and a malformed header never raises.
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # the parser is lenient; anything it still raises means garbage
        raise Unreadable(f"not a readable email ({type(exc).__name__})") from None
    if not any(msg.get(h) for h in ("from", "subject", "date", "message-id")):
        raise Unreadable("not an email message (no From, Subject, Date or Message-ID header)")
    notice = Notice(
        key=key or message_key(raw),
        subject=_text_header(msg, "subject"),
        sender=_address(msg, "from"),
        date=_date(msg),
    )
    plain: list[str] = []
    html: list[str] = []
    try:
        _collect(msg, 0, notice, plain, html)
    except RecursionError:
        raise Unreadable("parts nested too deeply") from None
    notice.plain = _clip("\n".join(plain))
    notice.html = _clip("\n".join(html))
    notice.forwarded.extend(s for s in inline_forwarded_senders(notice.plain or notice.html) if s not in notice.forwarded)
    if not notice.texts():
        detail = f" (only {notice.attachments} attachment{'s' if notice.attachments != 1 else ''}, not opened)" if notice.attachments else ""
        raise Unreadable(f"the message has no text{detail}")
    return notice


def _collect(part: Message, depth: int, notice: Notice, plain: list[str], html: list[str]) -> None:
    if depth > MAX_DEPTH:
        raise Unreadable(f"parts nested more than {MAX_DEPTH} deep")
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        # A notice forwarded as an attachment: read its headers and text like an inline forward.
        inner_parts = part.get_payload()
        for inner in inner_parts if isinstance(inner_parts, list) else ():
            if isinstance(inner, Message):
                forwarded = _address(inner, "from")
                if forwarded.address:
                    notice.forwarded.append(forwarded)
                plain.append(f"From: {forwarded}\nSubject: {_text_header(inner, 'subject')}\n")
                _collect(inner, depth + 1, notice, plain, html)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _collect(sub, depth + 1, notice, plain, html)
        return
    if part.get_content_disposition() == "attachment" or (part.get_filename() and ctype not in ("text/plain", "text/html")):
        notice.attachments += 1
        return
    if ctype == "text/plain":
        plain.append(_decoded(part))
    elif ctype == "text/html":
        html.append(html_to_text(_decoded(part)))
    else:
        notice.attachments += 1  # images, PDFs, calendars ...: never opened


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: read the bytes as best we can
        return payload.decode("utf-8", errors="replace")


def _clip(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[\u200b-\u200d\ufeff]", "", text)
    return text[:MAX_TEXT]


def _raw_header(msg: Message, name: str) -> str | None:
    """A header's value as it came (8-bit bytes kept as surrogates), unlike get() which may mangle it."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return None


def _text_header(msg: Message, name: str) -> str:
    value = _raw_header(msg, name)
    return " ".join(_decode_words(value).split()) if value is not None else ""


def _decode_words(text: str) -> str:
    """Raw 8-bit text read as UTF-8, then RFC 2047 encoded words (=?utf-8?q?...?=) decoded."""
    text = _decode_raw(text)
    try:
        return str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError, HeaderParseError):
        return text


def _address(msg: Message, name: str) -> Sender:
    text = _decode_raw(_raw_header(msg, name) or "")
    try:
        pairs = getaddresses([text])
    except Exception:  # a From header too broken to split: take what parseaddr finds
        pairs = [parseaddr(text)]
    display, address = pairs[0] if pairs else ("", "")
    address = address.strip() if "@" in address else ""
    return Sender(" ".join(_decode_words(display).split()).strip('"'), address)


def _decode_raw(text: str) -> str:
    """Header text as the parser keeps it (8-bit bytes as surrogates) read as UTF-8."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _date(msg: Message) -> datetime | None:
    text = _text_header(msg, "date")
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.astimezone() if when.tzinfo else when  # the seller's local time


# -- forwarded messages -------------------------------------------------------

_FORWARD_MARK = re.compile(
    r"(?im)^[ \t>]*(?:-{2,}\s*(?:forwarded message|original message)\s*-{2,}|begin forwarded message:|"
    r"_{5,})[ \t]*$"
)
_FROM_LINE = re.compile(r"(?im)^[ \t>]*(?:from|von|de)\s*:\s*(.+?)[ \t]*$")


def inline_forwarded_senders(text: str) -> list[Sender]:
    """The From: lines that follow a 'Forwarded message' / 'Original message' marker."""
    senders: list[Sender] = []
    for mark in _FORWARD_MARK.finditer(text):
        found = _FROM_LINE.search(text, mark.end(), mark.end() + 2000)
        if found:
            name, address = parseaddr(found[1].replace("[mailto:", "<").replace("]", ">"))
            if "@" in address:
                senders.append(Sender(name.strip().strip('"'), address.strip()))
    return senders


# -- HTML read as text -------------------------------------------------------

_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe"}
_BLOCK = {
    "p", "div", "li", "ul", "ol", "table", "tbody", "thead", "tfoot", "section", "article", "header",
    "footer", "blockquote", "pre", "hr", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "center",
    "form", "fieldset", "address", "main", "nav", "aside", "caption",
}


def html_to_text(markup: str) -> str:
    """Visible text of an HTML part: blocks on their own lines, each table row as 'cell | cell'."""
    import lxml.etree  # only when a message has HTML: keeps `sheetreturns check` quick to start
    import lxml.html

    if not markup.strip():
        return ""
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
    try:
        root = lxml.html.document_fromstring(markup[: MAX_TEXT * 5], parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return ""
    out: list[str] = []
    try:
        _walk(root, out)
    except RecursionError:
        return " ".join(root.text_content().split())
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _walk(el, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None or tag.lower() in _SKIP:
        if el.tail:
            out.append(el.tail)
        return
    tag = tag.lower()
    if tag == "tr" and not any(isinstance(d.tag, str) and d.tag.lower() == "table" for d in el.iterdescendants()):
        cells = [" ".join(c.text_content().split()) for c in el if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        out.append("\n" + " | ".join(cells) + "\n")
    elif tag == "br":
        out.append("\n")
    else:
        block = tag in _BLOCK or tag == "tr"
        if block:
            out.append("\n")
        if el.text:
            out.append(el.text)
        for child in el:
            _walk(child, out)
        if block:
            out.append("\n")
    if el.tail:
        out.append(el.tail)

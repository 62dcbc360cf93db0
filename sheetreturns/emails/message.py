"""One email as bytes: safe headers, a plain-text part and an HTML alternative.

Written by hand rather than with `email.message.EmailMessage`: building a two-part message with the
standard library costs about 1 ms, as much as sending it to a local server, and the per-run time of
the email step is dominated by it otherwise. The format is deliberately narrow (ASCII headers with
RFC 2047 encoded words, 7bit or quoted-printable UTF-8 bodies, CRLF line ends), and tests parse
every message back with the standard library. The one exception: an address with letters beyond ASCII
before the @ (jö@example.de) is written as UTF-8 in the From/To header (RFC 6532), and such a message
goes only to a server that offers SMTPUTF8 (RFC 6531); `Composed.smtputf8` says so.

Header injection cannot happen: every value put into a header goes through `one_line`, which turns
CR, LF and other control characters into spaces, and addresses must match a strict pattern.
"""
from __future__ import annotations

import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime

# A conservative addr-spec: what the sheet reader accepts, ASCII only, no spaces, quotes or brackets.
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_PHRASE_SAFE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
MAX_NAME = 120
MAX_SUBJECT = 250


class BadAddress(ValueError):
    """An address that cannot be put into a header safely."""


def one_line(text: object, limit: int = 0) -> str:
    """Text fit for a header: control characters (line breaks included) become single spaces."""
    value = str(text)
    if value.isprintable() and "  " not in value:  # the common case, without the regex
        value = value.strip()
    else:
        value = " ".join(_CONTROL.sub(" ", value).split())
    if limit and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def check_address(address: str) -> str:
    """The address itself if it is a plain, safe addr-spec, an international one as SMTP takes it (the
    domain in IDNA form: jo@xn--exmple-cua.de; a name part beyond ASCII kept, normalised, for SMTPUTF8:
    jö@example.de); BadAddress otherwise."""
    value = str(address).strip()
    if not value.isascii():
        return _ascii_address(value)
    if not _ADDRESS.fullmatch(value) or ".." in value or len(value) > 254:
        raise BadAddress(f'"{one_line(value, 60)}" is not an email address that can be used')
    return value


def _ascii_address(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        found = validate_email(value, check_deliverability=False, globally_deliverable=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise BadAddress(f'"{one_line(value, 60)}" is not an email address that can be used ({exc})') from None
    if found.ascii_email is not None:
        return found.ascii_email
    # Letters beyond ASCII before the @: sent as UTF-8 to a server that offers SMTPUTF8 (the domain still
    # in IDNA form, which every server takes). email-validator allows no quotes, spaces or brackets here.
    address = f"{found.local_part}@{found.ascii_domain}"
    if one_line(address) != address or any(c in address for c in '<>"\\,;'):
        raise BadAddress(f'"{one_line(value, 60)}" is not an email address that can be used')
    return address


def needs_smtputf8(*addresses: str) -> bool:
    """Whether sending to/from these (checked) addresses needs the server's SMTPUTF8."""
    return not all(a.isascii() for a in addresses)


def encode_text(text: str) -> str:
    """An unstructured header value (Subject): as is when ASCII, else RFC 2047 encoded words."""
    if text.isascii() and "=?" not in text:
        return text
    # "=?" could open an encoded word a mail program would decode into other text: encode it all instead
    return Header(text, "utf-8").encode(linesep="\r\n")


def format_address(name: str | None, address: str) -> str:
    """`Name <addr>` with the name quoted or encoded as needed; just `addr` without a name."""
    address = check_address(address)
    name = one_line(name or "", MAX_NAME)
    if not name:
        return address
    if not name.isascii() or "=?" in name:
        # a name holding "=?...?=" would be decoded by mail programs into a different (even an address-like)
        # name; as one encoded word of its own it shows exactly as written on the sheet
        phrase = Header(name, "utf-8").encode(linesep="\r\n")
    elif _PHRASE_SAFE.fullmatch(name):
        phrase = name
    else:
        phrase = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} <{address}>"


def new_message_id(domain: str, label: str) -> str:
    """A globally unique Message-ID; `label` (e.g. the Return ID and kind) helps a human reading headers."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "-", label).strip("-.")[:60] or "email"
    host = domain if _ADDRESS.fullmatch("x@" + domain) else "sheetreturns.invalid"
    return f"<{safe}.{secrets.token_hex(8)}@{host}>"


def domain_of(address: str) -> str:
    return address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class Composed:
    """A message ready to send: the envelope and the bytes."""

    sender: str  # envelope sender (addr-spec)
    recipient: str  # envelope recipient (addr-spec)
    message_id: str
    subject: str
    data: bytes  # CRLF line ends; ASCII unless smtputf8
    smtputf8: bool = False  # an address beyond ASCII: only a server offering SMTPUTF8 can take it


def _body(text: str, html: bool) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, encoded body) with CRLF line ends.

    HTML becomes plain ASCII by writing other characters as &#NNN; references, so it usually goes
    as 7bit text; plain text with non-ASCII characters (£, é) goes quoted-printable as UTF-8.
    """
    crlf = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    if not crlf.endswith("\r\n"):
        crlf += "\r\n"
    data = crlf.encode("ascii", "xmlcharrefreplace") if html else crlf.encode("utf-8")
    if data.isascii() and b"\0" not in data and max(map(len, data.split(b"\r\n"))) <= 998:
        return "7bit", data
    return "quoted-printable", binascii.b2a_qp(data, istext=True)


def compose(*, sender: tuple[str | None, str], to: tuple[str | None, str], subject: str, text: str, html: str,
            message_id: str, date: datetime, reply_to: str | None = None) -> Composed:
    """The message as bytes. Raises BadAddress for an unusable address."""
    sender_address, recipient = check_address(sender[1]), check_address(to[1])
    subject = one_line(subject, MAX_SUBJECT)
    # '=_' can never occur in quoted-printable text, so the boundary cannot clash with the parts.
    boundary = "=_sr_" + secrets.token_hex(12)
    when = date if date.tzinfo is not None else date.astimezone()
    headers = [
        f"From: {format_address(sender[0], sender_address)}",
        f"To: {format_address(to[0], recipient)}",
    ]
    if reply_to:
        headers.append(f"Reply-To: {format_address(None, reply_to)}")
    headers += [
        f"Subject: {encode_text(subject)}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {one_line(message_id)}",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-generated",  # RFC 3834: holiday auto-replies stay quiet
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    smtputf8 = needs_smtputf8(sender_address, recipient)
    head = "\r\n".join(headers).encode("utf-8" if smtputf8 else "ascii")
    part = "\r\n--" + boundary + "\r\nContent-Type: text/{}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: {}\r\n\r\n"
    text_encoding, text_data = _body(text, html=False)
    html_encoding, html_data = _body(html, html=True)
    data = b"".join((
        head, b"\r\n\r\nThis is a message in plain text and HTML.\r\n",
        part.format("plain", text_encoding).encode("ascii"), text_data,
        part.format("html", html_encoding).encode("ascii"), html_data,
        f"\r\n--{boundary}--\r\n".encode("ascii"),
    ))
    return Composed(sender_address, recipient, message_id, subject, data, smtputf8)

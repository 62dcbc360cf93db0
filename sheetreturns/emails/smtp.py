"""The mail server: logging in and sending one message per SMTP transaction.

The connection is yagmail's (SSL, STARTTLS or plain; login), always with a certificate-checking TLS
context: smtplib on its own would accept any certificate. The transaction itself is driven step by
step on yagmail's smtplib connection (MAIL, RCPT, DATA, the text, then its end-of-data dot),
because the journal records the message as in flight after the text went out and just before the
dot does: see journal.py. A connection closed while the text was going out is noticed before the dot,
so that message is sent again, never reported as "not confirmed". yagmail's own `send` is not used: it logs in again for every message and, when the
connection drops, sends again a message the server may already have accepted. The message itself
is built by message.py, not by yagmail (which would attach any text that names an existing file).
"""
from __future__ import annotations

import base64
import re
import select
import smtplib
import socket
import ssl
from dataclasses import dataclass
from typing import Callable

from ..engine.policy import Policy
from ..settings.smtp import SmtpSettings
from .message import Composed


@dataclass(frozen=True)
class Sender:
    """Who the emails come from (display name, address) and where replies go."""

    name: str
    address: str
    reply_to: str | None


def sender_of(settings: SmtpSettings, policy: Policy) -> Sender:
    """From and Reply-To: [smtp] from (else the user, else a local placeholder) named after the store."""
    return Sender(settings.from_name or policy.store_name, settings.from_address or "returns@localhost",
                  settings.reply_to)


class NoPassword(Exception):
    pass


def find_password(settings: SmtpSettings) -> str | None:
    """The login's password (see SmtpSettings.password); NoPassword says where to put it when there is none."""
    if settings.user is None:
        return None
    password, _ = settings.password()
    if password is None:
        raise NoPassword(settings.no_password())
    hide_login(settings.user, password)
    return password


_HIDDEN: set[str] = set()


def hide_login(user: str | None, password: str | None) -> None:
    """Remember the forms a login's password takes on the wire (as typed; base64 for AUTH LOGIN; base64 of
    the AUTH PLAIN line), so that a server reply echoing any of them is redacted wherever it is stored or shown."""
    if not password or len(password) < 3:
        return
    forms = {password}
    user = user or ""
    for raw in (password, f"\0{user}\0{password}", f"{user}\0{user}\0{password}"):
        encoded = base64.b64encode(raw.encode("utf-8")).decode("ascii")
        forms |= {encoded, encoded.rstrip("=")}
    _HIDDEN.update(form for form in forms if len(form) >= 3)


def redacted(text: str) -> str:
    """`text` with every known form of a password replaced by ***."""
    for secret in sorted(_HIDDEN, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class Refused(Exception):
    """The server said no to this message (it was not accepted); `reply` is its answer."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply


class Dropped(Exception):
    """The connection broke before the end-of-data dot: the server cannot have accepted the message."""


class Unconfirmed(Exception):
    """The connection broke after the dot, before the server's answer: it may or may not have the message."""


def _reply(code: int, message: bytes | str) -> str:
    """A server reply as one line of text, never holding the password (some servers echo the AUTH line)."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return redacted(f"{code} {' '.join(text.split())}".strip())


def _stuff(data: bytes) -> bytes:
    """RFC 5321 dot-stuffing: a line starting with '.' gets a second one."""
    data = data if data.endswith(b"\r\n") else data + b"\r\n"
    return re.sub(rb"(?m)^\.", b"..", data)


NO_SMTPUTF8 = ("the mail server does not take addresses with letters beyond ASCII before the @ (it offers no "
               "SMTPUTF8): ask the customer for another address, or send through a server that does (Gmail does)")


class Connection:
    """One SMTP session (yagmail connects and logs in); sends one message per transaction."""

    def __init__(self, settings: SmtpSettings, password: str | None):
        hide_login(settings.user, password)
        import yagmail

        extra: dict = {"timeout": settings.timeout}
        context = None
        if settings.security != "none":  # loading the system's certificates takes a while: only when needed
            context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
        if settings.security == "ssl":
            extra["context"] = context
        self.client = yagmail.SMTP(
            user=settings.user or "sheetreturns@localhost", password=password or "", host=settings.host,
            port=settings.port, smtp_ssl=settings.security == "ssl",
            smtp_starttls={"context": context} if settings.security == "starttls" else False,
            smtp_skip_login=settings.user is None, soft_email_validation=False, **extra,
        )
        self.client.set_logging(None)
        if settings.user is not None:
            self.client.user = settings.user  # yagmail appends @gmail.com to a login name without "@"
        try:
            self.client.login()
        except BaseException:
            self.close()
            raise
        self.smtp: smtplib.SMTP = self.client.smtp
        # Commands are small writes each followed by a wait for the answer: send them at once.
        self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def transact(self, message: Composed, before_dot: Callable[[], None]) -> str:
        """Send one message; `before_dot` runs just before the server can accept it. Returns the 250 reply."""
        smtp = self.smtp
        try:
            smtp.ehlo_or_helo_if_needed()
            options = ""
            if message.smtputf8:  # an address beyond ASCII before the @ (RFC 6531)
                if not smtp.has_extn("smtputf8"):
                    raise Refused(NO_SMTPUTF8)
                options = " SMTPUTF8" + (" BODY=8BITMIME" if smtp.has_extn("8bitmime") else "")
            # The addresses were checked to be safe addr-specs when the message was composed.
            steps = ((f"MAIL FROM:<{message.sender}>{options}", (250,)),
                     (f"RCPT TO:<{message.recipient}>", (250, 251)), ("DATA", (354,)))
            smtp.command_encoding = "utf-8" if message.smtputf8 else "ascii"
            for command, accepted in steps:
                smtp.putcmd(command)
                code, reply = smtp.getreply()
                if code not in accepted:
                    raise self._refused(code, reply)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Dropped(str(exc) or type(exc).__name__) from None
        except smtplib.SMTPResponseException as exc:  # e.g. the server refused our EHLO
            raise Refused(_reply(exc.smtp_code, exc.smtp_error)) from None
        finally:
            smtp.command_encoding = "ascii"
        try:
            smtp.send(_stuff(message.data))  # the text: the server can accept nothing until the dot
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Dropped(str(exc) or type(exc).__name__) from None
        self._still_listening()
        before_dot()
        try:
            smtp.send(b".\r\n")  # the one moment the server can accept the message
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Dropped(str(exc) or type(exc).__name__) from None  # refused by our side: the dot never left
        try:
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout) as exc:
            raise Unconfirmed(str(exc) or type(exc).__name__) from None
        if code != 250:
            raise Refused(_reply(code, reply))
        return _reply(code, reply)

    def _still_listening(self) -> None:
        """Raise Dropped if the server closed the connection (or answered early) while the text went out.

        Without this, a connection closed mid-text would only show after the dot, as a missing reply,
        and an email the server never had would be reported as "not confirmed" instead of being sent again."""
        sock = self.smtp.sock
        try:
            ready, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError) as exc:
            raise Dropped(str(exc) or type(exc).__name__) from None
        if not ready:
            return  # nothing to read: the server is waiting for more text
        try:
            code, reply = self.smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise Dropped(str(exc) or "the server closed the connection before the end of the message") from None
        raise Dropped(f"the server answered before the end of the message: {_reply(code, reply)}")

    def _refused(self, code: int, reply: bytes) -> Exception:
        """The exception for a non-success reply before the dot: nothing was accepted either way."""
        if code in (-1, 421):  # the server is closing the connection: try again on a new one
            return Dropped(_reply(code, reply))
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            pass
        return Refused(_reply(code, reply))

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # closing a broken connection: nothing left to do
            pass


def connect_error(settings: SmtpSettings, exc: BaseException) -> str:
    """Why connecting or logging in failed, in words (never including the password)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the mail server {settings.describe()} refused the login for {settings.user} " \
               f"({_reply(exc.smtp_code, exc.smtp_error)}): check the user and password"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the mail server {settings.describe()} does not offer {settings.security.upper()} or login: " \
               f"{redacted(str(exc))}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the certificate of {settings.describe()} is not trusted ({exc.verify_message}): " \
               f"check host and port, or set ca_file in [smtp]"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server {settings.describe()} said {_reply(exc.smtp_code, exc.smtp_error)}"
    reason = redacted(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
    return f"cannot reach the mail server {settings.describe()} ({reason}): check host, port and security"

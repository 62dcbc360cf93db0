"""Where a prepared email goes: the mail server, or an .eml file in the outbox folder.

Both channels journal each message before it can be delivered and after it was, so that a run killed
at any point sends nothing twice (see journal.py for the one window that cannot be closed and how
it is handled). A failure of one message never stops the others.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SheetReturnsError
from ..replace_file import held_by_another_program, why_not_replaced
from ..results import EmailRecord
from ..state import ensure_dir, open_private
from .journal import FILE, OUTBOX, SENT, SMTP, UNCONFIRMED, Journal
from .message import Composed
from ..settings.smtp import SmtpSettings
from .smtp import Connection, Dropped, NoPassword, Refused, Unconfirmed, connect_error, find_password

UNCONFIRMED_TEXT = ("not confirmed: the mail server may or may not have taken it when the connection broke; "
                    "not sent again so that it cannot arrive twice: check your Sent folder")
RESTARTED_TEXT = ("not confirmed: the computer restarted while a run was sending it; "
                  "not sent again so that it cannot arrive twice: check your Sent folder")
INTERRUPTED_TEXT = ("not confirmed: the previous run stopped while the mail server was taking it; "
                    "not sent again so that it cannot arrive twice: check your Sent folder")


@dataclass(frozen=True)
class Outgoing:
    """A rendered, composed email and the journal key it belongs to."""

    return_id: str
    kind: str
    message: Composed

    @property
    def to(self) -> str:
        return self.message.recipient


def failed(out: Outgoing, reason: str) -> EmailRecord:
    return EmailRecord(out.return_id, out.kind, out.to, f"failed: {reason}", out.message.subject)


class SmtpChannel:
    """Sends over one SMTP connection, reconnecting when it drops; connects only when there is something to send."""

    name = SMTP
    MAX_RECONNECTS = 5

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.connection: Connection | None = None
        self.broken: str | None = None  # why sending is impossible for the rest of this run
        self.connects = 0

    def _connect(self) -> Connection:
        if self.connection is not None:
            return self.connection
        if self.broken is None and self.connects > self.MAX_RECONNECTS:
            self.broken = f"the mail server {self.settings.describe()} keeps dropping the connection"
        if self.broken is not None:
            raise _CannotSend(self.broken)
        self.connects += 1
        try:
            self.connection = Connection(self.settings, find_password(self.settings))
        except NoPassword as exc:
            self.broken = str(exc)
            raise _CannotSend(self.broken) from None
        except Exception as exc:  # refused, unreachable, TLS, login: the same for every message of this run
            self.broken = connect_error(self.settings, exc)
            raise _CannotSend(self.broken) from None
        return self.connection

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, out: Outgoing, journal: Journal, now: datetime) -> EmailRecord:
        msg = out.message

        def before_dot() -> None:
            journal.begin(out.return_id, out.kind, channel=SMTP, recipient=msg.recipient, subject=msg.subject,
                          message_id=msg.message_id, now=now)

        reason = ""
        for _ in range(2):  # a connection that drops before the dot gets one reconnect for this message
            try:
                reply = self._connect().transact(msg, before_dot)
            except _CannotSend as exc:
                reason = f"not sent: {exc}"
                break
            except Refused as exc:
                reason = f"refused by the mail server: {exc.reply}"
                break
            except Dropped as exc:
                self._drop()
                reason = f"the connection to the mail server was lost ({exc})"
                continue
            except Unconfirmed:
                self._drop()
                journal.finish(out.return_id, out.kind, UNCONFIRMED, now, UNCONFIRMED_TEXT)
                return failed(out, UNCONFIRMED_TEXT)
            journal.finish(out.return_id, out.kind, SENT, now, reply)
            return EmailRecord(out.return_id, out.kind, out.to, "sent", msg.subject)
        journal.fail(out.return_id, out.kind, recipient=msg.recipient, subject=msg.subject,
                     message_id=msg.message_id, reason=reason, now=now, channel=SMTP)
        return failed(out, reason)

    def close(self) -> None:
        self._drop()


class _CannotSend(Exception):
    pass


@dataclass(frozen=True)
class Staged:
    """An outbox email written aside, waiting for the sheet write before it appears (see OutboxChannel)."""

    out: Outgoing
    temp: Path
    path: Path


class OutboxChannel:
    """Writes each email as an .eml file; the file appears whole (written aside, then renamed) or not at all.

    With `staging`, the rename waits: `send` leaves each file aside (journaled in flight) and `publish` makes
    them appear once the sheet records them, or `withdraw` removes them when the sheet could not be written.
    A run killed in between leaves them in flight with no file: the next run writes them again.
    """

    name = FILE

    def __init__(self, folder: Path, staging: bool = False):
        self.folder = folder
        self.staged: list[Staged] | None = [] if staging else None

    def path_for(self, return_id: str, kind: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", return_id).strip("._") or "email"
        if safe != return_id or len(safe) > 80:  # keep IDs that clean up (or shorten) alike apart
            # a file name stays well under every file system's 255-byte limit, however long the ID
            safe = safe[:80] + "-" + hashlib.sha256(return_id.encode()).hexdigest()[:10]
        return self.folder / f"{safe}-{kind}.eml"

    def send(self, out: Outgoing, journal: Journal, now: datetime) -> EmailRecord:
        msg = out.message
        path = self.path_for(out.return_id, out.kind)
        temp = path.with_name("." + path.name + ".part")
        try:
            ensure_dir(self.folder)
            with os.fdopen(open_private(temp), "wb") as handle:
                handle.write(msg.data)
                handle.flush()
                os.fsync(handle.fileno())
            journal.begin(out.return_id, out.kind, channel=FILE, recipient=msg.recipient, subject=msg.subject,
                          message_id=msg.message_id, now=now, detail=str(path))
            if self.staged is not None:
                self.staged.append(Staged(out, temp, path))
                return EmailRecord(out.return_id, out.kind, out.to, "outbox", msg.subject)
            os.replace(temp, path)
        except (OSError, SheetReturnsError) as exc:
            return self._failed(out, path, exc, journal, now)
        journal.finish(out.return_id, out.kind, OUTBOX, now, str(path))
        return EmailRecord(out.return_id, out.kind, out.to, "outbox", msg.subject)

    def _failed(self, out: Outgoing, path: Path, exc: Exception, journal: Journal, now: datetime) -> EmailRecord:
        msg = out.message
        reason = why_not_replaced(path, exc) if isinstance(exc, OSError) and held_by_another_program(exc) else (
            f"cannot write {path} ({getattr(exc, 'strerror', None) or exc})")
        journal.fail(out.return_id, out.kind, recipient=msg.recipient, subject=msg.subject,
                     message_id=msg.message_id, reason=reason, now=now, channel=FILE)
        return failed(out, reason)

    def publish(self, journal: Journal, now: datetime) -> list[EmailRecord]:
        """Make the staged files appear (the sheet now records them); the failures, if a rename fails."""
        failures = []
        for item in self.staged or ():
            try:
                os.replace(item.temp, item.path)
            except OSError as exc:
                failures.append(self._failed(item.out, item.path, exc, journal, now))
                continue
            journal.finish(item.out.return_id, item.out.kind, OUTBOX, now, str(item.path))
        self.staged = []
        return failures

    def withdraw(self, journal: Journal, now: datetime, reason: str) -> None:
        """Remove the staged files: the sheet could not record them, so they never appear (tried again next run)."""
        for item in self.staged or ():
            msg = item.out.message
            try:
                item.temp.unlink()
            except OSError:
                pass  # left aside under a dot name; the next run writes over it
            journal.fail(item.out.return_id, item.out.kind, recipient=msg.recipient, subject=msg.subject,
                         message_id=msg.message_id, reason=reason, now=now, channel=FILE, logged=False)
        self.staged = []

    def close(self) -> None:
        pass


def file_holds(path: Path, message_id: str) -> bool:
    """True when an interrupted run's outbox file was written completely (it names the Message-ID)."""
    try:
        return message_id.encode("ascii") in path.read_bytes()
    except OSError:
        return False

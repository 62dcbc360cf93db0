"""The email journal: a SQLite file in the state folder that makes every email go out at most once, ever.

One row per (Return ID, kind) in `messages`, moving through these states:

    queued --> in-flight --> sent | outbox        done: never sent again
                   |-------> failed               retried by the next run that finds it due
                   '-------> unconfirmed          done: never sent again, reported once

`in-flight` is committed immediately before the one moment a mail server can accept the message:
the end-of-data dot of the SMTP transaction (for the outbox: the rename that makes the .eml file
appear). Everything before that point (connecting, MAIL, RCPT, the message text) leaves nothing
accepted if the run dies, and the message is simply sent again later. A run that finds an
`in-flight` row left by a killed run cannot know whether the server took the message in the few
milliseconds between the dot and the commit of `sent` (RFC 1047 describes this window). We choose
"no duplicate": the row becomes `unconfirmed`, counts as sent, is not sent again, and is reported
once as a failure asking the seller to check their Sent folder.

Durability: per-message commits are not fsynced (WAL, synchronous=NORMAL): they survive the process
being killed, which is what a run dying means, at a fraction of the cost of an fsync per message
(an fsync costs more than sending a message to a local server). A power cut or OS crash could lose
them, so messages are first `queued` in groups of up to 50 with one fsynced commit that also
makes every earlier commit durable, and each queued row records the machine's boot. A `queued` row
found on the same boot was never reached (the process died earlier): it is retried. A `queued` row
from an earlier boot may have been sent before the crash: it becomes `unconfirmed` like an in-flight
one. So even a power cut sends nothing twice; at worst one group is reported as unconfirmed.
`events` is the history behind the Email Log tab: every send, outbox file and failure.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SheetReturnsError
from ..state import ensure_dir, source_slug

QUEUED, IN_FLIGHT, SENT, OUTBOX, FAILED, UNCONFIRMED = "queued", "in-flight", "sent", "outbox", "failed", "unconfirmed"
DONE = frozenset({SENT, OUTBOX, UNCONFIRMED})
SMTP, FILE = "smtp", "outbox"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    return_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    message_id TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL,
    boot TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (return_id, kind)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    return_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
PRAGMA user_version = 1;
"""


def journal_path(state_dir: Path, source: str) -> Path:
    return state_dir / f"{source_slug(source)}.emails.sqlite"


def boot_id() -> str:
    """Which boot of this machine we are in: a restart since a row was written means unsynced commits may be lost."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:  # not Linux: the boot time, to the minute (a wrong guess only errs towards "unconfirmed")
        return f"booted-{int((time.time() - time.monotonic()) // 60)}"


@dataclass
class Entry:
    return_id: str
    kind: str
    state: str
    channel: str
    recipient: str
    subject: str
    message_id: str
    detail: str
    attempts: int
    updated: datetime
    boot: str = ""


@dataclass(frozen=True)
class Event:
    time: datetime
    return_id: str
    kind: str
    recipient: str
    subject: str
    outcome: str  # sent, outbox, failed, unconfirmed
    detail: str


class Journal:
    """The journal of one source. `readonly` (dry runs, previews) never creates or changes the file."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path, self.readonly = path, readonly
        self.entries: dict[tuple[str, str], Entry] = {}
        self.db: sqlite3.Connection | None = None
        self._durable: bool | None = None
        if readonly and not path.exists():
            return
        if not readonly:
            ensure_dir(path.parent)
        try:
            self.db = sqlite3.connect(path, isolation_level=None, timeout=10)
            if not readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(_SCHEMA)
            for row in self.db.execute("SELECT return_id, kind, state, channel, recipient, subject, message_id, "
                                       "detail, attempts, updated, boot FROM messages"):
                entry = Entry(*row[:9], datetime.fromisoformat(row[9]), row[10])
                self.entries[(entry.return_id, entry.kind)] = entry
        except sqlite3.DatabaseError as exc:
            self.close()
            raise SheetReturnsError(
                f"the email journal {path} cannot be read ({exc}): restore it from a backup, or move it "
                f"aside to start a new one (emails already sent may then be sent again)"
            ) from None

    # -- reading -------------------------------------------------------------------------------

    def get(self, return_id: str, kind: str) -> Entry | None:
        return self.entries.get((return_id, kind))

    def is_done(self, return_id: str, kind: str) -> bool:
        entry = self.entries.get((return_id, kind))
        return entry is not None and entry.state in DONE

    def interrupted(self) -> list[Entry]:
        """Messages a killed run left queued or in flight."""
        return [e for e in self.entries.values() if e.state in (QUEUED, IN_FLIGHT)]

    def events(self) -> list[Event]:
        if self.db is None:
            return []
        rows = self.db.execute(
            "SELECT time, return_id, kind, recipient, subject, outcome, detail FROM events ORDER BY id"
        ).fetchall()
        return [Event(datetime.fromisoformat(r[0]), *r[1:]) for r in rows]

    # -- writing -------------------------------------------------------------------------------

    def queue(self, items: list[tuple[str, str, str, str, str]], now: datetime) -> None:
        """Record (return_id, kind, channel, recipient, message_id) as about to be sent, with one fsync
        that also makes every earlier commit durable."""
        boot = boot_id()
        entries = []
        for return_id, kind, channel, recipient, message_id in items:
            old = self.entries.get((return_id, kind))
            entries.append(Entry(return_id, kind, QUEUED, channel, recipient, old.subject if old else "", message_id,
                                 "", old.attempts if old else 0, now, boot))
        self._write(entries, None, durable=True)

    def begin(self, return_id: str, kind: str, *, channel: str, recipient: str, subject: str, message_id: str,
              now: datetime, detail: str = "") -> None:
        """Record that the message is about to become deliverable (call just before the SMTP dot)."""
        old = self.entries.get((return_id, kind))
        entry = Entry(return_id, kind, IN_FLIGHT, channel, recipient, subject, message_id, detail,
                      (old.attempts if old else 0) + 1, now, old.boot if old else boot_id())
        self._write([entry], None)

    def finish(self, return_id: str, kind: str, state: str, now: datetime, detail: str = "") -> None:
        """The message was accepted (sent) or written (outbox), or is now known to be unconfirmed."""
        entry = self.entries[(return_id, kind)]
        done = Entry(entry.return_id, kind, state, entry.channel, entry.recipient, entry.subject,
                     entry.message_id, detail, entry.attempts, now, entry.boot)
        self._write([done], state)

    def fail(self, return_id: str, kind: str, *, recipient: str, subject: str, message_id: str, reason: str,
             now: datetime, channel: str = SMTP, logged: bool = True) -> None:
        """The message was refused or could not be attempted; the next run may try again."""
        old = self.entries.get((return_id, kind))
        attempts = old.attempts if old else 0
        entry = Entry(return_id, kind, FAILED, channel, recipient, subject, message_id, reason, attempts, now,
                      old.boot if old else "")
        self._write([entry], FAILED if logged else None)

    def _write(self, entries: list[Entry], event: str | None, durable: bool = False) -> None:
        if self.db is None or self.readonly:
            raise SheetReturnsError("internal error: the email journal was opened read-only")
        try:
            if durable != self._durable:
                self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
                self._durable = durable
            single = len(entries) == 1 and event is None  # one statement is a transaction of its own
            if not single:
                self.db.execute("BEGIN IMMEDIATE")
            for entry in entries:
                stamp = entry.updated.isoformat(timespec="seconds")
                self.db.execute(
                    "INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (entry.return_id, entry.kind, entry.state, entry.channel, entry.recipient, entry.subject,
                     entry.message_id, entry.detail, entry.attempts, stamp, entry.boot),
                )
                if event is not None:
                    self.db.execute(
                        "INSERT INTO events (time, return_id, kind, recipient, subject, outcome, detail) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (stamp, entry.return_id, entry.kind, entry.recipient, entry.subject, event, entry.detail),
                    )
            if not single:
                self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise SheetReturnsError(
                f"cannot write the email journal {self.path} ({exc}): stopped sending so that no email goes "
                f"out twice; free disk space or fix the folder's permissions and run again"
            ) from None
        for entry in entries:
            self.entries[(entry.return_id, entry.kind)] = entry

    def close(self) -> None:
        """Close the file; SQLite's checkpoint on close syncs everything this run wrote."""
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

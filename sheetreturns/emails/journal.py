"""The email journal: files in the state folder that make every email go out at most once, ever.

One entry per (Return ID, kind), moving through these states:

    queued --> in-flight --> sent | outbox        done: never sent again
                   |-------> failed               retried by the next run that finds it due
                   '-------> unconfirmed          done: never sent again, reported once

`in-flight` is recorded immediately before the one moment a mail server can accept the message:
the end-of-data dot of the SMTP transaction (for the outbox: the rename that makes the .eml file
appear). Everything before that point (connecting, MAIL, RCPT, the message text) leaves nothing
accepted if the run dies, and the message is simply sent again later. A run that finds an
`in-flight` entry left by a killed run cannot know whether the server took the message in the
moment between the dot and the recording of `sent` (RFC 1047 describes this window). We choose
"no duplicate": the entry becomes `unconfirmed`, counts as sent, is not sent again, and is reported
once as a failure asking the seller to check their Sent folder.

Storage: a SQLite database (`<source>.emails.sqlite`) holds the entries and the `events` behind the
Email Log tab. While a run sends, every change is appended to a log file beside it
(`<source>.emails.log`), one checksummed line per record: an append survives the process being
killed, which is what a run dying means, and costs microseconds where a SQLite transaction costs as
much as sending the message to a local server. At the end of the run, or when the next run (or a
preview) opens the journal, the log is folded into the database and emptied. A power cut or OS
crash can lose appends that were not yet synced, so messages are first `queued` in groups of up to
50 and the log is synced then, which makes that group and everything before it durable; each queued
record names the machine's boot. An entry still `queued` on the same boot was never reached (the
process died first): it is retried. One from an earlier boot may have gone out before the crash:
it becomes `unconfirmed` like an in-flight one. So even a power cut sends nothing twice; at worst
one group is reported as unconfirmed.
"""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SheetReturnsError
from ..state import ensure_dir, open_private, source_slug

QUEUED, IN_FLIGHT, SENT, OUTBOX, FAILED, UNCONFIRMED = "queued", "in-flight", "sent", "outbox", "failed", "unconfirmed"
DONE = frozenset({SENT, OUTBOX, UNCONFIRMED})
SMTP, FILE = "smtp", "outbox"

# A change to the tables below needs a new SCHEMA_VERSION: a journal that says an older one runs the script again
# (a new table or index is created then). A new column of an existing table needs a step of its own, run only
# for a journal older than the version that brings it (an ALTER TABLE here would fail on a new journal).
SCHEMA_VERSION = 1
_SCHEMA = f"""
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
    record TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    return_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
PRAGMA user_version = {SCHEMA_VERSION};
"""



def journal_path(state_dir: Path, source: str) -> Path:
    return state_dir / f"{source_slug(source)}.emails.sqlite"


def boot_id() -> str:
    """Which boot of this machine we are in: a restart since an entry was queued means unsynced records may be lost."""
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

    def row(self) -> tuple:
        return (self.return_id, self.kind, self.state, self.channel, self.recipient, self.subject, self.message_id,
                self.detail, self.attempts, self.updated.isoformat(timespec="seconds"), self.boot)


@dataclass(frozen=True)
class Event:
    time: datetime
    return_id: str
    kind: str
    recipient: str
    subject: str
    outcome: str  # sent, outbox, failed, unconfirmed
    detail: str


# A record: (record id, the entry as it now is, the event to log or None).
Record = tuple[str, Entry, "str | None"]


class Journal:
    """The journal of one source. `readonly` (dry runs, previews) reads it and never changes a file."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path, self.readonly = path, readonly
        self.log_path = path.with_suffix(".log")
        self.entries: dict[tuple[str, str], Entry] = {}
        self.db: sqlite3.Connection | None = None
        self._unfolded: list[Record] = []  # appended to the log, not yet in the database
        self._log: int | None = None
        self._run, self._seq = secrets.token_hex(6), 0
        if readonly and not path.exists():
            return
        if not readonly:
            ensure_dir(path.parent)
            try:
                os.close(open_private(path, os.O_WRONLY | os.O_CREAT))  # 0600 before SQLite opens it
            except OSError as exc:
                raise _cannot_write(path, exc) from None
        try:
            target = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)  # file:///C:/... on Windows
            self.db = sqlite3.connect(target, isolation_level=None, timeout=10, uri=readonly)
            if not readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                if self.db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    # A new journal (or an older one): its tables (a newer one keeps its version). Setting the
                    # version is a write, synced to disk: a journal that has them is only read until something
                    # is recorded.
                    self.db.executescript(_SCHEMA)
            for row in self.db.execute("SELECT return_id, kind, state, channel, recipient, subject, message_id, "
                                       "detail, attempts, updated, boot FROM messages"):
                entry = Entry(*row[:9], datetime.fromisoformat(row[9]), row[10])
                self.entries[(entry.return_id, entry.kind)] = entry
        except sqlite3.OperationalError as exc:  # disk full, read-only, locked: the journal itself is fine
            self.close()
            if readonly:
                raise SheetReturnsError(f"the email journal {path} cannot be read ({exc}): fix the folder's "
                                        f"permissions and run again; nothing was sent") from None
            raise _cannot_write(path, exc) from None
        except sqlite3.DatabaseError as exc:  # damaged
            self.close()
            raise SheetReturnsError(
                f"the email journal {path} cannot be read ({exc}): restore it from a backup, or move it "
                f"aside to start a new one (emails already sent may then be sent again)"
            ) from None
        for record in _read_log(self.log_path):  # what a run recorded after its last fold
            self._unfolded.append(record)
            self.entries[(record[1].return_id, record[1].kind)] = record[1]
        if not readonly and self._unfolded:
            self._fold()

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
        """Every send and failure, oldest first."""
        if not self.readonly and self._unfolded:
            self._fold()
        rows = [] if self.db is None else self.db.execute(
            "SELECT time, return_id, kind, recipient, subject, outcome, detail FROM events ORDER BY id").fetchall()
        events = [Event(datetime.fromisoformat(r[0]), *r[1:]) for r in rows]
        return events + [_event(entry, event) for _, entry, event in self._unfolded if event is not None]

    # -- writing -------------------------------------------------------------------------------

    def queue(self, items: list[tuple[str, str, str, str, str]], now: datetime) -> None:
        """Record (return_id, kind, channel, recipient, message_id) as about to be sent, and sync the log: this
        and everything recorded before it survive even a power cut."""
        boot = boot_id()
        for return_id, kind, channel, recipient, message_id in items:
            old = self.entries.get((return_id, kind))
            self._append(Entry(return_id, kind, QUEUED, channel, recipient, old.subject if old else "", message_id,
                               "", old.attempts if old else 0, now, boot), None)
        try:
            os.fsync(self._log)
        except OSError as exc:
            raise _cannot_write(self.log_path, exc) from None

    def begin(self, return_id: str, kind: str, *, channel: str, recipient: str, subject: str, message_id: str,
              now: datetime, detail: str = "") -> None:
        """Record that the message is about to become deliverable (call just before the SMTP dot)."""
        old = self.entries.get((return_id, kind))
        self._append(Entry(return_id, kind, IN_FLIGHT, channel, recipient, subject, message_id, detail,
                           (old.attempts if old else 0) + 1, now, old.boot if old else boot_id()), None)

    def finish(self, return_id: str, kind: str, state: str, now: datetime, detail: str = "") -> None:
        """The message was accepted (sent) or written (outbox), or is now known to be unconfirmed."""
        entry = self.entries[(return_id, kind)]
        self._append(Entry(entry.return_id, kind, state, entry.channel, entry.recipient, entry.subject,
                           entry.message_id, detail, entry.attempts, now, entry.boot), state)

    def fail(self, return_id: str, kind: str, *, recipient: str, subject: str, message_id: str, reason: str,
             now: datetime, channel: str = SMTP, logged: bool = True) -> None:
        """The message was refused or could not be attempted; the next run may try again."""
        old = self.entries.get((return_id, kind))
        self._append(Entry(return_id, kind, FAILED, channel, recipient, subject, message_id, reason,
                           old.attempts if old else 0, now, old.boot if old else ""), FAILED if logged else None)

    def _append(self, entry: Entry, event: str | None) -> None:
        if self.db is None or self.readonly:
            raise SheetReturnsError("internal error: the email journal was opened read-only")
        self._seq += 1
        record = (f"{self._run}-{self._seq}", entry, event)
        text = json.dumps([record[0], *entry.row(), event], ensure_ascii=False)
        line = f"{text}\t{zlib.crc32(text.encode()):08x}\n".encode()
        try:
            if self._log is None:
                self._log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            if os.write(self._log, line) != len(line):
                raise OSError("short write")
        except OSError as exc:
            raise _cannot_write(self.log_path, exc) from None
        self._unfolded.append(record)
        self.entries[(entry.return_id, entry.kind)] = entry

    def _fold(self) -> None:
        """Move the log's records into the database in one fsynced commit, then empty the log.

        Folding the same records twice (a crash before the log was emptied) changes nothing: the last
        record of each message wins again, and events are kept once by their record id.
        """
        records, db = self._unfolded, self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            latest = {(e.return_id, e.kind): e for _, e, _ in records}
            db.executemany("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [e.row() for e in latest.values()])
            db.executemany(
                "INSERT OR IGNORE INTO events (record, time, return_id, kind, recipient, subject, outcome, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(rid, e.updated.isoformat(timespec="seconds"), e.return_id, e.kind, e.recipient, e.subject, ev,
                  e.detail) for rid, e, ev in records if ev is not None])
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise _cannot_write(self.path, exc) from None
        self._unfolded = []
        try:
            with open(self.log_path, "r+b") as log:
                log.truncate(0)
                os.fsync(log.fileno())  # emptied for good before anything new is appended
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _cannot_write(self.log_path, exc) from None

    def close(self) -> None:
        """Fold what is left of the log and close the files."""
        try:
            if self.db is not None and not self.readonly and self._unfolded:
                self._fold()
        finally:
            if self._log is not None:
                os.close(self._log)
                self._log = None
            if self.db is not None:
                self.db.close()
                self.db = None

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_log(path: Path) -> list[Record]:
    """The log's complete records; a line torn by a crash (bad checksum, cut short) is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    records = []
    for line in data.split(b"\n"):
        text, _, crc = line.rpartition(b"\t")
        if not text or crc != f"{zlib.crc32(text):08x}".encode():
            continue
        rid, *row, event = json.loads(text)
        records.append((rid, Entry(*row[:9], datetime.fromisoformat(row[9]), row[10]), event))
    return records


def _event(entry: Entry, outcome: str) -> Event:
    return Event(entry.updated, entry.return_id, entry.kind, entry.recipient, entry.subject, outcome, entry.detail)


def _cannot_write(path: Path, exc: Exception) -> SheetReturnsError:
    return SheetReturnsError(
        f"cannot write the email journal {path} ({exc}): stopped sending so that no email goes out twice; "
        f"free disk space or fix the folder's permissions and run again"
    )

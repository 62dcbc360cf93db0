"""An IMAP folder (SSL, STARTTLS or plain), read with BODY.PEEK so reading marks nothing as seen."""
from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from ..errors import ConfigError, SheetReturnsError
from .folders import MailItem

LIST_BATCH = 500  # messages per FETCH of headers
FETCH_BATCH = 25  # messages per FETCH of whole messages
SECURITY = ("ssl", "starttls", "none")


@dataclass(frozen=True)
class ImapAddress:
    host: str
    port: int | None
    user: str
    folder: str
    secure_scheme: bool  # imaps://

    @property
    def label(self) -> str:
        scheme = "imaps" if self.secure_scheme else "imap"
        port = f":{self.port}" if self.port else ""
        return f"{scheme}://{self.user}@{self.host}{port}/{self.folder}"


def parse_imap_url(url: str) -> ImapAddress:
    """imaps://user%40example.com@imap.example.com[:993]/Folder/Sub -> its parts (no password, ever)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"mailbox {url!r} is not a valid IMAP address ({exc})") from None
    if parts.password is not None:
        raise ConfigError(
            "the mailbox address contains a password: remove it and put the password in an environment "
            "variable (password_env in [intake]) or the system keyring"
        )
    if not parts.hostname or not parts.username:
        raise ConfigError(
            f"mailbox {url!r} needs a user and a server, e.g. imaps://shop%40example.com@imap.example.com/Returns"
        )
    folder = unquote(parts.path.strip("/")) or "INBOX"
    return ImapAddress(parts.hostname, port, unquote(parts.username), folder, parts.scheme == "imaps")


def encode_folder(name: str) -> str:
    """A folder name in IMAP's modified UTF-7, quoted for a command."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    text = "".join(out)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapSource:
    def __init__(self, address: ImapAddress, password: str, *, security: str, ca_file: Path | None = None,
                 timeout: float = 60.0, writable: bool = False) -> None:
        self.address = address
        self.label = address.label
        self.conn = _connect(address, security, ca_file, timeout)
        try:
            self._login(password)
            self.delimiter = self._delimiter()
            self.folder = self._server_name(address.folder)
            self._select(writable)
        except BaseException:
            self.close()
            raise

    # -- the MailSource interface ------------------------------------------------

    def list(self) -> list[MailItem]:
        typ, data = self._call("UID", "SEARCH", None, "ALL")
        uids = data[0].split() if data and data[0] else []
        items: list[MailItem] = []
        for start in range(0, len(uids), LIST_BATCH):
            batch = b",".join(uids[start:start + LIST_BATCH]).decode()
            typ, data = self._call("UID", "FETCH", batch, "(UID RFC822.SIZE BODY.PEEK[HEADER])")
            for meta, literal in _fetched(data):
                uid, size = _number(meta, b"UID"), _number(meta, b"RFC822.SIZE")
                if uid is not None:
                    items.append(MailItem(str(uid), size or len(literal), literal))
        return items

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        for start in range(0, len(refs), FETCH_BATCH):
            batch = ",".join(refs[start:start + FETCH_BATCH])
            typ, data = self._call("UID", "FETCH", batch, "(UID BODY.PEEK[])")
            for meta, literal in _fetched(data):
                uid = _number(meta, b"UID")
                if uid is not None:
                    yield str(uid), literal

    def move(self, refs: list[str], folder: str) -> int:
        if not refs:
            return 0
        target = encode_folder(self._server_name(folder))
        typ, data = self.conn.create(target)  # NO when it exists already: fine
        uids = ",".join(refs)
        if "MOVE" in self.capabilities:
            self._call("UID", "MOVE", uids, target)
        else:
            self._call("UID", "COPY", uids, target)
            self._call("UID", "STORE", uids, "+FLAGS.SILENT", r"(\Deleted)")
            if "UIDPLUS" in self.capabilities:
                self._call("UID", "EXPUNGE", uids)
            else:
                self._call("EXPUNGE")
        return len(refs)

    def close(self) -> None:
        try:
            if self.conn.state == "SELECTED":
                self.conn.close()
            self.conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass

    # -- helpers ---------------------------------------------------------------

    @property
    def capabilities(self) -> set[str]:
        return {c.upper() for c in self.conn.capabilities}

    def _login(self, password: str) -> None:
        try:
            self.conn.login(self.address.user, password)
        except imaplib.IMAP4.error as exc:
            raise SheetReturnsError(
                f"IMAP login to {self.address.host} as {self.address.user} failed ({_text(exc)}): "
                f"check the user in [intake] mailbox and the password"
            ) from None
        typ, data = self.conn.capability()  # servers often offer more (MOVE, UIDPLUS) once logged in
        if typ == "OK" and data and data[0]:
            self.conn.capabilities = tuple(data[0].decode(errors="replace").upper().split())

    def _delimiter(self) -> str:
        typ, data = self.conn.list('""', '""')
        match = re.search(rb'\) "(.)"', data[0] or b"") if typ == "OK" and data else None
        return match[1].decode() if match else "/"

    def _server_name(self, folder: str) -> str:
        return folder.strip("/").replace("/", self.delimiter)

    def _select(self, writable: bool) -> None:
        typ, data = self.conn.select(encode_folder(self.folder), readonly=not writable)
        if typ != "OK":
            raise SheetReturnsError(
                f"no folder {self.address.folder!r} on {self.address.host} "
                f"(folders: {', '.join(self._folders()) or 'none'}): create it or fix [intake] mailbox"
            )

    def _folders(self) -> list[str]:
        typ, data = self.conn.list()
        names = []
        for line in data if typ == "OK" else []:
            match = re.search(rb'\) "(?:.|NIL)" "?(.*?)"?$', line or b"")
            if match:
                names.append(match[1].decode(errors="replace").replace(self.delimiter, "/"))
        return sorted(names)

    def _call(self, *args):
        command, *rest = args
        try:
            if command == "UID":
                typ, data = self.conn.uid(*rest)
            else:
                typ, data = getattr(self.conn, command.lower())(*rest)
        except imaplib.IMAP4.abort as exc:
            raise SheetReturnsError(f"the connection to {self.address.host} was lost ({_text(exc)}): try again") from None
        except (imaplib.IMAP4.error, OSError) as exc:
            raise SheetReturnsError(f"the IMAP server {self.address.host} refused {' '.join(str(a) for a in args[:2])} ({_text(exc)})") from None
        if typ != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
            raise SheetReturnsError(f"the IMAP server {self.address.host} answered {typ} to {' '.join(str(a) for a in args[:2])}: {detail}")
        return typ, data


def _connect(address: ImapAddress, security: str, ca_file: Path | None, timeout: float) -> imaplib.IMAP4:
    host = address.host
    port = address.port or (993 if security == "ssl" else 143)
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    try:
        if security == "ssl":
            return imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        conn = imaplib.IMAP4(host, port, timeout=timeout)
        if security == "starttls":
            if "STARTTLS" not in conn.capabilities:
                conn.shutdown()
                raise SheetReturnsError(
                    f"{host}:{port} does not offer STARTTLS: use an imaps:// address, or set "
                    f"security = \"none\" in [intake] only for a server on your own machine or network"
                )
            conn.starttls(context)
        return conn
    except ssl.SSLCertVerificationError as exc:
        raise SheetReturnsError(
            f"the certificate of {host} could not be verified ({exc.verify_message}): fix the server's certificate, "
            f"or set ca_file in [intake] to the certificate you trust"
        ) from None
    except ssl.SSLError as exc:
        raise SheetReturnsError(f"no secure connection to {host}:{port} ({exc.reason or exc}): check security and the port") from None
    except (socket.gaierror, ConnectionError, TimeoutError, OSError) as exc:
        reason = exc.strerror if getattr(exc, "strerror", None) else (str(exc) or type(exc).__name__)
        raise SheetReturnsError(f"cannot reach the IMAP server {host}:{port} ({reason}): check the address in [intake] mailbox") from None
    except imaplib.IMAP4.error as exc:
        raise SheetReturnsError(f"the IMAP server {host}:{port} refused the connection ({_text(exc)})") from None


def _fetched(data: list) -> Iterator[tuple[bytes, bytes]]:
    """(metadata, literal) pairs from a FETCH answer; items after a literal are added to its metadata."""
    pending: tuple[bytes, bytes] | None = None
    for part in data or ():
        if isinstance(part, tuple):
            if pending is not None:
                yield pending
            pending = (part[0], part[1])
        elif isinstance(part, bytes) and pending is not None:
            pending = (pending[0] + b" " + part, pending[1])
    if pending is not None:
        yield pending


def _number(meta: bytes, name: bytes) -> int | None:
    match = re.search(rb"\b" + re.escape(name) + rb" (\d+)", meta)
    return int(match[1]) if match else None


def _text(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else exc
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return str(text)[:200]

"""Mail folders on disk: a Maildir, an mbox file, or a directory of .eml files.

Each source lists its messages (a reference, the size and the header block, read without the body),
fetches whole messages on demand, and can move messages into a subfolder. Nothing in a message is
ever executed or saved elsewhere.
"""
from __future__ import annotations

import mailbox
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

from ..errors import SheetReturnsError

HEADER_LIMIT = 256 * 1024  # bytes read to find a message's header block


@dataclass(frozen=True)
class MailItem:
    ref: str  # how the source finds the message again
    size: int  # bytes
    headers: bytes


class MailSource(Protocol):
    """A folder of mail: list it, fetch messages, move them elsewhere."""

    label: str

    def list(self) -> list[MailItem]: ...

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]: ...

    def move(self, refs: list[str], folder: str) -> int: ...

    def close(self) -> None: ...


def read_headers(handle, limit: int = HEADER_LIMIT) -> bytes:
    """The header block at the start of an open binary file (up to the first blank line)."""
    lines: list[bytes] = []
    total = 0
    for line in iter(lambda: handle.readline(limit - total + 1), b""):
        if line in (b"\n", b"\r\n"):
            break
        lines.append(line)
        total += len(line)
        if total >= limit:
            break
    return b"".join(lines) + b"\n"


class MaildirSource:
    """A Maildir (new/ and cur/); subfolders are Maildir++ (.Name), as Dovecot and most servers keep them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"maildir:{path}"
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise SheetReturnsError(
                f"{path} is not a Maildir folder (it needs cur/ and new/ inside): check [intake] mailbox"
            )

    def list(self) -> list[MailItem]:
        items = []
        for sub in ("new", "cur"):
            for entry in sorted(os.scandir(self.path / sub), key=lambda e: e.name):
                if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                    continue
                ref = f"{sub}/{entry.name}"
                with open(entry.path, "rb") as handle:
                    items.append(MailItem(ref, entry.stat().st_size, read_headers(handle)))
        return items

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        for ref in refs:
            yield ref, (self.path / ref).read_bytes()

    def subfolder(self, folder: str) -> Path:
        """Maildir++: folders live beside each other at the root, named .Parent.Child."""
        name = folder.strip("/").replace("/", ".")
        if self.path.name.startswith(".") and self.path.name != ".":
            target = self.path.parent / f"{self.path.name}.{name}"
        else:
            target = self.path / f".{name}"
        for sub in ("tmp", "new", "cur"):
            (target / sub).mkdir(parents=True, exist_ok=True)
        return target

    def move(self, refs: list[str], folder: str) -> int:
        target = self.subfolder(folder)
        for ref in refs:
            name = ref.split("/", 1)[1]
            if ref.startswith("new/"):
                name += ":2,"  # a message moved out of new/ has been seen by a mail program
            os.replace(self.path / ref, target / "cur" / name)
        return len(refs)

    def close(self) -> None:
        pass


class MboxSource:
    """One mbox file, read only: rewriting a file a mail program may hold open is not worth the risk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"mbox:{path}"
        if not path.is_file():
            raise SheetReturnsError(f"no mbox file at {path}: check [intake] mailbox")
        try:
            self.box = mailbox.mbox(str(path), create=False)
        except (OSError, mailbox.Error) as exc:
            raise SheetReturnsError(f"cannot open the mbox file {path}: {exc}") from None

    def list(self) -> list[MailItem]:
        items = []
        for key in self.box.iterkeys():
            handle = self.box.get_file(key)
            try:
                headers = read_headers(handle)
                handle.seek(0, 2)
                size = handle.tell()
            finally:
                handle.close()
            items.append(MailItem(str(key), size, headers))
        return items

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        for ref in refs:
            yield ref, self.box.get_bytes(int(ref))

    def move(self, refs: list[str], folder: str) -> int:
        raise SheetReturnsError(
            "moving processed mail out of an mbox file is not supported: remove move_to from [intake], "
            "or use the IMAP folder or a Maildir"
        )

    def close(self) -> None:
        self.box.close()


class EmlFolder:
    """A directory of .eml files (as saved by mail programs); a subfolder is a directory inside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"eml:{path}"
        if not path.is_dir():
            raise SheetReturnsError(f"no folder at {path}: check [intake] mailbox")

    def list(self) -> list[MailItem]:
        items = []
        for entry in sorted(os.scandir(self.path), key=lambda e: e.name):
            if not entry.name.lower().endswith(".eml") or not entry.is_file(follow_symlinks=False):
                continue
            with open(entry.path, "rb") as handle:
                items.append(MailItem(entry.name, entry.stat().st_size, read_headers(handle)))
        return items

    def fetch(self, refs: list[str]) -> Iterator[tuple[str, bytes]]:
        for ref in refs:
            yield ref, (self.path / ref).read_bytes()

    def move(self, refs: list[str], folder: str) -> int:
        target = self.path / folder.strip("/")
        target.mkdir(parents=True, exist_ok=True)
        for ref in refs:
            os.replace(self.path / ref, target / ref)
        return len(refs)

    def close(self) -> None:
        pass


def open_local(kind: str, path: Path) -> MailSource:
    try:
        if kind == "maildir":
            return MaildirSource(path)
        if kind == "mbox":
            return MboxSource(path)
        return EmlFolder(path)
    except PermissionError:
        raise SheetReturnsError(f"no permission to read {path}: check the folder's permissions") from None

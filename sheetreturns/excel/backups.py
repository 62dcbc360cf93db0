"""Backups of a workbook: made before each save that changes it, kept so that "undo yesterday" always works.

A backup is the workbook as it was just before a sync (or a restore) replaced it. What is kept: the
newest `last` backups, plus the first backup of each of the newest `days` days on which the workbook
changed (that one holds the file as it stood before that day's changes). A sync that changes
nothing makes no backup, so quiet days cost nothing and push nothing out.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SheetReturnsError

STAMP = "%Y%m%d-%H%M%S-%f"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    size: int

    def as_dict(self) -> dict:
        return {"name": self.path.name, "path": str(self.path), "taken": self.taken.isoformat(timespec="seconds"),
                "size": self.size}


def list_backups(workbook: Path, folder: Path) -> list[Backup]:
    """This workbook's backups in its backup folder, oldest first (another workbook's never match)."""
    from .safe_save import BACKUP_NAME, is_backup_of

    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        path = Path(entry.path)
        if entry.is_file() and is_backup_of(path, workbook):
            stamp = BACKUP_NAME.match(entry.name)["stamp"]
            found.append(Backup(path, datetime.strptime(stamp, STAMP), entry.stat().st_size))
    return sorted(found, key=lambda b: b.taken)


def to_keep(backups: list[Backup], last: int, days: int) -> list[Backup]:
    """The backups retention keeps: the newest `last`, and the first of each of the newest `days` days."""
    if last <= 0:
        return []
    ordered = sorted(backups, key=lambda b: b.taken)
    keep = {b.path for b in ordered[-last:]}
    firsts: dict[object, Backup] = {}
    for item in ordered:
        firsts.setdefault(item.taken.date(), item)
    for day in sorted(firsts)[-days:] if days > 0 else []:
        keep.add(firsts[day].path)
    return [b for b in ordered if b.path in keep]


def prune(workbook: Path, folder: Path, last: int, days: int, newest: Path | None = None) -> None:
    """Delete this workbook's backups that retention no longer keeps (never `newest`, the one just made)."""
    everything = list_backups(workbook, folder)
    kept = {b.path for b in to_keep(everything, last, days)} | ({newest} if newest else set())
    for item in everything:
        if item.path not in kept:
            item.path.unlink(missing_ok=True)


def find_backup(workbook: Path, folder: Path, wanted: str) -> Backup:
    """A backup named by its file name, its path, or its number in the list (1 = the newest)."""
    backups = list_backups(workbook, folder)
    if wanted.strip().isdigit():
        number = int(wanted)
        if 1 <= number <= len(backups):
            return backups[-number]
    for item in backups:
        if wanted in (item.path.name, str(item.path)) or Path(wanted).expanduser().resolve() == item.path.resolve():
            return item
    if not backups:
        raise SheetReturnsError(f"{workbook.name} has no backups in {folder}: a backup is made each time a sync "
                                f"changes it")
    raise SheetReturnsError(f"{wanted!r} is not a backup of {workbook.name}: run `sheetreturns backups "
                            f"{workbook}` to list them (by number, 1 = the newest, or by name)")


def restore_backup(workbook: Path, folder: Path, wanted: str, last: int, days: int) -> tuple[Backup, Path | None]:
    """Put a backup back in place of the workbook, atomically; the current file becomes a backup first.

    Returns the backup restored and the backup made of the file it replaced (None if there was none).
    """
    import zipfile

    from .safe_save import Fingerprint, atomic_replace, refuse_if_open

    chosen = find_backup(workbook, folder, wanted)
    if not zipfile.is_zipfile(chosen.path):
        raise SheetReturnsError(f"the backup {chosen.path.name} is not a readable workbook: choose another one")
    data = chosen.path.read_bytes()  # read first: keeping the current file may rotate this backup out

    def write(out) -> None:
        out.write(data)

    if not workbook.exists():
        temp = workbook.with_name(f".{workbook.name}.restoring-{os.getpid()}")
        temp.write_bytes(data)
        os.replace(temp, workbook)
        return chosen, None
    refuse_if_open(workbook)
    kept = atomic_replace(workbook, write, fingerprint=Fingerprint.of(workbook), backups=max(last, 1),
                          backup_dir=folder, backup_days=days)
    return chosen, kept

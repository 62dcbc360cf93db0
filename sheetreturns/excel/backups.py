"""Backups of a workbook: made before each save that changes it, kept so that "undo yesterday" always works.

A backup is the workbook as it was just before a sync (or a restore) replaced it. What is kept: the
newest `last` backups, plus the first backup of each of the newest `days` days on which the workbook
changed (that one holds the file as it stood before that day's changes). A sync that changes
nothing makes no backup, so quiet days cost nothing and push nothing out.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SheetReturnsError

STAMP = "%Y%m%d-%H%M%S-%f"
_STAMP_PATTERN = r"(\d{8}-\d{6}-\d{6})"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime
    size: int

    def as_dict(self) -> dict:
        return {"name": self.path.name, "path": str(self.path), "taken": self.taken.isoformat(timespec="seconds"),
                "size": self.size}


def backup_name(workbook: Path, taken: datetime) -> str:
    return f"{workbook.stem}.{taken.strftime(STAMP)}{workbook.suffix}"


def list_backups(workbook: Path, folder: Path) -> list[Backup]:
    """This workbook's backups in `folder`, oldest first (another workbook's never match)."""
    pattern = re.compile(re.escape(workbook.stem) + r"\." + _STAMP_PATTERN + re.escape(workbook.suffix) + "$")
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match and entry.is_file():
            found.append(Backup(Path(entry.path), datetime.strptime(match[1], STAMP), entry.stat().st_size))
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


def make_backup(workbook: Path, folder: Path, last: int, days: int, now: datetime | None = None) -> Path | None:
    """Copy the workbook into `folder` as it is now, then drop backups retention no longer keeps."""
    if last <= 0:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    taken = now or datetime.now()
    target = folder / backup_name(workbook, taken)
    while target.exists():  # two saves in one microsecond: never overwrite a backup
        taken = taken.replace(microsecond=(taken.microsecond + 1) % 1_000_000)
        target = folder / backup_name(workbook, taken)
    shutil.copy2(workbook, target)
    everything = list_backups(workbook, folder)
    kept = {b.path for b in to_keep(everything, last, days)} | {target}
    for item in everything:
        if item.path not in kept:
            item.path.unlink(missing_ok=True)
    return target


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

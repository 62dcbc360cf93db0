"""Never a broken workbook: lock-file checks, change detection, backups, and the atomic swap."""
from __future__ import annotations

import os
import re
import stat
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Callable

from ..errors import SheetReturnsError
from ..replace_file import why_not_replaced
from ..state import FILE_MODE, ensure_dir, open_private, pid_alive

DEFAULT_BACKUP_DAYS = 30  # besides the newest `backups`, the first backup of each of this many days

TEMP_MARK = ".sheetreturns-tmp"


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "Fingerprint":
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (~$NAME.xlsx) and LibreOffice (.~lock.NAME.xlsx#) keep beside a file they have open."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:
        candidates.append(path.with_name("~$" + path.name[2:]))  # Excel shortens long names this way
    return [c for c in candidates if c.exists()]


def refuse_if_open(path: Path) -> None:
    found = lock_files(path)
    if found:
        raise SheetReturnsError(
            f"{path.name} is open in Excel or LibreOffice (lock file {found[0].name}): close it and run again; "
            f"nothing was written"
        )


def refuse_if_read_only(path: Path) -> None:
    """Stop before anything is sent when the workbook (through any symlink) or its folder cannot be written."""
    real = Path(os.path.realpath(path))
    try:
        mode = real.stat().st_mode
    except OSError:
        return  # a missing file is reported by the write itself
    if not mode & stat.S_IWUSR or not os.access(real, os.W_OK):
        raise SheetReturnsError(
            f"{path.name} is read-only: make it writable (in Windows: Properties, untick Read-only) and run "
            f"again; nothing was sent or written")
    probe = real.with_name(f".{real.name}{TEMP_MARK}-probe-{os.getpid()}")
    try:
        os.close(open_private(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        probe.unlink()
    except FileExistsError:
        probe.unlink(missing_ok=True)
    except OSError as exc:
        raise SheetReturnsError(
            f"the folder {real.parent} cannot be written ({exc.strerror or exc}), so {path.name} cannot be saved "
            f"there: fix the folder's permissions and run again; nothing was sent or written") from None


def check_unchanged(path: Path, fingerprint: Fingerprint) -> None:
    try:
        now = Fingerprint.of(path)
    except FileNotFoundError:
        raise SheetReturnsError(f"{path.name} was moved or deleted while sheetreturns was working; nothing was written") from None
    if now != fingerprint:
        raise SheetReturnsError(
            f"{path.name} changed on disk while sheetreturns was working (someone saved it): nothing was written; "
            f"run again"
        )


def remove_stale_temps(path: Path) -> None:
    """Temp files left by a run that was killed mid-write (the workbook itself was never touched)."""
    for stale in path.parent.glob(f".{path.name}{TEMP_MARK}-*"):
        try:
            pid = int(stale.name.rsplit("-", 1)[-1])
        except ValueError:
            continue
        if not pid_alive(pid):
            stale.unlink(missing_ok=True)


BACKUP_NAME = re.compile(r"^(?P<stem>.+)\.(?P<stamp>\d{8}-\d{6}-\d{6})(?P<suffix>\.xls[xm])$", re.IGNORECASE)


def backup_name(path: Path, when: datetime) -> str:
    return f"{path.stem}.{when:%Y%m%d-%H%M%S-%f}{path.suffix}"


def is_backup_of(candidate: Path, path: Path) -> bool:
    """Whether `candidate` is a backup of `path` by name: exactly its stem, a stamp, its suffix."""
    found = BACKUP_NAME.match(candidate.name)
    return bool(found and found["stem"] == path.stem and found["suffix"].lower() == path.suffix.lower())


def backup(path: Path, backup_dir: Path, keep: int, days: int = DEFAULT_BACKUP_DAYS,
           now: datetime | None = None) -> Path | None:
    """Copy the current workbook into its own backup folder (private), then prune it (see excel/backups.py).

    `backup_dir` holds this workbook's backups only (one folder per workbook, by its real path), and only
    names of exactly this workbook's form are ever pruned."""
    from .backups import prune

    if keep <= 0:
        return None
    ensure_dir(backup_dir)
    when = now or datetime.now()
    target = backup_dir / backup_name(path, when)
    while target.exists():  # two saves in one microsecond: never overwrite a backup
        when += timedelta(microseconds=1)
        target = backup_dir / backup_name(path, when)
    with open(path, "rb") as source, os.fdopen(open_private(target), "wb") as copy:
        shutil.copyfileobj(source, copy, 1 << 20)
    shutil.copystat(path, target)
    os.chmod(target, FILE_MODE)
    prune(path, backup_dir, keep, days, newest=target)
    return target


def atomic_replace(path: Path, write: Callable[[BinaryIO], None], *, fingerprint: Fingerprint, backups: int,
                   backup_dir: Path, backup_days: int = DEFAULT_BACKUP_DAYS) -> Path | None:
    """Write the new workbook beside the old one, then swap it in; a crash leaves the old or the new file.

    A symlinked workbook is written through to its target (the link stays a link). The temp file is private
    while it is written and takes the workbook's own permissions just before the swap."""
    path = Path(os.path.realpath(path))
    remove_stale_temps(path)
    temp = path.with_name(f".{path.name}{TEMP_MARK}-{os.getpid()}")
    try:
        with os.fdopen(open_private(temp), "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        shutil.copymode(path, temp)
        refuse_if_open(path)
        check_unchanged(path, fingerprint)
        saved = backup(path, backup_dir, backups, backup_days)
        try:
            os.replace(temp, path)
        except OSError as exc:
            raise SheetReturnsError(f"{why_not_replaced(path, exc)}; nothing was written") from exc
    except OSError as exc:  # the temp file or the backup could not be written (a full disk, say)
        temp.unlink(missing_ok=True)
        raise SheetReturnsError(
            f"cannot save {path.name} ({exc.strerror or exc}): nothing was written; free disk space or fix the "
            f"permissions and run again") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return saved


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

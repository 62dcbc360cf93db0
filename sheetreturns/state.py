"""Where a sheet's state lives, and one run at a time per sheet.

A sheet's state (the email journal, the intake journal, the Return IDs assigned before they reached the
sheet, and the workbook's backups) is keyed by the sheet itself: the workbook's resolved real path, or the
Google Sheet's key. It lives beside sheetreturns.toml when one is in use (or in its ``state_dir``), else in
the user's state folder, never in whatever folder a command happened to be started from. State that an
earlier version kept in ``.sheetreturns`` in the working folder is moved there the first time it is needed.

The run lock is in the user's state folder whatever the config says, so two runs on the same sheet exclude
each other from anywhere. It is an operating-system lock (``flock`` on POSIX, filelock's ``msvcrt``
lock on Windows) that dies with its process, so a killed run never leaves a stale lock behind. Where neither exists
the lock is a file; one left by a run that died is taken over once the process it names is gone.

Everything written here is private: folders 0700 and files 0600 from the moment they are created.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import SheetReturnsError

if TYPE_CHECKING:
    from .settings.config_file import Config

APP = "sheetreturns"
LEGACY_FOLDER = ".sheetreturns"
STATE_ENV = "SHEETRETURNS_STATE_DIR"  # overrides the user's state folder (hosting, tests)
FOLDER_MODE, FILE_MODE = 0o700, 0o600


# -- which sheet ---------------------------------------------------------------------------------

def state_key(source: str) -> str:
    """What identifies a sheet: ``gsheet:KEY`` for a Google Sheet, else the workbook's resolved real path."""
    from .sheet.workbook import google_key

    key = google_key(source)
    if key is not None:
        return f"gsheet:{key}"
    return os.path.realpath(os.path.expanduser(source))


def source_slug(source: str) -> str:
    """A short, file-name-safe name for a sheet, the same from any folder and through any symlink."""
    key = state_key(source)
    name = "gsheet" if key.startswith("gsheet:") else Path(key).stem
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40]
    return f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def _legacy_slug(source: str) -> str:
    """The name earlier versions gave a sheet's files (Google links were not reduced to their key)."""
    key = source if "://" in source or source.startswith("gsheet:") else str(Path(source).resolve())
    name = Path(source).stem if "://" not in source and not source.startswith("gsheet:") else "gsheet"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40]
    return f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


# -- private folders and files ---------------------------------------------------------------------

def user_state_dir() -> Path:
    """The user's state folder for sheetreturns (``SHEETRETURNS_STATE_DIR`` overrides it)."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override).expanduser()
    try:
        from platformdirs import user_state_path

        return user_state_path(APP, appauthor=False)
    except Exception:  # platformdirs cannot tell on this system
        return Path.home() / ".local" / "state" / APP


def ensure_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as folders only this user can open."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for folder in reversed(missing):
            try:
                os.mkdir(folder, FOLDER_MODE)
            except FileExistsError:
                continue
            os.chmod(folder, FOLDER_MODE)  # the umask cannot widen it, and cannot narrow it to unusable
        if not path.is_dir():
            raise NotADirectoryError(f"{path} is not a folder")
    except OSError as exc:
        raise SheetReturnsError(f"cannot create the state folder {path}: {exc.strerror or exc}") from None
    return path


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """os.open a file that is 0600 from the moment it exists."""
    return os.open(path, flags | getattr(os, "O_BINARY", 0), FILE_MODE)


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` atomically (temp file, fsync, rename), the file 0600 throughout. Without `durable`
    the file is not synced to disk first (a power cut may then lose it, never leave it half written)."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    descriptor = open_private(temp)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# -- where a sheet's state lives -----------------------------------------------------------------------

def default_state_dir(config_path: Path | None) -> Path:
    """Beside sheetreturns.toml when there is one, else the user's state folder."""
    return config_path.parent / LEGACY_FOLDER if config_path else user_state_dir()


def _pointer(source: str) -> Path:
    return user_state_dir() / "sheets" / f"{source_slug(source)}.json"


def _holds_state(folder: Path, source: str) -> bool:
    slug = source_slug(source)
    return any((folder / f"{slug}{suffix}").exists() for suffix in _STATE_SUFFIXES)


def sheet_state_dir(config: "Config", source: str) -> Path:
    """The one folder holding `source`'s state. The config's folder (beside sheetreturns.toml, else the user's
    state folder), unless the sheet's state already lives elsewhere, where another config (or an earlier run
    from another folder) put it: then there, so a second config for the same sheet cannot start a second
    journal. A ``state_dir`` set in the config is always used (the state is moved there)."""
    chosen = Path(config.state_dir).absolute()
    pointer = _pointer(source)
    try:
        registered = Path(json.loads(pointer.read_text(encoding="utf-8"))["state_dir"])
    except (OSError, ValueError, KeyError, TypeError):
        registered = None
    if registered is not None and registered != chosen and not config.state_dir_set \
            and _holds_state(registered, source):
        return registered
    return chosen


def _register(state_dir: Path, source: str) -> None:
    """Note where this sheet's state lives, for runs through another config (best effort)."""
    pointer = _pointer(source)
    here = str(Path(state_dir).absolute())
    try:
        if json.loads(pointer.read_text(encoding="utf-8")).get("state_dir") == here:
            return
    except (OSError, ValueError, AttributeError):
        pass
    try:
        ensure_dir(pointer.parent)
        write_private(pointer, json.dumps({"state_dir": here, "sheet": state_key(source)}).encode())
    except (OSError, SheetReturnsError):
        pass  # no user state folder: the config's folder is all there is


def backup_folder(state_dir: Path, source: str) -> Path:
    """The folder holding this workbook's backups, and nothing else's."""
    return Path(state_dir) / "backups" / source_slug(source)


def lock_folder(state_dir: Path) -> Path:
    return user_state_dir() / "locks"


# -- one run at a time per sheet ---------------------------------------------------------------------

def pid_alive(pid: int) -> bool:
    """Whether process `pid` is still running on this machine (POSIX: signal 0; Windows: OpenProcess)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists, owned by someone else
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


_FLOCK = "flock"  # _lock_type's answer where fcntl has flock: the lock is taken here, without filelock


def _lock_type():
    """How the run lock locks, and whether it is an OS lock that dies with its process rather than a lock file,
    which outlives a killed process: flock where the system has it (POSIX), else filelock's choice (msvcrt on
    Windows, a lock file where there is neither)."""
    try:
        import fcntl
    except ImportError:
        fcntl = None
    if fcntl is not None and hasattr(fcntl, "flock"):
        return _FLOCK, True
    return _filelock_type()


def _filelock_type():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # filelock warns when only a lock file is possible: run_lock handles it
        import filelock
    return filelock.FileLock, filelock.FileLock is not filelock.SoftFileLock


class _Lock:
    """A non-blocking exclusive lock on a file: an OS lock, released when closed or when the process dies,
    where the system has one (``dies_with_process``); else a lock file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._timeout: type[Exception] | tuple = ()  # filelock's Timeout, when filelock locks
        kind, self.dies_with_process = _lock_type()
        self._flock = kind == _FLOCK
        if not self._flock:
            self._use_filelock(kind)

    def _use_filelock(self, kind) -> None:
        from filelock import Timeout  # after _filelock_type, which imports filelock without its warning

        self._flock = False
        self._timeout = Timeout
        self._lock = kind(str(self.path), timeout=0, mode=FILE_MODE, is_singleton=False)

    def acquire(self) -> bool:
        try:
            if self._flock:
                return self._acquire_flock()
            self._lock.acquire(timeout=0)
        except self._timeout:
            return False
        except OSError as exc:  # a lock file cannot be written: a full disk, a read-only folder
            raise SheetReturnsError(f"cannot write the run lock {self.path} ({exc.strerror or exc}): nothing was "
                                    f"read and no email goes out; free disk space or make the folder writable, "
                                    f"then run again") from None
        return True

    def _acquire_flock(self) -> bool:
        import fcntl

        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd, created = open_private(self.path, flags | os.O_CREAT | os.O_EXCL), True
        except FileExistsError:
            fd, created = open_private(self.path, flags), False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK):
                return False  # held by another run
            if exc.errno in (errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOLCK):  # a file system without flock
                if created:  # there a lock file that exists is a held lock: not this one, made only to try
                    self.path.unlink(missing_ok=True)
                kind, self.dies_with_process = _filelock_type()
                self._use_filelock(kind)
                return self.acquire()
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if not self._flock:
            self._lock.release(force=True)
        elif self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the file releases its flock


@contextmanager
def run_lock(state_dir: Path, source: str, also: tuple[Path, ...] = ()) -> Iterator[None]:
    """Hold the run lock for `source`; a second run on the same sheet, started from anywhere, stops with an
    error instead of waiting. The first run also moves the sheet's state from where earlier versions kept it."""
    slug = source_slug(source)
    try:
        folder = ensure_dir(lock_folder(state_dir))
    except SheetReturnsError:  # no usable user state folder (a locked-down host): lock beside the state
        folder = ensure_dir(Path(state_dir))
    lock = _Lock(folder / f"{slug}.lock")
    holder_path = folder / f"{slug}.holder"
    if not lock.acquire() and not _took_over_from_dead_run(lock, holder_path):
        try:
            holder = json.loads(holder_path.read_text(encoding="utf-8"))
            who = f"pid {holder['pid']} on {holder['host']} since {holder['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            who = "another process"
        name = Path(source).name if google_or_none(source) is None else source
        hint = "" if lock.dies_with_process else f"; if none is, delete {lock.path}"
        raise SheetReturnsError(f"another sync of {name} is running ({who}): wait for it to finish{hint}")
    try:
        try:
            write_private(holder_path, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                                   "since": f"{datetime.now():%Y-%m-%d %H:%M:%S}",
                                                   "sheet": state_key(source)}).encode(), durable=False)
        except OSError:
            pass  # only used to say who holds the lock (not synced: a run waits for no disk)
        adopt_legacy_state(state_dir, source, locked=True, also=also)
        _register(state_dir, source)
        yield
    finally:
        holder_path.unlink(missing_ok=True)
        lock.release()


def _took_over_from_dead_run(lock: _Lock, holder_path: Path) -> bool:
    """A lock file (no OS lock here) left by a run on this computer whose process is gone: take it over."""
    if lock.dies_with_process:
        return False  # the OS released a dead run's lock itself: a held lock is a live run
    try:
        holder = json.loads(holder_path.read_text(encoding="utf-8"))
        dead = holder["host"] == socket.gethostname() and not pid_alive(int(holder["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not dead:
        return False
    lock.path.unlink(missing_ok=True)
    return lock.acquire()


def google_or_none(source: str) -> str | None:
    from .sheet.workbook import google_key

    return google_key(source)


# -- state an earlier version kept elsewhere --------------------------------------------------------------

_STATE_SUFFIXES = (".emails.sqlite", ".emails.log", ".intake.jsonl", ".assigned-ids.json", ".imports.json")
_OLD_BACKUP = r"\.\d{8}-\d{6}-\d{6}"


def legacy_folders(state_dir: Path, source: str, also: tuple[Path, ...] = ()) -> list[Path]:
    """Folders that may hold this sheet's state but are not where it lives now: ``.sheetreturns`` in the
    working folder and beside the workbook (where earlier versions kept it), and the folder another config
    last kept it in."""
    here = Path(state_dir).resolve()
    candidates = [Path.cwd() / LEGACY_FOLDER, *map(Path, also)]
    if google_or_none(source) is None:
        candidates.append(Path(state_key(source)).parent / LEGACY_FOLDER)
    try:
        candidates.append(Path(json.loads(_pointer(source).read_text(encoding="utf-8"))["state_dir"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = []
    for folder in candidates:
        try:
            if folder.is_dir() and folder.resolve() != here and folder.resolve() not in found:
                found.append(folder.resolve())
        except OSError:
            continue
    return found


def _legacy_files(folder: Path, source: str) -> list[Path]:
    names = {_legacy_slug(source), source_slug(source)}
    files = [folder / f"{slug}{suffix}" for slug in names for suffix in _STATE_SUFFIXES]
    files = [f for f in files if f.exists()]
    if google_or_none(source) is None:
        stem, suffix = Path(state_key(source)).stem, Path(state_key(source)).suffix
        pattern = re.compile(re.escape(stem) + _OLD_BACKUP + re.escape(suffix) + "$")
        backups = folder / "backups"
        if backups.is_dir():
            files += [p for p in backups.iterdir() if p.is_file() and pattern.match(p.name)]
    return files


def adopt_legacy_state(state_dir: Path, source: str, *, locked: bool = False, also: tuple[Path, ...] = ()) -> list[Path]:
    """Move this sheet's state from where earlier versions kept it into `state_dir`, losing nothing: a file
    that already exists at the new place is merged with the old one. Returns the files moved.

    Without `locked` (commands that read only), the move happens only if no run holds the sheet's lock."""
    moves = [(folder, f) for folder in legacy_folders(state_dir, source, also) for f in _legacy_files(folder, source)]
    if not moves:
        return []
    if not locked:
        with _try_lock(state_dir, source) as got:
            if not got:
                return []
            moved = adopt_legacy_state(state_dir, source, locked=True, also=also)
            _register(state_dir, source)
            return moved
    target_dir = ensure_dir(Path(state_dir))
    slug = source_slug(source)
    moved = []
    for folder, old in moves:
        if old.parent.name == "backups":
            new = ensure_dir(backup_folder(target_dir, source)) / old.name
        else:
            new = target_dir / (slug + old.name[old.name.index("."):])
        try:
            _merge_into(old, new)
        except (OSError, sqlite3.Error, ValueError) as exc:
            raise SheetReturnsError(
                f"cannot move the sheet's state from {old} to {new} ({exc}): fix the folder's permissions and "
                f"run again; nothing was sent"
            ) from None
        moved.append(new)
        try:
            with open(folder / "MOVED.txt", "a", encoding="utf-8") as note:
                note.write(f"sheetreturns now keeps each sheet's state in one place: {old.name} moved to {new}\n")
        except OSError:
            pass
    return moved


@contextmanager
def _try_lock(state_dir: Path, source: str) -> Iterator[bool]:
    try:
        lock = _plain_lock(state_dir, source)
        lock.__enter__()
    except SheetReturnsError:
        yield False
        return
    try:
        yield True
    finally:
        lock.__exit__(None, None, None)


@contextmanager
def _plain_lock(state_dir: Path, source: str) -> Iterator[None]:
    try:
        folder = ensure_dir(lock_folder(state_dir))
    except SheetReturnsError:
        folder = ensure_dir(Path(state_dir))
    lock = _Lock(folder / f"{source_slug(source)}.lock")
    if not lock.acquire():
        raise SheetReturnsError("busy")
    try:
        yield
    finally:
        lock.release()


def _merge_into(old: Path, new: Path) -> None:
    """Move `old` to `new`; if `new` exists, merge the two so that nothing either holds is lost."""
    if not new.exists():
        _move(old, new)
        return
    name = new.name
    if name.endswith(".emails.sqlite"):
        _merge_email_journals(old, new)
    elif name.endswith(".emails.log"):
        with open(new, "ab") as target:  # the journal folds both logs' records; records are idempotent
            target.write(old.read_bytes())
            os.fsync(target.fileno())
    elif name.endswith(".intake.jsonl"):
        have = set(new.read_text(encoding="utf-8").splitlines())
        extra = [line for line in old.read_text(encoding="utf-8").splitlines() if line and line not in have]
        if extra:
            # older lines first, so the newer journal's latest outcome per message still wins
            write_private(new, ("\n".join(extra) + "\n" + new.read_text(encoding="utf-8")).encode())
    elif name.endswith(".imports.json"):
        # kept beside the newer one (the sheet itself stops rows being added twice)
        _move(old, new.with_name(f"{new.name}.earlier-{datetime.now():%Y%m%d-%H%M%S}"))
        return
    elif name.endswith(".assigned-ids.json"):
        ids = json.loads(old.read_text(encoding="utf-8")).get("ids", {})
        ids.update(json.loads(new.read_text(encoding="utf-8")).get("ids", {}))
        write_private(new, json.dumps({"ids": dict(sorted(ids.items()))}, indent=0).encode())
    else:
        return  # a backup of the same name and moment: the same copy
    old.unlink()


def _merge_email_journals(old: Path, new: Path) -> None:
    """Every message the old journal knows is kept; where both know one, a finished state wins."""
    from .emails.journal import DONE, Journal

    with Journal(old):  # folds the old log into the old database
        pass
    db = sqlite3.connect(str(new), isolation_level=None, timeout=10)
    try:
        db.execute("ATTACH DATABASE ? AS old", (str(old),))
        db.execute("BEGIN IMMEDIATE")
        done = ", ".join("?" for _ in DONE)
        db.execute(f"""INSERT OR REPLACE INTO messages SELECT o.* FROM old.messages o
                       LEFT JOIN messages n ON n.return_id = o.return_id AND n.kind = o.kind
                       WHERE n.return_id IS NULL OR (o.state IN ({done}) AND n.state NOT IN ({done}))""",
                   [*DONE, *DONE])
        db.execute("""INSERT OR IGNORE INTO events (record, time, return_id, kind, recipient, subject, outcome, detail)
                      SELECT record, time, return_id, kind, recipient, subject, outcome, detail FROM old.events
                      ORDER BY id""")
        db.execute("COMMIT")
        db.execute("DETACH DATABASE old")
    finally:
        db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(old) + suffix).unlink(missing_ok=True)


def _move(old: Path, new: Path) -> None:
    try:
        os.replace(old, new)
    except OSError:  # another file system
        shutil.copy2(old, new)
        with open(new, "rb+") as handle:
            os.fsync(handle.fileno())
        old.unlink()
    os.chmod(new, FILE_MODE)
    for suffix in ("-wal", "-shm"):  # SQLite's side files travel with their database
        side = Path(str(old) + suffix)
        if side.exists():
            _move(side, Path(str(new) + suffix))


# -- Return IDs assigned before they reached the sheet -------------------------------------------------------

def _ids_path(state_dir: Path, source: str) -> Path:
    return Path(state_dir) / f"{source_slug(source)}.assigned-ids.json"


def remembered_ids(state_dir: Path, source: str) -> dict[tuple[str, str, str], str]:
    """Return IDs earlier runs assigned to rows that had none, by (order, sku, email); {} if none or unreadable."""
    try:
        data = json.loads(_ids_path(state_dir, source).read_text(encoding="utf-8"))
        return {tuple(key.split("\t")): value for key, value in data.get("ids", {}).items() if key.count("\t") == 2}
    except (OSError, ValueError, AttributeError):
        return {}


def remember_ids(state_dir: Path, source: str, assigned: dict[tuple[str, str, str], str]) -> None:
    """Keep the IDs this run assigned (until they are on the sheet), so a failed write cannot renumber them."""
    path = _ids_path(state_dir, source)
    if not assigned:
        path.unlink(missing_ok=True)
        return
    ensure_dir(Path(state_dir))
    try:
        write_private(path, json.dumps({"ids": {"\t".join(k): v for k, v in sorted(assigned.items())}},
                                       indent=0).encode())
    except OSError as exc:
        raise SheetReturnsError(
            f"cannot write {path} ({exc.strerror or exc}): stopped before sending anything, so that no email goes "
            f"out under a Return ID the sheet does not keep; free disk space or fix the folder's permissions and "
            f"run again") from None

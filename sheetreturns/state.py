"""The state folder: one run at a time per source, and where journals, backups and logs live."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from .errors import SheetReturnsError


def source_slug(source: str) -> str:
    """A short, file-name-safe name for a source, stable across runs."""
    key = source if "://" in source or source.startswith("gsheet:") else str(Path(source).resolve())
    name = Path(source).stem if "://" not in source and not source.startswith("gsheet:") else "gsheet"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:40]
    return f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def ensure_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SheetReturnsError(f"cannot create the state folder {path}: {exc.strerror or exc}") from None
    return path


@contextmanager
def run_lock(state_dir: Path, source: str) -> Iterator[None]:
    """Hold the run lock for `source`; a second run on the same source stops with an error instead of waiting."""
    folder = ensure_dir(state_dir)
    path = folder / f"{source_slug(source)}.lock"
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SheetReturnsError(
                f"another sync of {Path(source).name if '://' not in source else source} is running ({holder}): "
                f"wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def _ids_path(state_dir: Path, source: str) -> Path:
    return state_dir / f"{source_slug(source)}.assigned-ids.json"


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
    ensure_dir(state_dir)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"ids": {"\t".join(k): v for k, v in sorted(assigned.items())}}, indent=0),
                    encoding="utf-8")
    os.replace(temp, path)

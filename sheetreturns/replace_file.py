"""Swapping a finished file into place, with an error that says what happened on every platform.

On Windows a file another program holds open (Excel, Explorer's preview pane, a OneDrive or Dropbox
sync, a virus scanner) cannot be replaced: ``os.replace`` fails with PermissionError ("Access is
denied", or "being used by another process"). On Linux and macOS the swap itself succeeds and a
PermissionError means the folder is not writable. Each gets its own sentence.
"""
from __future__ import annotations

import os
from pathlib import Path

# Windows error codes os.replace gives for a target another program holds: access denied, sharing
# violation, lock violation.
_HELD_ELSEWHERE = {5, 32, 33}
ON_WINDOWS = os.name == "nt"


def held_by_another_program(exc: OSError) -> bool:
    """Whether a failed replace means, on Windows, that another program has the file open."""
    if not isinstance(exc, PermissionError):
        return False
    code = getattr(exc, "winerror", None)
    return code in _HELD_ELSEWHERE if code is not None else ON_WINDOWS


def why_not_replaced(path: Path, exc: OSError) -> str:
    """A sentence (no "Error:") saying why `path` could not be replaced and what to do."""
    if held_by_another_program(exc):
        return (f"{path.name} is open in another program (Excel, Explorer's preview pane, OneDrive or "
                f"Dropbox syncing it, or a virus scan), so Windows would not let it be replaced: close it "
                f"and run again")
    if isinstance(exc, PermissionError):
        return f"no permission to replace {path.name} in {path.parent}: check the folder is writable"
    return f"cannot replace {path.name} ({exc.strerror or exc})"


"""Windows without a Windows machine: the POSIX-only modules made unimportable, in this process and in every
Python process it starts.

`SHEETRETURNS_TEST_NO_FCNTL=1 python -m pytest` runs the whole suite that way (.ci/run does, after the normal
run): tests/conftest.py calls :func:`block_here_and_in_children` before any test module imports sheetreturns.
Child processes (the command line run as a seller runs it) get the same blocker through a `usercustomize`
module in a user site folder of their own (``PYTHONUSERBASE``), which survives the tests' own ``PYTHONPATH``.
The standard library keeps its real platform: forcing ``os.name`` would make pathlib and subprocess pretend,
which proves nothing.
"""
from __future__ import annotations

import atexit
import os
import shutil
import site
import sys
import sysconfig
import tempfile
from pathlib import Path

# Modules that exist only on POSIX systems. (msvcrt and winreg are absent here anyway.)
POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog", "crypt", "posix_ipc")

BLOCKER = '''
import importlib.abc, sys

class NotOnWindows(importlib.abc.MetaPathFinder):
    """fcntl cannot be imported by anyone, as on Windows (so filelock cannot lock with it either); the other
    POSIX-only modules cannot be imported by sheetreturns' own code. Libraries that choose their module by
    the real platform (click imports termios here and msvcrt on Windows) and the tests' own set-up (a
    pseudo-terminal, a resource limit, Dovecot's user) keep theirs."""
    EVERYONE = frozenset({{"fcntl"}})
    OURS = frozenset({blocked!r})

    def find_spec(self, name, path=None, target=None):
        if name not in self.OURS:
            return None
        if name not in self.EVERYONE:
            frame = sys._getframe(1)
            while frame is not None and "importlib" in frame.f_code.co_filename:
                frame = frame.f_back
            module = frame.f_globals.get("__name__", "") if frame is not None else ""
            if module == "__main__":  # python -m sheetreturns: the module's own name is in its spec
                module = getattr(frame.f_globals.get("__spec__"), "name", module)
            if module.split(".")[0] != "sheetreturns":
                return None
        raise ModuleNotFoundError(f"No module named {{name!r}} (as on Windows)", name=name)

for _name in NotOnWindows.EVERYONE:
    sys.modules.pop(_name, None)  # modules already holding it keep theirs; a new import fails
if not any(type(f).__name__ == "NotOnWindows" for f in sys.meta_path):
    sys.meta_path.insert(0, NotOnWindows())
'''


def blocker_source(blocked=POSIX_ONLY) -> str:
    return BLOCKER.format(blocked=tuple(sorted(blocked)))


def block_here_and_in_children() -> Path:
    """Block the POSIX-only modules in this process and, through ``PYTHONUSERBASE``, in its children.
    Returns the user base folder made for the children."""
    exec(compile(blocker_source(), "<without_fcntl>", "exec"), {})
    base = Path(tempfile.mkdtemp(prefix="sheetreturns-no-fcntl-"))
    atexit.register(shutil.rmtree, base, True)
    scheme = "nt_user" if os.name == "nt" else f"{os.name}_user"
    user_site = Path(sysconfig.get_path("purelib", scheme, vars={"userbase": str(base)}))
    user_site.mkdir(parents=True)
    (user_site / "usercustomize.py").write_text(blocker_source(), encoding="utf-8")
    os.environ["PYTHONUSERBASE"] = str(base)
    if not site.ENABLE_USER_SITE:
        sys.exit("SHEETRETURNS_TEST_NO_FCNTL needs Python's user site folder on (not a virtualenv without it)")
    return base

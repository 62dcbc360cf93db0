"""Windows without a Windows machine: no POSIX-only module is imported when a module loads, and the whole
command line runs in a child process where `fcntl` (and the other POSIX-only modules) cannot be imported,
printing to a cp1252 console."""
from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.without_fcntl import POSIX_ONLY, blocker_source

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sheetreturns"
# Modules that exist only on POSIX systems (or only on Windows): none may be imported when a module loads.
ONE_PLATFORM_ONLY = {*POSIX_ONLY, "posix", "msvcrt", "winreg", "_winapi", "nt"}

# Put on PYTHONPATH of a child process: the POSIX-only modules cannot be imported (tests/without_fcntl.py), and
# sheetreturns' own Windows switch is on. The standard library keeps its real platform.
WINDOWS_SWITCH = '''
import importlib.abc, sys

class WindowsSwitch(importlib.abc.MetaPathFinder):
    """After sheetreturns.replace_file loads, take its Windows branch."""
    def find_spec(self, name, path=None, target=None):
        if name != "sheetreturns.replace_file":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        real = spec.loader.exec_module
        def exec_module(module):
            real(module)
            module.ON_WINDOWS = True
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, WindowsSwitch())
'''



def top_level_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.slow
def test_no_module_imports_a_one_platform_module_when_it_loads():
    offenders = {str(p.relative_to(ROOT)): sorted(top_level_imports(p) & ONE_PLATFORM_ONLY)
                 for p in PACKAGE.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.fixture
def windows_like(tmp_path):
    """Environment for a child process: fcntl unimportable, cp1252 output, its own home and folders."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(blocker_source() + WINDOWS_SWITCH, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEETRETURNS_", "XDG_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]), PYTHONIOENCODING="cp1252", HOME=str(home),
               USERPROFILE=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"),
               XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


def run(env: dict, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "sheetreturns", *args], cwd=cwd, env=env, capture_output=True,
                          timeout=300)
    done.text = done.stdout.decode("cp1252")  # what a cp1252 console shows; raises if it is not cp1252
    done.err = done.stderr.decode("cp1252")
    return done


@pytest.mark.slow
def test_the_blocker_really_blocks_fcntl(windows_like, tmp_path):
    done = subprocess.run([sys.executable, "-c", "import fcntl"], env=windows_like, capture_output=True, text=True)
    assert done.returncode == 1 and "as on Windows" in done.stderr
    # termios from sheetreturns' own code fails too (a lazy import inside a function would be caught) ...
    done = subprocess.run([sys.executable, "-c", "import sheetreturns; exec('import termios', vars(sheetreturns))"],
                          env=windows_like, capture_output=True, text=True)
    assert done.returncode == 1 and "No module named 'termios' (as on Windows)" in done.stderr
    # ... while a library that picks its module by the real platform keeps it (click: termios, or msvcrt)
    done = subprocess.run([sys.executable, "-c", "import click._termui_impl"], env=windows_like,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-c", "import sheetreturns.replace_file as r; print(r.ON_WINDOWS)"],
                          env=windows_like, capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr


@pytest.mark.slow
def test_the_whole_command_line_runs_without_fcntl_on_a_cp1252_console(windows_like, tmp_path):
    shop = tmp_path / "shop"
    shop.mkdir()
    shutil.copy(ROOT / "examples" / "returns.xlsx", shop / "returns.xlsx")
    (shop / "sheetreturns.toml").write_text('source = "returns.xlsx"\n', encoding="utf-8")

    version = run(windows_like, shop, "--version")
    assert version.returncode == 0 and "version" in version.text

    checked = run(windows_like, shop, "check", "--as-of", "2026-11-26")
    assert checked.returncode == 1, checked.err  # the example has problems to show
    assert "Problems (12)" in checked.text and "48 rows in 45 returns" in checked.text

    synced = run(windows_like, shop, "sync", "--as-of", "2026-11-26", "--outbox", "outbox")
    assert synced.returncode == 0, synced.err
    assert "saved returns.xlsx" in synced.text
    assert len(list((shop / "outbox").glob("*.eml"))) == 11

    again = run(windows_like, shop, "sync", "--as-of", "2026-11-26", "--outbox", "outbox", "--json")
    assert again.returncode == 0, again.err
    assert json.loads(again.text)["emails"] == []  # nothing is emailed twice

    report = run(windows_like, shop, "report", "--as-of", "2026-11-26")
    assert report.returncode == 0, report.err
    assert "£89.00" in report.text  # £ is in cp1252 and shows as itself
    assert "Notice -> item received" in report.text  # → is not: a look-alike instead of a crash

    config = run(windows_like, shop, "config", "check")
    assert config.returncode == 0, config.err + config.text

    made = run(windows_like, shop, "init", "new.xlsx")
    assert made.returncode == 0, made.err
    assert (shop / "new.xlsx").exists()
    assert run(windows_like, shop, "check", "new.xlsx").returncode in (0, 1)




LOCK_SCRIPT = """
import os, signal, sys
from sheetreturns.errors import SheetReturnsError
from sheetreturns.state import _Lock, run_lock
assert not _Lock(__import__("pathlib").Path(sys.argv[1]) / "probe").dies_with_process  # a lock file, as said
if sys.argv[3] == "die":
    with run_lock(sys.argv[1], sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # a run killed while it holds the lock
try:
    with run_lock(sys.argv[1], sys.argv[2]):
        if sys.argv[3] == "hold":
            print("holding", flush=True)
            sys.stdin.readline()
        print("locked")
except SheetReturnsError as exc:
    print(exc)
"""


@pytest.mark.slow
@pytest.mark.posix  # SIGKILL
def test_without_an_os_lock_a_dead_runs_lock_file_is_taken_over_and_a_live_one_excludes(windows_like, tmp_path):
    state, sheet = str(tmp_path / "state"), str(tmp_path / "returns.xlsx")
    windows_like["SHEETRETURNS_STATE_DIR"] = state

    def lock(mode, **kw):
        return subprocess.run([sys.executable, "-c", LOCK_SCRIPT, state, sheet, mode], env=windows_like,
                              capture_output=True, text=True, timeout=60, **kw)

    died = lock("die")
    assert died.returncode == -9, died.stderr
    assert list(Path(state).rglob("*.lock")), "the killed run left its lock file"
    after = lock("once")
    assert after.stdout.strip() == "locked", after.stdout + after.stderr  # taken over: the process is gone
    assert "soft file lock" not in after.stderr  # no library warning reaches the seller

    holder = subprocess.Popen([sys.executable, "-c", LOCK_SCRIPT, state, sheet, "hold"], env=windows_like,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        second = lock("once")
        assert second.stdout.startswith("another sync of returns.xlsx is running (pid "), second.stdout
        assert "if none is, delete " in second.stdout and ".lock" in second.stdout
    finally:
        holder.communicate("\n", timeout=60)
    assert lock("once").stdout.strip() == "locked"  # released when the run ended


def test_probe_fcntl_is_importable_exactly_when_the_suite_runs_normally():
    blocked = os.environ.get("SHEETRETURNS_TEST_NO_FCNTL") == "1"
    try:
        __import__("fcntl")
        here = True
    except ModuleNotFoundError:
        here = False
    child = subprocess.run([sys.executable, "-c", "import fcntl"], capture_output=True, text=True, timeout=60)
    assert (here, child.returncode == 0) == (not blocked, not blocked), child.stderr


@pytest.mark.slow
def test_the_suite_run_as_on_windows_blocks_fcntl_in_the_tests_and_the_commands_they_start(tmp_path):
    env = {**os.environ, "SHEETRETURNS_TEST_NO_FCNTL": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"{Path(__file__)}::test_probe_fcntl_is_importable_exactly_when_the_suite_runs_normally"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr


def test_a_lock_file_left_by_a_dead_run_here_is_taken_over_and_one_of_a_live_run_is_not(tmp_path, monkeypatch):
    # A lock file as filelock's oldest supported versions leave it (no owner record of their own): whether it
    # is stale is decided from the run's holder file alone.
    import filelock

    from sheetreturns import state
    from sheetreturns.errors import SheetReturnsError

    monkeypatch.setattr(state, "_lock_type", lambda: (filelock.SoftFileLock, False))
    monkeypatch.setenv("SHEETRETURNS_STATE_DIR", str(tmp_path / "user-state"))
    sheet = str(tmp_path / "returns.xlsx")
    folder = state.lock_folder(tmp_path)
    folder.mkdir(parents=True)
    slug = state.source_slug(sheet)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()

    def left_behind(pid, host):
        (folder / f"{slug}.lock").write_text("")
        (folder / f"{slug}.holder").write_text(json.dumps({"pid": pid, "host": host, "since": "2026-11-29 23:00:00"}))

    left_behind(gone.pid, socket.gethostname())
    with state.run_lock(tmp_path, sheet):
        pass  # taken over: that process is gone
    assert not (folder / f"{slug}.holder").exists()

    for pid, host in ((os.getpid(), socket.gethostname()), (gone.pid, "another-computer")):
        left_behind(pid, host)  # a live run here, or any run on another computer sharing the folder
        with pytest.raises(SheetReturnsError, match=rf"another sync of returns.xlsx is running \(pid {pid} on {host}"
                                                    rf".*; if none is, delete .*{slug}\.lock"):
            with state.run_lock(tmp_path, sheet):
                pass

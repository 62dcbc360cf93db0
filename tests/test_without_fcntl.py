"""Windows without a Windows machine: no POSIX-only module is imported when a module loads, and the whole
command line runs in a child process where `fcntl` (and the other POSIX-only modules) cannot be imported,
printing to a cp1252 console."""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sheetreturns"
# Modules that exist only on POSIX systems (or only on Windows): none may be imported when a module loads.
ONE_PLATFORM_ONLY = {"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "syslog", "posix", "crypt",
                     "msvcrt", "winreg", "_winapi", "nt"}

# Put on PYTHONPATH of a child process: `fcntl` (and the other POSIX-only modules) cannot be imported, as on
# Windows, and sheetreturns' own Windows switch is on. The standard library keeps its real platform
# (forcing os.name would make pathlib and subprocess pretend, which proves nothing).
SITECUSTOMIZE = '''
import importlib.abc, sys
BLOCKED = {blocked!r}

class NotOnWindows(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (as on Windows)", name=name)
        return None

    def exec_module_hook(self, module):
        pass

for name in BLOCKED:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, NotOnWindows())

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
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE.format(blocked=sorted(ONE_PLATFORM_ONLY - {"msvcrt", "winreg", "_winapi", "nt"} | {"posix_ipc"})),
                                           encoding="utf-8")
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



"""A sync never leaves a broken workbook, never writes over someone else's save, and never runs twice at once."""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.emails import Delivery
from sheetreturns.state import run_lock

from .helpers import basic_row, write_workbook
from .workbooks import digest

ROOT = Path(__file__).resolve().parents[1]


def invoke_sync(path: Path, tmp_path: Path, *extra: str):
    config = tmp_path / "sheetreturns.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n')
    return CliRunner().invoke(main, ["sync", str(path), "--as-of", "2026-11-26", "--config", str(config), *extra])


@pytest.mark.parametrize("lock_name", ["~$returns.xlsx", ".~lock.returns.xlsx#"])
def test_open_in_excel_or_libreoffice_writes_nothing(tmp_path, lock_name):
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()])
    (tmp_path / lock_name).write_text("someone")
    before = digest(path)
    result = invoke_sync(path, tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: returns.xlsx is open in Excel or LibreOffice")
    assert digest(path) == before


@pytest.mark.slow
def test_file_saved_by_someone_else_during_the_run_is_not_overwritten(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()])

    def seller_saves_meanwhile(loaded, config, **kwargs):
        from openpyxl import load_workbook

        wb = load_workbook(path)
        wb["Returns"]["T2"] = "typed while the job ran"
        wb.save(path)
        return Delivery()

    monkeypatch.setattr(api, "deliver", seller_saves_meanwhile)
    result = invoke_sync(path, tmp_path)
    assert result.exit_code == 2
    assert "changed on disk while sheetreturns was working" in result.stderr
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns").to_python()
    assert rows[1][19] == "typed while the job ran"
    assert "Status" not in rows[0]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".returns")] == []


@pytest.mark.slow
def test_second_sync_while_one_runs_exits_2(tmp_path):
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()])
    before = digest(path)
    with run_lock(tmp_path / "state", str(path)):
        result = invoke_sync(path, tmp_path)
    assert result.exit_code == 2
    assert "another sync of returns.xlsx is running" in result.stderr
    assert digest(path) == before
    assert invoke_sync(path, tmp_path).exit_code == 0


def _is_complete_workbook(path: Path) -> str:
    """'old' or 'new' if the file is a complete workbook; raises if it is broken."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    book = CalamineWorkbook.from_path(str(path))
    header = book.get_sheet_by_name("Returns").to_python()[0]
    return "new" if "Status" in header else "old"


@pytest.mark.slow
@pytest.mark.posix  # SIGKILL
def test_killing_a_sync_at_any_moment_leaves_the_old_or_the_new_file(tmp_path):
    from benchmarks.generate import build

    original = build(6000, tmp_path / "big.xlsx")
    state = tmp_path / "state"
    script = (
        "import sys; from datetime import date; from sheetreturns import api; from sheetreturns.settings.config_file import Config;"
        "from pathlib import Path;"
        f"api.sync(sys.argv[1], as_of=date(2026, 11, 26), config=Config(state_dir=Path({str(state)!r}), backups=1))"
    )
    # How long an undisturbed run takes, to spread the kills over it.
    work = tmp_path / "returns.xlsx"
    shutil.copy(original, work)
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", script, str(work)], check=True, cwd=ROOT)
    duration = time.monotonic() - started
    rng = random.Random(11)
    seen = set()
    for attempt in range(8):
        shutil.copy(original, work)
        process = subprocess.Popen([sys.executable, "-c", script, str(work)], cwd=ROOT)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.add(_is_complete_workbook(work))
    assert seen <= {"old", "new"}
    # A later run cleans up the temporary file a killed run left and completes the job.
    subprocess.run([sys.executable, "-c", script, str(work)], check=True, cwd=ROOT)
    assert _is_complete_workbook(work) == "new"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".returns.xlsx")] == []


@pytest.mark.slow
def test_stale_temp_file_of_a_dead_run_is_removed(tmp_path):
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".returns.xlsx.sheetreturns-tmp-{dead.pid}"
    stale.write_bytes(b"half a zip")
    assert invoke_sync(path, tmp_path).exit_code == 0
    assert not stale.exists()

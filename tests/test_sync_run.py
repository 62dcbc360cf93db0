"""`sheetreturns sync` as a user sees it: the last line, the log in the state folder, --quiet, no bar off a terminal."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sheetreturns.state import user_state_dir
from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.settings.config_file import Config
from sheetreturns.excel.new_workbook import create_workbook

from .helpers import AS_OF, basic_row, write_workbook

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_a_run_that_cannot_start_is_logged_with_its_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheetreturns.toml").write_text('source = "shop.xlsx"\nstate_dir = "state"\n')
    result = invoke("sync", "--quiet")
    assert result.exit_code == 2
    assert result.stdout == ""
    error = result.stderr.strip()
    assert error.startswith("Error: ") and "shop.xlsx" in error
    log = (tmp_path / "state" / "sheetreturns.log").read_text().splitlines()
    assert len(log) == 1
    assert log[0].endswith(f"  sync  shop.xlsx  error  {error.removeprefix('Error: ')}")


# -- after a real run ---------------------------------------------------------------



def shop(tmp_path, monkeypatch, rows=None):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    rows = rows or [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "Received On": AS_OF})]
    return write_workbook(tmp_path / "shop.xlsx", rows)


def log_lines(tmp_path):
    return (user_state_dir() / "sheetreturns.log").read_text().splitlines()  # no config: the user's state folder


@pytest.mark.slow
def test_sync_ends_with_the_summary_line_and_logs_the_same_line(tmp_path, monkeypatch):
    shop(tmp_path, monkeypatch)
    result = invoke("sync", "shop.xlsx", "--as-of", "2026-11-26", "--outbox", "outbox")
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last.startswith("2 returns checked · ")
    assert last.endswith(" · 1 needs your attention · saved shop.xlsx")
    assert log_lines(tmp_path)[-1].endswith(f"  sync  shop.xlsx  ok  {last}")


@pytest.mark.slow
def test_quiet_prints_nothing_on_success_but_still_logs(tmp_path, monkeypatch):
    shop(tmp_path, monkeypatch)
    result = invoke("sync", "shop.xlsx", "--as-of", "2026-11-26", "--outbox", "outbox", "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    assert "  sync  shop.xlsx  ok  2 returns checked" in log_lines(tmp_path)[-1]


@pytest.mark.slow
def test_json_is_one_object_with_the_attention_count(tmp_path, monkeypatch):
    shop(tmp_path, monkeypatch)
    result = invoke("sync", "shop.xlsx", "--as-of", "2026-11-26", "--outbox", "outbox", "--json")
    data = json.loads(result.stdout)
    assert (data["attention"], data["returns"], data["written"]) == (1, 2, True)


@pytest.mark.slow
def test_dry_run_is_logged_as_one(tmp_path, monkeypatch):
    path = shop(tmp_path, monkeypatch)
    before = path.read_bytes()
    result = invoke("sync", "shop.xlsx", "--as-of", "2026-11-26", "--dry-run")
    assert result.stdout.splitlines()[-1].endswith(" · nothing written (dry run)")
    assert "  sync  shop.xlsx  dry-run  " in log_lines(tmp_path)[-1]
    assert path.read_bytes() == before


@pytest.mark.slow
def test_the_library_reports_each_stage_of_a_sync_in_order(tmp_path, monkeypatch):
    path = shop(tmp_path, monkeypatch)
    updates = []
    api.sync(path, as_of=AS_OF, config=Config(state_dir=tmp_path / "state"), outbox=tmp_path / "outbox",
             progress=updates.append)
    assert [u.stage for u in updates] == ["read", "evaluate", "emails", "write", "done"]
    assert [u.done for u in updates] == [0, 1, 2, 3, 4] and {u.total for u in updates} == {4}
    assert updates[-2].message == "Saving shop.xlsx"


@pytest.mark.slow
def test_a_workbook_made_by_init_goes_through_sync_and_keeps_its_dropdowns_and_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    create_workbook(tmp_path / "returns.xlsx", today=AS_OF)
    result = invoke("sync", "returns.xlsx", "--as-of", "2026-11-26", "--outbox", "outbox")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "3 returns checked · no emails due · 2 need your attention · saved returns.xlsx")
    assert not (tmp_path / "outbox").exists() or list((tmp_path / "outbox").iterdir()) == []
    wb = load_workbook(tmp_path / "returns.xlsx")
    ws = wb["Returns"]
    headers = [c.value for c in ws[1]]
    statuses = [r[headers.index("Status")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert statuses == ["Awaiting inspection", "Refund due", "Refund due", "Done"]
    assert len(ws.data_validations.dataValidation) == 5
    assert wb["Lists"].sheet_state == "hidden"
    assert api.check(tmp_path / "returns.xlsx", as_of=AS_OF, config=Config()).problems == []


def run_in_terminal(tmp_path, terminal, *args):
    """Run the CLI with stderr on a pseudo-terminal (as in a shell) and stdout on a pipe."""
    master, slave = terminal
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    process = subprocess.Popen([sys.executable, "-m", "sheetreturns", *args], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out, _ = process.communicate(timeout=120)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return process.returncode, out, b"".join(chunks).decode()


@pytest.mark.slow
@pytest.mark.posix
def test_in_a_terminal_a_bar_shows_on_stderr_and_the_report_stays_clean(tmp_path, monkeypatch, pseudo_terminal):
    shop(tmp_path, monkeypatch)
    code, out, terminal = run_in_terminal(tmp_path, pseudo_terminal, "sync", "shop.xlsx", "--as-of", "2026-11-26", "--outbox", "o")
    assert code == 0, terminal
    assert "Reading shop.xlsx" in terminal and "Saving shop.xlsx" in terminal and "[####" in terminal
    assert terminal.endswith("\x1b[2K\x1b[?25h")  # the bar is erased and the cursor shown again
    assert "\r" not in out and out.splitlines()[-1].endswith("saved shop.xlsx")


@pytest.mark.slow
@pytest.mark.posix
def test_no_bar_with_json_or_quiet_even_in_a_terminal(tmp_path, monkeypatch):
    import pty  # a terminal per flag

    shop(tmp_path, monkeypatch)
    for flag in ("--json", "--quiet"):
        code, out, terminal = run_in_terminal(tmp_path, pty.openpty(), "sync", "shop.xlsx", "--as-of", "2026-11-26", flag)
        assert code == 0 and terminal == "", (flag, terminal)

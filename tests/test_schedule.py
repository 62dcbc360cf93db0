"""`sheetreturns schedule`: intervals, the loop, one run per process, and stopping cleanly on SIGTERM."""
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from sheetreturns.errors import SheetReturnsError
from sheetreturns.excel.new_workbook import create_workbook
from sheetreturns.cli.run_loop import RunOutcome, describe_interval, parse_interval, run_every, run_once

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 26)


@pytest.mark.parametrize("text, seconds", [
    ("15m", 900), ("1h", 3600), ("30s", 30), ("2 hours", 7200), ("1.5m", 90), ("1d", 86400), (" 5 MIN ", 300),
])
def test_intervals_a_person_would_write(text, seconds):
    assert parse_interval(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["15", "m", "every hour", "-5m", "0s", "0.5s", ""])
def test_intervals_that_are_not_understood_say_how_to_write_one(text):
    with pytest.raises(SheetReturnsError, match=r"--every .*(use a number and a unit, e.g. 15m, 1h or 30s|too short)"):
        parse_interval(text)


@pytest.mark.parametrize("seconds, shown", [(900, "15m"), (3600, "1h"), (5400, "90m"), (30, "30s"), (1.5, "1.5s")])
def test_intervals_are_shown_short(seconds, shown):
    assert describe_interval(timedelta(seconds=seconds)) == shown


def test_the_loop_runs_again_after_a_failed_run_and_stops_when_told():
    stop = threading.Event()
    seen = []
    results = iter([2, 0, 0])

    def run():
        return RunOutcome(None, next(results), "line", None)

    def report(outcome, next_at):
        seen.append(outcome.exit_code)
        if len(seen) == 3:
            stop.set()

    started = time.monotonic()
    assert run_every(timedelta(seconds=0.05), run, stop, report) == 3
    assert seen == [2, 0, 0]
    assert time.monotonic() - started >= 0.1  # waited between runs


@pytest.mark.slow
def test_a_run_is_read_from_its_json_line():
    code = ("import json; print(json.dumps({'schema': 1, 'returns': 2, 'attention': 1, 'emails': [{'outcome': 'sent'}], "
            "'written': True, 'source': 'shop.xlsx'}))")
    outcome = run_once([sys.executable, "-c", code])
    assert (outcome.exit_code, outcome.line) == (
        0, "2 returns checked · 1 email sent · 1 needs your attention · saved shop.xlsx")


@pytest.mark.slow
def test_a_run_that_could_not_start_work_reports_its_error():
    code = "import json, sys; print(json.dumps({'ok': False, 'error': 'shop.xlsx is open in Excel'})); sys.exit(2)"
    outcome = run_once([sys.executable, "-c", code])
    assert (outcome.exit_code, outcome.line) == (2, "Error: shop.xlsx is open in Excel")


@pytest.mark.slow
def test_a_run_that_crashed_is_reported_with_the_last_line_it_wrote():
    outcome = run_once([sys.executable, "-c", "import sys; sys.stderr.write('Fatal: out of memory\\n'); sys.exit(-6 % 256)"])
    assert outcome.exit_code == 250 and outcome.data is None
    assert outcome.line == "Error: the sync run stopped unexpectedly (Fatal: out of memory)"


# -- the command, in a real process ------------------------------------------------

class Lines:
    """Reads a process's stdout line by line, waiting at most `timeout` seconds for what a test expects."""

    def __init__(self, process):
        self.process = process
        self.selector = selectors.DefaultSelector()
        self.selector.register(process.stdout, selectors.EVENT_READ)
        self.seen: list[str] = []

    def until(self, predicate, timeout=30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while not predicate(self.seen):
            left = deadline - time.monotonic()
            assert left > 0, f"timed out; output so far: {self.seen}"
            if self.selector.select(left):
                line = self.process.stdout.readline()
                assert line, f"process ended early; output: {self.seen}"
                self.seen.append(line.rstrip("\n"))
        return self.seen


def start_schedule(folder, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "XDG_CONFIG_HOME": str(folder / "xdg")}
    return subprocess.Popen([sys.executable, "-m", "sheetreturns", "schedule", *args], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.posix  # SIGTERM
def test_schedule_survives_a_failed_run_logs_each_and_stops_cleanly_on_sigterm(tmp_path):
    (tmp_path / "sheetreturns.toml").write_text('source = "returns.xlsx"\nstate_dir = "state"\n')
    process = start_schedule(tmp_path, "--every", "1s", "--as-of", "2026-11-26", "--outbox", "outbox")
    try:
        lines = Lines(process)
        lines.until(lambda seen: any("Error:" in s for s in seen))  # no workbook yet: the run fails
        create_workbook(tmp_path / "returns.xlsx", today=AS_OF)  # the seller saves it; the next run works
        lines.until(lambda seen: any(s.endswith("saved returns.xlsx") for s in seen))
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    seen = lines.seen + out.splitlines()
    assert process.returncode == 0, err
    assert "Running sync on returns.xlsx every 1s. Stop with Ctrl-C." in seen[0]
    runs = [s for s in seen if "Error:" in s or "returns checked" in s]
    errors = [s for s in runs if "Error:" in s]
    assert errors and all("returns.xlsx" in s and "(next run" in s for s in errors)
    assert any(s.endswith("3 returns checked · no emails due · 2 need your attention · saved returns.xlsx") for s in runs)
    assert runs[-1].endswith(("saved returns.xlsx", "no changes: not saved"))
    assert any("SIGTERM: stopping after the current run" in s for s in seen)
    assert seen[-1].endswith(f"Stopped after {len(runs)} runs.")
    log = (tmp_path / "state" / "sheetreturns.log").read_text().splitlines()
    assert "  schedule  returns.xlsx  started  every 1s" in log[0]
    assert sum("  sync  returns.xlsx  error  " in s for s in log) == len(errors)  # each run logged by itself
    assert sum("  sync  returns.xlsx  ok  " in s for s in log) == len(runs) - len(errors)
    assert log[-1].endswith(f"  schedule  returns.xlsx  stopped  after {len(runs)} runs")


@pytest.mark.slow
def test_schedule_with_a_bad_interval_stops_before_running(tmp_path):
    process = start_schedule(tmp_path, "x.xlsx", "--every", "soon")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert err.strip() == "Error: --every 'soon' is not an interval: use a number and a unit, e.g. 15m, 1h or 30s"
    assert out == ""

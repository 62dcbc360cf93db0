"""`sheetreturns schedule`: run sync every so often, each run in its own process, until told to stop.

A run in its own process cannot take the loop down with it (a crash, a leak, a stuck import); the
loop reads the run's JSON result and carries on. Stopping waits for the current run to finish, so
a sheet is never left half-written and no email is sent twice.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from ..errors import SheetReturnsError
from .render import summary_line

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> timedelta:
    """'15m', '1h', '30s', '2 hours' -> a timedelta of at least one second."""
    match = _INTERVAL.match(text or "")
    if not match:
        raise SheetReturnsError(f"--every {text!r} is not an interval: use a number and a unit, e.g. 15m, 1h or 30s")
    seconds = float(match[1]) * _UNIT_SECONDS[match[2][0].lower()]
    if seconds < 1:
        raise SheetReturnsError(f"--every {text!r} is too short: use at least 1s")
    return timedelta(seconds=seconds)


def describe_interval(every: timedelta) -> str:
    seconds = every.total_seconds()
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@dataclass
class RunOutcome:
    """One sync run as the loop saw it."""

    started: datetime
    exit_code: int
    line: str  # the summary line, or the error
    data: dict | None  # the run's JSON object, when it printed one

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def sync_command(source: str | None, options: list[str]) -> list[str]:
    """The command line of one run: this Python, this package, sync with --json."""
    return [sys.executable, "-m", "sheetreturns", "sync", *([source] if source else []), "--json", *options]


def run_once(command: list[str], *, dry_run: bool = False, now: Callable[[], datetime] = datetime.now) -> RunOutcome:
    """Run one sync process to the end and describe how it went."""
    started = now()
    try:
        # A new session: Ctrl-C in the terminal reaches the loop, which lets this run finish.
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   encoding="utf-8", errors="replace", start_new_session=True)
    except OSError as exc:
        return RunOutcome(started, 2, f"Error: could not start a sync run: {exc.strerror or exc}", None)
    out, err = process.communicate()
    data = _json_object(out)
    if data is not None and data.get("error"):
        return RunOutcome(started, process.returncode, f"Error: {data['error']}", data)
    if data is not None and "returns" in data:
        return RunOutcome(started, process.returncode, summary_line(data, dry_run), data)
    last = next((line for line in reversed(err.splitlines()) if line.strip()), "") or f"exit code {process.returncode}"
    return RunOutcome(started, process.returncode or 2, f"Error: the sync run stopped unexpectedly ({last.strip()})", None)


def _json_object(text: str) -> dict | None:
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def run_every(every: timedelta, run: Callable[[], RunOutcome], stop: threading.Event,
              report: Callable[[RunOutcome, datetime | None], None], *,
              clock: Callable[[], float] = time.monotonic, now: Callable[[], datetime] = datetime.now) -> int:
    """Call `run` now and then every `every` until `stop` is set; returns the number of runs.

    A run that takes longer than the interval is followed by the next one straight away (missed
    slots are not made up). `report` gets each outcome and the time of the next run.
    """
    runs = 0
    period = every.total_seconds()
    while not stop.is_set():
        began = clock()
        outcome = run()
        runs += 1
        wait = max(0.0, period - (clock() - began))
        report(outcome, None if stop.is_set() else now() + timedelta(seconds=wait))
        if stop.wait(wait):
            break
    return runs

"""Faults: 429 and 5xx answers are retried with bounded backoff, then one clear error; nothing half-written."""
from __future__ import annotations

from datetime import datetime

import re

import pytest
from click.testing import CliRunner

from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.settings.config_file import Config
from sheetreturns.errors import SheetReturnsError
from sheetreturns.google_sheets import sheets_client as calls
from sheetreturns.google_sheets import writer
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import AS_OF, basic_row

NOW = datetime(2026, 11, 26, 9, 30)


def many(n: int = 40) -> list[dict]:
    return [basic_row(**{"Return ID": f"R-{i:05d}", "Order ID": str(7000 + i), "SKU": f"SKU-{i % 7}"})
            for i in range(1, n + 1)]


def sync(server, key, tmp_path):
    return api.sync(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path), now=NOW)


@pytest.mark.network
@pytest.mark.slow
def test_a_burst_of_429s_is_retried_with_growing_waits_and_the_sync_completes(server, tmp_path, no_waiting):
    key = google_sheet(server, many(3))
    server.faults.fail(429, times=3, kind="values.batchUpdate")
    result = sync(server, key, tmp_path)
    assert result.written
    assert [c.status for c in server.calls if c.kind == "values.batchUpdate"] == [429, 429, 429, 200]
    assert len(no_waiting) == 3 and no_waiting == sorted(no_waiting) and no_waiting[0] >= calls.FIRST_DELAY
    assert server.values(key, "Returns")[1][20] == "Awaiting item"


@pytest.mark.network
@pytest.mark.slow
def test_server_errors_that_do_not_stop_end_in_one_error_after_a_bounded_number_of_tries(server, tmp_path, no_waiting):
    key = google_sheet(server, many(3))
    server.faults.fail(500, times=100, kind="batchUpdate")
    # The due emails went to the outbox before the write: the run is done with a failure that says so (exit 1).
    result = sync(server, key, tmp_path)
    assert not result.written and result.emails
    assert any(re.search(r"not saved: Google Sheets failed to answer \(500.*6 tries\).*next run completes.*"
                         r"next run writes them to the sheet and sends nothing twice", f) for f in result.failures)
    assert server.count("batchUpdate") == calls.RETRIES + 1
    assert len(no_waiting) == calls.RETRIES and max(no_waiting) <= calls.MAX_DELAY


@pytest.mark.network
def test_an_answer_that_is_not_json_is_retried_like_any_server_error(server, tmp_path, no_waiting):
    key = google_sheet(server, many(3))
    server.faults.fail(502, times=2, kind="metadata", body=b"<html><body>502 Bad Gateway</body></html>")
    result = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    assert result.rows == 3 and server.count("metadata") == 3


@pytest.mark.network
def test_the_cli_prints_one_error_line_when_google_keeps_refusing(server, tmp_path, no_waiting):
    key = google_sheet(server, many(3))
    server.faults.fail(429, times=100)
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'state_dir = "state"\n[google]\nendpoint = "{server.url}"\n')
    done = CliRunner().invoke(main, ["sync", f"gsheet:{key}", "--config", str(toml), "--as-of", "2026-11-26"])
    assert done.exit_code == 2
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Google Sheets kept refusing requests")
    assert "Traceback" not in done.output


def test_an_unreachable_endpoint_is_one_clear_error(tmp_path, no_waiting):
    config = Config(google={"endpoint": "http://127.0.0.1:9"}, state_dir=tmp_path / "state")
    with pytest.raises(SheetReturnsError, match=r"cannot reach http://127.0.0.1:9 .* after 6 tries"):
        api.check("gsheet:abc", as_of=AS_OF, config=config)


@pytest.mark.network
@pytest.mark.slow
def test_a_failure_part_way_leaves_old_or_new_values_and_the_next_run_completes(server, tmp_path, no_waiting, monkeypatch):
    rows = many(40)
    clean = google_sheet(server, rows)
    broken = google_sheet(server, rows)
    monkeypatch.setattr(writer, "MAX_PAYLOAD", 1_500)
    server.reset_counts()
    sync(server, clean, tmp_path / "clean")
    chunks = server.count("values.batchUpdate")
    assert chunks >= 4
    before = server.values(broken, "Returns")
    writes = []
    server.faults.fail(503, times=100, kind="values.batchUpdate",  # the writes after the first half never land
                       when=lambda call: writes.append(call) or len(writes) > chunks // 2)
    failed = sync(server, broken, tmp_path / "broken")  # emails went to the outbox first: done, with a failure
    assert not failed.written and any("was not saved" in f for f in failed.failures)
    half = server.values(broken, "Returns")
    new = server.values(clean, "Returns")
    assert half != new and half != before
    for r, row in enumerate(new):
        for c, value in enumerate(row):
            old = before[r][c] if r < len(before) and c < len(before[r]) else ""
            got = half[r][c] if r < len(half) and c < len(half[r]) else ""
            assert got in (old, value), (r, c, got)
    server.faults.pending.clear()
    sync(server, broken, tmp_path / "broken")
    assert server.values(broken, "Returns") == new

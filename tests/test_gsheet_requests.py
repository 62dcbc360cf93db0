"""Request budget on a 50,000-row Google Sheet: requests grow with what changed, not with the rows."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from benchmarks.generate import HEADERS, rows as generated_rows
from sheetreturns import api
from sheetreturns.google_sheets.cells import serial
from tests.gsheet_support import local_config
from tests.mail_server import MailServer
from tests.sheets_api_server import SheetsServer

pytestmark = pytest.mark.slow  # a large sheet or a long computation, built once for the module

ROWS = 50_000
AS_OF = date(2026, 11, 26)
DATE_COLUMNS = tuple(HEADERS.index(h) for h in ("Order Date", "Notified On", "Received On", "Refunded On"))


def big_sheet(server: SheetsServer) -> str:
    key = server.create("Big shop")
    table = [HEADERS] + [[serial(v) if isinstance(v, date) else ("" if v is None else v) for v in row]
                         for row in generated_rows(ROWS)]
    server.load_rows(key, "Returns", table, DATE_COLUMNS)
    server.put_rows(key, "Settings", [["Setting", "Value"], ["store_name", "Big shop"]])
    return key


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The first sync and an unchanged re-sync of one 50,000-row sheet, with the server's request logs."""
    with SheetsServer() as server:
        key = big_sheet(server)
        config = local_config(server, tmp_path_factory.mktemp("big"))
        # 1,690 emails are due in this sheet; 100 a run would change Last Email cells on every re-sync.
        config.policy_entries.append(("emails_enabled", "none", "test: counts Sheets requests, not emails"))
        logs = []
        for minute in (0, 5):
            server.reset_counts()
            result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9, minute))
            logs.append((result, list(server.api_calls())))
        yield server, key, logs


def test_first_sync_of_a_50000_row_sheet_takes_at_most_6_requests(runs):
    server, key, logs = runs
    result, calls = logs[0]
    assert result.written and result.rows == ROWS
    assert len(calls) <= 6, [c.kind for c in calls]
    assert result.changes["cells"] > 3 * ROWS  # every row got its status, next step, reason category ...
    assert all(len(c.body and __import__("json").dumps(c.body)) < 2_000_000 for c in calls if c.kind == "values.batchUpdate")


def test_resync_of_the_unchanged_50000_row_sheet_takes_2_requests_both_reads(runs):
    server, key, logs = runs
    result, calls = logs[1]
    assert [c.kind for c in calls] == ["metadata", "values.batchGet"]
    assert result.unchanged and not result.written and result.ok


def smtp_sheet(server, mail, folder):
    """A 50,000-row sheet on `server`, and a config that sends its emails over SMTP to `mail`."""
    key = big_sheet(server)
    return key, replace(local_config(server, folder),
                        smtp={"host": "127.0.0.1", "port": mail.port, "security": "none", "from": "shop@example.com"})


@pytest.fixture(scope="module")
def due_run(tmp_path_factory):
    """The first sync, over SMTP, of a 50,000-row sheet with 1,690 emails due: a first run holds them."""
    with SheetsServer() as server, MailServer() as mail:
        key, config = smtp_sheet(server, mail, tmp_path_factory.mktemp("due"))
        result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9))
        first = result, list(server.api_calls()), list(mail.received)
        server.reset_counts()
        sent = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9, 10),
                        send_backlog=True)
        yield (*first, (sent, list(server.api_calls()), list(mail.received)))


def test_first_sync_with_emails_due_takes_at_most_6_requests(due_run):
    result, calls, received, _ = due_run
    kinds = [c.kind for c in calls]
    assert result.written and result.rows == ROWS
    assert len(result.emails) > 1000 and {e.result for e in result.emails} == {"held"} and received == []
    assert len(calls) <= 6, kinds
    # Nothing went out, so no time passed for the seller to edit: no Drive probe, no second read of the rows.
    assert kinds[:2] == ["metadata", "values.batchGet"] and "drive.get" not in kinds
    assert kinds.count("values.batchGet") == 1


@pytest.fixture(scope="module")
def outbox_run(tmp_path_factory):
    """The first sync of a 50,000-row sheet whose due emails go to the outbox (they are written, not held),
    then the next run, with nothing new to send."""
    with SheetsServer() as server:
        key = big_sheet(server)
        folder = tmp_path_factory.mktemp("outbox")
        config = local_config(server, folder)
        logs = []
        for minute in (0, 5):
            server.reset_counts()
            result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9, minute),
                              outbox=folder / "outbox")
            logs.append((result, list(server.api_calls()), sorted(p.name for p in (folder / "outbox").iterdir())))
        yield server, key, logs


def test_first_sync_that_writes_its_emails_to_the_outbox_takes_at_most_6_requests(outbox_run):
    server, key, logs = outbox_run
    result, calls, files = logs[0]
    kinds = [c.kind for c in calls]
    written = [e for e in result.emails if e.result == "outbox"]
    assert result.written and result.rows == ROWS and len(written) == 100  # max_emails_per_run
    assert len(calls) <= 6, kinds
    # The files appear after the write, which is the test of edit rights: no Drive probe, no second read.
    assert kinds[:3] == ["metadata", "values.batchGet", "batchUpdate"] and kinds.count("values.batchGet") == 1
    assert files == sorted(f"{e.return_id}-{e.kind}.eml" for e in written)
    last = {r[0]: r for r in server.values(key, "Returns")[1:]}
    column = server.values(key, "Returns")[0].index("Last Email")
    assert {last[e.return_id][column] for e in written} == {f"{e.kind} 2026-11-26 (outbox)" for e in written}


def test_the_next_run_after_the_outbox_one_takes_at_most_6_requests(outbox_run):
    server, key, logs = outbox_run
    result, calls, files = logs[1]
    assert len([e for e in result.emails if e.result == "outbox"]) == 100
    assert len(calls) <= 6 and "drive.get" not in [c.kind for c in calls], [c.kind for c in calls]
    assert len(files) == 200


def test_the_run_that_sends_the_held_emails_over_smtp_takes_at_most_6_requests(due_run):
    *_, (result, calls, received) = due_run
    kinds = [c.kind for c in calls]
    sent = [e for e in result.emails if e.result == "sent"]
    assert result.written and len(sent) == 100 and len(received) == 100  # max_emails_per_run
    assert len(calls) <= 6, kinds
    # Drive is asked before the first email, and the rows are read again after the last one.
    assert kinds == ["metadata", "values.batchGet", "drive.get", "values.batchGet", "batchUpdate",
                     "values.batchUpdate"]


@pytest.fixture(scope="module")
def backlog_first(tmp_path_factory):
    """`sync --send-backlog` as the very first run of a 50,000-row sheet: 100 emails go over SMTP."""
    with SheetsServer() as server, MailServer() as mail:
        key, config = smtp_sheet(server, mail, tmp_path_factory.mktemp("backlog"))
        result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9),
                          send_backlog=True)
        yield server, key, result, list(server.api_calls()), list(mail.received)


def test_send_backlog_as_the_very_first_run_takes_at_most_6_requests(backlog_first, tmp_path):
    server, key, result, calls, received = backlog_first
    kinds = [c.kind for c in calls]
    sent = [e for e in result.emails if e.result == "sent"]
    assert result.written and result.rows == ROWS and len(sent) == 100 == len(received)
    # The columns are added before the first email (Google refusing that write would stop the run: no Drive
    # question), with as many cells as no email changes as ~1.9 MB holds, placed where the read found their rows
    # (its answer shows they still were). After the last email the rows come back in the answer of the tabs'
    # write (no second read), and the rest of the 4.2 MB of cells take 2 value writes of at most ~1.9 MB.
    assert kinds == ["metadata", "values.batchGet", "batchUpdate", "batchUpdate"] + ["values.batchUpdate"] * 2
    assert calls[2].body["responseRanges"] and calls[3].body["responseRanges"]
    assert all(len(json.dumps(c.body)) < 2_000_000 for c in calls[2:])
    assert result.changes["cells"] > 3 * ROWS
    rows = server.values(key, "Returns")
    last = rows[0].index("Last Email")
    by_id = {r[0]: r for r in rows[1:]}
    assert all(by_id[e.return_id][last] == f"{e.kind} 2026-11-26" for e in sent)
    # Every row holds its own Status and Next Step, whether written before the emails or after them.
    status, step = rows[0].index("Status"), rows[0].index("Next Step")
    now = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    for line, outcome in zip(now.evaluation.lines, now.evaluation.outcomes):
        assert (rows[line.row - 1][status], rows[line.row - 1][step]) == (outcome.status.value, outcome.next_step)

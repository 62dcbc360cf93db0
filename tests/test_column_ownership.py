"""The job writes only the columns it owns: a seller's column that shares a name with one of the job's
(Amazon's `status`) is never written; the job keeps its own beside it."""
from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import gspread
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.engine.model import Status
from sheetreturns.settings.config_file import Config

from .gsheet_support import google_sheet
from .helpers import STANDARD_HEADERS, basic_row, write_workbook
from .test_gsheet_server import gspread_client
from .workbooks import AS_OF

AMAZON_FBA = ["return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
              "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments"]
AMAZON_ROWS = [
    ["2026-11-02T10:14:00+00:00", "203-1234567-1234567", "40BT-BEIG-000L", "B0C1234567", "X001ABCDEF",
     "Bath towel, beige", 1, "LTN1", "SELLABLE", "UNWANTED_ITEM", "Unit returned to inventory", "LPNRR123456", ""],
    ["2026-11-05T08:01:00+00:00", "204-7654321-7654321", "MUG-STONE-02", "B0C7654321", "X001GHIJKL",
     "Stoneware mug", 2, "BHX4", "CUSTOMER_DAMAGED", "DEFECTIVE", "Reimbursed", "LPNRR654321", "handle chipped"],
    ["2026-11-09T16:40:00+00:00", "206-1111111-2222222", "CANDLE-FIG", "B0C1111111", "X001MNOPQR",
     "Fig candle", 1, "LTN1", "DEFECTIVE", "QUALITY_UNACCEPTABLE", "Unit returned to inventory", "LPNRR777777",
     "smells odd"],
]
STATUS_COLUMN = "K"


def amazon_report(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws.append(AMAZON_FBA)
    for row in AMAZON_ROWS:
        ws.append(row)
    wb.save(path)
    return path


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def column_cells(path: Path, letter: str) -> list[str]:
    """The raw XML of every cell in one column (with its shared string text, so 'unchanged' means the text too)."""
    with zipfile.ZipFile(path) as z:
        shared = re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S) \
            if "xl/sharedStrings.xml" in z.namelist() else []
    cells = re.findall(rf'<c r="{letter}\d+"[^>]*?(?:/>|>.*?</c>)', sheet_xml(path), re.S)
    out = []
    for cell in cells:
        if 't="s"' in cell:
            index = int(re.search(r"<v>(\d+)</v>", cell)[1])
            cell += shared[index]
        out.append(cell)
    return out


def column_notes(result) -> list[str]:
    return [note for note in result.notes if "never written" in note]


def config(tmp_path: Path) -> Config:
    return Config(state_dir=tmp_path / "state")


def values(path: Path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns").to_python(skip_empty_area=False)


def test_amazon_status_column_is_left_byte_for_byte_and_the_job_writes_its_own_beside_it(tmp_path):
    path = amazon_report(tmp_path / "fba_returns.xlsx")
    before = column_cells(path, STATUS_COLUMN)
    assert len(before) == 4 and "Unit returned to inventory" in before[1]

    first = api.sync(path, as_of=AS_OF, config=config(tmp_path))
    second = api.sync(path, as_of=AS_OF, config=config(tmp_path))

    assert first.written  # the second run finds nothing to change
    assert column_cells(path, STATUS_COLUMN) == before  # the seller's status column, byte for byte
    rows = values(path)
    header = rows[0]
    assert header[:13] == AMAZON_FBA
    assert header.count("Status (sheetreturns)") == 1  # added once, found again on the second run
    assert "Status" not in header
    ours = header.index("Status (sheetreturns)")
    assert all(r[ours] in {s.value for s in Status} for r in rows[1:4])
    assert [r[10] for r in rows[1:4]] == [r[10] for r in AMAZON_ROWS]
    # One note, the same on both runs, names the seller's column and the job's.
    assert len(column_notes(first)) == 1 and column_notes(first) == column_notes(second)
    assert "'status' (column K)" in column_notes(first)[0] and "'Status (sheetreturns)'" in column_notes(first)[0]


def test_check_says_once_that_the_sellers_status_column_is_left_alone(tmp_path):
    path = amazon_report(tmp_path / "fba_returns.xlsx")
    out = CliRunner().invoke(main, ["check", str(path), "--as-of", AS_OF.isoformat()])
    assert out.exit_code in (0, 1), out.output
    assert out.output.count("'status' (column K)") == 1
    assert "never written" in out.output and "Status (sheetreturns)" in out.output


def test_the_workbook_records_the_jobs_columns_in_a_hidden_defined_name(tmp_path):
    path = amazon_report(tmp_path / "fba_returns.xlsx")
    api.sync(path, as_of=AS_OF, config=config(tmp_path))
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
    mark = re.search(r'<definedName name="sheetreturns_job_columns" hidden="1">"(.*?)"</definedName>', workbook)
    assert mark is not None
    assert mark[1].startswith("[Returns]Status (sheetreturns)|Next Step|Problems")
    assert load_workbook(path).defined_names["sheetreturns_job_columns"].hidden


def test_a_recorded_job_column_stays_the_jobs_whatever_the_seller_typed_into_it(tmp_path):
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()])
    api.sync(path, as_of=AS_OF, config=config(tmp_path))
    wb = load_workbook(path)
    ws = wb["Returns"]
    status = [c.column for c in ws[1] if c.value == "Status"][0]
    ws.cell(row=2, column=status, value="typed over by hand")
    wb.save(path)

    api.sync(path, as_of=AS_OF, config=config(tmp_path))
    rows = values(path)
    assert "Status (sheetreturns)" not in rows[0]
    assert rows[1][rows[0].index("Status")] == Status.AWAITING_ITEM.value


def test_an_unrecorded_status_column_holding_only_job_values_is_the_jobs(tmp_path):
    headers = [*STANDARD_HEADERS, "Status", "Next Step"]
    rows = [basic_row(Status="Awaiting item", **{"Next Step": "Wait for the item (due 2026-12-20)"}),
            basic_row(**{"Return ID": "R-00002", "Order ID": "1002"}, Status=None)]
    path = write_workbook(tmp_path / "returns.xlsx", rows, headers)
    result = api.sync(path, as_of=AS_OF, config=config(tmp_path))
    assert column_notes(result) == []
    out = values(path)
    assert not any("(sheetreturns)" in str(h) for h in out[0])
    assert out[2][out[0].index("Status")] == Status.AWAITING_ITEM.value  # the blank cell filled in


def test_a_seller_column_named_like_a_job_column_is_not_read_as_the_jobs(tmp_path):
    # A seller's own "Contacted" column (dates and words) must not count as the job's acknowledgement record.
    headers = [*STANDARD_HEADERS, "Contacted"]
    path = write_workbook(tmp_path / "returns.xlsx",
                          [basic_row(Contacted="phoned, left message"), basic_row(**{"Return ID": "R-00002"},
                                                                                  Contacted=date(2026, 11, 21))],
                          headers)
    check = api.check(path, as_of=AS_OF, config=config(tmp_path))
    assert "'Contacted' (column U)" in check.notes[0]
    assert all(line.contacted_on is None for line in check.evaluation.lines)
    before = column_cells(path, "U")
    assert len(before) == 3
    api.sync(path, as_of=AS_OF, config=config(tmp_path))
    assert column_cells(path, "U") == before
    assert "Contacted On (sheetreturns)" in values(path)[0]


def test_the_example_keeps_its_columns(tmp_path):
    example = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"
    path = shutil.copy(example, tmp_path / "returns.xlsx")
    first = api.sync(path, as_of=AS_OF, config=config(tmp_path))
    second = api.sync(path, as_of=AS_OF, config=config(tmp_path))
    assert column_notes(first) == [] and column_notes(second) == []
    header = values(path)[2]
    assert not any("(sheetreturns)" in str(h) for h in header)


# -- Google Sheets: the same rules, the record kept in developer metadata --------------------------------------

def test_google_amazon_status_column_is_left_alone_and_the_record_is_developer_metadata(server, tmp_path):
    key = server.create("FBA returns")
    server.put_rows(key, "Returns", [AMAZON_FBA, *AMAZON_ROWS])
    google = Config(google={"endpoint": server.url}, state_dir=tmp_path / "state")
    before = [row[10] for row in server.values(key, "Returns")]

    first = api.sync(f"gsheet:{key}", as_of=AS_OF, config=google)
    second = api.sync(f"gsheet:{key}", as_of=AS_OF, config=google)

    assert first.written and column_notes(first) == column_notes(second) and len(column_notes(first)) == 1
    rows = server.values(key, "Returns")
    assert [row[10] for row in rows] == before
    assert rows[0].count("Status (sheetreturns)") == 1 and "Status" not in rows[0]
    ours = rows[0].index("Status (sheetreturns)")
    assert all(row[ours] in {s.value for s in Status} for row in rows[1:])
    sheet = server.book(key).sheet_by_title("Returns")
    marks = [m for m in sheet.extra.get("developerMetadata", []) if m["metadataKey"] == "sheetreturns_job_columns"]
    assert len(marks) == 1 and marks[0]["metadataValue"].startswith("[Returns]Status (sheetreturns)|Next Step")
    assert marks[0]["location"] == {"locationType": "SHEET", "sheetId": sheet.sheet_id}


def test_google_recorded_job_column_stays_the_jobs_whatever_the_seller_typed(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    google = Config(google={"endpoint": server.url}, state_dir=tmp_path / "state")
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=google)
    header, row = server.values(key, "Returns")[:2]
    column = header.index("Status")
    row = list(row)
    row[column] = "typed over by hand"
    server.put_rows(key, "Returns", [row], start_row=1)
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=google)
    rows = server.values(key, "Returns")
    assert "Status (sheetreturns)" not in rows[0]
    assert rows[1][column] == Status.AWAITING_ITEM.value


def test_server_developer_metadata_create_update_delete_like_google(server):
    key = server.create("Metadata")
    http = gspread_client(server.url).http_client
    sheet_id = server.book(key).sheets[0].sheet_id
    created = http.batch_update(key, {"requests": [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "k", "metadataValue": "one", "location": {"sheetId": sheet_id}, "visibility": "DOCUMENT"}}}]})
    item = created["replies"][0]["createDeveloperMetadata"]["developerMetadata"]
    assert item["location"] == {"locationType": "SHEET", "sheetId": sheet_id} and isinstance(item["metadataId"], int)
    got = http.fetch_sheet_metadata(key)
    assert got["sheets"][0]["developerMetadata"] == [item]
    http.batch_update(key, {"requests": [{"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataId": item["metadataId"]}}],
        "developerMetadata": {"metadataValue": "two"}, "fields": "metadataValue"}}]})
    assert http.fetch_sheet_metadata(key)["sheets"][0]["developerMetadata"][0]["metadataValue"] == "two"
    with pytest.raises(gspread.exceptions.APIError):  # visibility is required; the failed batch changes nothing
        http.batch_update(key, {"requests": [
            {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataKey": "k"}}}},
            {"createDeveloperMetadata": {"developerMetadata": {"metadataKey": "x", "location": {"sheetId": sheet_id}}}},
        ]})
    assert len(http.fetch_sheet_metadata(key)["sheets"][0]["developerMetadata"]) == 1
    http.batch_update(key, {"requests": [
        {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataKey": "k"}}}}]})
    assert "developerMetadata" not in http.fetch_sheet_metadata(key)["sheets"][0]


def test_every_next_step_the_engine_writes_is_recognised_as_the_jobs(tmp_path):
    """Ownership recognises the Next Step column by the wordings the rules write; a new wording the list
    does not know would make the job take its own column for a seller's. Here: the example over a year of
    as-of dates, a month of imported Amazon reports (claims, reimbursements) and replies' steps."""
    from sheetreturns.engine.ownership import job_value
    from sheetreturns.engine.replies import next_step_text
    from tests import marketplace_reports as reports

    book = shutil.copy(Path(__file__).resolve().parent.parent / "examples" / "returns.xlsx", tmp_path / "r.xlsx")
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state")
    api.import_reports(reports.write_month(tmp_path / "downloads"), book, config=config)
    steps = set()
    for as_of in (date(2026, 11, 26), date(2026, 12, 20), date(2027, 3, 1), date(2027, 11, 26)):
        steps |= {o.next_step for o in api.check(book, as_of=as_of, config=config).evaluation.outcomes}
    assert any(s.startswith("Claim ") for s in steps) and any(s.startswith("Reimbursed") for s in steps)
    replied = next_step_text(date(2026, 11, 20))
    steps |= {replied, "Inspect the item yourself and record its Condition; " + replied[0].lower() + replied[1:]}
    assert len(steps) > 10
    assert {s for s in steps if s and not job_value("next_step", s, (), frozenset())} == set()

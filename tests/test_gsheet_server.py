"""The local Sheets API server answers like Google: recorded real traffic replays to equal answers."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gspread
import pytest
import requests
from google.oauth2.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession

from sheetreturns.google_sheets.connect import Redirect
from tests.sheets_api_server import SheetsServer
from tests.sheetsapi.replay import replay_file

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = sorted((ROOT / "tests" / "data" / "gspread_cassettes").glob("*.json"))


def gspread_client(url: str) -> gspread.Client:
    """The real gspread client pointed at `url` as the notes describe: an adapter on an authorized session."""
    session = AuthorizedSession(Credentials(token="test"))
    session.trust_env = False
    for host in ("https://sheets.googleapis.com/", "https://www.googleapis.com/"):
        session.mount(host, Redirect(url))
    return gspread.Client(auth=None, session=session)


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.stem)
@pytest.mark.slow
def test_recorded_google_traffic_replays_to_the_same_status_codes_and_json(cassette):
    with SheetsServer() as fresh:
        compared, problems = replay_file(cassette, fresh.url)
    assert compared >= 4
    assert problems == [], "\n".join(map(str, problems[:3]))


def test_enough_real_traffic_is_replayed():
    assert len(CASSETTES) >= 25
    kinds = set()
    for path in CASSETTES:
        for item in json.loads(path.read_text())["interactions"]:
            uri = item["request"]["uri"]
            kinds.add((item["request"]["method"], "values:batchGet" in uri, "values:batchUpdate" in uri,
                       ":append" in uri, ":batchUpdate" in uri and "values" not in uri))
    assert ("GET", True, False, False, False) in kinds and ("POST", False, True, False, False) in kinds
    assert ("POST", False, False, True, False) in kinds and ("POST", False, False, False, True) in kinds


@pytest.mark.slow
def test_the_server_starts_on_its_own_and_gspread_creates_a_sheet_through_drive(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "tests.sheets_api_server", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:")
        url = line.split()[-1]
        client = gspread_client(url)
        sheet = client.create("Made by gspread")
        sheet.sheet1.update([["Return ID", "Order ID"], ["R-00001", 1001]], "A1")
        assert client.open_by_key(sheet.id).sheet1.get_all_values() == [["Return ID", "Order ID"], ["R-00001", "1001"]]
        client.del_spreadsheet(sheet.id)
        with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
            client.open_by_key(sheet.id)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.network
def test_values_are_trimmed_and_ranges_normalised(server):
    client = gspread_client(server.url)
    sheet = client.create("Trim").sheet1
    sheet.update([["a", "", "c", ""], ["", "", "", ""], ["", "b"]], "A1", raw=True)
    answer = client.http_client.values_get(sheet.spreadsheet_id, "Sheet1")
    assert answer == {"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": [["a", "", "c"], [], ["", "b"]]}
    empty = client.http_client.values_get(sheet.spreadsheet_id, "'Sheet1'!D5:E6")
    assert empty == {"range": "Sheet1!D5:E6", "majorDimension": "ROWS"}


@pytest.mark.network
def test_numbers_and_dates_come_back_unformatted_as_serials(server):
    client = gspread_client(server.url)
    sheet = client.create("Numbers").sheet1
    sheet.update([["2026-11-20", "3", "2.50", "=1/4", "TRUE"]], "A1", value_input_option="USER_ENTERED")
    params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
    got = client.http_client.values_get(sheet.spreadsheet_id, "Sheet1!A1:E1", params=params)
    assert got["values"] == [[46346, 3, 2.5, 0.25, True]]
    formatted = client.http_client.values_get(sheet.spreadsheet_id, "Sheet1!A1:E1")
    assert formatted["values"] == [["2026-11-20", "3", "2.5", "0.25", "TRUE"]]


@pytest.mark.network
def test_a_batch_update_applies_all_of_its_requests_or_none(server):
    client = gspread_client(server.url)
    book = client.create("Atomic")
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.batch_update({"requests": [
            {"addSheet": {"properties": {"title": "New"}}},
            {"updateCells": {"range": {"sheetId": 0, "startRowIndex": 5000}, "rows": [], "fields": "*"}},
        ]})
    assert caught.value.response.status_code == 400
    assert caught.value.response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert [w.title for w in client.open_by_key(book.id).worksheets()] == ["Sheet1"]


@pytest.mark.network
def test_errors_have_googles_json_shape_including_injected_429s(server):
    key = server.create("Quota")
    server.faults.fail(429, times=1)
    session = requests.Session()
    answer = session.get(f"{server.url}/v4/spreadsheets/{key}")
    assert answer.status_code == 429
    assert answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED" and answer.json()["error"]["code"] == 429
    missing = session.get(f"{server.url}/v4/spreadsheets/nope")
    assert missing.json() == {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
    assert server.count("metadata") == 2


@pytest.mark.network
def test_column_metadata_moves_with_its_column_and_a_write_by_data_filter_follows_it(server):
    # As Google documents developer metadata: it stays with the column it was put on when columns are inserted
    # before it, and goes when that column is deleted; a developerMetadataLookup finds the column where it is.
    key = server.create("Meta")
    server.put_rows(key, "Sheet1", [["a", "b", "c"], [1, 2, 3]])
    sid = server.sheet(key, "Sheet1").sheet_id
    client = gspread_client(server.url)
    book = client.open_by_key(key)
    book.batch_update({"requests": [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "k", "metadataValue": "v", "visibility": "DOCUMENT",
        "location": {"dimensionRange": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}}}}]})
    server.edit(key, [{"insertDimension": {"range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}}])
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{key}/values:batchUpdateByDataFilter"
    body = {"valueInputOption": "RAW", "data": [{"dataFilter": {"developerMetadataLookup": {"metadataKey": "k"}},
                                                 "majorDimension": "COLUMNS", "values": [[None, ""]]}]}
    answer = client.http_client.request("post", url, json=body).json()
    assert answer["responses"][0]["updatedRange"] == "Sheet1!C1:C2"
    assert server.values(key, "Sheet1") == [["", "a", "b", "c"], ["", 1, "", 3]]
    server.edit(key, [{"deleteDimension": {"range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 2, "endIndex": 3}}}])
    answer = client.http_client.request("post", url, json={**body, "data": [{**body["data"][0], "values": [["x"]]}]}).json()
    assert "responses" not in answer and server.values(key, "Sheet1") == [["", "a", "c"], ["", 1, 3]]

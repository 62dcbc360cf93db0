"""Helpers for the Google Sheets tests: sheets built from readable tables on the local Sheets API server
(the `server` fixture is in conftest.py)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path


from sheetreturns.settings.config_file import Config
from tests.helpers import STANDARD_HEADERS
from tests.sheets_api_server import SheetsServer


def typed(value: object) -> object:
    """A cell as a seller types it into Google Sheets: dates as ISO text, which Sheets turns into dates."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value and not value.startswith("="):
        return "'" + value  # text stays text, as in the .xlsx (no number or date guessing)
    return value


def google_sheet(server: SheetsServer, rows: list[dict], headers: list[str] | None = None, *, tab: str = "Returns",
                 title_rows: list[str] = (), settings: list[tuple] | None = None, title: str = "Shop returns") -> str:
    """A Google Sheet on the server whose Returns tab has `headers` and one row per dict; returns its key."""
    headers = headers or STANDARD_HEADERS
    key = server.create(title)
    table = [[text] for text in title_rows] + [list(headers)]
    table += [[typed(row.get(h)) for h in headers] for row in rows]
    server.put_rows(key, tab, table, option="USER_ENTERED")
    if settings is not None:
        server.put_rows(key, "Settings", [["Setting", "Value", "What it means"]] + [list(map(typed, s)) for s in settings],
                        option="USER_ENTERED")
    return key


def from_workbook(server: SheetsServer, path: Path, title: str = "From Excel") -> str:
    """A Google Sheet holding the same tabs and values as an .xlsx workbook (dates as real dates)."""
    from sheetreturns.excel.reader import XlsxWorkbook

    key = server.create(title)
    with XlsxWorkbook(path) as book:
        for name in book.titles:
            server.put_rows(key, name, [[typed(v) for v in row] for row in book.rows(name)], option="USER_ENTERED")
    return key


def local_config(server: SheetsServer, tmp_path: Path, **google) -> Config:
    return Config(google={"endpoint": server.url, **google}, state_dir=tmp_path / "state")


def column(server: SheetsServer, key: str, header: str, tab: str = "Returns", header_row: int = 1) -> list:
    """The values below a header, by header name (as the sheet is now)."""
    rows = server.values(key, tab)
    index = rows[header_row - 1].index(header)
    return [row[index] if index < len(row) else "" for row in rows[header_row:]]


def by_id(server: SheetsServer, key: str, tab: str = "Returns", header_row: int = 1) -> dict[str, dict]:
    """Return ID -> {header: value} for every row of the tab (multi-line returns: last line wins)."""
    rows = server.values(key, tab)
    headers = rows[header_row - 1]
    out = {}
    for row in rows[header_row:]:
        record = {h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)}
        if record.get("Return ID"):
            out[record["Return ID"]] = record
    return out


def cell_format(server: SheetsServer, key: str, tab: str, row: int, col: int) -> dict:
    """The userEnteredFormat the server holds for a cell (0-based row and column)."""
    return server.sheet(key, tab).get_meta(row, col, "format") or {}


def writes(server: SheetsServer) -> list:
    """The value writes (ValueRanges) the server received, in order."""
    out = []
    for call in server.calls:
        if call.kind == "values.batchUpdate":
            out.extend(call.body["data"])
    return out

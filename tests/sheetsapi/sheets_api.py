"""spreadsheets.get (metadata, grid data, field masks) and spreadsheets.batchUpdate (atomic)."""
from __future__ import annotations

import copy

from . import fields
from .a1 import column_letters
from .cells import extended, enter, render, typed_value
from .errors import ApiError
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, ErrorValue, Sheet, Spreadsheet, new_sheet_props
from .requests_api import REQUESTS

# -- spreadsheets.get -------------------------------------------------------------


def get(book: Spreadsheet, params: dict) -> dict:
    mask = fields.parse(params["fields"]) if params.get("fields") else None
    include = str(params.get("includeGridData", "false")).lower() == "true"
    ranges = params.get("ranges") or []
    if isinstance(ranges, str):
        ranges = [ranges]
    with_data = include if mask is None else fields.wanted(mask, "sheets", "data") and "sheets" in mask
    if mask is not None and "sheets" in mask and mask["sheets"] and "data" not in mask["sheets"]:
        with_data = False
    by_sheet: dict[int, list] = {}
    for text in ranges:
        sheet, span = book.resolve(text)
        by_sheet.setdefault(sheet.sheet_id, []).append(sheet.clamp(span, text))
    sheets = []
    for sheet in book.sheets:
        if ranges and sheet.sheet_id not in by_sheet:
            continue
        item = sheet_json(sheet)
        if with_data:
            spans = by_sheet.get(sheet.sheet_id) or [(0, 0, sheet.row_count, sheet.column_count)]
            item["data"] = [grid_data(sheet, *span) for span in spans]
        sheets.append(item)
    result = {"spreadsheetId": book.key, "properties": copy.deepcopy(book.properties), "sheets": sheets}
    if book.named_ranges:
        result["namedRanges"] = copy.deepcopy(book.named_ranges)
    if book.developer_metadata:
        result["developerMetadata"] = copy.deepcopy(book.developer_metadata)
    result["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.key}/edit"
    return fields.select(result, mask) if mask is not None else result


def sheet_json(sheet: Sheet) -> dict:
    item = {"properties": copy.deepcopy(sheet.props)}
    if sheet.merges:
        item["merges"] = copy.deepcopy(sheet.merges)
    if sheet.conditional_formats:
        item["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
    if sheet.charts:
        item["charts"] = copy.deepcopy(sheet.charts)
    for key, value in sheet.extra.items():
        if value:
            item[key] = copy.deepcopy(value)
    return item


def grid_data(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> dict:
    data: dict = {}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    rows = []
    for r in range(r0, r1):
        cells = []
        for c in range(c0, c1):
            cells.append(cell_data(sheet, r, c))
        while cells and not cells[-1]:
            cells.pop()
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [dict(sheet.row_meta.get(r, {"pixelSize": 21})) for r in range(r0, r1)]
    data["columnMetadata"] = [dict(sheet.column_meta.get(c, {"pixelSize": 100})) for c in range(c0, c1)]
    return data


def cell_data(sheet: Sheet, r: int, c: int) -> dict:
    value = sheet.value(r, c)
    meta = sheet.cell_meta(r, c) or {}
    cell: dict = {}
    if value is not None:
        formula = meta.get("formula")
        number_format = (meta.get("format") or {}).get("numberFormat")
        cell["userEnteredValue"] = typed_value(value, formula)
        cell["effectiveValue"] = extended(value)
        cell["formattedValue"] = render(value, number_format, "FORMATTED_VALUE", "FORMATTED_STRING", None)
    if meta.get("format"):
        cell["userEnteredFormat"] = copy.deepcopy(meta["format"])
    if meta.get("note"):
        cell["note"] = meta["note"]
    if meta.get("validation"):
        cell["dataValidation"] = copy.deepcopy(meta["validation"])
    return cell


# -- spreadsheets.batchUpdate ------------------------------------------------------


class Transaction:
    """Requests apply to copies; the spreadsheet changes only if every request succeeds."""

    def __init__(self, book: Spreadsheet) -> None:
        self.book = book
        self.sheets = list(book.sheets)
        self.properties = copy.deepcopy(book.properties)
        self.named_ranges = copy.deepcopy(book.named_ranges)
        self.developer_metadata = copy.deepcopy(book.developer_metadata)
        self._copied: set[int] = set()

    def sheet(self, sheet_id: int | None) -> Sheet:
        sheet_id = sheet_id or 0
        for index, sheet in enumerate(self.sheets):
            if sheet.sheet_id == sheet_id:
                if sheet_id not in self._copied:
                    sheet = sheet.clone()
                    self.sheets[index] = sheet
                    self._copied.add(sheet_id)
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def find_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title.lower() == title.lower()), None)

    def add_sheet(self, sheet: Sheet) -> None:
        self.sheets.insert(sheet.props["index"], sheet)
        self._copied.add(sheet.sheet_id)
        self.reindex()

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet.props["index"] = index

    def commit(self) -> None:
        self.book.sheets = self.sheets
        self.book.properties = self.properties
        self.book.named_ranges = self.named_ranges
        self.book.developer_metadata = self.developer_metadata
        self.book.touch()


def batch_update(book: Spreadsheet, body: dict, mask: str | None = None) -> dict:
    """Apply the requests atomically; with includeSpreadsheetInResponse, the spreadsheet as it is after them
    (responseRanges and grid data as in spreadsheets.get; `mask` is the request's `fields` parameter, which,
    as Google documents, decides grid data instead of responseIncludeGridData)."""
    requests = body.get("requests")
    if not requests:
        raise ApiError(400, "Must specify at least one request.")
    tx = Transaction(book)
    replies = []
    for index, request in enumerate(requests):
        request = {k: v for k, v in (request or {}).items() if v is not None}
        if len(request) != 1:
            raise ApiError(400, f"Invalid requests[{index}]: exactly one kind of request must be set")
        (kind, payload), = request.items()
        handler = REQUESTS.get(kind)
        if handler is None:
            raise ApiError(400, f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{index}]': Cannot find field.")
        try:
            replies.append(handler(tx, payload or {}))
        except ApiError as exc:
            if exc.message.startswith("Invalid requests["):
                raise
            raise ApiError(exc.code, f"Invalid requests[{index}].{kind}: {exc.message}", exc.status) from None
    tx.commit()
    result = {"spreadsheetId": book.key, "replies": replies}
    if str(body.get("includeSpreadsheetInResponse", "false")).lower() == "true":
        tree = fields.parse(mask) if mask else None
        if tree is not None:
            grid = fields.wanted(tree, "updatedSpreadsheet", "sheets", "data")
        else:
            grid = str(body.get("responseIncludeGridData", "false")).lower() == "true"
        result["updatedSpreadsheet"] = get(book, {"ranges": body.get("responseRanges") or [],
                                                  "includeGridData": "true" if grid else "false"})
    return fields.select(result, fields.parse(mask)) if mask else result


__all__ = ["get", "batch_update", "Transaction", "cell_data", "grid_data", "sheet_json", "DEFAULT_ROWS",
           "DEFAULT_COLUMNS", "new_sheet_props", "column_letters", "enter", "ErrorValue"]

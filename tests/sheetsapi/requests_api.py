"""The batchUpdate requests the server understands, one small function each: (transaction, payload) -> reply.

Sheets, dimensions, charts, conditional formats, merges and named ranges are here; requests on cells
are in requests_cells.py (registered on import, below)."""
from __future__ import annotations

import copy
import itertools
from typing import Callable

from . import fields
from .errors import ApiError
from .model import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet, clean, new_sheet_props

REQUESTS: dict[str, Callable] = {}
_object_ids = itertools.count(1_000_001)


def request(name: str):
    def register(func):
        REQUESTS[name] = func
        return func
    return register


def _span(tx, grid: dict, sheet: Sheet | None = None) -> tuple[Sheet, int, int, int, int]:
    """A GridRange -> its (copied) sheet and bounded span; open ends reach the grid's edge."""
    sheet = sheet or tx.sheet(grid.get("sheetId", 0))
    r0 = grid.get("startRowIndex", 0)
    c0 = grid.get("startColumnIndex", 0)
    r1 = grid.get("endRowIndex", sheet.row_count)
    c1 = grid.get("endColumnIndex", sheet.column_count)
    if r1 > sheet.row_count or c1 > sheet.column_count or r0 < 0 or c0 < 0 or r0 > r1 or c0 > c1:
        raise ApiError(400, f"Range ('{sheet.title}'!{_a1(r0, c0, r1, c1)}) exceeds grid limits. "
                            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}")
    return sheet, r0, c0, r1, c1


def _a1(r0: int, c0: int, r1: int, c1: int) -> str:
    from .a1 import cells_text
    return cells_text(r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))


def normal_format(fmt: dict) -> dict:
    """Google echoes colours twice: as colour and as colour style."""
    fmt = clean(copy.deepcopy(fmt))
    if "backgroundColor" in fmt and "backgroundColorStyle" not in fmt:
        fmt["backgroundColorStyle"] = {"rgbColor": copy.deepcopy(fmt["backgroundColor"])}
    text = fmt.get("textFormat")
    if isinstance(text, dict) and "foregroundColor" in text and "foregroundColorStyle" not in text:
        text["foregroundColorStyle"] = {"rgbColor": copy.deepcopy(text["foregroundColor"])}
    for border in (fmt.get("borders") or {}).values():
        if isinstance(border, dict) and "color" in border and "colorStyle" not in border:
            border["colorStyle"] = {"rgbColor": copy.deepcopy(border["color"])}
    return fmt


# -- sheets -------------------------------------------------------------------------

@request("addSheet")
def add_sheet(tx, payload: dict) -> dict:
    props = copy.deepcopy(payload.get("properties") or {})
    title = props.get("title")
    if title is None:
        n = len(tx.sheets) + 1
        while tx.find_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    if tx.find_title(title):
        raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = tx.book.next_sheet_id()
        while any(s.sheet_id == sheet_id for s in tx.sheets):
            sheet_id = tx.book.next_sheet_id()
    elif any(s.sheet_id == sheet_id for s in tx.sheets):
        raise ApiError(400, f"A sheet with the id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    index = min(props.get("index", len(tx.sheets)), len(tx.sheets))
    new = new_sheet_props(sheet_id, title, index, grid.get("rowCount", DEFAULT_ROWS),
                          grid.get("columnCount", DEFAULT_COLUMNS))
    for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if grid.get(key):
            new["gridProperties"][key] = grid[key]
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if props.get(key):
            new[key] = clean(copy.deepcopy(props[key]))
    tx.add_sheet(Sheet(new))
    return {"addSheet": {"properties": copy.deepcopy(new)}}


@request("deleteSheet")
def delete_sheet(tx, payload: dict) -> dict:
    sheet = tx.sheet(payload.get("sheetId", 0))
    if len(tx.sheets) == 1:
        raise ApiError(400, "You can't remove all the sheets in a document.")
    tx.sheets.remove(sheet)
    tx.reindex()
    return {}


@request("updateSheetProperties")
def update_sheet_properties(tx, payload: dict) -> dict:
    new = payload.get("properties") or {}
    mask = payload.get("fields")
    if not mask:
        raise ApiError(400, "At least one field must be updated, but none were specified.")
    sheet = tx.sheet(new.get("sheetId", 0))
    before = copy.deepcopy(sheet.props)
    source = copy.deepcopy(new)
    source["sheetId"] = sheet.sheet_id
    fields.copy_masked(sheet.props, source, mask)
    sheet.props["sheetId"] = sheet.sheet_id
    grid = sheet.props.setdefault("gridProperties", {})
    for key in ("rowCount", "columnCount"):
        grid.setdefault(key, before["gridProperties"][key])
    for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if not grid.get(key):
            grid.pop(key, None)
    sheet.props = clean(sheet.props)
    sheet.props.setdefault("gridProperties", grid)
    if not sheet.props.get("hidden"):
        sheet.props.pop("hidden", None)
    elif all(s.props.get("hidden") for s in tx.sheets):
        raise ApiError(400, "You can't hide all the sheets in a document.")
    title = sheet.props.get("title")
    if title != before["title"] and any(s is not sheet and s.title.lower() == title.lower() for s in tx.sheets):
        raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
    if "index" in (new or {}) and "index" in mask:
        tx.sheets.remove(sheet)
        tx.sheets.insert(min(new["index"], len(tx.sheets)), sheet)
        tx.reindex()
    sheet.props["index"] = before["index"] if "index" not in mask else sheet.props["index"]
    tx.reindex()
    sheet.trim()
    return {}


@request("updateSpreadsheetProperties")
def update_spreadsheet_properties(tx, payload: dict) -> dict:
    mask = payload.get("fields")
    if not mask:
        raise ApiError(400, "At least one field must be updated, but none were specified.")
    fields.copy_masked(tx.properties, payload.get("properties") or {}, mask)
    return {}


# -- dimensions ---------------------------------------------------------------------

@request("appendDimension")
def append_dimension(tx, payload: dict) -> dict:
    sheet = tx.sheet(payload.get("sheetId", 0))
    length = payload.get("length", 0)
    if length <= 0:
        raise ApiError(400, "length must be greater than 0")
    key = "rowCount" if payload.get("dimension") == "ROWS" else "columnCount"
    sheet.grid[key] = sheet.grid[key] + length
    return {}


@request("insertDimension")
def insert_dimension(tx, payload: dict) -> dict:
    grid = payload.get("range") or {}
    sheet = tx.sheet(grid.get("sheetId", 0))
    start, end = grid.get("startIndex", 0), grid.get("endIndex", 0)
    if end <= start:
        raise ApiError(400, "range must have at least one row or column")
    size = sheet.row_count if grid.get("dimension") == "ROWS" else sheet.column_count
    # As Google: the new rows or columns take their properties from the one before or the one after them.
    if payload.get("inheritFromBefore"):
        if start <= 0:
            raise ApiError(400, "range.startIndex must be greater than 0 if inheritFromBefore is true")
    elif start >= size:
        raise ApiError(400, f"range.startIndex must be less than the grid size ({size}) if inheritFromBefore is false")
    if grid.get("dimension") == "ROWS":
        sheet.insert_rows(start, end - start)
    else:
        sheet.insert_columns(start, end - start)
    return {}


@request("deleteDimension")
def delete_dimension(tx, payload: dict) -> dict:
    grid = payload.get("range") or {}
    sheet = tx.sheet(grid.get("sheetId", 0))
    rows = grid.get("dimension") == "ROWS"
    start = grid.get("startIndex", 0)
    end = grid.get("endIndex", sheet.row_count if rows else sheet.column_count)
    if rows:
        if end - start >= sheet.row_count:
            raise ApiError(400, "You can't delete all the rows on the sheet.")
        sheet.delete_rows(start, end)
    else:
        if end - start >= sheet.column_count:
            raise ApiError(400, "You can't delete all the columns on the sheet.")
        sheet.delete_columns(start, end)
    return {}


@request("updateDimensionProperties")
def update_dimension_properties(tx, payload: dict) -> dict:
    grid = payload.get("range") or {}
    sheet = tx.sheet(grid.get("sheetId", 0))
    rows = grid.get("dimension") == "ROWS"
    store = sheet.row_meta if rows else sheet.column_meta
    end = grid.get("endIndex", sheet.row_count if rows else sheet.column_count)
    for index in range(grid.get("startIndex", 0), end):
        current = store.setdefault(index, {"pixelSize": 21 if rows else 100})
        fields.copy_masked(current, payload.get("properties") or {}, payload.get("fields") or "*")
    return {}


# -- charts, conditional formats, merges, named ranges -------------------------------

@request("addChart")
def add_chart(tx, payload: dict) -> dict:
    chart = copy.deepcopy(payload.get("chart") or {})
    if "spec" not in chart:
        raise ApiError(400, "chart.spec is required")
    position = chart.get("position") or {}
    anchor = (position.get("overlayPosition") or {}).get("anchorCell") or {}
    sheet_id = anchor.get("sheetId", position.get("sheetId", 0))
    sheet = tx.sheet(sheet_id)
    if anchor:
        _span(tx, {"sheetId": sheet_id, "startRowIndex": anchor.get("rowIndex", 0),
                   "startColumnIndex": anchor.get("columnIndex", 0), "endRowIndex": anchor.get("rowIndex", 0) + 1,
                   "endColumnIndex": anchor.get("columnIndex", 0) + 1}, sheet)
    chart.setdefault("chartId", next(_object_ids))
    sheet.charts.append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


@request("deleteEmbeddedObject")
def delete_embedded_object(tx, payload: dict) -> dict:
    object_id = payload.get("objectId")
    for sheet in list(tx.sheets):
        if any(c.get("chartId") == object_id for c in sheet.charts):
            sheet = tx.sheet(sheet.sheet_id)
            sheet.charts = [c for c in sheet.charts if c.get("chartId") != object_id]
            return {}
    raise ApiError(400, f"No embedded object with id: {object_id}")


@request("addConditionalFormatRule")
def add_conditional_format_rule(tx, payload: dict) -> dict:
    rule = copy.deepcopy(payload.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise ApiError(400, "rule.ranges must not be empty")
    sheet = tx.sheet(ranges[0].get("sheetId", 0))
    for grid in ranges:
        _span(tx, grid, sheet)
    index = payload.get("index", 0)
    sheet.conditional_formats.insert(index, rule)
    return {}


@request("deleteConditionalFormatRule")
def delete_conditional_format_rule(tx, payload: dict) -> dict:
    sheet = tx.sheet(payload.get("sheetId", 0))
    index = payload.get("index", 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise ApiError(400, f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    return {"deleteConditionalFormatRule": {"rule": sheet.conditional_formats.pop(index)}}


@request("mergeCells")
def merge_cells(tx, payload: dict) -> dict:
    sheet, r0, c0, r1, c1 = _span(tx, payload.get("range") or {})
    kind = payload.get("mergeType", "MERGE_ALL")
    spans = [(r0, c0, r1, c1)]
    if kind == "MERGE_ROWS":
        spans = [(r, c0, r + 1, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        spans = [(r0, c, r1, c + 1) for c in range(c0, c1)]
    for a, b, c, d in spans:
        merge = {"startRowIndex": a, "endRowIndex": c, "startColumnIndex": b, "endColumnIndex": d}
        if sheet.sheet_id:
            merge["sheetId"] = sheet.sheet_id
        sheet.merges.append(merge)
    return {}


@request("unmergeCells")
def unmerge_cells(tx, payload: dict) -> dict:
    sheet, r0, c0, r1, c1 = _span(tx, payload.get("range") or {})
    sheet.merges = [m for m in sheet.merges if not (r0 <= m["startRowIndex"] and m["endRowIndex"] <= r1
                                                  and c0 <= m["startColumnIndex"] and m["endColumnIndex"] <= c1)]
    return {}


@request("addNamedRange")
def add_named_range(tx, payload: dict) -> dict:
    named = copy.deepcopy(payload.get("namedRange") or {})
    named.setdefault("namedRangeId", f"named-{next(_object_ids)}")
    tx.named_ranges.append(named)
    return {"addNamedRange": {"namedRange": copy.deepcopy(named)}}


@request("deleteNamedRange")
def delete_named_range(tx, payload: dict) -> dict:
    before = len(tx.named_ranges)
    tx.named_ranges = [n for n in tx.named_ranges if n.get("namedRangeId") != payload.get("namedRangeId")]
    if len(tx.named_ranges) == before:
        raise ApiError(400, f"No named range with id: {payload.get('namedRangeId')}")
    return {}


@request("createDeveloperMetadata")
def create_developer_metadata(tx, payload: dict) -> dict:
    """Metadata on a sheet (the only location the job uses), listed in that sheet's developerMetadata."""
    item = copy.deepcopy(payload.get("developerMetadata") or {})
    location = item.get("location") or {}
    if "sheetId" not in location or not item.get("metadataKey"):
        raise ApiError(400, "Invalid developer metadata: a metadataKey and a sheet location are required.")
    sheet = tx.sheet(location["sheetId"])
    item["metadataId"] = item.get("metadataId") or next(_object_ids)
    item["location"] = {"locationType": "SHEET", "sheetId": sheet.sheet_id}
    item.setdefault("visibility", "DOCUMENT")
    sheet.extra.setdefault("developerMetadata", []).append(item)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(item)}}


@request("deleteDeveloperMetadata")
def delete_developer_metadata(tx, payload: dict) -> dict:
    lookup = (payload.get("dataFilter") or {}).get("developerMetadataLookup") or {}
    sheet_id = (lookup.get("metadataLocation") or {}).get("sheetId")
    deleted = []
    for sheet in tx.sheets:
        if sheet_id is not None and sheet.sheet_id != sheet_id:
            continue
        kept = []
        for item in sheet.extra.get("developerMetadata", []):
            match = all(item.get(k) == lookup[k] for k in ("metadataId", "metadataKey") if k in lookup)
            (deleted if match else kept).append(item)
        sheet.extra["developerMetadata"] = kept
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": copy.deepcopy(deleted)}}


from . import requests_cells  # noqa: E402,F401  (importing it registers the cell requests)
from . import metadata_api  # noqa: E402,F401  (and the developer metadata requests)

"""Tabs (tab_model.Tab) as spreadsheets.batchUpdate requests, looking like the Excel ones: the generated
tabs of a sync and the tabs of a new sheet (`init --google`). Bold frozen header, readable widths,
colours by status, native charts, column formats, dropdowns and notes. Plus the status colours of the
Returns tab, as conditional format rules that follow each cell's value."""
from __future__ import annotations

import math
import random
from datetime import date, datetime
from decimal import Decimal

from ..sheet import palette
from ..sheet.palette import STATUS_COLOURS
from ..sheet.tab_model import ChartSpec, ColumnBody, Dropdown, Tab, style_of, value_of
from .cells import serial

PIXELS_PER_CHAR = 7
PIXELS_PER_CM = 37.8
MIN_ROWS, MIN_COLUMNS = 100, 26
TYPING_ROWS = 1000  # a tab a seller types into gets the rows of a new Google Sheet


def rgb(hex_colour: str) -> dict:
    value = hex_colour.lstrip("#")
    return {"red": int(value[0:2], 16) / 255, "green": int(value[2:4], 16) / 255, "blue": int(value[4:6], 16) / 255}


GREY_TEXT = rgb(palette.NOTE_TEXT)
HEADING_TEXT = rgb(palette.HEADING_TEXT)
HEADER_FILL = rgb(palette.HEADER_FILL)
ALERT_TEXT = rgb(palette.ALERT_TEXT)
ALERT_FILL = rgb(palette.ALERT_FILL)
GOOD_TEXT = rgb(palette.GOOD_TEXT)
TITLE_SIZE, HEADING_SIZE = palette.TITLE_SIZE, palette.HEADING_SIZE


def style_format(style: str | None, value: object, currency: str) -> dict:
    """The userEnteredFormat for a cell of the given tabmodel style."""
    fmt: dict = {}
    if style == "title":  # sizes in points, as in Excel
        fmt["textFormat"] = {"bold": True, "fontSize": TITLE_SIZE, "foregroundColor": HEADING_TEXT}
    elif style == "subtitle":
        fmt["textFormat"] = {"italic": True, "foregroundColor": GREY_TEXT}
    elif style == "heading":
        fmt["textFormat"] = {"bold": True, "fontSize": HEADING_SIZE, "foregroundColor": HEADING_TEXT}
    elif style == "header":
        fmt["textFormat"] = {"bold": True}
        fmt["backgroundColor"] = HEADER_FILL
        fmt["borders"] = {"bottom": {"style": "SOLID", "color": rgb(palette.HEADER_BORDER)}}
        fmt["wrapStrategy"] = "WRAP"
        fmt["verticalAlignment"] = "BOTTOM"
    elif style == "int":
        fmt["numberFormat"] = {"type": "NUMBER", "pattern": palette.INT_FORMAT}
    elif style == "money":
        fmt["numberFormat"] = {"type": "CURRENCY", "pattern": palette.money_format(currency)}
    elif style == "percent":
        fmt["numberFormat"] = {"type": "PERCENT", "pattern": palette.PERCENT_FORMAT}
    elif style == "date":
        fmt["numberFormat"] = {"type": "DATE", "pattern": palette.DATE_FORMAT}
    elif style == "datetime":
        fmt["numberFormat"] = {"type": "DATE_TIME", "pattern": palette.DATETIME_FORMAT}
    elif style == "alert":
        fmt["textFormat"] = {"bold": True, "foregroundColor": ALERT_TEXT}
        fmt["backgroundColor"] = ALERT_FILL
    elif style == "good":
        fmt["textFormat"] = {"foregroundColor": GOOD_TEXT}
    elif style == "status" and str(value) in STATUS_COLOURS:
        fmt["backgroundColor"] = rgb(STATUS_COLOURS[str(value)])
    elif style in ("seller_header", "job_header"):
        seller = style == "seller_header"
        fmt["backgroundColor"] = rgb(palette.SELLER_HEADER_FILL if seller else palette.JOB_HEADER_FILL)
        fmt["textFormat"] = {"bold": True, "foregroundColor": rgb(palette.SELLER_HEADER_TEXT if seller
                                                                  else palette.JOB_HEADER_TEXT)}
        fmt["verticalAlignment"] = "MIDDLE"
    elif style == "example":
        fmt["textFormat"] = {"italic": True, "foregroundColor": rgb(palette.EXAMPLE_TEXT)}
    elif style == "wrap":
        fmt["wrapStrategy"] = "WRAP"
        fmt["verticalAlignment"] = "TOP"
    elif style == "count":
        fmt["numberFormat"] = {"type": "NUMBER", "pattern": palette.COUNT_FORMAT}
    elif style == "code":
        fmt["numberFormat"] = {"type": "TEXT"}
    if "numberFormat" not in fmt and isinstance(value, (date, datetime)):
        fmt["numberFormat"] = ({"type": "DATE_TIME", "pattern": palette.DATETIME_FORMAT} if isinstance(value, datetime)
                               else {"type": "DATE", "pattern": palette.DATE_FORMAT})
    return fmt


def cell_value(value: object) -> dict:
    """An ExtendedValue; text is always a stringValue, so '=...' is never a formula."""
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (date, datetime)):
        return {"numberValue": serial(value)}
    if isinstance(value, (int, float, Decimal)) and math.isfinite(float(value)):
        number = float(value)
        return {"numberValue": int(number) if number.is_integer() and abs(number) < 2**53 else number}
    return {"stringValue": str(value)}


def cell_data(cell: object, currency: str) -> dict:
    value = value_of(cell)
    data = {}
    entered = cell_value(value)
    if entered:
        data["userEnteredValue"] = entered
    fmt = style_format(style_of(cell), value, currency)
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


DIGEST_KEY = "sheetreturns_tab_digest"  # developer metadata on a generated tab: what it showed when drawn


def tab_requests(tab: Tab, existing: dict | None, taken: set[int], currency: str = "", *,
                 record_digest: bool = False) -> list[dict]:
    """Requests that make the tab exactly `tab`: created if missing, else cleared and redrawn in place.

    With `record_digest` the tab is marked with what it shows, so that a later run can leave it alone.
    """
    width = max([len(r) for r in tab.rows] + [max(tab.widths, default=0)] + [_chart_columns(c) for c in tab.charts] + [1])
    height = max([len(tab.rows)] + [_chart_rows(c) for c in tab.charts] + [1])
    rows_needed, columns_needed = max(height + 10, MIN_ROWS), max(width, MIN_COLUMNS)
    if tab.bodies or tab.dropdowns or tab.status_colours:
        # Excel's column formats, dropdowns and colours reach every row; Google's reach the rows the grid has
        # when they are set, so the grid is made as long as a new Google Sheet's.
        rows_needed = max(rows_needed, TYPING_ROWS)
    grid = {"rowCount": rows_needed, "columnCount": columns_needed, "frozenRowCount": tab.freeze_rows}
    grid_fields = "rowCount,columnCount,frozenRowCount"
    if tab.freeze_columns:
        grid["frozenColumnCount"] = tab.freeze_columns
        grid_fields += ",frozenColumnCount"
    requests_: list[dict] = []
    if existing is None:
        sheet_id = _new_id(taken)
        taken.add(sheet_id)
        properties = {"sheetId": sheet_id, "title": tab.title, "gridProperties": grid}
        if tab.hidden:
            properties["hidden"] = True
        requests_.append({"addSheet": {"properties": properties}})
    else:
        sheet_id = existing["properties"]["sheetId"]
        for chart in existing.get("charts", []):
            requests_.append({"deleteEmbeddedObject": {"objectId": chart["chartId"]}})
        requests_.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": "*"}})
        properties = {"sheetId": sheet_id, "title": tab.title, "gridProperties": grid}
        if tab.hidden:
            properties["hidden"] = True
        requests_.append({"updateSheetProperties": {
            "properties": properties, "fields": ("title,hidden," if tab.hidden else "title,") + f"gridProperties({grid_fields})"}})
    for column, chars in sorted(tab.widths.items()):
        requests_.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": column - 1, "endIndex": column},
            "properties": {"pixelSize": round(chars * PIXELS_PER_CHAR + 5)}, "fields": "pixelSize"}})
    # tab.heights are left out: Google grows a row to fit its wrapped text by itself, and a fixed height
    # (set for Excel, which does not) would stop it doing so where Google's font wraps a line more.
    if tab.rows:
        rows = [{"values": [cell_data(c, currency) for c in row]} for row in tab.rows]
        for (r, c), text in tab.notes.items():
            row = rows[r - 1]["values"]
            row.extend({} for _ in range(c - len(row)))
            row[c - 1]["note"] = text
        requests_.append({"updateCells": {"rows": rows, "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                                          "fields": "userEnteredValue,userEnteredFormat" + (",note" if tab.notes else "")}})
    for column, body in sorted(tab.bodies.items()):
        requests_.append(_body_request(sheet_id, column, body, currency))
    for dropdown in tab.dropdowns:
        requests_.append(_validation_request(sheet_id, dropdown))
    if tab.status_colours:
        column, first_row = tab.status_colours
        requests_ += status_rules(existing or {}, sheet_id, first_row - 1, column - 1)
    # tab.auto_filter is left out: a Google Sheet's basic filter hides rows for everyone editing the sheet
    # at the same time (Google's own per-person filters are filter views, which each person makes).
    for chart in tab.charts:
        requests_.append({"addChart": {"chart": chart_json(tab, chart, sheet_id)}})
    if not record_digest:
        return requests_
    for item in (existing or {}).get("developerMetadata", []):
        if item.get("metadataKey") == DIGEST_KEY:
            requests_.append({"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {
                "metadataId": item["metadataId"]}}}})
    requests_.append({"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": DIGEST_KEY, "metadataValue": tab.digest(), "location": {"sheetId": sheet_id},
        "visibility": "DOCUMENT"}}})
    return requests_


def _column_range(sheet_id: int, column: int, first_row: int, last_row: int | None = None) -> dict:
    grid = {"sheetId": sheet_id, "startRowIndex": first_row - 1, "startColumnIndex": column - 1, "endColumnIndex": column}
    if last_row is not None:
        grid["endRowIndex"] = last_row
    return grid


def _body_request(sheet_id: int, column: int, body: ColumnBody, currency: str) -> dict:
    """The column's number format and fill from its first row down; the cells' own text formats stay."""
    fmt = {}
    if body.number:
        fmt["numberFormat"] = style_format(body.number, None, currency)["numberFormat"]
    if body.fill:
        fmt["backgroundColor"] = rgb(body.fill)
    return {"repeatCell": {"range": _column_range(sheet_id, column, body.first_row), "cell": {"userEnteredFormat": fmt},
                           "fields": "userEnteredFormat(" + ",".join(sorted(fmt)) + ")"}}


def _validation_request(sheet_id: int, dropdown: Dropdown) -> dict:
    """A dropdown of its choices. Google has no "any value, silently" list: other values always get the
    warning mark (strict=False), so the suggestion lists (Reason, Channel) mark free text too."""
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in dropdown.choices]},
            "showCustomUi": True, "strict": False}
    if dropdown.strict:  # as in Excel: other values are allowed, with a warning (the job reports them)
        rule["inputMessage"] = f"sheetreturns understands: {', '.join(dropdown.choices)}"
    return {"setDataValidation": {
        "range": _column_range(sheet_id, dropdown.column, dropdown.first_row, dropdown.last_row), "rule": rule}}


def stored_digest(existing: dict | None) -> str | None:
    """The digest of what a generated tab showed when the job last drew it (see Tab.digest)."""
    for item in (existing or {}).get("developerMetadata", []):
        if item.get("metadataKey") == DIGEST_KEY:
            return item.get("metadataValue")
    return None


def _new_id(taken: set[int]) -> int:
    while True:
        candidate = random.randint(1_000_000, 2**31 - 1)
        if candidate not in taken:
            return candidate


def _chart_columns(chart: ChartSpec) -> int:
    col, _ = _anchor(chart.anchor)
    return col + 1 + math.ceil(chart.width_cm * PIXELS_PER_CM / 100)


def _chart_rows(chart: ChartSpec) -> int:
    _, row = _anchor(chart.anchor)
    return row + 1 + math.ceil(chart.height_cm * PIXELS_PER_CM / 21)


def _anchor(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha()).upper()
    digits = "".join(ch for ch in cell if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col - 1, int(digits) - 1


def chart_json(tab: Tab, chart: ChartSpec, sheet_id: int) -> dict:
    def source(column: int, first: int, last: int) -> dict:
        return {"sourceRange": {"sources": [{"sheetId": sheet_id, "startRowIndex": first - 1, "endRowIndex": last,
                                              "startColumnIndex": column - 1, "endColumnIndex": column}]}}

    headers = all(_names_series(tab, s) for s in chart.series) and chart.first_row > 1
    first = chart.first_row - 1 if headers else chart.first_row
    col, row = _anchor(chart.anchor)
    spec = {
        "title": chart.title,
        "basicChart": {
            "chartType": "COLUMN" if chart.kind == "bar" else "LINE",
            "legendPosition": "BOTTOM_LEGEND" if len(chart.series) > 1 else "NO_LEGEND",
            "axis": [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS", "title": chart.y_title}],
            "domains": [{"domain": source(chart.categories_column, first, chart.last_row)}],
            "series": [{"series": source(s.column, first, s.last_row), "targetAxis": "LEFT_AXIS"} for s in chart.series],
            "headerCount": 1 if headers else 0,
        },
    }
    position = {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                                    "widthPixels": round(chart.width_cm * PIXELS_PER_CM),
                                    "heightPixels": round(chart.height_cm * PIXELS_PER_CM)}}
    return {"spec": spec, "position": position}


def _names_series(tab: Tab, series) -> bool:
    row = series.first_row - 2
    if row < 0 or row >= len(tab.rows) or series.column - 1 >= len(tab.rows[row]):
        return False
    return str(value_of(tab.rows[row][series.column - 1])) == series.name


def status_rules(sheet: dict, sheet_id: int, first_row: int, column: int) -> list[dict]:
    """Conditional format rules colouring the Status column by label; only those not already there."""
    present = set()
    for rule in sheet.get("conditionalFormats", []):
        condition = (rule.get("booleanRule") or {}).get("condition") or {}
        values = condition.get("values") or []
        covers = any(r.get("startColumnIndex", 0) <= column < r.get("endColumnIndex", column + 1)
                     for r in rule.get("ranges", []))
        if condition.get("type") == "TEXT_EQ" and values and covers:
            present.add(values[0].get("userEnteredValue"))
    requests_ = []
    for label, colour in STATUS_COLOURS.items():
        if label in present:
            continue
        grid = {"sheetId": sheet_id, "startRowIndex": first_row, "startColumnIndex": column, "endColumnIndex": column + 1}
        requests_.append({"addConditionalFormatRule": {"index": 0, "rule": {
            "ranges": [grid],
            "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": label}]},
                            "format": {"backgroundColor": rgb(colour)}}}}})
    return requests_

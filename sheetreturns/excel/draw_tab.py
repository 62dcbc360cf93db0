"""Drawing a Tab (tab_model) into a worksheet of a fresh openpyxl Workbook: the generated tabs of a sync,
and the tabs of a new workbook (`init`).

Only what openpyxl itself writes is used (cell styles, column widths, frozen panes, page setup,
native charts, validations, conditional formats, comments), so the Excel writer can move the
resulting sheet and chart parts into a seller's workbook. Text that a spreadsheet would take for a
formula is written as text.
"""
from __future__ import annotations

import math
import textwrap
from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart import Series as ChartSeries
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..sheet.palette import (
    ALERT_FILL, ALERT_TEXT, COUNT_FORMAT, DATE_FORMAT, DATETIME_FORMAT, EXAMPLE_TEXT, GOOD_TEXT, HEADER_BORDER,
    HEADER_FILL, HEADING_SIZE, HEADING_TEXT, INT_FORMAT, JOB_HEADER_FILL, JOB_HEADER_TEXT, NOTE_TEXT, PERCENT_FORMAT,
    SELLER_HEADER_FILL, SELLER_HEADER_TEXT, STATUS_COLOURS, TEXT_FORMAT, TITLE_SIZE, money_format,
)
from ..sheet.tab_model import STYLES, ChartSpec, ColumnBody, Dropdown, Tab, needs_text_guard, style_of, value_of

LAST_ROW = 1048576  # a column "to the end": dropdowns and colours cover rows typed later too
NOT_INDENTED = frozenset({"title", "subtitle", "heading", "seller_header", "job_header", "example"})

__all__ = ["money_format", "render_tab"]


def _styles(currency_symbol: str) -> dict[str, dict]:
    """Style name -> the openpyxl attributes a cell of that style gets."""
    bottom = Border(bottom=Side(style="thin", color=HEADER_BORDER))
    styles = {
        "title": {"font": Font(bold=True, size=TITLE_SIZE, color=HEADING_TEXT)},
        "subtitle": {"font": Font(italic=True, color=NOTE_TEXT)},
        "heading": {"font": Font(bold=True, size=HEADING_SIZE, color=HEADING_TEXT)},
        "header": {"font": Font(bold=True), "fill": PatternFill("solid", fgColor=HEADER_FILL), "border": bottom},
        "label": {"font": Font(bold=False)},
        "text": {},
        "int": {"number_format": INT_FORMAT},
        "money": {"number_format": money_format(currency_symbol)},
        "percent": {"number_format": PERCENT_FORMAT},
        "date": {"number_format": DATE_FORMAT},
        "datetime": {"number_format": DATETIME_FORMAT},
        "alert": {"font": Font(bold=True, color=ALERT_TEXT), "fill": PatternFill("solid", fgColor=ALERT_FILL),
                  "number_format": INT_FORMAT},
        "good": {"font": Font(color=GOOD_TEXT)},
        "status": {},
        "seller_header": {"font": Font(bold=True, color=SELLER_HEADER_TEXT),
                          "fill": PatternFill("solid", fgColor=SELLER_HEADER_FILL), "alignment": Alignment(vertical="center")},
        "job_header": {"font": Font(bold=True, color=JOB_HEADER_TEXT),
                       "fill": PatternFill("solid", fgColor=JOB_HEADER_FILL), "alignment": Alignment(vertical="center")},
        "example": {"font": Font(italic=True, color=EXAMPLE_TEXT)},
        "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
        "count": {"number_format": COUNT_FORMAT},
        "code": {"number_format": TEXT_FORMAT},
    }
    assert set(styles) == STYLES, "every style of tabmodel.STYLES needs a drawing here"
    return styles


def _cell_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters pasted into a reason are not valid XML
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def render_tab(tab: Tab, ws: Worksheet, currency_symbol: str) -> None:
    """Draw `tab` into the empty worksheet `ws`: values, styles, widths, frozen rows, charts, print setup."""
    ws.title = tab.title
    styles = _styles(currency_symbol)
    for r, cells in enumerate(tab.rows, start=1):
        for c, cell in enumerate(cells, start=1):
            value = _cell_value(value_of(cell))
            style = style_of(cell) or _implied_style(value)
            body = tab.bodies.get(c)
            if body and r < body.first_row:
                body = None
            if value is None and style not in ("header", "status", "example") and not body:
                continue
            target = ws.cell(row=r, column=c)
            target.value = value
            if needs_text_guard(value):
                target.data_type = "s"  # never a formula: written as a string, kept as text when edited
                target.quotePrefix = True
            for attribute, setting in styles.get(style, {}).items():
                setattr(target, attribute, setting)
            if body:
                _draw_body(target, body, styles)
            if style == "status" and isinstance(value, str) and value in STATUS_COLOURS:
                target.fill = PatternFill("solid", fgColor=STATUS_COLOURS[value])
            if style == "header" and _numbers_below(tab, r, c):
                target.alignment = Alignment(horizontal="right")  # over a column of numbers, as Excel aligns them
            elif c > 2 and isinstance(value, str) and style not in NOT_INDENTED:
                # clear of the number to its left
                target.alignment = Alignment(horizontal="left", indent=1, wrap_text=style == "wrap" or None,
                                             vertical="top" if style == "wrap" else None)
        if cells and style_of(cells[0]) == "title":
            ws.row_dimensions[r].height = 24
    for row, height in tab.heights.items():
        # Spreadsheet programs do not all grow a row to fit wrapped text on opening: the height is set.
        ws.row_dimensions[row].height = height
    for column, width in tab.widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    for column, body in tab.bodies.items():
        _draw_body(ws.column_dimensions[get_column_letter(column)], body, styles)
    for dropdown in tab.dropdowns:
        ws.add_data_validation(_validation(dropdown, ws))
    if tab.status_colours:
        _status_colours(ws, *tab.status_colours)
    for (row, column), text in tab.notes.items():
        ws.cell(row, column).comment = _note(text)
    if tab.freeze_rows or tab.freeze_columns:
        ws.freeze_panes = f"{get_column_letter(tab.freeze_columns + 1)}{tab.freeze_rows + 1}"
    if tab.auto_filter and tab.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(max(len(r) for r in tab.rows))}{len(tab.rows)}"
    if tab.hidden:
        ws.sheet_state = "hidden"
    for spec in tab.charts:
        ws.add_chart(_chart(ws, spec, currency_symbol), spec.anchor)
    # Printed or exported to PDF: one page wide, landscape.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _draw_body(target, body: ColumnBody, styles: dict[str, dict]) -> None:
    """A column's number format and fill, on a cell of it or on the column itself (for rows typed later)."""
    if body.number:
        target.number_format = styles[body.number]["number_format"]
    if body.fill:
        target.fill = PatternFill("solid", fgColor=body.fill)


def _validation(dropdown: Dropdown, ws: Worksheet) -> DataValidation:
    """A list validation; choices listed in cells are named in the workbook and the validation uses the name."""
    if dropdown.list_name:
        ws.parent.defined_names[dropdown.list_name] = DefinedName(dropdown.list_name, attr_text=dropdown.list_range)
        validation = DataValidation(type="list", formula1=dropdown.list_name, allow_blank=True)
    else:
        validation = DataValidation(type="list", formula1='"' + ",".join(dropdown.choices) + '"', allow_blank=True)
    if dropdown.strict:
        validation.showErrorMessage = True
        validation.errorStyle = "warning"
        validation.errorTitle = f"Not a {dropdown.what} the job knows"
        validation.error = f"sheetreturns understands: {', '.join(dropdown.choices)}. Keep this value anyway?"
    else:
        validation.showErrorMessage = False  # a suggestion list: any text is fine
    letter = get_column_letter(dropdown.column)
    validation.add(f"{letter}{dropdown.first_row}:{letter}{dropdown.last_row or LAST_ROW}")
    return validation


def _status_colours(ws: Worksheet, column: int, first_row: int) -> None:
    """A column coloured by its status label, as conditional formats that follow each cell's value."""
    letter = get_column_letter(column)
    for label, colour in STATUS_COLOURS.items():
        text = '"' + label.replace('"', '""') + '"'
        ws.conditional_formatting.add(f"{letter}{first_row}:{letter}{LAST_ROW}", CellIsRule(
            operator="equal", formula=[text], fill=PatternFill("solid", fgColor=colour, bgColor=colour)))


def _note(text: str):
    from openpyxl.comments import Comment

    comment = Comment(text, "sheetreturns")
    comment.width, comment.height = 240, 15 + 15 * len(textwrap.wrap(text, 40))  # points: shown whole on hover
    return comment


def _implied_style(value: object) -> str | None:
    """A date or time without a style still shows as one (not as a day serial number)."""
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return None


def _numbers_below(tab: Tab, row: int, column: int) -> bool:
    """True when the table under a header row (up to its next header, heading or blank row) has numbers in `column`."""
    for cells in tab.rows[row:]:
        if not cells or style_of(cells[0]) in ("header", "heading"):
            return False
        value = value_of(cells[column - 1]) if column <= len(cells) else None
        if value is not None:
            return _is_number(value)
    return False


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal, date)) and not isinstance(value, bool)


def _axis_format(style: str, currency_symbol: str) -> str | None:
    return {"int": INT_FORMAT, "money": money_format(currency_symbol).split(";")[0].replace(".00", ""),
            "percent": PERCENT_FORMAT}.get(style)


def _chart(ws: Worksheet, spec: ChartSpec, currency_symbol: str):
    """A native chart for `spec`; series on the right axis go into a second chart sharing the categories."""
    categories = Reference(ws, min_col=spec.categories_column, min_row=spec.first_row, max_row=spec.last_row)
    left = [s for s in spec.series if s.axis != "right"]
    right = [s for s in spec.series if s.axis == "right"]
    chart = _new_chart(spec.kind)
    _add_series(chart, ws, left, categories)
    chart.title = spec.title
    chart.width, chart.height = spec.width_cm, spec.height_cm
    chart.y_axis.title = spec.y_title or None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    fmt = _axis_format(left[0].number_format, currency_symbol) if left else None
    if fmt:
        chart.y_axis.number_format = fmt
        chart.y_axis.numFmt.sourceLinked = False
    if spec.kind == "bar":
        chart.type = "bar"  # horizontal bars: category names stay readable
        chart.x_axis.scaling.orientation = "maxMin"  # first row of the table at the top
        chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                         showLegendKey=False, showPercent=False)
        chart.gapWidth = 60
    if len(spec.series) == 1:
        chart.legend = None
    else:
        chart.legend.position = "b"
    if right:
        second = _new_chart(spec.kind)
        _add_series(second, ws, right, categories)
        second.y_axis.axId = 200
        second.y_axis.title = spec.y2_title or None
        second.y_axis.crosses = "max"
        second.y_axis.delete = False
        second.y_axis.majorGridlines = None
        fmt = _axis_format(right[0].number_format, currency_symbol)
        if fmt:
            second.y_axis.number_format = fmt
            second.y_axis.numFmt.sourceLinked = False
        chart += second
    return chart


def _new_chart(kind: str):
    if kind == "bar":
        return BarChart()
    if kind == "line":
        return LineChart()
    raise ValueError(f"unknown chart kind {kind!r}")


def _add_series(chart, ws: Worksheet, series, categories: Reference) -> None:
    for spec in series:
        values = Reference(ws, min_col=spec.column, min_row=spec.first_row, max_row=spec.last_row)
        drawn = ChartSeries(values, title=spec.name)
        if isinstance(chart, LineChart):
            drawn.smooth = False
            drawn.marker.symbol = "circle"
        chart.series.append(drawn)
    chart.set_categories(categories)

"""Drawing a generated Tab into an openpyxl worksheet (of a fresh workbook)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..tabmodel import STATUS_COLOURS, Tab, needs_text_guard, style_of, value_of

_THIN = Side(style="thin", color="A6A6A6")


def _apply(cell, style: str | None, symbol: str) -> None:
    if style == "title":
        cell.font = Font(bold=True, size=14)
    elif style == "subtitle":
        cell.font = Font(italic=True, color="666666")
    elif style == "heading":
        cell.font = Font(bold=True, size=12, color="1F4E78")
    elif style == "header":
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = Border(bottom=_THIN)
    elif style == "int":
        cell.number_format = "#,##0"
    elif style == "money":
        cell.number_format = f'"{symbol}"#,##0.00'
    elif style == "percent":
        cell.number_format = "0%"
    elif style == "date":
        cell.number_format = "yyyy-mm-dd"
    elif style == "datetime":
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif style == "alert":
        cell.font = Font(bold=True, color="9C0006")
    elif style == "good":
        cell.font = Font(color="006100")
    elif style == "status":
        colour = STATUS_COLOURS.get(str(cell.value))
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)


def render_tab(tab: Tab, ws, currency_symbol: str = "£") -> None:
    """Draw `tab` (values, styles, widths, frozen rows, charts) into the empty worksheet `ws`."""
    for r, row in enumerate(tab.rows, start=1):
        for c, raw in enumerate(row, start=1):
            value = value_of(raw)
            if value is None:
                continue
            if isinstance(value, Decimal):
                value = float(value)
            cell = ws.cell(r, c)
            cell.value = value
            if needs_text_guard(value):
                cell.data_type = "s"  # text, never a formula
            style = style_of(raw)
            if style is None and isinstance(value, (date, datetime)):
                style = "date"
            _apply(cell, style, currency_symbol)
            if isinstance(value, str) and len(value) > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in tab.widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    if tab.freeze_rows:
        ws.freeze_panes = ws.cell(tab.freeze_rows + 1, 1)
    for spec in tab.charts:
        chart = BarChart() if spec.kind == "bar" else LineChart()
        chart.title = spec.title
        chart.width, chart.height = spec.width_cm, spec.height_cm
        if spec.y_title:
            chart.y_axis.title = spec.y_title
        for series in spec.series:
            data = Reference(ws, min_col=series.column, min_row=series.first_row - 1, max_row=series.last_row)
            chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=spec.categories_column, min_row=spec.first_row, max_row=spec.last_row))
        ws.add_chart(chart, spec.anchor)

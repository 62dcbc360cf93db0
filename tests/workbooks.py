"""Seller workbooks with every feature the writer must leave alone, and tools to compare packages."""
from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation


AS_OF = date(2026, 11, 26)

ROWS = [
    # Return ID, Order ID, Customer, Email, SKU, Qty, Unit Price, Notified On, Reason, Received On, Condition
    ("R-00001", "1001", "Ann Lee", "ann@example.com", "MUG-01", 1, 24.99, date(2026, 11, 20), "Too small", None, None),
    ("R-00002", "1002", "Bob Ray", "bob@example.com", "LAMP-2", 2, 10.0, date(2026, 10, 1), "Faulty", date(2026, 10, 9), "Defective"),
    (None, "1003", "Cy Dee", "cy@example.com", "MUG-01", 1, 24.99, None, "Changed my mind", None, None),
    ("R-00003", "1004", "Di Fox", "di@", "VASE-1", 1, 30.0, date(2026, 11, 22), "Arrived broken", None, None),
]


def png_bytes() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def feature_workbook(path: Path, *, with_job_columns: bool = False) -> Path:
    """A Returns tab plus everything a seller's workbook may hold: the writer must keep all of it."""
    from openpyxl.drawing.image import Image

    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws["A1"] = "Shop returns"
    ws["A1"].font = Font(bold=True, size=14)
    headers = ["Return ID", "Order ID", "Customer", "Email", "SKU", "Qty", "Unit Price", "Notified On", "Reason",
               "Received On", "Condition", "Bin"]
    if with_job_columns:
        headers += ["Status", "Next Step"]
    ws.append([])
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
    for row in ROWS:
        ws.append(list(row) + ["B1"])
    for r in range(4, 4 + len(ROWS)):
        ws.cell(r, 8).number_format = "dd/mm/yyyy"
        ws.cell(r, 10).number_format = "dd/mm/yyyy"
        ws.cell(r, 7).number_format = '"£"#,##0.00'
    ws.column_dimensions["D"].width = 26
    ws.column_dimensions["I"].width = 30
    ws.freeze_panes = "C4"
    ws.auto_filter.ref = f"A3:L{3 + len(ROWS)}"
    ws["C4"].comment = Comment("Prefers phone calls", "Seller")
    ws.conditional_formatting.add("F4:F100", CellIsRule(operator="greaterThan", formula=["1"],
                                                        fill=PatternFill("solid", fgColor="FFC7CE")))

    lists = wb.create_sheet("Lists")
    for i, option in enumerate(["Unopened", "Like new", "Used", "Damaged", "Defective", "Wrong item"], start=1):
        lists.cell(i, 1, option)
    validation = DataValidation(type="list", formula1="Lists!$A$1:$A$6", allow_blank=True)
    validation.add("K4:K500")
    ws.add_data_validation(validation)

    charts = wb.create_sheet("Sales")
    charts.append(["Month", "Orders"])
    for month, orders in [("Sep", 120), ("Oct", 140), ("Nov", 95)]:
        charts.append([month, orders])
    chart = BarChart()
    chart.title = "Orders"
    chart.add_data(Reference(charts, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(charts, min_col=1, min_row=2, max_row=4))
    charts.add_chart(chart, "D2")
    image = Image(io.BytesIO(png_bytes()))
    charts.add_image(image, "D20")
    charts["A10"] = "=SUM(B2:B4)"

    wb.defined_names["OrdersTotal"] = DefinedName("OrdersTotal", attr_text="Sales!$B$2:$B$4")
    wb.custom_doc_props.append(StringProperty(name="Owner", value="Willow & Wick"))
    wb.properties.creator = "Seller"
    wb.save(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cell_values(path: Path) -> dict[str, dict[str, object]]:
    """Every non-empty cell of every sheet, as openpyxl reads it (value and number format)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return {
        ws.title: {c.coordinate: (c.value, c.number_format) for row in ws.iter_rows() for c in row if c.value is not None}
        for ws in wb.worksheets
    }

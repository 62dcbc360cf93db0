"""Building test inputs from readable tables: typed lines for the engine, real .xlsx files for the reader."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from sheetreturns.engine.columns import SELLER_COLUMNS, match_headers
from sheetreturns.engine.evaluate import evaluate
from sheetreturns.engine.model import Line
from sheetreturns.engine.policy import Policy

AS_OF = date(2026, 11, 26)
STANDARD_HEADERS = [c.header for c in SELLER_COLUMNS if not c.on_demand]
HEADER_ROW = 1


def header_map(headers: list[str] | None = None):
    header = match_headers(headers or STANDARD_HEADERS)
    header.row_index = HEADER_ROW - 1
    return header


def line(row: int = 2, **values) -> Line:
    """A typed line with sensible defaults for a plain, just-noticed return."""
    defaults = dict(
        return_id="R-00001", order_id="1001", customer="Jo Bloggs", email="jo@example.com", sku="MUG-01",
        qty=1, unit_price=Decimal("24.99"), notified_on=date(2026, 11, 20),
    )
    defaults.update(values)
    for key in ("unit_price", "refund_amount"):
        if isinstance(defaults.get(key), (int, float, str)):
            defaults[key] = Decimal(str(defaults[key]))
    for key in ("order_date", "notified_on", "received_on", "refunded_on", "contacted_on"):
        if isinstance(defaults.get(key), str):
            defaults[key] = date.fromisoformat(defaults[key])
    return Line(row, **{k: v for k, v in defaults.items() if v is not None})


def run(*lines: Line, policy: Policy | None = None, as_of: date = AS_OF, headers=None):
    return evaluate(list(lines), header_map(headers), policy or Policy(), as_of)


def one(line_: Line, **kwargs):
    """The outcome of a single line."""
    return run(line_, **kwargs).outcomes[0]


def codes(outcome) -> list[str]:
    return [p.code for p in outcome.problems]


def write_workbook(path: Path, rows: list[dict], headers: list[str] | None = None, *, title_rows: list[str] = (),
                   tab: str = "Returns", settings: list[tuple] | None = None) -> Path:
    """An .xlsx whose Returns tab has `headers` and one row per dict (keys are header names)."""
    headers = headers or STANDARD_HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = tab
    for text in title_rows:
        ws.append([text])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    if settings is not None:
        st = wb.create_sheet("Settings")
        st.append(["Setting", "Value", "What it means"])
        for entry in settings:
            st.append(list(entry))
    wb.save(path)
    return path


def basic_row(**overrides) -> dict:
    row = {
        "Return ID": "R-00001", "Order ID": "1001", "Customer": "Jo Bloggs", "Email": "jo@example.com",
        "SKU": "MUG-01", "Product": "Mug", "Qty": 1, "Unit Price": 24.99, "Notified On": date(2026, 11, 20),
        "Reason": "Too small",
    }
    row.update(overrides)
    return row

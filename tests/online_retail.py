"""A Returns tab built from real cancellations (tests/data/online-retail, CC BY 4.0, Chen, Sain & Guo 2012)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

CSV = Path(__file__).resolve().parent / "data" / "online-retail" / "cancellations.csv.gz"
AS_OF = date(2011, 12, 10)  # the day after the last credit note
HEADERS = ["Return ID", "Order ID", "Order Date", "Customer", "Email", "SKU", "Product", "Qty", "Unit Price",
           "Notified On", "Reason", "Received On", "Refund Amount", "Refunded On", "Country"]


def cancellations() -> pd.DataFrame:
    return pd.read_csv(CSV, dtype=str, keep_default_na=False)


def returns_sheet(data: pd.DataFrame) -> pd.DataFrame:
    """The cancellations as a seller's Returns tab: one row per credit-note line; nothing invented."""
    credited = pd.to_datetime(data["InvoiceDate"]).dt.date
    sale = pd.to_datetime(data["derived_matched_sale_date"].replace("", None)).dt.date
    return pd.DataFrame({
        "Return ID": data["InvoiceNo"],
        "Order ID": data["derived_matched_sale_invoice"].str.replace(r"\.0$", "", regex=True).replace("", None),
        "Order Date": sale.where(sale.notna(), None),
        "Customer": data["CustomerID"].str.replace(r"\.0$", "", regex=True).replace("", None),
        "Email": None,
        "SKU": data["StockCode"],
        "Product": data["Description"].replace("", None),
        "Qty": -data["Quantity"].astype(int),
        "Unit Price": data["UnitPrice"].astype(float),
        "Notified On": credited,
        "Reason": None,
        "Received On": None,
        "Refund Amount": data["derived_refund_amount"].astype(float),
        "Refunded On": credited,
        "Country": data["Country"],
    })[HEADERS]


def write_sheet(path: Path, sheet: pd.DataFrame) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Returns")
    ws.append(HEADERS)
    for record in sheet.itertuples(index=False):
        ws.append([None if v is None or (isinstance(v, float) and v != v) or v is pd.NaT else v for v in record])
    wb.save(path)
    return path

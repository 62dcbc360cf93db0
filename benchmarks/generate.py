"""Generated seller workbooks for benchmarks: N rows of realistic returns, ~25 columns, written fast."""
from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

OUT = Path(__file__).resolve().parent / "out"
HEADERS = [
    "Return ID", "Order ID", "Order Date", "Customer", "Email", "SKU", "Product", "Qty", "Unit Price",
    "Notified On", "Channel", "Reason", "Received On", "Received Qty", "Condition", "Damage By",
    "Refund Amount", "Refunded On", "Decision", "Notes", "Warehouse Bin", "Packed By", "Carrier",
    "Tracking No", "Region",
]
REASONS = ["Too small", "Stopped working", "Arrived damaged", "Changed my mind", "Not as described",
           "Wrong item sent", "Arrived late", "Smell too strong", "Faulty switch", "Too big"]
CONDITIONS = [None, "Unopened", "Like new", "Used", "Damaged", "Defective"]


def rows(count: int, seed: int = 7, as_of: date = date(2026, 11, 26)):
    rng = random.Random(seed)
    for i in range(count):
        ordered = as_of - timedelta(days=rng.randint(5, 400))
        notified = ordered + timedelta(days=rng.randint(1, 25))
        received = notified + timedelta(days=rng.randint(3, 20)) if rng.random() < 0.7 else None
        condition = rng.choice(CONDITIONS) if received else None
        refunded = received + timedelta(days=rng.randint(0, 5)) if received and condition and rng.random() < 0.7 else None
        price = round(rng.uniform(3, 150), 2)
        qty = rng.choice([1, 1, 1, 2, 3])
        yield [
            f"R-{i + 1:06d}", f"WW-{100000 + i // 2}", ordered, f"Customer {i % 9000}",
            f"customer{i % 9000}@example.com" if rng.random() > 0.01 else "broken@", f"SKU-{rng.randint(1, 400):04d}",
            f"Product {rng.randint(1, 400)}", qty, price, notified, rng.choice(["Email", "Amazon", "eBay", "Shopify"]),
            rng.choice(REASONS), received, qty if received else None, condition,
            rng.choice([None, "Customer", "Carrier", "Manufacturer"]) if condition in ("Damaged", "Defective") else None,
            round(price * qty, 2) if refunded else None, refunded, None, None if rng.random() < 0.8 else "note",
            f"B{rng.randint(1, 99):02d}", rng.choice(["Sam", "Ana", "Lee"]), rng.choice(["DPD", "Royal Mail", "UPS"]),
            f"TRK{rng.randint(10**9, 10**10)}", rng.choice(["UK", "EU", "US"]),
        ]


DATE_COLUMNS = {2, 9, 12, 17}  # Order Date, Notified On, Received On, Refunded On


def build(count: int, path: Path | None = None) -> Path:
    """Write (once) and return a workbook with `count` return rows under a header row."""
    return write_workbook(path or OUT / f"returns_{count}.xlsx", rows(count))


def write_workbook(path: Path, values_by_row, settings: tuple[tuple[str, str], ...] = ()) -> Path:
    """Write (once, atomically) a Returns tab of HEADERS and these rows, and a Settings tab; return its path."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Returns")
    ws.append(HEADERS)
    for values in values_by_row:
        out = []
        for index, value in enumerate(values):
            if index in DATE_COLUMNS and isinstance(value, date):
                cell = WriteOnlyCell(ws, value)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    settings_tab = wb.create_sheet("Settings")
    settings_tab.append(["Setting", "Value"])
    for row in (("store_name", "Benchmark Shop"), *settings):
        settings_tab.append(list(row))
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return path


if __name__ == "__main__":
    for n in map(int, sys.argv[1:] or ["10000"]):
        print(build(n))

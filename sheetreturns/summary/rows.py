"""One pandas frame of the evaluated rows: typed values plus what the engine concluded, as the figures need them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.model import Line, Outcome, Status
from ..engine.report_facts import is_amazon_fba
from ..engine.statuses import line_value, refunded_amount

# SKUs that are not products: postage, carriage, fees, discounts, samples and manual adjustments, as
# written by marketplaces and accounting exports (the UCI online-retail codes among them). Compared
# case-insensitively with runs of spaces collapsed.
NON_PRODUCT_CODES = frozenset({
    "POST", "POSTAGE", "DOT", "DOTCOM POSTAGE", "C2", "CARRIAGE", "SHIPPING", "DELIVERY",
    "M", "MANUAL", "ADJUST", "ADJUSTMENT", "D", "DISCOUNT", "S", "SAMPLES",
    "AMAZONFEE", "AMAZON FEE", "BANK CHARGES", "CRUK", "FEE",
})


def is_non_product(sku: str | None) -> bool:
    return sku is not None and " ".join(sku.upper().split()) in NON_PRODUCT_CODES


def _amount_owed(line: Line, status: Status) -> float | None:
    """The money a key figure puts on a row: what to refund, what is at risk, what was over-paid."""
    if status is Status.REFUND_DUE:
        paid = refunded_amount(line)
        received = line_value(line, line.units_received)
        if line.refunded_on is not None:  # refunded short
            owed = None if paid is None or received is None else received - paid
        elif line.decision == "Partial refund":
            owed = line.refund_amount
        else:
            owed = line.refund_amount if line.refund_amount is not None else received
    elif status in (Status.REIMBURSEMENT_DUE, Status.REFUNDED_NOT_BACK):
        owed = refunded_amount(line)
    elif status is Status.OVER_REFUNDED:
        paid, received = refunded_amount(line), line_value(line, line.units_received)
        owed = None if paid is None or received is None else paid - received
    else:
        return None
    return None if owed is None else float(owed)


def _customer_key(line: Line) -> str | None:
    if line.email:
        return line.email.lower()
    if line.customer:
        return "name:" + " ".join(line.customer.lower().split())
    return None


def _inspected(line: Line) -> bool:
    return line.received_on is not None and line.condition is not None


def _money(value) -> float:
    return np.nan if value is None else float(value)


def rows_frame(lines: list[Line], outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per sheet row, with the typed values and the engine's conclusions the figures need.

    Each column is made in its final type as soon as it is read off the lines, so no more than one column
    is ever held as a Python list (at a million rows, every column as a list at once was ~0.35 GB)."""
    size = len(lines)

    def numbers(values, dtype) -> np.ndarray:
        return np.fromiter(values, dtype=dtype, count=size)

    def dates(values) -> pd.Series:
        return pd.to_datetime(pd.Series(list(values), dtype="object"), errors="coerce")

    def grouped(values) -> pd.Series:
        # Text the tables group by is categorical: grouping then works on small whole-number codes instead
        # of hashing every string again.
        return pd.DataFrame({"values": list(values)})["values"].astype("category")  # typed as a frame types a list

    columns = {
        "row": numbers((line.row for line in lines), int),
        # Return IDs as whole numbers: they are only counted and grouped, which is much faster on numbers.
        "return_id": pd.factorize(pd.Series([o.return_id for o in outcomes], dtype=object))[0],
        "status": pd.Categorical([o.status.value for o in outcomes], categories=[s.value for s in Status]),
        "sku": grouped(line.sku for line in lines),
        "product": grouped(line.product for line in lines),
        "customer": [line.customer for line in lines],
        "email": [line.email for line in lines],
        "customer_key": grouped(_customer_key(line) for line in lines),
        "units": numbers((line.units for line in lines), int),
        "units_received": numbers((line.units_received for line in lines), int),
        "value": numbers((_money(line_value(line, line.units)) for line in lines), float),
        "refunded": numbers((_money(refunded_amount(line)) for line in lines), float),
        "owed": numbers((_money(_amount_owed(line, o.status)) for line, o in zip(lines, outcomes)), float),
        "notified": dates(o.notified_on for o in outcomes),
        "received": dates(line.received_on for line in lines),
        "refunded_on": dates(line.refunded_on for line in lines),
        "reason": grouped(line.reason for line in lines),
        "category": grouped(o.reason_category or None for o in outcomes),
        "inventory": grouped(o.inventory or None for o in outcomes),
        "inspected": numbers((_inspected(line) for line in lines), bool),
        "defective": numbers((_inspected(line) and (line.condition == "Defective" or line.damage_by == "Manufacturer")
                              for line in lines), bool),
        "non_product": numbers((is_non_product(line.sku) for line in lines), bool),
        "amazon_fba": numbers((is_amazon_fba(line) for line in lines), bool),
        # An unreadable address: the seller must fix it before the customer hears anything.
        "bad_email": numbers(("email" in line.bad for line in lines), bool),
    }
    # Typed as they are made, so an empty sheet gives the same columns (an empty object column used as a
    # mask would select columns instead of rows).
    return pd.DataFrame(columns, copy=False)

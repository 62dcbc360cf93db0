"""One pandas frame of the evaluated rows: typed values plus what the engine concluded, as the figures need them."""
from __future__ import annotations

from itertools import repeat
from operator import attrgetter, contains, eq, is_not

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


def _money(value) -> float:
    return np.nan if value is None else float(value)


def rows_frame(lines: list[Line], outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per sheet row, with the typed values and the engine's conclusions the figures need.

    Each column is read off the rows by a C-level getter and made in its final type straight away, so only a
    few columns are ever held as Python lists (at a million rows, every column as a list at once was ~0.35 GB).
    The rules are written here once, column by column (tests/test_summary_frame.py compares them with the
    same rules written row by row): the customer key is the address in lower case, else "name:" and the name
    in lower case with its spaces folded; a row is inspected once it is received and has a Condition.
    """
    size = len(lines)

    def column(name: str, of: list = lines) -> list:
        return list(map(attrgetter(name), of))

    def numbers(values, dtype) -> np.ndarray:
        return np.fromiter(values, dtype=dtype, count=size)

    def grouped(values: list) -> pd.Series:
        # Text the tables group by is categorical: grouping then works on small whole-number codes instead
        # of hashing every string again.
        return pd.DataFrame({"values": values})["values"].astype("category")  # typed as a frame types a list

    def flags(values: list, test) -> np.ndarray:
        """Each distinct value tested once (there are few SKUs and channels)."""
        try:
            verdicts = {value: test(value) for value in set(values)}
        except TypeError:  # an unhashable value: test each
            return numbers(map(test, values), bool)
        return numbers(map(verdicts.__getitem__, values), bool)

    units = [qty if qty else 1 for qty in column("qty")]  # Line.units
    received_on = column("received_on")
    prices = column("unit_price")
    value = numbers([np.nan if price is None else float(price * count)  # line_value()
                     for price, count in zip(prices, units)], float)
    refunded_on = column("refunded_on")
    refunded = numbers([float(amount) if amount is not None else  # refunded_amount()
                        np.nan if day is None or price is None else float(price * count)
                        for amount, day, price, count in zip(column("refund_amount"), refunded_on, prices, units)],
                       float)
    del prices
    units_received = numbers([0 if day is None else count if got is None else got  # Line.units_received
                              for day, count, got in zip(received_on, units, column("received_qty"))], int)
    units = numbers(units, int)
    conditions = column("condition")
    inspected = (numbers(map(is_not, received_on, repeat(None)), bool)
                 & numbers(map(is_not, conditions, repeat(None)), bool))
    defective = inspected & (numbers(map(eq, conditions, repeat("Defective")), bool)
                             | numbers(map(eq, column("damage_by"), repeat("Manufacturer")), bool))
    del conditions
    received_on, refunded_on = _dates(received_on), _dates(refunded_on)
    statuses = column("status", outcomes)
    skus = column("sku")
    customers, emails = column("customer"), column("email")
    columns = {
        "row": numbers(map(attrgetter("row"), lines), int),
        # Return IDs as whole numbers: they are only counted and grouped, which is much faster on numbers.
        "return_id": pd.factorize(pd.Series(column("return_id", outcomes), dtype=object))[0],
        "status": pd.Categorical.from_codes(numbers(map(_STATUS_CODES.get, statuses, repeat(-1)), int),
                                            categories=[s.value for s in Status]),
        "sku": grouped(skus),
        "product": grouped(column("product")),
        "customer": customers,
        "email": emails,
        "customer_key": grouped([email.lower() if email else
                                 "name:" + " ".join(name.lower().split()) if name else None
                                 for email, name in zip(emails, customers)]),
        "units": units,
        "units_received": units_received,
        "value": value,
        "refunded": refunded,
        "owed": _owed(lines, statuses),
        "notified": _dates(column("notified_on", outcomes)),
        "received": received_on,
        "refunded_on": refunded_on,
        "reason": grouped(column("reason")),
        "category": grouped([category or None for category in column("reason_category", outcomes)]),
        "inventory": grouped([action or None for action in column("inventory", outcomes)]),
        "inspected": inspected,
        "defective": defective,
        "non_product": flags(skus, is_non_product),
        "amazon_fba": flags(column("channel"), lambda channel: is_amazon_fba(Line(0, channel=channel))),
        # An unreadable address: the seller must fix it before the customer hears anything.
        "bad_email": numbers(map(contains, column("bad"), repeat("email")), bool),
    }
    # Typed as they are made, so an empty sheet gives the same columns (an empty object column used as a
    # mask would select columns instead of rows).
    return pd.DataFrame(columns, copy=False)


_STATUS_CODES = {status: code for code, status in enumerate(Status)}
_OWING = frozenset({Status.REFUND_DUE, Status.REIMBURSEMENT_DUE, Status.REFUNDED_NOT_BACK, Status.OVER_REFUNDED})


def _owed(lines: list[Line], statuses: list[Status]) -> np.ndarray:
    """_amount_owed of each row: NaN but on the few rows whose status owes money."""
    owed = np.full(len(lines), np.nan)
    for index, status in enumerate(statuses):
        if status in _OWING:
            owed[index] = _money(_amount_owed(lines[index], status))
    return owed


def _dates(values: list) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")


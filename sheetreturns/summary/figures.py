"""The Summary's figures, computed with pandas from the evaluated rows.

What counts as what:
- A *return* is a Return ID: one customer's notice, which may cover several products (rows).
  The key figures count returns; their amounts add up the rows.
- The reasons, products, inventory and trend tables count *rows* of the Returns tab: one row is
  one product in one return.
- Rows whose SKU is a non-product code (postage, fees, discounts, manual adjustments: see
  NON_PRODUCT_CODES) are left out of every figure and listed on their own, with their refunds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..model import Evaluation, Line, Outcome, Status
from ..policy import Policy
from ..reasons import CATEGORIES
from ..rules import line_value, refunded_amount

# SKUs that are not products: postage, carriage, fees, discounts, samples and manual adjustments, as
# written by marketplaces and accounting exports (the UCI online-retail codes among them). Compared
# case-insensitively with runs of spaces collapsed.
NON_PRODUCT_CODES = frozenset({
    "POST", "POSTAGE", "DOT", "DOTCOM POSTAGE", "C2", "CARRIAGE", "SHIPPING", "DELIVERY",
    "M", "MANUAL", "ADJUST", "ADJUSTMENT", "D", "DISCOUNT", "S", "SAMPLES",
    "AMAZONFEE", "AMAZON FEE", "BANK CHARGES", "CRUK", "FEE",
})

OPEN = tuple(s for s in Status if s not in (Status.DONE, Status.REFUSED))
# Statuses that ask the owner to do something now (waiting for an item, or a refund still within
# its deadline, asks nothing yet).
ACTION = (
    Status.NEEDS_INFO, Status.ITEM_OVERDUE, Status.REIMBURSEMENT_DUE, Status.AWAITING_INSPECTION,
    Status.PARTIALLY_RECEIVED, Status.CUSTOMER_DAMAGE, Status.REFUND_DUE, Status.OVER_REFUNDED,
)
INVENTORY_ACTIONS = ("Restock", "Restock as open-box", "Remove from stock", "Write off", "Carrier claim")
TREND_MONTHS = 24
EXAMPLES = 3  # raw reasons shown beside each Reason Category


def is_non_product(sku: str | None) -> bool:
    return sku is not None and " ".join(sku.upper().split()) in NON_PRODUCT_CODES


@dataclass
class Figure:
    """One key figure: how many returns (Return IDs) and rows, and the money involved."""

    key: str
    label: str
    returns: int
    rows: int
    amount: float | None = None  # None: no amount belongs to this figure
    unpriced: int = 0  # rows whose amount is unknown (no Unit Price)

    def as_dict(self) -> dict:
        return {"label": self.label, "returns": self.returns, "rows": self.rows, "amount": self.amount,
                "rows_without_amount": self.unpriced}


@dataclass
class Figures:
    as_of: date
    currency: str
    symbol: str
    rows: int  # product rows counted
    returns: int
    key: dict[str, Figure]
    days_to_receive: float | None  # median days, notice -> item received
    days_to_receive_n: int
    days_to_refund: float | None  # median days, item received -> refunded
    days_to_refund_n: int
    reasons: pd.DataFrame  # category, rows, share, units, value
    no_reason_rows: int
    other_reasons: pd.DataFrame  # reason, rows
    products: pd.DataFrame  # sku, product, returns, units, inspected, defective, defect_share, top_reason, alert
    claimed: pd.DataFrame  # sku, product, claimed, inspected, found, not_found, not_inspected
    inventory: pd.DataFrame  # sku, product, one column per INVENTORY_ACTIONS (units), total
    customers: pd.DataFrame  # customer, email, returns, units, value, last_notice
    trend: pd.DataFrame  # month (YYYY-MM), returns, refunded
    non_product: pd.DataFrame  # code, rows, refunded
    alert_share: float
    alert_min: int
    repeat_returns: int
    repeat_days: int
    notes: list[str] = field(default_factory=list)

    @property
    def alerts(self) -> pd.DataFrame:
        return self.products[self.products["alert"]]

    def as_dict(self) -> dict:
        """Plain JSON-ready data (money rounded to cents, dates as ISO text)."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "rows": self.rows,
            "returns": self.returns,
            "key_figures": {k: f.as_dict() for k, f in self.key.items()},
            "median_days_notice_to_received": self.days_to_receive,
            "median_days_received_to_refunded": self.days_to_refund,
            "reasons": _records(self.reasons),
            "rows_without_reason": self.no_reason_rows,
            "other_reasons": _records(self.other_reasons),
            "products": _records(self.products),
            "claimed_defective": _records(self.claimed),
            "inventory": _records(self.inventory),
            "repeat_customers": _records(self.customers),
            "trend": _records(self.trend),
            "non_product_rows": _records(self.non_product),
            "defect_alert": {"share": self.alert_share, "min_inspected": self.alert_min},
            "repeat_customer": {"returns": self.repeat_returns, "days": self.repeat_days},
        }


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for record in df.to_dict("records"):
        clean = {}
        for key, value in record.items():
            if isinstance(value, (float, np.floating)):
                value = None if np.isnan(value) else round(float(value), 4)
            elif isinstance(value, np.integer):
                value = int(value)
            elif isinstance(value, np.bool_):
                value = bool(value)
            elif isinstance(value, (pd.Timestamp, date)):
                value = value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
            clean[key] = value
        out.append(clean)
    return out


# -- one frame of rows ---------------------------------------------------------

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


def rows_frame(lines: list[Line], outcomes: list[Outcome], as_of: date) -> pd.DataFrame:
    """One row per sheet row, with the typed values and the engine's conclusions the figures need."""
    def dates(values) -> pd.Series:
        return pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")

    frame = pd.DataFrame({
        "row": [line.row for line in lines],
        "return_id": [o.return_id for o in outcomes],
        "status": pd.Categorical([o.status.value for o in outcomes], categories=[s.value for s in Status]),
        "sku": [line.sku for line in lines],
        "product": [line.product for line in lines],
        "customer": [line.customer for line in lines],
        "email": [line.email for line in lines],
        "customer_key": [_customer_key(line) for line in lines],
        "units": [line.units for line in lines],
        "units_received": [line.units_received for line in lines],
        "value": [_money(line_value(line, line.units)) for line in lines],
        "refunded": [_money(refunded_amount(line)) for line in lines],
        "owed": [_money(_amount_owed(line, o.status)) for line, o in zip(lines, outcomes)],
        "notified": dates([o.notified_on for o in outcomes]),
        "received": dates([line.received_on for line in lines]),
        "refunded_on": dates([line.refunded_on for line in lines]),
        "reason": [line.reason for line in lines],
        "category": [o.reason_category or None for o in outcomes],
        "inventory": [o.inventory or None for o in outcomes],
        "inspected": [_inspected(line) for line in lines],
        "defective": [
            _inspected(line) and (line.condition == "Defective" or line.damage_by == "Manufacturer")
            for line in lines
        ],
        "non_product": [is_non_product(line.sku) for line in lines],
    })
    # Typed explicitly so that an empty sheet gives the same columns (an empty object column used
    # as a mask would select columns instead of rows).
    return frame.astype({"row": int, "units": int, "units_received": int, "value": float, "refunded": float,
                         "owed": float, "inspected": bool, "defective": bool, "non_product": bool})


# -- the figures ----------------------------------------------------------------

def compute(evaluation: Evaluation, policy: Policy) -> Figures:
    """Every figure of the Summary, from an evaluated sheet."""
    as_of = evaluation.as_of
    everything = rows_frame(evaluation.lines, evaluation.outcomes, as_of)
    df = everything[~everything["non_product"]]
    today = pd.Timestamp(as_of)
    days_to_receive, n_receive = _median_days(df, "notified", "received", today)
    days_to_refund, n_refund = _median_days(df, "received", "refunded_on", today)
    return Figures(
        as_of=as_of,
        currency=policy.currency,
        symbol=policy.currency_symbol,
        rows=len(df),
        returns=int(df["return_id"].nunique()),
        key=key_figures(df, today),
        days_to_receive=days_to_receive,
        days_to_receive_n=n_receive,
        days_to_refund=days_to_refund,
        days_to_refund_n=n_refund,
        reasons=reasons(df),
        no_reason_rows=int(df["category"].isna().sum()),
        other_reasons=other_reasons(df),
        products=products(df, policy),
        claimed=claimed_defective(df),
        inventory=inventory(df),
        customers=repeat_customers(df, policy, today),
        trend=trend(df, today),
        non_product=non_product(everything, today),
        alert_share=policy.defect_alert_share,
        alert_min=policy.defect_alert_min_returns,
        repeat_returns=policy.repeat_customer_returns,
        repeat_days=policy.repeat_customer_days,
    )


def _figure(df: pd.DataFrame, mask: pd.Series, key: str, label: str, money: str | None = None) -> Figure:
    chosen = df[mask]
    amount = unpriced = None
    if money is not None:
        amount = round(float(chosen[money].sum()), 2)
        unpriced = int(chosen[money].isna().sum())
    return Figure(key, label, int(chosen["return_id"].nunique()), len(chosen), amount, unpriced or 0)


def key_figures(df: pd.DataFrame, today: pd.Timestamp) -> dict[str, Figure]:
    status = df["status"]

    def has(*statuses: Status) -> pd.Series:
        return status.isin([s.value for s in statuses])

    refunded = df["refunded_on"].notna() & (df["refunded_on"] <= today)
    this_month = refunded & (df["refunded_on"].dt.to_period("M") == today.to_period("M"))
    figures = [
        _figure(df, has(*OPEN), "open", "Open returns"),
        _figure(df, has(*ACTION), "action", "Need your action now"),
        _figure(df, has(Status.NEEDS_INFO), "needs_info", Status.NEEDS_INFO.value),
        _figure(df, has(Status.AWAITING_ITEM), "awaiting_item", Status.AWAITING_ITEM.value),
        _figure(df, has(Status.ITEM_OVERDUE), "item_overdue", Status.ITEM_OVERDUE.value),
        _figure(df, has(Status.AWAITING_INSPECTION), "awaiting_inspection", Status.AWAITING_INSPECTION.value),
        _figure(df, has(Status.PARTIALLY_RECEIVED), "partially_received", Status.PARTIALLY_RECEIVED.value),
        _figure(df, has(Status.CUSTOMER_DAMAGE), "customer_damage", Status.CUSTOMER_DAMAGE.value),
        _figure(df, has(Status.REFUND_DUE), "refund_due", Status.REFUND_DUE.value, "owed"),
        _figure(df, has(Status.OVER_REFUNDED), "over_refunded", Status.OVER_REFUNDED.value, "owed"),
        _figure(df, has(Status.REIMBURSEMENT_DUE), "reimbursement_due", Status.REIMBURSEMENT_DUE.value, "owed"),
        _figure(df, has(Status.REFUNDED_NOT_BACK), "refunded_not_back", Status.REFUNDED_NOT_BACK.value, "owed"),
        _figure(df, this_month, "refunded_this_month", f"Refunded in {today:%B %Y}", "refunded"),
        _figure(df, refunded, "refunded_all_time", "Refunded, all time", "refunded"),
    ]
    return {f.key: f for f in figures}


def _median_days(df: pd.DataFrame, start: str, end: str, today: pd.Timestamp) -> tuple[float | None, int]:
    both = df[df[start].notna() & df[end].notna() & (df[end] <= today)]
    days = (both[end] - both[start]).dt.days
    days = days[days >= 0]  # an end before its start is a typing slip, reported as a problem elsewhere
    if days.empty:
        return None, 0
    return float(days.median()), len(days)


def _objects(table: pd.DataFrame, *text_columns: str) -> pd.DataFrame:
    """The table re-indexed from 0, its text columns plain Python objects with None for blanks."""
    table = table.reset_index(drop=True).copy()
    for column in text_columns:
        table[column] = [None if pd.isna(v) else str(v) for v in table[column]]
    return table


def _category_order(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def reasons(df: pd.DataFrame) -> pd.DataFrame:
    given = df[df["category"].notna()]
    table = given.groupby("category", observed=True).agg(
        rows=("row", "size"), units=("units", "sum"), value=("value", "sum"),
    ).reset_index()
    table["share"] = table["rows"] / len(given) if len(given) else 0.0
    table["order"] = table["category"].map(_category_order)
    written = given.groupby(["category", "reason"], observed=True).size().rename("n").reset_index()
    written = written.sort_values(["category", "n", "reason"], ascending=[True, False, True])
    table["examples"] = table["category"].map(
        written.groupby("category", observed=True)["reason"].agg(lambda s: "; ".join(s.head(EXAMPLES)))
    )
    table = table.sort_values(["rows", "order"], ascending=[False, True])
    return _objects(table[["category", "rows", "share", "units", "value", "examples"]], "category", "examples")


def other_reasons(df: pd.DataFrame) -> pd.DataFrame:
    other = df[df["category"] == "Other"]
    table = other.groupby("reason").size().rename("rows").reset_index()
    return table.sort_values(["rows", "reason"], ascending=[False, True]).reset_index(drop=True)


def _top_reason(df: pd.DataFrame) -> pd.Series:
    """Per SKU, its most frequent Reason Category (ties go to the category listed first)."""
    given = df[df["category"].notna()]
    if given.empty:
        return pd.Series(dtype="object")
    counts = given.groupby(["sku", "category"]).size().rename("n").reset_index()
    counts["order"] = counts["category"].map(_category_order)
    counts = counts.sort_values(["sku", "n", "order"], ascending=[True, False, True])
    return counts.drop_duplicates("sku").set_index("sku")["category"]


def _product_names(df: pd.DataFrame) -> pd.Series:
    named = df[df["product"].notna()]
    return named.groupby("sku")["product"].agg(lambda s: s.value_counts().index[0])


def products(df: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    known = df[df["sku"].notna()]
    table = known.groupby("sku").agg(
        returns=("row", "size"), units=("units", "sum"),
        inspected=("inspected", "sum"), defective=("defective", "sum"),
    )
    table["product"] = _product_names(known)
    table["top_reason"] = _top_reason(known)
    inspected = table["inspected"].astype(float)
    table["defect_share"] = (table["defective"] / inspected.where(inspected > 0)).astype(float)
    table["alert"] = (table["inspected"] >= max(policy.defect_alert_min_returns, 1)) & (
        table["defect_share"] >= policy.defect_alert_share - 1e-9
    )
    table = table.reset_index().sort_values(["returns", "units", "sku"], ascending=[False, False, True])
    columns = ["sku", "product", "returns", "units", "inspected", "defective", "defect_share", "top_reason", "alert"]
    return _objects(table[columns], "product", "top_reason")


def claimed_defective(df: pd.DataFrame) -> pd.DataFrame:
    said = df[(df["category"] == "Defective") & df["sku"].notna()]
    table = said.groupby("sku").agg(
        claimed=("row", "size"), inspected=("inspected", "sum"),
        found=("defective", "sum"),
    )
    table["not_found"] = table["inspected"] - table["found"]
    table["not_inspected"] = table["claimed"] - table["inspected"]
    table["product"] = _product_names(df[df["sku"].isin(table.index)])
    table = table.reset_index().sort_values(["claimed", "sku"], ascending=[False, True])
    columns = ["sku", "product", "claimed", "inspected", "found", "not_found", "not_inspected"]
    return _objects(table[columns], "product")


def inventory(df: pd.DataFrame) -> pd.DataFrame:
    acted = df[df["inventory"].notna() & df["sku"].notna()]
    table = acted.pivot_table(index="sku", columns="inventory", values="units_received", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=list(INVENTORY_ACTIONS), fill_value=0).astype(int)
    table["total"] = table.sum(axis=1)
    table["product"] = _product_names(df[df["sku"].isin(table.index)])
    table = table.reset_index().sort_values(["total", "sku"], ascending=[False, True])
    table.columns.name = None
    return _objects(table[["sku", "product", *INVENTORY_ACTIONS, "total"]], "product")


def repeat_customers(df: pd.DataFrame, policy: Policy, today: pd.Timestamp) -> pd.DataFrame:
    since = today - timedelta(days=policy.repeat_customer_days)
    recent = df[df["customer_key"].notna() & (df["notified"] >= since) & (df["notified"] <= today)]
    table = recent.groupby("customer_key").agg(
        customer=("customer", "first"), email=("email", "first"), returns=("return_id", "nunique"),
        units=("units", "sum"), value=("value", "sum"), last_notice=("notified", "max"),
    )
    table = table[table["returns"] >= policy.repeat_customer_returns]
    table = table.reset_index().sort_values(["returns", "value", "customer_key"], ascending=[False, False, True])
    table["last_notice"] = table["last_notice"].dt.date
    columns = ["customer", "email", "returns", "units", "value", "last_notice"]
    return _objects(table[columns], "customer", "email")


def trend(df: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """Returns noticed (by the month of their first notice) and money refunded, per month up to the as-of month."""
    last = today.to_period("M")
    noticed = df[df["notified"].notna() & (df["notified"] <= today)]
    first_notice = noticed.groupby("return_id")["notified"].min().dt.to_period("M")
    refunded = df[df["refunded_on"].notna() & (df["refunded_on"] <= today)]
    starts = [p.min() for p in (first_notice, refunded["refunded_on"].dt.to_period("M")) if len(p)]
    if not starts:
        return pd.DataFrame({"month": pd.Series(dtype="object"), "returns": pd.Series(dtype=int),
                             "refunded": pd.Series(dtype=float)})
    first = max(min(starts), last - (TREND_MONTHS - 1))
    months = pd.period_range(first, last, freq="M")
    returns = first_notice.value_counts().reindex(months, fill_value=0)
    money = refunded.groupby(refunded["refunded_on"].dt.to_period("M"))["refunded"].sum().reindex(months, fill_value=0.0)
    return pd.DataFrame({
        "month": [str(m) for m in months],
        "returns": returns.to_numpy(dtype=int),
        "refunded": money.to_numpy(dtype=float).round(2),
    })


def non_product(everything: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    rows = everything[everything["non_product"]].copy()
    rows["code"] = pd.Series([" ".join(str(sku).upper().split()) for sku in rows["sku"]], index=rows.index, dtype=object)
    rows["refunded"] = rows["refunded"].where(rows["refunded_on"].notna() & (rows["refunded_on"] <= today))
    table = rows.groupby("code").agg(rows=("row", "size"), refunded=("refunded", "sum")).reset_index()
    table["refunded"] = table["refunded"].round(2)
    return _objects(table.sort_values(["refunded", "code"], ascending=[False, True]), "code")

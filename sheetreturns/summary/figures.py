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

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..engine.model import Evaluation, Status
from ..engine.policy import Policy
from .rows import NON_PRODUCT_CODES, is_non_product, rows_frame
from .tables import (
    INVENTORY_ACTIONS, claimed_defective, inventory, non_product, other_reasons, product_names, products, reasons,
    repeat_customers, trend,
)

__all__ = ["Figure", "Figures", "compute", "INVENTORY_ACTIONS", "NON_PRODUCT_CODES", "is_non_product", "rows_frame"]

OPEN = tuple(s for s in Status if s not in (Status.DONE, Status.REFUSED))
# Statuses that ask the owner to do something now (waiting for an item, or a refund still within
# its deadline, asks nothing yet). A row whose Email cannot be read needs the owner too, whatever its status.
ACTION = (
    Status.NEEDS_INFO, Status.ITEM_OVERDUE, Status.REIMBURSEMENT_DUE, Status.AWAITING_INSPECTION,
    Status.PARTIALLY_RECEIVED, Status.CUSTOMER_DAMAGE, Status.REFUND_DUE, Status.OVER_REFUNDED,
)


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
    recover: dict[str, Figure]  # money to recover: from Amazon, from customers, and refunds owed to customers
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
            "money_to_recover": {k: f.as_dict() for k, f in self.recover.items()},
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


# -- the figures ----------------------------------------------------------------

def compute(evaluation: Evaluation, policy: Policy) -> Figures:
    """Every figure of the Summary, from an evaluated sheet."""
    as_of = evaluation.as_of
    everything = rows_frame(evaluation.lines, evaluation.outcomes)
    df = everything[~everything["non_product"]]
    today = pd.Timestamp(as_of)
    days_to_receive, n_receive = _median_days(df, "notified", "received", today)
    days_to_refund, n_refund = _median_days(df, "received", "refunded_on", today)
    names = product_names(df)
    return Figures(
        as_of=as_of,
        currency=policy.currency,
        symbol=policy.currency_symbol,
        rows=len(df),
        returns=int(df["return_id"].nunique()),
        key=key_figures(df, today),
        recover=money_to_recover(df),
        days_to_receive=days_to_receive,
        days_to_receive_n=n_receive,
        days_to_refund=days_to_refund,
        days_to_refund_n=n_refund,
        reasons=reasons(df),
        no_reason_rows=int(df["category"].isna().sum()),
        other_reasons=other_reasons(df),
        products=products(df, policy, names),
        claimed=claimed_defective(df, names),
        inventory=inventory(df, names),
        customers=repeat_customers(df, policy, today),
        trend=trend(df, today),
        non_product=non_product(everything, today),
        alert_share=policy.defect_alert_share,
        alert_min=policy.defect_alert_min_returns,
        repeat_returns=policy.repeat_customer_returns,
        repeat_days=policy.repeat_customer_days,
    )


def _figure(df: pd.DataFrame, mask: pd.Series, key: str, label: str, money: str | None = None) -> Figure:
    returns = df["return_id"][mask]  # only the columns a figure reads are selected (not the whole frame)
    amount = unpriced = None
    if money is not None:
        chosen = df[money][mask]
        amount = round(float(chosen.sum()), 2)
        unpriced = int(chosen.isna().sum())
    return Figure(key, label, int(returns.nunique()), len(returns), amount, unpriced or 0)


def key_figures(df: pd.DataFrame, today: pd.Timestamp) -> dict[str, Figure]:
    status = df["status"]
    codes = status.cat.codes.to_numpy()  # the statuses as small whole numbers: each test below is on those

    def has(*statuses: Status) -> pd.Series:
        wanted = status.cat.categories.get_indexer([s.value for s in statuses])
        return pd.Series(np.isin(codes, wanted[wanted >= 0]), index=df.index)

    refunded_on = df["refunded_on"]
    refunded = refunded_on.notna() & (refunded_on <= today)
    this_month = refunded & (refunded_on.dt.year == today.year) & (refunded_on.dt.month == today.month)
    figures = [
        _figure(df, has(*OPEN), "open", "Open returns"),
        _figure(df, has(*ACTION) | df["bad_email"], "action", "Need your action now"),
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


def money_to_recover(df: pd.DataFrame) -> dict[str, Figure]:
    """Claimable from Amazon (FBA refunds not returned in Amazon's window), due from customers (refunded, item
    not back in time), and refunds owed to customers (Refund due)."""
    status = df["status"]
    owed_back = status == Status.REIMBURSEMENT_DUE.value
    figures = [
        _figure(df, owed_back & df["amazon_fba"], "claim_from_amazon", "Claimable from Amazon", "owed"),
        _figure(df, owed_back & ~df["amazon_fba"], "due_from_customers", "Due from customers", "owed"),
        _figure(df, status == Status.REFUND_DUE.value, "refunds_owed", "Refunds owed to customers", "owed"),
    ]
    return {f.key: f for f in figures}


def _median_days(df: pd.DataFrame, start: str, end: str, today: pd.Timestamp) -> tuple[float | None, int]:
    both = df[df[start].notna() & df[end].notna() & (df[end] <= today)]
    days = (both[end] - both[start]).dt.days
    days = days[days >= 0]  # an end before its start is a typing slip, reported as a problem elsewhere
    if days.empty:
        return None, 0
    return float(days.median()), len(days)

"""The Summary's figures computed a second way, for the tests to compare against sheetreturns.summary.

Starts from the sheet's raw columns (as pandas read them from the file) plus the engine's per-row
conclusions (Return ID, Status, Reason Category, Inventory) and recomputes every figure with plain
pandas, following the definitions written on the Summary tab, without using sheetreturns.summary.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

NOT_PRODUCTS = {"POST", "POSTAGE", "DOT", "DOTCOM POSTAGE", "C2", "CARRIAGE", "SHIPPING", "DELIVERY", "M", "MANUAL",
                "ADJUST", "ADJUSTMENT", "D", "DISCOUNT", "S", "SAMPLES", "AMAZONFEE", "AMAZON FEE", "BANK CHARGES",
                "CRUK", "FEE"}
CATEGORY_ORDER = ["Defective", "Damaged in transit", "Wrong item sent", "Not as described", "Size/fit",
                  "Changed mind", "Arrived late", "Other"]
SETTLED = {"Done", "Refused"}
ACTION = {"Needs info", "Item overdue", "Reimbursement due", "Awaiting inspection", "Partially received",
          "Customer damage", "Refund due", "Over-refunded"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def engine_columns(evaluation) -> pd.DataFrame:
    """Sheet row -> what the engine concluded (the inputs the Summary takes as given)."""
    return pd.DataFrame({
        "row": [line.row for line in evaluation.lines],
        "rid": [o.return_id for o in evaluation.outcomes],
        "status": [o.status.value for o in evaluation.outcomes],
        "category": [o.reason_category or None for o in evaluation.outcomes],
        "inventory": [o.inventory or None for o in evaluation.outcomes],
    })


def prepare(raw: pd.DataFrame, engine: pd.DataFrame, as_of) -> pd.DataFrame:
    """Raw sheet columns (a 'row' column with sheet row numbers) joined to the engine's, with derived values."""
    df = raw.merge(engine, on="row", how="inner")

    def num(column):
        return pd.to_numeric(df[column], errors="coerce") if column in df else pd.Series(np.nan, index=df.index)

    def day(column):
        if column not in df:
            return pd.Series(pd.NaT, index=df.index)
        values = df[column].map(lambda v: v if not isinstance(v, str) else pd.NaT)  # text dates are unreadable
        return pd.to_datetime(values, errors="coerce").dt.normalize()

    df["units"] = num("Qty").fillna(1).astype(int)
    df["price"] = num("Unit Price")
    df["value"] = df["units"] * df["price"]
    df["refunded_on"] = day("Refunded On")
    df["received_on"] = day("Received On")
    df["notified"] = day("Notified On").fillna(pd.Timestamp(as_of))
    amount = num("Refund Amount")
    df["refund_amount"] = amount
    df["refunded"] = amount.where(amount.notna(), df["value"].where(df["refunded_on"].notna()))
    got = num("Received Qty")
    df["units_back"] = np.where(df["received_on"].notna(), got.fillna(df["units"]), 0).astype(int)
    df["received_value"] = df["units_back"] * df["price"]
    for column in ("SKU", "Condition", "Damage By", "Decision", "Reason", "Customer", "Email", "Product"):
        values = df[column] if column in df else [None] * len(df)
        df[column] = pd.Series([None if pd.isna(v) or str(v).strip() == "" else str(v).strip() for v in values],
                               index=df.index, dtype=object)
    df["inspected"] = df["received_on"].notna() & df["Condition"].notna()
    df["defective"] = df["inspected"] & ((df["Condition"] == "Defective") | (df["Damage By"] == "Manufacturer"))
    email = df["Email"].map(lambda v: v.lower() if isinstance(v, str) and EMAIL.match(v) else None)
    df["email_ok"] = df["Email"].where(email.notna(), None)
    df["bad_email"] = df["Email"].notna() & email.isna()
    name = df["Customer"].map(lambda v: "name:" + " ".join(v.lower().split()) if isinstance(v, str) else None)
    df["who"] = email.where(email.notna(), name)
    df["nonproduct"] = [isinstance(s, str) and " ".join(s.upper().split()) in NOT_PRODUCTS for s in df["SKU"]]
    return df


def owed(df: pd.DataFrame) -> pd.Series:
    """Money per row of the money-bearing statuses."""
    status = df["status"]
    short = df["received_value"] - df["refunded"]
    due = np.where(df["refunded_on"].notna(), short,
                   np.where(df["Decision"] == "Partial refund", df["refund_amount"],
                            df["refund_amount"].where(df["refund_amount"].notna(), df["received_value"])))
    out = pd.Series(np.nan, index=df.index)
    out[status == "Refund due"] = pd.Series(due, index=df.index)[status == "Refund due"]
    risk = status.isin(["Reimbursement due", "Refunded, item not back"])
    out[risk] = df.loc[risk, "refunded"]
    over = status == "Over-refunded"
    out[over] = (df["refunded"] - df["received_value"])[over]
    return out


def expected(raw: pd.DataFrame, evaluation, as_of, *, alert_share=0.5, alert_min=3, repeat=3, repeat_days=90) -> dict:
    today = pd.Timestamp(as_of)
    everything = prepare(raw, engine_columns(evaluation), as_of)
    df = everything[~everything["nonproduct"]].copy()
    df["owed"] = owed(df)
    out: dict = {"rows": len(df), "returns": df["rid"].nunique()}

    def fig(mask, money=None):
        chosen = df[mask]
        return (chosen["rid"].nunique(), len(chosen), None if money is None else round(chosen[money].sum(), 2))

    refunded = df["refunded_on"].notna() & (df["refunded_on"] <= today)
    key = {
        "open": fig(~df["status"].isin(SETTLED)),
        "action": fig(df["status"].isin(ACTION) | df["bad_email"]),  # an unreadable address needs the owner too
        "refunded_this_month": fig(refunded & (df["refunded_on"].dt.year == today.year)
                                   & (df["refunded_on"].dt.month == today.month), "refunded"),
        "refunded_all_time": fig(refunded, "refunded"),
    }
    for name, status in [("needs_info", "Needs info"), ("awaiting_item", "Awaiting item"),
                         ("item_overdue", "Item overdue"), ("awaiting_inspection", "Awaiting inspection"),
                         ("partially_received", "Partially received"), ("customer_damage", "Customer damage")]:
        key[name] = fig(df["status"] == status)
    for name, status in [("refund_due", "Refund due"), ("over_refunded", "Over-refunded"),
                         ("reimbursement_due", "Reimbursement due"), ("refunded_not_back", "Refunded, item not back")]:
        key[name] = fig(df["status"] == status, "owed")
    out["key"] = key

    def median(start, end):
        ok = df[start].notna() & df[end].notna() & (df[end] <= today)
        days = (df.loc[ok, end] - df.loc[ok, start]).dt.days
        days = days[days >= 0]
        return (float(days.median()) if len(days) else None), len(days)

    out["to_receive"] = median("notified", "received_on")
    out["to_refund"] = median("received_on", "refunded_on")

    given = df[df["category"].notna()]
    reasons = given.groupby("category").agg(rows=("row", "size"), units=("units", "sum"), value=("value", "sum"))
    reasons["share"] = reasons["rows"] / len(given)
    out["reasons"] = {c: (int(r.rows), round(r.share, 6), int(r.units), round(r.value, 2)) for c, r in reasons.iterrows()}
    out["reason_order"] = sorted(reasons.index, key=lambda c: (-reasons.loc[c, "rows"], CATEGORY_ORDER.index(c)))
    out["no_reason"] = int(df["category"].isna().sum())
    out["other"] = df[df["category"] == "Other"]["Reason"].value_counts().to_dict()

    known = df[df["SKU"].notna()]
    products = {}
    for sku, group in known.groupby("SKU"):
        inspected, defective = int(group["inspected"].sum()), int(group["defective"].sum())
        share = defective / inspected if inspected else None
        cats = group["category"].dropna().value_counts()
        top = None
        if len(cats):
            best = cats.max()
            top = min((c for c in cats.index if cats[c] == best), key=CATEGORY_ORDER.index)
        products[sku] = dict(returns=len(group), units=int(group["units"].sum()), inspected=inspected,
                             defective=defective, defect_share=share, top_reason=top,
                             alert=inspected >= max(alert_min, 1) and share is not None and share >= alert_share)
    out["products"] = products

    said = known[known["category"] == "Defective"]
    out["claimed"] = {sku: dict(claimed=len(g), inspected=int(g["inspected"].sum()), found=int(g["defective"].sum()))
                      for sku, g in said.groupby("SKU")}
    acted = known[known["inventory"].notna()]
    out["inventory"] = {(sku, action): int(g["units_back"].sum()) for (sku, action), g in acted.groupby(["SKU", "inventory"])}

    since = today - pd.Timedelta(days=repeat_days)
    recent = df[df["who"].notna() & (df["notified"] >= since) & (df["notified"] <= today)]
    counts = recent.groupby("who")["rid"].nunique()
    out["customers"] = {
        who: (int(n), round(recent.loc[recent["who"] == who, "value"].sum(), 2))
        for who, n in counts.items() if n >= repeat
    }

    noticed = df[df["notified"] <= today]
    first = noticed.groupby("rid")["notified"].min()
    by_month = first.dt.strftime("%Y-%m").value_counts().to_dict()
    money = df[refunded].groupby(df.loc[refunded, "refunded_on"].dt.strftime("%Y-%m"))["refunded"].sum().round(2).to_dict()
    out["trend"] = (by_month, money)

    other = everything[everything["nonproduct"]].copy()
    other["code"] = [" ".join(str(s).upper().split()) for s in other["SKU"]]
    other["paid"] = other["refunded"].where(other["refunded_on"].notna() & (other["refunded_on"] <= today), 0)
    out["non_product"] = {code: (len(g), round(g["paid"].sum(), 2)) for code, g in other.groupby("code")}
    return out


def assert_figures_match(figures, exp: dict) -> None:
    """Every figure of `figures` (sheetreturns.summary.Figures) equals the independent computation `exp`."""
    assert (figures.rows, figures.returns) == (exp["rows"], exp["returns"])
    for name, (returns, rows, amount) in exp["key"].items():
        got = figures.key[name]
        assert (got.returns, got.rows) == (returns, rows), name
        if amount is not None:
            assert got.amount == amount, name
    assert (figures.days_to_receive, figures.days_to_receive_n) == exp["to_receive"]
    assert (figures.days_to_refund, figures.days_to_refund_n) == exp["to_refund"]

    reasons = figures.reasons.set_index("category")
    assert list(figures.reasons["category"]) == exp["reason_order"]
    for category, (rows, share, units, value) in exp["reasons"].items():
        got = reasons.loc[category]
        assert (int(got["rows"]), round(got["share"], 6), int(got["units"]), round(got["value"], 2)) == \
            (rows, share, units, value), category
    assert figures.no_reason_rows == exp["no_reason"]
    assert dict(zip(figures.other_reasons["reason"], figures.other_reasons["rows"])) == exp["other"]

    products = figures.products
    assert list(products["sku"]) == sorted(exp["products"], key=lambda s: (
        -exp["products"][s]["returns"], -exp["products"][s]["units"], s))
    for record in products.to_dict("records"):
        want = exp["products"][record["sku"]]
        share = record["defect_share"]
        assert (None if share != share else share) == want["defect_share"], record["sku"]
        for column in ("returns", "units", "inspected", "defective", "top_reason", "alert"):
            assert record[column] == want[column], (record["sku"], column)

    claimed = {r["sku"]: dict(claimed=r["claimed"], inspected=r["inspected"], found=r["found"])
               for r in figures.claimed.to_dict("records")}
    assert claimed == exp["claimed"]
    assert (figures.claimed["not_found"] == figures.claimed["inspected"] - figures.claimed["found"]).all()

    inventory = {}
    for record in figures.inventory.to_dict("records"):
        for action in ("Restock", "Restock as open-box", "Remove from stock", "Write off", "Carrier claim"):
            if record[action]:
                inventory[(record["sku"], action)] = record[action]
        assert record["total"] == sum(record[a] for a in ("Restock", "Restock as open-box", "Remove from stock",
                                                          "Write off", "Carrier claim"))
    assert inventory == exp["inventory"]

    customers = figures.customers
    assert len(customers) == len(exp["customers"])
    assert sorted((int(r), round(v, 2)) for r, v in zip(customers["returns"], customers["value"])) == \
        sorted(exp["customers"].values())

    by_month, money = exp["trend"]
    trend = figures.trend.set_index("month")
    for month in trend.index:
        assert trend.loc[month, "returns"] == by_month.get(month, 0), month
        assert round(trend.loc[month, "refunded"], 2) == round(money.get(month, 0.0), 2), month
    assert sum(by_month.get(m, 0) for m in trend.index) == trend["returns"].sum()

    assert {r["code"]: (r["rows"], r["refunded"]) for r in figures.non_product.to_dict("records")} == exp["non_product"]

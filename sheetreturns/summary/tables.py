"""The Summary's tables (reasons, products, defects, stock, customers, trend), each from the frame of rows."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from ..engine.policy import Policy
from ..engine.reasons import CATEGORIES

INVENTORY_ACTIONS = ("Restock", "Restock as open-box", "Remove from stock", "Write off", "Carrier claim")
TREND_MONTHS = 24
EXAMPLES = 3  # raw reasons shown beside each Reason Category

def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns (the frame's grouping keys) back to plain values, to sort and map as text."""
    categorical = [c for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)]
    return table.astype({c: object for c in categorical}) if categorical else table


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
    ).reset_index().pipe(_plain)
    table["share"] = table["rows"] / len(given) if len(given) else 0.0
    table["order"] = table["category"].map(_category_order)
    written = given.groupby(["category", "reason"], observed=True).size().rename("n").reset_index().pipe(_plain)
    written = written.sort_values(["category", "n", "reason"], ascending=[True, False, True])
    table["examples"] = table["category"].map(
        written.groupby("category", observed=True)["reason"].agg(lambda s: "; ".join(s.head(EXAMPLES)))
    )
    table = table.sort_values(["rows", "order"], ascending=[False, True])
    return _objects(table[["category", "rows", "share", "units", "value", "examples"]], "category", "examples")


def other_reasons(df: pd.DataFrame) -> pd.DataFrame:
    other = df[df["category"] == "Other"]
    table = other.groupby("reason").size().rename("rows").reset_index().pipe(_plain)
    return table.sort_values(["rows", "reason"], ascending=[False, True]).reset_index(drop=True)


def _top_reason(df: pd.DataFrame) -> pd.Series:
    """Per SKU, its most frequent Reason Category (ties go to the category listed first)."""
    given = df[df["category"].notna()]
    if given.empty:
        return pd.Series(dtype="object")
    counts = given.groupby(["sku", "category"]).size().rename("n").reset_index().pipe(_plain)
    counts["order"] = counts["category"].map(_category_order)
    counts = counts.sort_values(["sku", "n", "order"], ascending=[True, False, True])
    return counts.drop_duplicates("sku").set_index("sku")["category"]


def product_names(df: pd.DataFrame) -> pd.Series:
    """Per SKU, the product name written most often on its rows (ties: the alphabetically first). A SKU's name
    depends on its own rows only: computed once, it serves every table (each takes the SKUs it lists).

    Counted on the columns' category codes: a category's code is its place in alphabetical order, so sorting
    codes sorts names (tests/test_summary_frame.py compares with counting the names themselves)."""
    named = df[df["product"].notna() & df["sku"].notna()]
    if named.empty:
        return _counted_product_names(named)
    skus, products = named["sku"].cat.categories, named["product"].cat.categories
    if not (skus.is_monotonic_increasing and products.is_monotonic_increasing):
        return _counted_product_names(named)
    pairs, counts = np.unique(named["sku"].cat.codes.to_numpy(np.int64) * len(products)
                              + named["product"].cat.codes.to_numpy(np.int64), return_counts=True)
    sku, product = np.divmod(pairs, len(products))
    order = np.lexsort((product, -counts, sku))  # per SKU: most rows first, then the alphabetically first name
    first = order[np.r_[True, sku[order][1:] != sku[order][:-1]]]
    return pd.Series(np.asarray(products[product[first]], dtype=object), name="product",
                     index=pd.Index(np.asarray(skus[sku[first]], dtype=object), name="sku"))


def _counted_product_names(named: pd.DataFrame) -> pd.Series:
    counts = named.groupby(["sku", "product"]).size().rename("n").reset_index().pipe(_plain)
    counts = counts.sort_values(["sku", "n", "product"], ascending=[True, False, True])
    return counts.drop_duplicates("sku").set_index("sku")["product"]


def _names_of(table: pd.DataFrame, df: pd.DataFrame, names: pd.Series | None) -> pd.Series:
    """The product names of the SKUs `table` lists (its index): taken from `names` (product_names of all rows)
    when given. An empty table takes the names of its (no) rows, as a column set on an empty frame sets its index."""
    if names is None or table.empty:
        return product_names(df[df["sku"].isin(table.index)])
    return names


def products(df: pd.DataFrame, policy: Policy, names: pd.Series | None = None) -> pd.DataFrame:
    known = df[df["sku"].notna()]
    table = known.groupby("sku").agg(
        returns=("row", "size"), units=("units", "sum"),
        inspected=("inspected", "sum"), defective=("defective", "sum"),
    )
    table["product"] = _names_of(table, known, names)
    table["top_reason"] = _top_reason(known)
    inspected = table["inspected"].astype(float)
    table["defect_share"] = (table["defective"] / inspected.where(inspected > 0)).astype(float)
    table["alert"] = (table["inspected"] >= max(policy.defect_alert_min_returns, 1)) & (
        table["defect_share"] >= policy.defect_alert_share - 1e-9
    )
    table = table.reset_index().pipe(_plain).sort_values(["returns", "units", "sku"], ascending=[False, False, True])
    columns = ["sku", "product", "returns", "units", "inspected", "defective", "defect_share", "top_reason", "alert"]
    return _objects(table[columns], "product", "top_reason")


def claimed_defective(df: pd.DataFrame, names: pd.Series | None = None) -> pd.DataFrame:
    said = df[(df["category"] == "Defective") & df["sku"].notna()]
    table = said.groupby("sku").agg(
        claimed=("row", "size"), inspected=("inspected", "sum"),
        found=("defective", "sum"),
    )
    table["not_found"] = table["inspected"] - table["found"]
    table["not_inspected"] = table["claimed"] - table["inspected"]
    table["product"] = _names_of(table, df, names)
    table = table.reset_index().pipe(_plain).sort_values(["claimed", "sku"], ascending=[False, True])
    columns = ["sku", "product", "claimed", "inspected", "found", "not_found", "not_inspected"]
    return _objects(table[columns], "product")


def inventory(df: pd.DataFrame, names: pd.Series | None = None) -> pd.DataFrame:
    acted = df[df["inventory"].notna() & df["sku"].notna()]
    table = acted.pivot_table(index="sku", columns="inventory", values="units_received", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=list(INVENTORY_ACTIONS), fill_value=0).astype(int)
    table["total"] = table.sum(axis=1)
    table["product"] = _names_of(table, df, names)
    table = table.reset_index().pipe(_plain).sort_values(["total", "sku"], ascending=[False, True])
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
    table = table.reset_index().pipe(_plain).sort_values(["returns", "value", "customer_key"], ascending=[False, False, True])
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
    table = rows.groupby("code").agg(rows=("row", "size"), refunded=("refunded", "sum")).reset_index().pipe(_plain)
    table["refunded"] = table["refunded"].round(2)
    return _objects(table.sort_values(["refunded", "code"], ascending=[False, True]), "code")

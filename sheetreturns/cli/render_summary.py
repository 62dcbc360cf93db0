"""`sheetreturns report` as text: the Summary's figures as aligned tables, in the order of the Summary tab."""
from __future__ import annotations

from ..engine import wording
from ..summary.figures import INVENTORY_ACTIONS, Figure, Figures
from ..summary.report import SummaryReport
from ..summary.tab import ACTION_ROWS, ALERT, ALWAYS_SHOWN, MONEY_ROWS, WAITING_ROWS
from ..summary.tab import percent_text as _percent
from .render import table

TERMINAL_ROWS = 20  # longer tables are cut here; --json has every row


def report_text(summary: SummaryReport, limit: int = TERMINAL_ROWS) -> str:
    """The Summary's figures as aligned tables, in the order of the Summary tab."""
    f = summary.figures
    symbol = f.symbol

    def money(value) -> str:
        return "" if value is None or value != value else wording.money(value, symbol)

    def more(total: int, what: str) -> list[str]:
        return [f"  ... and {total - limit:,} more {what} (use --json for all of them)"] if total > limit else []

    out = [
        f"{summary.store_name} · {summary.result.source} · as of {f.as_of.isoformat()} · "
        f"{f.returns:,} returns, {f.rows:,} returned products",
        "",
        "At a glance (counted in returns: one Return ID each)",
    ]
    rows = [[fig.label, f"{fig.returns:,}", money(fig.amount) + (f" ({fig.unpriced} without a price)" if fig.unpriced else "")]
            for fig in _shown_figures(f)]
    out += table(["Figure", "Returns", "Amount"], rows, right={1, 2})
    out += ["", "Money to recover"]
    out += table(["Figure", "Returns", "Amount"], [
        [fig.label, f"{fig.returns:,}", money(fig.amount) + (f" ({fig.unpriced} without a price)" if fig.unpriced else "")]
        for fig in f.recover.values()
    ], right={1, 2})
    out += ["", "How fast (median days, over returned products with both dates)"]
    out += table(["From → to", "Days", "Products"], [
        ["Notice → item received", _days(f.days_to_receive), f.days_to_receive_n],
        ["Item received → refunded", _days(f.days_to_refund), f.days_to_refund_n],
    ], right={1, 2})

    out += ["", f"Products to pull (defective in ≥ {_percent(f.alert_share)} of inspected returns, "
                f"{f.alert_min}+ inspected)"]
    alerts = f.alerts
    if alerts.empty:
        out.append("  None.")
    else:
        out += table(["SKU", "Product", "Defective", "Inspected", "Share", "Alert"], [
            [r.sku, r.product or "", r.defective, r.inspected, _percent(r.defect_share), ALERT]
            for r in alerts.itertuples()
        ], right={2, 3, 4})

    out += ["", "Why things come back (counted in returned products)"]
    if f.reasons.empty:
        out.append("  No reasons recorded.")
    else:
        out += table(["Reason", "Products", "Share", "Value", "What customers wrote most"], [
            [r.category, r.rows, _percent(r.share), money(r.value), r.examples or ""] for r in f.reasons.itertuples()
        ], right={1, 2, 3})
    if f.no_reason_rows:
        out.append(f"  {f.no_reason_rows:,} returned products have no reason written.")
    if not f.other_reasons.empty:
        out += ["", "Reasons sorted into Other (add keywords in Settings to sort them)"]
        out += table(["Reason written", "Products"], [[r.reason, r.rows] for r in f.other_reasons.head(limit).itertuples()],
                     right={1})
        out += more(len(f.other_reasons), "reasons")

    out += ["", "Products (most returned first)"]
    products = f.products
    out += table(["SKU", "Product", "Returns", "Units", "Inspected", "Defective", "Share", "Top reason", "Alert"], [
        [r.sku, _short(r.product), r.returns, r.units, r.inspected, r.defective,
         _percent(r.defect_share), r.top_reason or "",
         "PULL" if r.alert else ""]
        for r in products.head(limit).itertuples()
    ], right={2, 3, 4, 5, 6})
    out += more(len(products), "products")

    if not f.claimed.empty:
        out += ["", "Said defective vs found defective"]
        out += table(["SKU", "Product", "Claimed", "Inspected", "Confirmed", "Not found", "Waiting"], [
            [r.sku, _short(r.product), r.claimed, r.inspected, r.found, r.not_found, r.not_inspected]
            for r in f.claimed.head(limit).itertuples()
        ], right={2, 3, 4, 5, 6})
        out += more(len(f.claimed), "products")

    if not f.inventory.empty:
        out += ["", "Stock to handle (units)"]
        records = f.inventory.head(limit).to_dict("records")
        out += table(["SKU", "Restock", "Open-box", "Remove", "Write off", "Carrier claim", "Total"], [
            [r["sku"], *(r[a] or "" for a in INVENTORY_ACTIONS), r["total"]] for r in records
        ], right={1, 2, 3, 4, 5, 6})
        out += more(len(f.inventory), "products")

    out += ["", f"Customers with {f.repeat_returns}+ returns in the last {f.repeat_days} days"]
    if f.customers.empty:
        out.append("  None.")
    else:
        out += table(["Customer", "Email", "Returns", "Value", "Last notice"], [
            [r.customer or "", r.email or "", r.returns, money(r.value), r.last_notice.isoformat()]
            for r in f.customers.head(limit).itertuples()
        ], right={2, 3})
        out += more(len(f.customers), "customers")

    if not f.trend.empty:
        out += ["", "Month by month"]
        out += table(["Month", "Returns", "Refunded"], [
            [r.month, r.returns, money(r.refunded)] for r in f.trend.itertuples()
        ], right={1, 2})
    if not f.non_product.empty:
        out += ["", "Rows that are not products (postage, fees, discounts; left out of every figure above)"]
        out += table(["Code", "Rows", "Refunded"], [
            [r.code, r.rows, money(r.refunded)] for r in f.non_product.itertuples()
        ], right={1, 2})
    return "\n".join(out)


def _shown_figures(f: Figures) -> list[Figure]:
    order = ("action", "open", *ACTION_ROWS, *WAITING_ROWS, *MONEY_ROWS)
    return [f.key[k] for k in order if k in ALWAYS_SHOWN or f.key[k].returns]


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _short(text: str | None, width: int = 30) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"

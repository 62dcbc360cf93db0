"""The Summary tab: what the owner reads after every run, laid out as a generated Tab.

The first screen answers the owner's questions: how many returns need action, how much refunded
money is at risk, which products to pull and why things come back; charts sit to the right of it.
The detailed tables follow below.
"""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from ..engine.model import Evaluation, Status
from ..engine.policy import Policy
from ..sheet.tab_model import ChartSpec, Series, Styled, Tab
from ..sheet.tab_names import SUMMARY_TAB
from .figures import Figure, Figures, compute

MAX_TABLE_ROWS = 50  # longer tables show their first rows and say how many more there are
ALERT = "Defect in most returns: pull remaining stock and check"
CHART_COLUMN = "F"
# Column widths (characters): label, explanation / product, then numbers.
WIDTHS = {1: 26, 2: 44, 3: 11, 4: 13, 5: 13, 6: 13, 7: 14, 8: 22, 9: 54}

# What each key figure means, in the words of the owner's to-do list.
MEANS = {
    "open": "not settled yet (all but Done and Refused)",
    "action": "returns with a row that asks you to do something",
    "needs_info": "fix the cells named in the Problems column",
    "item_overdue": "not back by the deadline: you may refuse the refund",
    "reimbursement_due": "money at risk: refunded, item not back in time",
    "awaiting_inspection": "item is back: inspect it, record its Condition",
    "partially_received": "part came back: refund that part or ask for the rest",
    "customer_damage": "damaged by the customer: choose Refuse or Partial",
    "refund_due": "inspected and fine: pay this refund",
    "over_refunded": "refunded more than came back: the excess",
    "awaiting_item": "within the deadline: nothing to do yet",
    "refunded_not_back": "refund sent, item still due back in time",
    "refunded_this_month": "refunds with a Refunded On date this month",
    "refunded_all_time": "every refund on the sheet",
    "claim_from_amazon": "Amazon FBA refunds not returned in time: claim them (Next Step says how)",
    "due_from_customers": "refunded, item not back in time: the customer owes it",
    "refunds_owed": "items back and inspected: refunds you still owe",
}
ALWAYS_SHOWN = {"open", "action", "item_overdue", "reimbursement_due", "awaiting_inspection", "refund_due",
                "awaiting_item", "refunded_not_back", "refunded_this_month", "refunded_all_time"}
ACTION_ROWS = ("needs_info", "item_overdue", "reimbursement_due", "awaiting_inspection", "partially_received",
               "customer_damage", "refund_due", "over_refunded")
WAITING_ROWS = ("awaiting_item", "refunded_not_back")
MONEY_ROWS = ("refunded_this_month", "refunded_all_time")


def summary_tab(evaluation: Evaluation, policy: Policy, generated_at: datetime) -> Tab:
    """The Summary tab of an evaluated sheet, as of the evaluation's date."""
    return build_tab(compute(evaluation, policy), policy, generated_at, replies_section(evaluation))


def build_tab(figures: Figures, policy: Policy, generated_at: datetime, replies: list[list[object]] | None = None) -> Tab:
    tab = Tab(SUMMARY_TAB, widths=dict(WIDTHS), freeze_rows=2, stamp_row=2)
    tab.add(Styled(f"{policy.store_name}: returns summary", "title"))
    tab.add(Styled(
        f"As of {figures.as_of.isoformat()} · updated {generated_at:%Y-%m-%d %H:%M} · "
        f"{figures.returns:,} returns, {figures.rows:,} returned products", "subtitle"))
    note = ("A return is one Return ID: one customer's parcel, maybe several products. "
            "The tables further down count returned products (one row of the Returns tab each).")
    if len(figures.non_product):
        note += " Postage, fees and other rows that are not products are left out and listed at the bottom."
    tab.add(Styled(note, "subtitle"))
    tab.blank()
    glance_row = _key_figures(tab, figures)
    tab.blank()
    if replies:  # customers waiting for an answer come before everything else to do
        for row in replies:
            tab.add(*row)
        tab.blank()
    _money_to_recover(tab, figures)
    tab.blank()
    _products_to_pull(tab, figures)
    tab.blank()
    reasons_rows = _reasons(tab, figures)
    tab.blank()
    trend_rows = _trend(tab, figures)
    tab.blank()
    _products(tab, figures)
    tab.blank()
    _claimed(tab, figures)
    tab.blank()
    _inventory(tab, figures)
    tab.blank()
    _customers(tab, figures)
    tab.blank()
    _other_reasons(tab, figures)
    if len(figures.non_product):
        tab.blank()
        _non_product(tab, figures)
    _charts(tab, figures, glance_row, reasons_rows, trend_rows)
    return tab


def replies_section(evaluation: Evaluation) -> list[list[object]]:
    """Rows listing customers' replies nobody answered yet (oldest first), and replies from other people."""
    from ..engine.replies import waiting_replies

    waiting = waiting_replies(evaluation)
    others = sorted(evaluation.other_replies, key=lambda r: (r.received, r.return_id))
    if not waiting and not others:
        return []
    rows: list[list[object]] = [
        [Styled(f"Customer replies waiting for you ({len(waiting)})", "heading")],
        [Styled("Read each in your mailbox, answer it, then type the date in the row's Reply Handled On "
                "(an answer from your mailbox counts too when the Sent folder is set).", "subtitle")],
    ]
    if waiting:
        rows.append([Styled(name, "header") for name in ("Return ID", "Reply", "Replied On", "Customer")])
        for return_id, customer, reply in waiting[:MAX_TABLE_ROWS]:
            rows.append([Styled(return_id, "alert"), _clip(reply.preview, 120), Styled(reply.replied_on, "date"),
                         customer])
        if len(waiting) > MAX_TABLE_ROWS:
            rows.append([Styled(f"… and {len(waiting) - MAX_TABLE_ROWS:,} more on the Returns tab", "subtitle")])
    if others:
        rows.append([Styled(f"Replies from someone who is not the return's customer ({len(others)}): "
                            "not put on the rows, check who wrote", "subtitle")])
        rows.append([Styled(name, "header") for name in ("Return ID", "Reply", "Received", "From")])
        for other in others[:MAX_TABLE_ROWS]:
            rows.append([Styled(other.return_id, "alert"), _clip(other.preview, 120), Styled(other.received, "date"),
                         other.sender])
    return rows


def percent_text(share: float | None) -> str:
    """0.125 -> '13%', rounded half up as a spreadsheet shows it ('' for no share)."""
    if share is None or share != share:
        return ""
    return f"{(Decimal(repr(float(share))) * 100).quantize(Decimal(1), ROUND_HALF_UP)}%"


def _heading(tab: Tab, text: str, note: str | None = None) -> None:
    tab.add(Styled(text, "heading"))
    if note:
        tab.add(Styled(note, "subtitle"))


def _header(tab: Tab, *names: str) -> None:
    tab.add(*(Styled(n, "header") for n in names))


def _money(value: float | None) -> Styled | None:
    return None if value is None else Styled(round(float(value), 2), "money")


def _more(tab: Tab, total: int, shown: int, what: str) -> None:
    if total > shown:
        tab.add(Styled(f"… and {total - shown:,} more {what} (sheetreturns report --json lists all)", "subtitle"))


# -- first screen --------------------------------------------------------------------------------

def _key_figures(tab: Tab, figures: Figures) -> int:
    _heading(tab, "At a glance")
    first = tab.add(Styled("Figure", "header"), Styled("What it means", "header"),
                    Styled("Returns", "header"), Styled("Amount", "header"))

    def figure_row(figure: Figure, emphasis: bool = False) -> None:
        is_status = figure.label in {s.value for s in Status}
        label = Styled(figure.label, "status" if is_status else "label")
        means = MEANS[figure.key]
        if figure.unpriced:
            means += f" ({figure.unpriced} without a price)"
        count_style = "alert" if emphasis and figure.returns else "int"
        tab.add(label, Styled(means, "subtitle"), Styled(figure.returns, count_style), _money(figure.amount))

    key = figures.key
    figure_row(key["action"], emphasis=True)
    figure_row(key["open"])
    for name in (*ACTION_ROWS, *WAITING_ROWS, *MONEY_ROWS):
        if name in ALWAYS_SHOWN or key[name].returns:
            figure_row(key[name], emphasis=name == "reimbursement_due")
    _header(tab, "How fast", "median days (products with both dates)", "Days", "Products")
    for label, days, n in (
        ("Notice → item received", figures.days_to_receive, figures.days_to_receive_n),
        ("Item received → refunded", figures.days_to_refund, figures.days_to_refund_n),
    ):
        if days is None:
            tab.add(Styled(label, "label"), Styled("no returned product has both dates yet", "subtitle"), None,
                    Styled(n, "int"))
        else:
            tab.add(Styled(label, "label"), None, Styled(days, "int"), Styled(n, "int"))
    return first


def _money_to_recover(tab: Tab, figures: Figures) -> None:
    _heading(tab, "Money to recover")
    _header(tab, "Figure", "What it means", "Returns", "Amount")
    for figure in figures.recover.values():
        means = MEANS[figure.key] + (f" ({figure.unpriced} without a price)" if figure.unpriced else "")
        tab.add(Styled(figure.label, "label"), Styled(means, "subtitle"),
                Styled(figure.returns, "alert" if figure.returns and figure.key == "claim_from_amazon" else "int"),
                _money(figure.amount))


def _products_to_pull(tab: Tab, figures: Figures) -> None:
    alerts = figures.alerts
    _heading(tab, "Products to pull", f"A product is flagged when at least {percent_text(figures.alert_share)} of its inspected "
             f"returns were defective, with {figures.alert_min} or more inspected.")
    if alerts.empty:
        tab.add(Styled("No product is defective in most of its inspected returns.", "good"))
        return
    _header(tab, "SKU", "Product", "Defective", "Inspected", "Share")
    for record in alerts.itertuples():
        tab.add(Styled(record.sku, "alert"), record.product, Styled(int(record.defective), "int"),
                Styled(int(record.inspected), "int"), Styled(float(record.defect_share), "percent"))
    tab.add(Styled(ALERT, "alert"))


def _reasons(tab: Tab, figures: Figures) -> tuple[int, int] | None:
    _heading(tab, "Why things come back", "Reason Category of each returned product; "
             f"{figures.no_reason_rows:,} returned products have no reason written." if figures.no_reason_rows
             else "Reason Category of each returned product.")
    if figures.reasons.empty:
        tab.add(Styled("No reasons recorded yet.", "text"))
        return None
    _header(tab, "Reason", "What customers wrote most", "Products", "Share", "Value")
    first = None
    for record in figures.reasons.itertuples():
        row = tab.add(record.category, _clip(record.examples or ""), Styled(int(record.rows), "int"),
                      Styled(float(record.share), "percent"), _money(record.value))
        first = first or row
    return first, row


def _clip(text: str, width: int = WIDTHS[2] + 2) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip("; ") + "…"


def _trend(tab: Tab, figures: Figures) -> tuple[int, int] | None:
    _heading(tab, "Month by month", "Returns by the month of their first notice; refunds by Refunded On.")
    if figures.trend.empty:
        tab.add(Styled("No dated returns yet.", "text"))
        return None
    _header(tab, "Month", "Returns", "Refunded")
    first = None
    for record in figures.trend.itertuples():
        row = tab.add(record.month, Styled(int(record.returns), "int"), _money(record.refunded))
        first = first or row
    return first, row


# -- detail tables ---------------------------------------------------------------------------

def _products(tab: Tab, figures: Figures) -> None:
    table = figures.products
    _heading(tab, "Products", "Returned products by SKU, most returned first. Inspected: back and Condition "
             "recorded. Defective: Condition Defective or Damage By Manufacturer.")
    if table.empty:
        tab.add(Styled("No products returned yet.", "text"))
        return
    _header(tab, "SKU", "Product", "Returns", "Units", "Inspected", "Defective", "Defect share", "Top reason", "Alert")
    for record in table.head(MAX_TABLE_ROWS).itertuples():
        share = None if record.defect_share != record.defect_share else Styled(float(record.defect_share), "percent")
        tab.add(record.sku, record.product, Styled(int(record.returns), "int"), Styled(int(record.units), "int"),
                Styled(int(record.inspected), "int"), Styled(int(record.defective), "int"), share,
                record.top_reason, Styled(ALERT, "alert") if record.alert else None)
    _more(tab, len(table), MAX_TABLE_ROWS, "products")


def _claimed(tab: Tab, figures: Figures) -> None:
    table = figures.claimed
    _heading(tab, "Said defective vs found defective",
             "Claimed: the reason says defective. Confirmed: your inspection found a defect. "
             "Not found: inspected, nothing wrong. Waiting: not inspected yet.")
    if table.empty:
        tab.add(Styled("No customer has called a product defective.", "text"))
        return
    _header(tab, "SKU", "Product", "Claimed", "Inspected", "Confirmed", "Not found", "Waiting")
    for record in table.head(MAX_TABLE_ROWS).itertuples():
        tab.add(record.sku, record.product, *(Styled(int(v), "int") for v in (
            record.claimed, record.inspected, record.found, record.not_found, record.not_inspected)))
    _more(tab, len(table), MAX_TABLE_ROWS, "products")


def _inventory(tab: Tab, figures: Figures) -> None:
    table = figures.inventory
    _heading(tab, "Stock to handle", "Units back and inspected, by what the Inventory column says to do with them.")
    if table.empty:
        tab.add(Styled("No inspected items yet.", "text"))
        return
    _header(tab, "SKU", "Product", "Restock", "Open-box", "Remove", "Write off", "Carrier claim", "Total")
    actions = [c for c in table.columns if c not in ("sku", "product", "total")]
    for record in table.head(MAX_TABLE_ROWS).to_dict("records"):
        tab.add(record["sku"], record["product"],
                *(Styled(int(record[a]), "int") if record[a] else None for a in actions),
                Styled(int(record["total"]), "int"))
    _more(tab, len(table), MAX_TABLE_ROWS, "products")


def _customers(tab: Tab, figures: Figures) -> None:
    table = figures.customers
    _heading(tab, "Customers with repeated returns",
             f"{figures.repeat_returns} or more returns noticed in the last {figures.repeat_days} days: worth a look.")
    if table.empty:
        tab.add(Styled("No customer has that many returns.", "good"))
        return
    _header(tab, "Customer", "Email", "Returns", "Value", "Last notice")
    for record in table.head(MAX_TABLE_ROWS).itertuples():
        tab.add(record.customer, record.email, Styled(int(record.returns), "int"), _money(record.value),
                Styled(record.last_notice, "date"))
    _more(tab, len(table), MAX_TABLE_ROWS, "customers")


def _other_reasons(tab: Tab, figures: Figures) -> None:
    table = figures.other_reasons
    _heading(tab, "Reasons sorted into Other", "Add words to a Reason Category in the Settings tab "
             "(setting \"keywords Size/fit\", value \"too heavy, itchy\") to sort these next time.")
    if table.empty:
        tab.add(Styled("None: every written reason found its category.", "good"))
        return
    _header(tab, "Reason written", "", "Products")
    for record in table.head(MAX_TABLE_ROWS).itertuples():
        tab.add(record.reason, None, Styled(int(record.rows), "int"))
    _more(tab, len(table), MAX_TABLE_ROWS, "reasons")


def _non_product(tab: Tab, figures: Figures) -> None:
    _heading(tab, "Rows that are not products", "Postage, fees, discounts and manual adjustments: "
             "not counted in any figure above; their refunds are listed here.")
    _header(tab, "Code", "", "Rows", "Refunded")
    for record in figures.non_product.itertuples():
        tab.add(record.code, None, Styled(int(record.rows), "int"), _money(record.refunded))


def _charts(tab: Tab, figures: Figures, glance_row: int, reasons_rows, trend_rows) -> None:
    """Charts to the right of the first tables, stacked from the top: reasons, then the monthly trend."""
    symbol = figures.symbol.strip()
    top = glance_row - 1
    if reasons_rows:
        first, last = reasons_rows
        tab.charts.append(ChartSpec(
            "bar", "Why things come back", 1, first, last,
            (Series("Returned products", 3, first, last, number_format="int"),),
            anchor=f"{CHART_COLUMN}{top}", width_cm=13.5, height_cm=8.0, y_title="Returned products",
        ))
        top += 18  # rows the bar chart covers, and a gap
    if trend_rows:
        first, last = trend_rows
        tab.charts.append(ChartSpec(
            "line", "Monthly trend", 1, first, last,
            (Series("Returns", 2, first, last, number_format="int"),
             Series(f"Refunded ({symbol})", 3, first, last, axis="right", number_format="money")),
            anchor=f"{CHART_COLUMN}{top}", width_cm=13.5, height_cm=7.5,
            y_title="Returns", y2_title=f"Refunded ({symbol})",
        ))

"""A known layout's lines made to say what their marketplace meant: vocabularies applied, rows that are not returns set aside.

Pure: typed lines, the texts of the layout's vocabulary columns and the layout in; lines, the rows left
alone (with why) and whether the file lists sales out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from . import vocabularies as vocab
from .layouts import Layout
from .model import NO_BAD_CELLS, Line
from .values import BadValue, describe, parse_count, parse_money

SALES_SHARE = 0.5  # a sales-layout file with fewer refunded rows than this share lists sales, not returns


@dataclass
class Reading:
    """What reading a sheet found besides its returns: the layout, rows set aside, a sales export."""

    layout: Layout | None = None
    left_alone: list[tuple[int, str]] = field(default_factory=list)  # (sheet row, why it is not a return)
    sales_export: str | None = None  # why the file looks like a list of sales, not of returns

    def as_dict(self) -> dict:
        return {
            "layout": self.layout.name if self.layout else None,
            "layout_title": self.layout.title if self.layout else None,
            "left_alone": [{"row": row, "why": why} for row, why in self.left_alone],
            "sales_export": self.sales_export,
        }


def unit_price(order_amount: object, order_quantity: object) -> Decimal | None:
    """An order's total over its units (a layout with no unit price, such as Amazon's Order Amount and Order
    quantity); None when either cannot be read."""
    try:
        amount, count = parse_money(order_amount), parse_count(order_quantity)
    except BadValue:
        return None
    return (amount / count).quantize(Decimal("0.01")) if amount is not None and count else None


def _with_bad(line: Line, key: str, raw: object, message: str) -> dict:
    bad = dict(line.bad) if line.bad is not NO_BAD_CELLS else {}
    bad[key] = (raw, message)
    return bad


def apply_layout(lines: list[Line], sources: Mapping[int, Mapping[str, str]], layout: Layout,
                 reading: Reading, confirmed: bool = False) -> list[Line]:
    """The lines as their layout means them; `sources` maps a sheet row to its vocabulary columns' texts.

    A problem with a vocabulary value goes into the line's `bad` under "@<source name>" (or under our
    column's key for a reason code), so it is shown on its row without stopping it.
    """
    out: list[Line] = []
    order_has_items: set[str] = set()
    if layout.summary_rows:
        order_has_items = {line.order_id for line in lines if line.sku is not None and line.order_id is not None}
    previous: Line | None = None
    lines_per_order: dict[str, int] = {}
    if layout.fill_down or layout.refund_amount_means_refunded:
        for line in lines:
            if line.order_id is not None:
                lines_per_order[line.order_id] = lines_per_order.get(line.order_id, 0) + 1
    order_state: dict[str, str | None] = {}
    for line in lines:
        texts = sources.get(line.row, {})
        changes: dict[str, object] = {}
        bad = None

        if layout.signed_quantity and line.qty is not None:
            if line.qty > 0:
                reading.left_alone.append((line.row, f"a sale (quantity {line.qty}), not a return"))
                continue
            changes["qty"] = -line.qty
        if layout.summary_rows and line.sku is None and line.order_id in order_has_items and "sku" not in line.bad:
            reading.left_alone.append((line.row, f"the order summary line of order {line.order_id}"))
            continue

        if layout.fill_down and previous is not None and line.order_id is not None \
                and line.order_id == previous.order_id:
            for key in layout.fill_down:
                if getattr(line, key) is None and getattr(previous, key) is not None:
                    changes[key] = getattr(previous, key)

        if layout.channel and line.channel is None:
            changes["channel"] = layout.channel

        # What the vocabulary columns say.
        text = texts.get("disposition")
        if text:
            found = vocab.disposition(text)
            if found is None:
                bad = _with_bad(line, "@disposition", text, f'"{describe(text)}" is not a disposition sheetreturns '
                                f'knows ({", ".join(d.code for d in vocab.DISPOSITIONS)}): Condition left blank')
            else:
                if line.condition is None:
                    changes["condition"] = found.condition
                if line.damage_by is None and found.damage_by is not None:
                    changes["damage_by"] = found.damage_by
        text = texts.get("fba_status")
        if text and vocab.fba_status(text) is None:
            bad = _with_bad(line._replace(bad=bad or line.bad), "@fba_status", text,
                            f'"{describe(text)}" is not an Amazon return status sheetreturns knows: '
                            f"the unit is taken as received, as every line of this report is")
        text = texts.get("request_status")
        if text:
            found_status = vocab.request_status(text)
            if found_status is None:
                bad = _with_bad(line._replace(bad=bad or line.bad), "@request_status", text,
                                f'"{describe(text)}" is not a return request status sheetreturns knows')
            elif found_status.decision and line.decision is None:
                changes["decision"] = found_status.decision
        if line.reason is not None and vocab.looks_like_code(line.reason) and vocab.reason_code(line.reason) is None:
            bad = _with_bad(line._replace(bad=bad or line.bad), "reason", line.reason,
                            f'"{describe(line.reason)}" is not a return reason code sheetreturns knows: '
                            f"its Reason Category is Other")

        # Money and dates the layout implies.
        if line.unit_price is None and texts.get("order_amount") and texts.get("order_quantity"):
            price = unit_price(texts["order_amount"], texts["order_quantity"])
            if price is not None:
                changes["unit_price"] = price

        received_on = changes.get("received_on", line.received_on)
        if layout.received_when_listed and received_on is None and line.notified_on is not None:
            received_on = changes["received_on"] = line.notified_on

        refunded_on = line.refunded_on
        if layout.document_is_refund and refunded_on is None and line.notified_on is not None:
            refunded_on = changes["refunded_on"] = line.notified_on
        if layout.refunded_by_marketplace and refunded_on is None and received_on is not None:
            refunded_on = changes["refunded_on"] = received_on
        state_text = texts.get("financial_status")
        if layout.fill_down and line.order_id is not None:
            if state_text:
                order_state[line.order_id] = state_text
            elif previous is not None and previous.order_id == line.order_id:
                state_text = order_state.get(line.order_id)
        state = vocab.refund_state(state_text) if state_text else None
        if state_text and state is None:
            bad = _with_bad(line._replace(bad=bad or line.bad), "@financial_status", state_text,
                            f'"{describe(state_text)}" is not a payment state sheetreturns knows')
        amount = line.refund_amount
        several = lines_per_order.get(line.order_id or "", 1) > 1
        if amount is not None and several and layout.fill_down and (state is None or state.refunded == "full"):
            # An order's total refund on its first line is not this line's refund: each line counts as refunded.
            amount = changes["refund_amount"] = None
            if state is None:
                state = vocab.refund_state("refunded")
        if refunded_on is None and (
            (layout.refund_amount_means_refunded and amount is not None and amount > 0)
            or (state is not None and state.refunded == "full")
            or (state is not None and state.refunded == "partial" and amount is not None)
        ):
            when = received_on or line.notified_on or line.order_date
            if when is not None:
                changes["refunded_on"] = when

        if bad is not None:
            changes["bad"] = bad
        new = line._replace(**changes) if changes else line
        out.append(new)
        previous = new

    if layout.sales and not confirmed and out:
        refunded = sum(1 for line in out if line.refunded_on is not None)
        if refunded < SALES_SHARE * len(out):
            reading.sales_export = (
                f"this looks like a {layout.title}, a list of sales rather than of returns "
                f"({refunded} of {len(out)} rows refunded)"
            )
    return out

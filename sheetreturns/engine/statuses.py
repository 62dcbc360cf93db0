"""Status rules: where one returned line stands, what the seller should do next, and what happens to the stock.

Pure functions: a typed line, the policy and the as-of date in; a status, a Next Step and an
Inventory action out. The README's status table is the reference; the order of the checks below is
the order in which the statuses win over each other.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .model import Line, Status
from .policy import Policy
from .report_facts import is_amazon_fba
from .wording import day, money, units

NOTHING_TO_DO = "Nothing to do"
TOLERANCE = Decimal("0.005")


def line_value(line: Line, count: int) -> Decimal | None:
    """What `count` units of the line are worth at its Unit Price (None without a price)."""
    if line.unit_price is None:
        return None
    return line.unit_price * count


def refunded_amount(line: Line) -> Decimal | None:
    """Money already sent back for the line: the Refund Amount, or the full value when only a date is given."""
    if line.refund_amount is not None:
        return line.refund_amount
    if line.refunded_on is not None:
        return line_value(line, line.units)
    return None


def status_of(line: Line, policy: Policy, as_of: date, deadline: date, blocker: str | None,
              quote: str = "") -> tuple[Status, str]:
    """The Status and Next Step of one line, whose item is due back by `deadline`.

    `blocker` is the first problem that stops evaluation (the row is then "Needs info"). `quote` names the
    report lines that show an Amazon refund, for a claim.
    """
    if blocker is not None:
        return Status.NEEDS_INFO, f"Fix: {blocker}"
    if line.decision == "Refuse":
        return Status.REFUSED, "Refund refused"

    symbol = policy.currency_symbol
    if line.received_on is None:
        if line.reimbursed_on is not None:
            paid = f" {money(line.reimbursed_amount, symbol)}" if line.reimbursed_amount is not None else ""
            return Status.DONE, f"Reimbursed{paid} on {day(line.reimbursed_on)}: nothing to do"
        if line.refunded_on is not None and is_amazon_fba(line):
            return amazon_claim(line, policy, as_of, quote)
        if line.refunded_on is not None:
            if as_of <= deadline:
                return Status.REFUNDED_NOT_BACK, f"Refund already sent: make sure the item comes back by {day(deadline)}"
            owed = refunded_amount(line)
            repay = f"repay {money(owed, symbol)}" if owed is not None else "repay the refund"
            return Status.REIMBURSEMENT_DUE, f"Ask the customer to return the item or {repay}"
        if as_of <= deadline:
            return Status.AWAITING_ITEM, f"Wait for the item (due {day(deadline)})"
        if policy.auto_refuse_overdue:
            return Status.ITEM_OVERDUE, f"Item not returned by {day(deadline)}: the refund is refused and the customer told"
        return Status.ITEM_OVERDUE, f"Item not returned by {day(deadline)}: you may refuse the refund"

    # line.units, line.units_received, line_value and refunded_amount, written out: this runs for most rows
    ordered = line.qty or 1
    received = ordered if line.received_qty is None else line.received_qty
    price, paid = line.unit_price, line.refund_amount
    received_value = None if price is None else price * received
    if paid is None and line.refunded_on is not None and price is not None:
        paid = received_value if received == ordered else price * ordered
    # (a refund of exactly the value returned, the usual one, is neither too much nor too little)
    differs = paid is not None and received_value is not None and paid != received_value
    if differs and paid > received_value + TOLERANCE:
        return Status.OVER_REFUNDED, f"Refund is {money(paid - received_value, symbol)} more than the items returned: check it"
    if line.refunded_on is not None:
        short = differs and paid + TOLERANCE < received_value
        if short and line.decision != "Partial refund":
            return Status.REFUND_DUE, (
                f"Refunded {money(paid, symbol)} of {money(received_value, symbol)}: refund the remaining "
                f"{money(received_value - paid, symbol)} or set Decision to Partial refund"
            )
        return Status.DONE, NOTHING_TO_DO

    if line.decision in ("Exchange", "Store credit"):
        return Status.DONE, f"Settled by {line.decision.lower()}"

    decided = line.decision in ("Refund", "Partial refund")
    if received < ordered and not decided:
        unit_word = "unit" if received == 1 else "units"
        return Status.PARTIALLY_RECEIVED, (
            f"Only {received} of {ordered} received: refund the received {unit_word} or ask for the rest"
        )
    if line.condition is None and not decided:
        return Status.AWAITING_INSPECTION, "Inspect the item yourself and record its Condition"
    if line.damage_by == "Customer" and line.decision is None:
        return Status.CUSTOMER_DAMAGE, "Damage caused by the customer: choose Refuse or Partial refund"

    if line.decision == "Partial refund":
        if line.refund_amount is not None:
            return Status.REFUND_DUE, f"Issue the partial refund of {money(line.refund_amount, symbol)}"
        worth = f" (the items are worth {money(received_value, symbol)})" if received_value is not None else ""
        return Status.REFUND_DUE, f"Issue the partial refund you decided and record its amount{worth}"
    amount = line.refund_amount if line.refund_amount is not None else received_value
    if amount is None:
        return Status.REFUND_DUE, f"Issue a refund for {units(received)} (add the Unit Price to see the amount)"
    return Status.REFUND_DUE, f"Issue a refund of {money(amount, symbol)}"


def amazon_claim(line: Line, policy: Policy, as_of: date, quote: str) -> tuple[Status, str]:
    """Amazon refunded the customer of an FBA order and the unit is not back: after Amazon's window the seller
    may claim a reimbursement from Amazon (the customer is Amazon's to charge, not the seller's to ask)."""
    claim_from = line.refunded_on + timedelta(days=policy.amazon_claim_after_days)
    if as_of < claim_from:
        return Status.REFUNDED_NOT_BACK, (
            f"Amazon refunded the customer on {day(line.refunded_on)}: if the item is not back at Amazon by "
            f"{day(claim_from)}, claim a reimbursement"
        )
    owed = refunded_amount(line)
    what = money(owed, policy.currency_symbol) if owed is not None else "the refund"
    lines = quote or f"order {line.order_id}, SKU {line.sku}, refunded {day(line.refunded_on)}"
    return Status.REIMBURSEMENT_DUE, (
        f"Claim {what} from Amazon (customer return claim: refunded {day(line.refunded_on)}, item not returned "
        f"within {policy.amazon_claim_after_days} days); quote {lines}"
    )


def inventory_action(line: Line) -> str:
    """What to do with the returned stock, once it is back and inspected."""
    if line.received_on is None or line.condition is None or line.units_received == 0:
        return ""
    condition = line.condition
    if condition in ("Unopened", "Like new", "Wrong item"):
        return "Restock"
    if condition == "Used":
        return "Restock as open-box"
    if line.damage_by == "Carrier":
        return "Carrier claim"
    if condition == "Defective" or line.damage_by == "Manufacturer":
        return "Remove from stock"
    return "Write off"

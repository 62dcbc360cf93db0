"""What a new tracking sheet holds, as plain data: columns, dropdown choices, example rows, settings, How-to.

starter_tabs.py lays it out as the tabs `sheetreturns init` draws, into an .xlsx or a Google Sheet alike,
so both kinds of sheet explain themselves in the same words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..engine.columns import JOB_COLUMNS, SELLER_COLUMNS, Column
from ..engine.model import Status
from ..engine.policy import Policy, settings_rows
from ..engine.reasons import CATEGORIES
from ..engine.values import CONDITIONS, DAMAGE_BY, DECISIONS
from ..engine.wording import money

EXAMPLE_NOTE = "EXAMPLE – delete this row"
EXAMPLE_ID_PREFIX = "EX-"  # outside the R-00001 range, so the job's own numbering is unaffected
LISTS_TAB = "Lists"
TEXT_KEYS = ("return_id", "order_id", "sku")  # typed codes stay text (no 0042 -> 42)

# Dropdowns: column key -> (choices, strict). Strict lists warn on other values (the job reports them
# as problems); the others only suggest, because free text is fine there.
COMMON_REASONS = (
    "Changed my mind", "No longer needed", "Ordered by mistake", "Too small", "Too big",
    "Arrived damaged", "Faulty / stopped working", "Wrong item sent", "Not as described", "Arrived late",
)
CHANNELS = ("Email", "Website", "Phone", "Amazon", "eBay", "Etsy", "Shopify", "3PL")
DROPDOWNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "channel": (CHANNELS, False),
    "reason": (COMMON_REASONS, False),
    "condition": (CONDITIONS, True),
    "damage_by": (DAMAGE_BY, True),
    "decision": (DECISIONS, True),
}
SETTING_CHOICES = {"auto_refuse_overdue": ("yes", "no"), "date_order": ("day-month", "month-day"),
                   "this_is_a_returns_sheet": ("yes", "no")}

COLUMN_HELP = {
    "return_id": "One code per return, e.g. R-00001. Leave it blank for a new return: the job fills it in. "
                 "Lines of the same return (several products) share one Return ID.",
    "order_id": "The order number from your shop or marketplace. Required.",
    "order_date": "When the customer ordered. Used to check the return came within your return window.",
    "customer": "The customer's name, used to greet them in emails.",
    "email": "The customer's email address. Without it no email can be sent.",
    "sku": "Your product code. Required. One row per product: a return of two different products is two rows.",
    "product": "The product's name, for you and for the emails.",
    "qty": "How many units of this product are coming back (blank means 1).",
    "unit_price": "The price of one unit, used to work out refund amounts.",
    "notified_on": "The day the customer told you about the return. Blank: the job fills in the day it first sees the row.",
    "channel": "Where the return notice came from: Email, Amazon, eBay ...",
    "reason": "What the customer said, in their words or picked from the list. The job sorts it into a Reason Category.",
    "received_on": "The day the item came back to you. Leave blank until it arrives.",
    "received_qty": "How many units came back, if fewer than Qty. Blank means all of them.",
    "condition": "What you found when you inspected the item yourself: Unopened, Like new, Used, Damaged, Defective or Wrong item.",
    "damage_by": "For Damaged or Defective items: who caused it (Customer, Carrier, Manufacturer, Marketplace or Unknown).",
    "refund_amount": "How much you refunded. Fill it in with Refunded On once the money has gone out.",
    "refunded_on": "The day you sent the refund.",
    "decision": "Your call, which overrides the job's suggestion: Refund, Partial refund, Refuse, Exchange or Store credit.",
    "notes": "Anything you want to remember. The job never reads or changes it.",
    "status": "Where the return stands (see the statuses below). Written by the job on every run.",
    "next_step": "What to do next, in plain words, with amounts and dates. Written by the job.",
    "problems": "Cells that need fixing on this row, if any. Written by the job.",
    "inventory": "What to do with the returned stock: Restock, Restock as open-box, Remove from stock, Write off or Carrier claim.",
    "reason_category": "The Reason sorted into one of a few groups, so the Summary can count them.",
    "contacted_on": "When the job sent the customer the acknowledgement email.",
    "last_email": "The last email the job sent for this return and when (or why it could not be sent).",
}

STATUS_HELP = {
    Status.NEEDS_INFO: ("A required value is missing or a cell cannot be read.", "Fix the cell named in Next Step."),
    Status.AWAITING_ITEM: ("The customer told you about the return; the item is not back yet.",
                           "Nothing: wait. The job acknowledges the return and sends a reminder if it takes long."),
    Status.ITEM_OVERDUE: ("The item did not come back within the deadline and no refund was sent.",
                          "You may refuse the refund: set Decision to Refuse."),
    Status.REFUNDED_NOT_BACK: ("You refunded before the item came back; the deadline has not passed.",
                               "Make sure the item comes back by the date in Next Step."),
    Status.REIMBURSEMENT_DUE: ("You refunded, but the item never came back and the deadline has passed.",
                               "The job asks the customer to return the item or repay the refund."),
    Status.AWAITING_INSPECTION: ("The item is back but nobody has recorded its Condition.",
                                 "Inspect it yourself and fill in Condition."),
    Status.PARTIALLY_RECEIVED: ("Fewer units came back than the customer is returning.",
                                "Refund what came back, or ask for the rest."),
    Status.CUSTOMER_DAMAGE: ("You found the damage was caused by the customer.",
                             "Choose a Decision: Refuse or Partial refund."),
    Status.REFUND_DUE: ("The item is back and inspected; the refund has not gone out.",
                        "Send the refund shown in Next Step, then fill in Refund Amount and Refunded On."),
    Status.OVER_REFUNDED: ("The refund is more than what came back is worth.", "Check the refund amount."),
    Status.REFUSED: ("Decision is Refuse.", "Nothing: the customer is told by email if refusal emails are on."),
    Status.DONE: ("Received and refunded in full, or settled by an exchange or store credit.", "Nothing."),
}

EMAIL_HELP = (
    ("acknowledgement", "As soon as the job first sees a new return: sorry for the trouble, the refund is under way."),
    ("reminder", "When the item is still not back after reminder_after_days."),
    ("refund-confirmation", "When Refunded On is filled in."),
    ("reimbursement-request", "When you refunded but the item never came back."),
    ("refusal", "When Decision is Refuse (off unless you add it to emails_enabled)."),
)


@dataclass(frozen=True)
class ExampleLine:
    values: dict[str, object]  # column key -> value


def example_lines(today: date, policy: Policy) -> list[ExampleLine]:
    """A few filled-in rows showing how a seller records returns; dated around `today`.

    They are chosen so that the job never emails them, whatever the date: none is a new return
    (so no acknowledgement), none waits for an item (no reminder), and the refund is older than a week.
    """
    day = lambda n: today - timedelta(days=n)  # noqa: E731 - days before today
    common = {"customer": "Sam Sample", "channel": "Email", "notes": EXAMPLE_NOTE}
    rows = [
        # Back, not inspected yet: Awaiting inspection.
        {"return_id": "EX-1", "order_id": "EX-1001", "order_date": day(20), "email": "sam.sample@example.com",
         "sku": "MUG-BLUE", "product": "Blue mug", "qty": 1, "unit_price": Decimal("12.50"),
         "notified_on": day(12), "reason": "Too small", "received_on": day(2)},
        # Two products in one return, damaged by the courier: Refund due.
        {"return_id": "EX-2", "order_id": "EX-1002", "order_date": day(24), "email": "alex.example@example.com",
         "customer": "Alex Example", "sku": "LAMP-ARC", "product": "Arc lamp", "qty": 1, "unit_price": Decimal("129.00"),
         "notified_on": day(15), "reason": "Arrived damaged", "received_on": day(8), "condition": "Damaged",
         "damage_by": "Carrier", "channel": "Amazon"},
        {"return_id": "EX-2", "order_id": "EX-1002", "order_date": day(24), "email": "alex.example@example.com",
         "customer": "Alex Example", "sku": "BULB-E27", "product": "Lamp bulb", "qty": 2, "unit_price": Decimal("4.00"),
         "notified_on": day(15), "reason": "Arrived damaged", "received_on": day(8), "condition": "Damaged",
         "damage_by": "Carrier", "channel": "Amazon"},
        # Received, inspected and refunded: Done.
        {"return_id": "EX-3", "order_id": "EX-1003", "order_date": day(30), "email": "kim.demo@example.com",
         "customer": "Kim Demo", "sku": "CANDLE-FIG", "product": "Fig candle", "qty": 1, "unit_price": Decimal("18.00"),
         "notified_on": day(25), "reason": "Changed my mind", "received_on": day(16), "condition": "Unopened",
         "refund_amount": Decimal("18.00"), "refunded_on": day(15), "channel": "Website"},
    ]
    return [ExampleLine({**common, **row}) for row in rows]


def is_example(values: dict[str, object]) -> bool:
    return str(values.get("notes") or "") == EXAMPLE_NOTE or str(values.get("return_id") or "").startswith(EXAMPLE_ID_PREFIX)


def settings_table(policy: Policy) -> list[tuple[str, object, str]]:
    """Settings tab rows: every policy key with its value and explanation, then the reason keyword rows."""
    rows = list(settings_rows(policy))
    for category in CATEGORIES:
        if category == "Other":
            continue
        rows.append((f"keywords {category}", "",
                     f"Extra words, separated by commas, that put a Reason into \"{category}\" (blank: the built-in words only)."))
    rows.append(("Columns", "", "Your own column names. If a column of your Returns tab has another name than ours, "
                                "write your header in column B beside ours, e.g. Product Number beside SKU. "
                                "Blank: our name (or a usual one such as Quantity for Qty) is looked for."))
    for column in SELLER_COLUMNS:
        rows.append((column.header, "", f"Your header for {column.header}, if it is named differently."))
    rows.append(("Values for Condition", "", "Your own words for a Condition, one per row below this one: your word "
                                             "in column A, ours in column B (e.g. As new | Like new). The same works "
                                             "with a \"Values for Damage By\" or \"Values for Decision\" row."))
    return rows


def columns() -> tuple[Column, ...]:
    """The Returns tab's columns in order: the seller's, then the job's (reply columns come with the first reply)."""
    return tuple(c for c in SELLER_COLUMNS + JOB_COLUMNS if not c.on_demand)


def howto_sections(policy: Policy) -> list[tuple[str, list[tuple[str, ...]]]]:
    """The How-to tab: (heading, rows) in reading order; a row is one paragraph or a few table cells."""
    filled_by = lambda c: "sheetreturns" if c.job_owned else "you"  # noqa: E731
    return [
        ("What this workbook is for", [
            ("Keep one row per returned product on the Returns tab. sheetreturns reads it on a schedule, works out "
             "where every return stands, emails your customers, and writes a Status and a Next Step on every row.",),
            ("The grey columns on the right (Status to Last Email) are written by sheetreturns: do not type in them. "
             "It never changes what you type, except that it fills in a blank Return ID and a blank Notified On.",),
            ("The Summary tab (added on the first run) shows open returns, money at risk, why items come back, "
             "and which products to pull from sale.",),
        ]),
        ("Getting started", [
            ("1. Delete the example rows (their Notes say \"" + EXAMPLE_NOTE + "\").",),
            ("2. Check the Settings tab: your shop name and currency are used in emails.",),
            ("3. Add a row whenever a customer tells you about a return. Fill in what you know; leave the rest blank.",),
            ("4. When the item comes back, fill in Received On, inspect it and pick its Condition. "
             "When you refund, fill in Refund Amount and Refunded On.",),
        ]),
        ("When the job runs", [
            ("Whoever set up sheetreturns for you chose when it runs, for example every morning or every 15 minutes. "
             "Each run reads this workbook, sends the emails that are due (each email at most once per return), "
             "and saves the Status, Next Step and Summary.",),
            ("Save and close the workbook when you are done editing: a run cannot save it while it is open in Excel "
             "and tries again next time.",),
        ]),
        ("The columns", [("Column", "What it means", "Filled in by"),
                         *((c.header, COLUMN_HELP[c.key], filled_by(c)) for c in columns())]),
        ("The statuses", [("Status", "What it means", "What to do"),
                          *((s.value, *STATUS_HELP[s]) for s in Status)]),
        ("The emails", [("Email", "When it is sent"), *EMAIL_HELP,
                        ("Which emails may be sent is the emails_enabled setting on the Settings tab.",)]),
        ("Settings", [
            ("The Settings tab holds your return policy (deadlines, which emails go out, alerts). Change a value in "
             "column B; the next run uses it. A value the job cannot read stops the run and names the cell.",),
            (f"Right now: items must come back within {policy.item_deadline_days} days of the notice; a reminder goes "
             f"out after {policy.reminder_after_days} days; returns are accepted up to {policy.return_window_days} "
             f"days after the order.",),
        ]),
        ("Dropdowns", [
            ("Condition, Damage By and Decision offer the values the job understands. Reason and Channel suggest "
             "common entries, but you may type anything. To change the suggestions, unhide the Lists tab.",),
        ]),
    ]


def column_width(col, examples, policy) -> int:
    """A readable width (in characters) for a column of the starter sheet, the same in Excel and Google."""
    if col.key == "next_step":
        return 48
    if col.key in ("problems", "notes"):
        return 28
    texts = [col.header] + [_shown(e.values.get(col.key), col.kind, policy) for e in examples]
    texts += list((DROPDOWNS.get(col.key) or ((),))[0])
    return min(max(len(t) for t in texts) + 3, 40)


def _shown(value: object, kind: str, policy) -> str:
    if value is None:
        return ""
    if kind == "date":
        return "2026-12-31"
    if kind == "money":
        return money(value, policy.currency_symbol)
    return str(value)

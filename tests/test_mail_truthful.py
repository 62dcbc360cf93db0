"""Every email says only what is true of its return: each template, in every status it can be sent in."""
from __future__ import annotations

from datetime import date

import pytest

from sheetreturns.emails.templates import Templates, customer_context, first_name, greeting
from sheetreturns.engine.model import EmailKind, Status
from sheetreturns.engine.policy import Policy

from .helpers import AS_OF, line, run

ALL = Policy(emails_enabled=frozenset(EmailKind), store_name="Willow & Wick")
RECEIVED = dict(received_on="2026-11-22")
AWAITING_SAYS = "Please send it back by 20 December 2026"
CHECKING_SAYS = "It is already back with us: we are checking it now"
REFUNDED_SAYS = "Your refund has already gone out"


def emails(*lines_, policy: Policy = ALL, as_of: date = AS_OF) -> dict[str, str]:
    """Kind -> plain text of every email due for these lines, rendered with the shipped templates."""
    evaluation = run(*lines_, policy=policy, as_of=as_of)
    by_row = {l.row: l for l in evaluation.lines}
    templates = Templates(None, policy, None)
    out = {}
    for due in evaluation.emails:
        out[str(due.kind)] = templates.render(str(due.kind), customer_context(due, by_row, policy, as_of)).text
    return out


def status_of(*lines_, policy: Policy = ALL, as_of: date = AS_OF) -> list[Status]:
    return [o.status for o in run(*lines_, policy=policy, as_of=as_of).outcomes]


# (status, the line, what the acknowledgement must say, what it must not say)
ACKNOWLEDGEMENT_CASES = [
    (Status.AWAITING_ITEM, {}, [AWAITING_SAYS], ["back with us and", REFUNDED_SAYS]),
    (Status.AWAITING_INSPECTION, RECEIVED, [CHECKING_SAYS, "back with us and being checked"],
     ["Please send", REFUNDED_SAYS, "underway"]),
    (Status.REFUND_DUE, {**RECEIVED, "condition": "Like new"}, [CHECKING_SAYS], ["Please send", "underway"]),
    (Status.PARTIALLY_RECEIVED, {**RECEIVED, "qty": 2, "received_qty": 1},
     ["1 of 2 back with us and being checked", "They are already back with us"], ["underway"]),
    (Status.CUSTOMER_DAMAGE, {**RECEIVED, "condition": "Damaged", "damage_by": "Customer"}, [CHECKING_SAYS],
     ["Please send", "underway"]),
    (Status.REFUNDED_NOT_BACK, {"refunded_on": "2026-11-23"},
     [REFUNDED_SAYS, "refund already sent on 23 November 2026; please still send it back",
      "Please send it back by 20 December 2026"], ["being checked", "underway"]),
    (Status.OVER_REFUNDED, {**RECEIVED, "condition": "Like new", "refund_amount": "40.00", "refunded_on": "2026-11-23"},
     [REFUNDED_SAYS, "back with us, refund sent on 23 November 2026"], ["Please send", "underway"]),
]


@pytest.mark.parametrize(("status", "values", "says", "never"), ACKNOWLEDGEMENT_CASES, ids=lambda v: str(v)[:24])
def test_acknowledgement_says_what_is_true_in_every_status_it_is_sent_in(status, values, says, never):
    the_line = line(**values)
    assert status_of(the_line) == [status]
    text = emails(the_line)["acknowledgement"]
    for words in says:
        assert words in text, text
    for words in never:
        assert words not in text, text


def test_acknowledgement_when_the_deadline_has_passed_does_not_ask_for_a_date_gone_by():
    policy = Policy(emails_enabled=frozenset(EmailKind), item_deadline_days=3)
    the_line = line(notified_on="2026-11-21")
    assert status_of(the_line, policy=policy) == [Status.ITEM_OVERDUE]
    text = emails(the_line, policy=policy)["acknowledgement"]
    assert "Please send it back as soon as you can: it was due back by 24 November 2026" in text


def test_a_mixed_return_says_which_item_is_where():
    text = emails(
        line(row=2, sku="MUG-01", product="Stoneware mug", **RECEIVED, condition="Like new"),
        line(row=3, sku="VASE-02", product="Glass vase", received_on="2026-11-22", condition="Unopened",
             refund_amount="24.99", refunded_on="2026-11-24"),
        line(row=4, sku="FIG-03", product="Fig candle"),
    )["acknowledgement"]
    assert "1 x Stoneware mug (£24.99): back with us and being checked" in text
    assert "1 x Glass vase (£24.99): back with us, refund sent on 24 November 2026" in text
    assert "1 x Fig candle (£24.99): not back with us yet" in text
    assert 'The item marked "being checked" is already back with us: we are checking it now' in text
    assert 'For the item marked "refund sent", your refund has already gone out' in text
    assert "Please send the item not back with us yet by 20 December 2026." in text
    assert "underway" not in text


def test_reminder_is_sent_only_while_the_item_is_awaited_and_says_so():
    assert status_of(line(notified_on="2026-11-05")) == [Status.AWAITING_ITEM]
    text = emails(line(notified_on="2026-11-05"))["reminder"]
    assert "we have not received this item yet" in text and "by 5 December 2026" in text
    received = line(notified_on="2026-11-05", **RECEIVED)
    assert "reminder" not in emails(received)


@pytest.mark.parametrize(("status", "values", "still_to_send"), [
    (Status.DONE, {**RECEIVED, "condition": "Unopened", "refunded_on": "2026-11-24"}, False),
    (Status.REFUNDED_NOT_BACK, {"refunded_on": "2026-11-24"}, True),
    (Status.REFUND_DUE, {**RECEIVED, "condition": "Unopened", "refund_amount": "10.00", "refunded_on": "2026-11-24"},
     False),
    (Status.OVER_REFUNDED, {**RECEIVED, "condition": "Unopened", "refund_amount": "40.00",
                            "refunded_on": "2026-11-24"}, False),
], ids=lambda v: str(v)[:20])
def test_refund_confirmation_in_every_status_it_is_sent_in(status, values, still_to_send):
    the_line = line(notified_on="2026-11-01", **values)  # too old for an acknowledgement
    assert status_of(the_line) == [status]
    text = emails(the_line)["refund-confirmation"]
    assert "was sent on 24 November 2026" in text
    assert ("please still send it back by 1 December 2026" in text) is still_to_send, text


def test_reimbursement_request_says_the_item_has_not_reached_us():
    the_line = line(notified_on="2026-10-01", refunded_on="2026-10-05")
    assert status_of(the_line) == [Status.REIMBURSEMENT_DUE]
    text = emails(the_line)["reimbursement-request"]
    assert "not reached us" in text and "the return deadline of 31 October 2026 has passed" in text


def test_refusal_after_inspection_and_for_an_item_never_sent_back():
    refused = line(notified_on="2026-11-01", **RECEIVED, condition="Used", decision="Refuse")
    assert status_of(refused) == [Status.REFUSED]
    assert "We have inspected it carefully" in emails(refused)["refusal"]
    policy = Policy(emails_enabled=frozenset(EmailKind), auto_refuse_overdue=True)
    overdue = line(notified_on="2026-10-01")
    assert status_of(overdue, policy=policy) == [Status.ITEM_OVERDUE]
    assert "We have not received it back, and the deadline for returning it was 31 October 2026" in emails(
        overdue, policy=policy)["refusal"]


def test_items_are_named_by_product_and_by_sku_only_without_one():
    text = emails(line(row=2, product="Bath towel, beige", sku="40BT-BEIG-000L"), line(row=3, sku="MUG-01"))
    assert "1 x Bath towel, beige" in text["acknowledgement"] and "40BT-BEIG-000L" not in text["acknowledgement"]
    assert "1 x MUG-01" in text["acknowledgement"]


@pytest.mark.parametrize(("customer", "opening"), [
    ("Jo Bloggs", "Hello Jo,"), (None, "Hello,"), ("Mrs Patel", "Hello Mrs Patel,"), ("#1001", "Hello,"),
    ("jo@example.com", "Hello,"),
])
def test_the_greeting_uses_the_name_when_there_is_one_and_is_natural_without(customer, opening):
    assert greeting(first_name(customer)) == opening
    text = emails(line(customer=customer))["acknowledgement"]
    assert text.startswith(opening + "\n") and "Hello there" not in text

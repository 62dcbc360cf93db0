"""Every status of the README's table, each by a named case, with its Next Step wording."""
from datetime import date

from sheetreturns.engine.model import Status
from sheetreturns.engine.policy import Policy

from .helpers import line, one


def test_invalid_email_is_a_problem_on_the_row_but_the_status_is_what_the_facts_give():
    outcome = one(line(email=None, bad={"email": ("jo@", '"jo@" is not an email address')},
                       received_on="2026-11-22", condition="Defective", unit_price="129.00"))
    assert outcome.status is Status.REFUND_DUE
    assert outcome.next_step == "Issue a refund of £129.00"
    assert [p.message for p in outcome.problems] == ['Email "jo@" is not an email address']
    assert not outcome.problems[0].blocking


def test_missing_sku_needs_info():
    outcome = one(line(sku=None))
    assert outcome.status is Status.NEEDS_INFO
    assert outcome.next_step == "Fix: SKU is blank: fill it in"


def test_noticed_not_received_within_deadline_awaits_item_with_due_date():
    outcome = one(line(notified_on="2026-11-20"))
    assert outcome.status is Status.AWAITING_ITEM
    assert outcome.next_step == "Wait for the item (due 2026-12-20)"


def test_deadline_day_itself_is_still_awaiting():
    outcome = one(line(notified_on="2026-10-27"))  # deadline 2026-11-26 = as-of
    assert outcome.status is Status.AWAITING_ITEM


def test_not_received_past_deadline_is_overdue_and_may_be_refused():
    outcome = one(line(notified_on="2026-10-01"))
    assert outcome.status is Status.ITEM_OVERDUE
    assert outcome.next_step == "Item not returned by 2026-10-31: you may refuse the refund"


def test_overdue_with_auto_refuse_says_the_refund_is_refused():
    outcome = one(line(notified_on="2026-10-01"), policy=Policy(auto_refuse_overdue=True))
    assert outcome.status is Status.ITEM_OVERDUE
    assert "refund is refused" in outcome.next_step


def test_refunded_before_the_item_is_back_within_deadline():
    outcome = one(line(notified_on="2026-11-20", refunded_on="2026-11-21", refund_amount=24.99))
    assert outcome.status is Status.REFUNDED_NOT_BACK
    assert outcome.next_step == "Refund already sent: make sure the item comes back by 2026-12-20"


def test_refunded_but_not_received_after_deadline_asks_for_reimbursement():
    outcome = one(line(notified_on="2026-10-01", refunded_on="2026-10-02", refund_amount=24.99))
    assert outcome.status is Status.REIMBURSEMENT_DUE
    assert outcome.next_step == "Ask the customer to return the item or repay £24.99"


def test_reimbursement_amount_is_full_value_when_only_a_refund_date_is_given():
    outcome = one(line(notified_on="2026-10-01", refunded_on="2026-10-02", qty=2, unit_price=10))
    assert outcome.next_step == "Ask the customer to return the item or repay £20.00"


def test_received_without_condition_awaits_inspection():
    outcome = one(line(received_on="2026-11-24"))
    assert outcome.status is Status.AWAITING_INSPECTION
    assert outcome.next_step == "Inspect the item yourself and record its Condition"


def test_fewer_units_received_than_returned_is_partially_received():
    outcome = one(line(qty=2, received_on="2026-11-24", received_qty=1, condition="Like new"))
    assert outcome.status is Status.PARTIALLY_RECEIVED
    assert outcome.next_step == "Only 1 of 2 received: refund the received unit or ask for the rest"


def test_customer_damage_without_decision_asks_for_one():
    outcome = one(line(received_on="2026-11-24", condition="Damaged", damage_by="Customer"))
    assert outcome.status is Status.CUSTOMER_DAMAGE
    assert outcome.next_step == "Damage caused by the customer: choose Refuse or Partial refund"


def test_customer_damage_with_refund_decision_is_refund_due():
    outcome = one(line(received_on="2026-11-24", condition="Damaged", damage_by="Customer", decision="Refund"))
    assert outcome.status is Status.REFUND_DUE


def test_received_and_inspected_fine_is_refund_due_with_amount():
    outcome = one(line(qty=2, unit_price=12.5, received_on="2026-11-24", condition="Unopened"))
    assert outcome.status is Status.REFUND_DUE
    assert outcome.next_step == "Issue a refund of £25.00"


def test_refund_due_uses_the_configured_currency():
    outcome = one(line(received_on="2026-11-24", condition="Unopened"), policy=Policy(currency="EUR"))
    assert outcome.next_step == "Issue a refund of €24.99"


def test_partial_refund_decision_asks_for_the_partial_refund():
    outcome = one(line(received_on="2026-11-24", condition="Used", decision="Partial refund"))
    assert outcome.status is Status.REFUND_DUE
    assert outcome.next_step.startswith("Issue the partial refund you decided")


def test_refund_short_of_value_without_partial_decision_asks_for_the_rest():
    outcome = one(line(received_on="2026-11-24", condition="Unopened", refund_amount=10, refunded_on="2026-11-25"))
    assert outcome.status is Status.REFUND_DUE
    assert outcome.next_step == (
        "Refunded £10.00 of £24.99: refund the remaining £14.99 or set Decision to Partial refund"
    )


def test_refund_larger_than_received_value_is_over_refunded():
    outcome = one(line(qty=2, unit_price=12.5, received_on="2026-11-24", received_qty=1, condition="Unopened",
                       refund_amount=25, refunded_on="2026-11-25"))
    assert outcome.status is Status.OVER_REFUNDED
    assert outcome.next_step == "Refund is £12.50 more than the items returned: check it"


def test_refuse_decision_is_refused_whatever_else():
    outcome = one(line(received_on="2026-11-24", condition="Used", decision="Refuse"))
    assert outcome.status is Status.REFUSED
    assert outcome.next_step == "Refund refused"


def test_received_and_refunded_in_full_is_done():
    outcome = one(line(received_on="2026-11-24", condition="Like new", refund_amount=24.99, refunded_on="2026-11-25"))
    assert outcome.status is Status.DONE
    assert outcome.next_step == "Nothing to do"


def test_partial_refund_decision_with_smaller_refund_is_done():
    outcome = one(line(received_on="2026-11-24", condition="Used", decision="Partial refund",
                       refund_amount=10, refunded_on="2026-11-25"))
    assert outcome.status is Status.DONE


def test_exchange_settled_once_the_item_is_back():
    outcome = one(line(received_on="2026-11-24", condition="Like new", decision="Exchange"))
    assert outcome.status is Status.DONE
    assert outcome.next_step == "Settled by exchange"


def test_store_credit_still_waits_for_the_item():
    outcome = one(line(decision="Store credit"))
    assert outcome.status is Status.AWAITING_ITEM


def test_blank_notified_on_counts_from_the_run_date():
    outcome = one(line(notified_on=None))
    assert outcome.status is Status.AWAITING_ITEM
    assert outcome.deadline == date(2026, 12, 26)

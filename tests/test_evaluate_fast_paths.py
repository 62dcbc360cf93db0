"""The evaluation's shortcuts (dates checked only where one may be wrong, the status of a line waiting for its item
worked out once per deadline, each reason categorised once) give every row what the rules give it one by one."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sheetreturns.engine import problems as rules
from sheetreturns.engine.evaluate import _quiet_line, _return_emails, assign_return_ids, evaluate
from sheetreturns.engine.model import EmailKind, Outcome, Status
from sheetreturns.engine.policy import Policy
from sheetreturns.engine.reasons import categorise
from sheetreturns.engine.report_facts import is_amazon_fba
from sheetreturns.engine.statuses import inventory_action, status_of
from sheetreturns.engine.values import describe

from .helpers import header_map, line

AS_OF = date(2026, 11, 26)
a_date = st.one_of(st.none(), st.integers(-90, 10).map(lambda days: AS_OF + timedelta(days=days)))
money = st.one_of(st.none(), st.sampled_from([Decimal("0.01"), Decimal("12.50"), Decimal("24.99"), Decimal("50")]))
row = st.fixed_dictionaries({
    "return_id": st.sampled_from([None, "R-00001", "R-00002", "R-00007"]),
    "order_id": st.sampled_from([None, "1001", "1002", "1003"]),
    "sku": st.sampled_from([None, "MUG-01", "CUP-02"]),
    "email": st.sampled_from([None, "jo@example.com", "al@example.com"]),
    "channel": st.sampled_from([None, "Shopify", "Amazon FBA"]),
    "qty": st.sampled_from([None, 0, 1, 2, 3]),
    "received_qty": st.sampled_from([None, 0, 1, 2, 5]),
    "unit_price": money,
    "refund_amount": money,
    "order_date": a_date, "notified_on": a_date, "received_on": a_date, "refunded_on": a_date,
    "reimbursed_on": a_date,
    "condition": st.sampled_from([None, "Unopened", "Used", "Damaged", "Defective"]),
    "damage_by": st.sampled_from([None, "Customer", "Carrier"]),
    "decision": st.sampled_from([None, "Refuse", "Refund", "Partial refund", "Exchange"]),
    "reason": st.sampled_from([None, "Too small", "arrived broken", "changed my mind"]),
    "bad": st.sampled_from([{}, {"unit_price": ("abc", "is not an amount")}]),
})


def _one_by_one(lines, header, policy, as_of):
    """Each row through every rule, with nothing shared between rows."""
    ctx = rules.RowContext(header, policy, as_of)
    ids, _ = assign_return_ids(lines, policy, as_of)
    found = []
    for each, return_id in zip(lines, ids):
        problems = [*rules.value_problems(each, ctx, return_id), *rules.date_problems(each, ctx, return_id)]
        blocker = next((p.message for p in problems if p.blocking), None)
        deadline = (each.notified_on or as_of) + timedelta(days=policy.item_deadline_days)
        status, next_step = status_of(each, policy, as_of, deadline, blocker)
        problems += rules.money_problems(each, ctx, return_id, status)
        if each.email is None and not is_amazon_fba(each):
            problems += rules.contact_problems(each, ctx, return_id, status)
        found.append((return_id, status, next_step, problems,
                      inventory_action(each) if each.condition is not None and status is not Status.NEEDS_INFO else "",
                      categorise(each.reason, policy.reason_keywords), each.notified_on or as_of, deadline))
    label = header.label
    for index, (each, return_id) in enumerate(zip(lines, ids)):  # the same Order ID + SKU in other returns
        if each.order_id is None or each.sku is None:
            continue
        key = (each.order_id.lower(), each.sku.lower())
        same = [(other.row, ids[n]) for n, other in enumerate(lines)
                if other.order_id is not None and other.sku is not None
                and (other.order_id.lower(), other.sku.lower()) == key]
        returns = list(dict.fromkeys(r for _, r in same))
        if len(returns) > 1 and next(row for row, r in same if r == return_id) == each.row:
            others = ", ".join(r for r in returns if r != return_id)
            found[index][3].append(ctx.problem(
                "duplicate-line", each, "sku", return_id,
                f"Order {each.order_id} / {label('sku')} {each.sku} is also in return {others}: "
                f"check it is not entered twice"))
    for index, (each, return_id) in enumerate(zip(lines, ids)):  # another address than the return's first
        first = next((other.email.lower() for other, r in zip(lines, ids) if r == return_id and other.email), None)
        if each.email is not None and each.email.lower() != first:
            found[index][3].append(ctx.problem(
                "mixed-customers", each, "email", return_id,
                f"{label('email')} {describe(each.email)} differs from the other lines of return {return_id} "
                f"({first}): one return is one customer"))
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=25), auto_refuse=st.booleans())
def test_every_row_gets_what_the_rules_give_it_one_by_one(rows, auto_refuse):
    policy = Policy(auto_refuse_overdue=auto_refuse)
    header = header_map()
    lines = [line(row=number, **values) for number, values in enumerate(rows, start=2)]
    evaluation = evaluate(lines, header, policy, AS_OF, emails=False)
    got = [(o.return_id, o.status, o.next_step, list(o.problems), o.inventory, o.reason_category, o.notified_on,
            o.deadline) for o in evaluation.outcomes]
    assert got == _one_by_one(lines, header, policy, AS_OF)


def test_a_line_back_with_none_received_shares_no_inventory_action_with_one_that_has():
    back = date(2026, 11, 20)
    lines = [line(row=2, return_id="R-00001", received_on=back, received_qty=0, condition="Used", qty=2),
             line(row=3, return_id="R-00002", order_id="1002", received_on=back, condition="Used"),
             line(row=4, return_id="R-00003", order_id="1003", received_on=back, received_qty=0, condition="Used")]
    evaluation = evaluate(lines, header_map(), Policy(), AS_OF, emails=False)
    assert [o.inventory for o in evaluation.outcomes] == ["", "Restock as open-box", ""]
    assert [o.inventory for o in evaluation.outcomes] == [found[4] for found in
                                                          _one_by_one(lines, header_map(), Policy(), AS_OF)]


near = st.one_of(st.integers(-16, 2), st.integers(-100, 5)).map(lambda days: AS_OF + timedelta(days=days))


def _on_the_edge(status, notified_days, refunded_days=None, contacted=None):
    """An example on the edge of one email's window, with every setting's default."""
    return dict(status=status, notified=AS_OF + timedelta(days=notified_days),
                refunded=None if refunded_days is None else AS_OF + timedelta(days=refunded_days), contacted=contacted,
                email="jo@example.com", bad_email=False, channel=None, auto_refuse=False, history=90, acknowledge=7,
                remind=14)


@settings(max_examples=500, deadline=None)
@given(status=st.sampled_from(list(Status)), notified=near, refunded=st.one_of(st.none(), near),
       contacted=st.one_of(st.none(), near), email=st.sampled_from([None, "", "jo@example.com"]),
       bad_email=st.booleans(), channel=st.sampled_from([None, "Amazon FBA"]), auto_refuse=st.booleans(),
       history=st.sampled_from([30, 90]), acknowledge=st.sampled_from([0, 7]), remind=st.sampled_from([0, 14]))
@example(**_on_the_edge(Status.AWAITING_ITEM, -7))  # acknowledged up to the 7th day
@example(**_on_the_edge(Status.AWAITING_ITEM, -14, contacted=AS_OF))  # reminded from the 14th day
@example(**_on_the_edge(Status.DONE, -30, refunded_days=-7))  # a refund is news for 7 days
@example(**_on_the_edge(Status.REFUSED, -90, contacted=AS_OF))  # history is 90 days
def test_a_return_of_one_line_passed_over_at_a_glance_wants_no_email(
        status, notified, refunded, contacted, email, bad_email, channel, auto_refuse, history, acknowledge, remind):
    """due_emails passes over a one-line return its quick test calls quiet: never one that wants an email."""
    policy = Policy(auto_refuse_overdue=auto_refuse, email_history_days=history, acknowledge_within_days=acknowledge,
                    reminder_after_days=remind, emails_enabled=frozenset(EmailKind))
    each = line(notified_on=notified, refunded_on=refunded, contacted_on=contacted, email=email, channel=channel,
                bad={"email": ("jo@", "is not an email address")} if bad_email else {})
    outcome = Outcome("R-00001", status, "", notified_on=notified, deadline=notified + timedelta(days=30))
    if _quiet_line(policy, AS_OF)(each, outcome):
        assert _return_emails("R-00001", [each], [outcome], policy, AS_OF) == []


def _plain_due(lines, outcomes, policy, as_of):
    """Every return through _return_emails, old ones too (the rules find nothing to send about old history)."""
    members: dict = {}
    for index, outcome in enumerate(outcomes):
        members.setdefault(outcome.return_id, []).append(index)
    due = []
    for return_id, indexes in members.items():
        due += _return_emails(return_id, [lines[i] for i in indexes], [outcomes[i] for i in indexes], policy, as_of)
    return due


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row.map(lambda values: {**values, "bad": {}}), min_size=1, max_size=25),
       history=st.sampled_from([0, 5, 30, 90]), contacted=st.lists(st.booleans(), min_size=25, max_size=25))
def test_the_emails_due_are_those_of_every_return_looked_at_whole(rows, history, contacted):
    """due_emails looks only at returns with a line noticed within email_history_days, and passes over one-line
    returns its quick test calls quiet: the emails are those the rules want of every return, in the same order."""
    policy = Policy(email_history_days=history, emails_enabled=frozenset(EmailKind))
    lines = [line(row=number, contacted_on=AS_OF - timedelta(days=3) if was else None, **values)
             for number, (values, was) in enumerate(zip(rows, contacted), start=2)]
    evaluation = evaluate(lines, header_map(), policy, AS_OF)
    assert evaluation.emails == _plain_due(lines, evaluation.outcomes, policy, AS_OF)

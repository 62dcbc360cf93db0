"""The rules engine: typed lines + policy + as-of date -> an outcome per row and the emails now due.

No I/O and no clock: everything it knows comes in as arguments.
"""
from __future__ import annotations

import re
from sys import intern
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, ge

from . import problems as rules_problems
from .columns import HeaderMap
from .model import SETTLED, EmailDue, EmailKind, Evaluation, Line, Outcome, Status
from .policy import Policy
from .reasons import categorise
from .report_facts import FactsIndex, claim_quote, disagreements, facts_of, is_amazon_fba
from .statuses import inventory_action, refunded_amount, status_of

NO_PROBLEMS: list = []  # shared by every outcome without problems (never appended to: replaced instead)
_OUR_ID = re.compile(r"R-(\d+)$", re.IGNORECASE)
REFUND_NEWS_DAYS = 7


def evaluate(lines: list[Line], header: HeaderMap, policy: Policy, as_of: date,
             remembered: Mapping[tuple[str, str, str], str] | None = None,
             facts: FactsIndex | None = None, *, emails: bool = True) -> Evaluation:
    """Outcomes for every line. `remembered`: Return IDs an earlier run assigned to still-blank rows.
    `facts`: what imported reports said about rows (their disagreements become problems).
    `emails=False` skips working out which emails are due (a check sends none): Evaluation.emails is empty."""
    ctx = rules_problems.RowContext(header, policy, as_of)
    ids, assigned = assign_return_ids(lines, policy, as_of, remembered)
    filled: dict[int, date] = {}  # rows whose blank Notified On the job fills in (today)

    outcomes: list[Outcome] = []
    window = timedelta(days=policy.item_deadline_days)
    keywords = policy.reason_keywords
    needs_info, refund_due, reimbursement_due, partial = (
        Status.NEEDS_INFO, Status.REFUND_DUE, Status.REIMBURSEMENT_DUE, Status.PARTIALLY_RECEIVED
    )
    # What is the same for many rows is worked out once: the deadline of each notice date, the status and
    # Next Step of a line still waiting for its item (by deadline), the Reason Category of each reason.
    deadlines: dict[date, date] = {}
    waiting: dict[date, tuple[Status, str]] = {}
    categories: dict[str, str] = {}
    stock: dict[tuple[str, str | None], str] = {}  # Inventory action of a line back, by Condition and Damage By
    date_problems, money_problems = rules_problems.date_problems, rules_problems.money_problems
    return_window = policy.return_window_days
    for line, return_id in zip(lines, ids):
        notified = line.notified_on
        if notified is None:
            notified = as_of
            if "notified_on" not in line.bad:
                filled[line.row] = as_of
        if line.bad or line.order_id is None or line.sku is None or line.qty == 0 or (
            line.received_qty is not None and line.received_qty > (line.qty or 1)  # line.units
        ):
            problems: list = list(rules_problems.value_problems(line, ctx, return_id))
            problems += date_problems(line, ctx, return_id)
            blocker = next((p.message for p in problems if p.blocking), None) if problems else None
        else:
            # Dates in the future, before the order or outside the return window (date_problems, only for the
            # rows where one may be: this is its test of whether to look): the usual row has none. Only value
            # problems block.
            ordered, received, refunded = line.order_date, line.received_on, line.refunded_on
            if (
                (ordered is not None and (ordered > as_of or notified < ordered
                                          or (notified - ordered).days > return_window))
                or notified > as_of
                or (received is not None and (received > as_of or (ordered is not None and received < ordered)))
                or (refunded is not None and (refunded > as_of or (ordered is not None and refunded < ordered)))
            ):
                problems = date_problems(line, ctx, return_id)
            else:
                problems = []
            blocker = None
        deadline = deadlines.get(notified)
        if deadline is None:
            deadline = deadlines[notified] = notified + window
        found = facts_of(line, facts) if facts else ()
        if found:
            problems += disagreements(line, found, header.label, header.cell, return_id)
        if (blocker is None and line.received_on is None and line.reimbursed_on is None and line.refunded_on is None
                and line.decision != "Refuse"):
            # Waiting for the item: the status and Next Step follow from the deadline alone.
            known = waiting.get(deadline)
            if known is None:
                status, next_step = status_of(line, policy, as_of, deadline, None)
                known = waiting[deadline] = (status, intern(next_step))
            status, next_step = known
        else:
            status, next_step = status_of(line, policy, as_of, deadline, blocker,
                                          claim_quote(found) if found else "")
            next_step = intern(next_step)
        # money_problems, for the rows where one may be: an amount without its date, a refusal with a refund
        # date, or a refund the status asks for without a price or an amount
        if ((line.refund_amount is not None and line.refunded_on is None)
                or (line.decision == "Refuse" and line.refunded_on is not None)
                or ((status is refund_due or status is reimbursement_due or status is partial)
                    and line.unit_price is None and line.refund_amount is None)):
            problems += money_problems(line, ctx, return_id, status)
        if line.email is None and not is_amazon_fba(line):  # Amazon's customers are Amazon's to contact
            problems += rules_problems.contact_problems(line, ctx, return_id, status)
        reason = line.reason
        if reason is None:
            category = ""
        else:
            category = categories.get(reason)
            if category is None:
                category = categories[reason] = categorise(reason, keywords)
        if line.condition is None or status is needs_info or line.received_on is None or line.received_qty == 0:
            inventory = ""  # nothing back, or nothing known of its state: inventory_action would say nothing
        else:
            inventory = stock.get((line.condition, line.damage_by))
            if inventory is None:
                inventory = stock[line.condition, line.damage_by] = inventory_action(line)
        outcomes.append(Outcome(
            return_id, status, next_step, problems or NO_PROBLEMS, inventory, category,
            notified,
            deadline,
        ))

    for index, problem in rules_problems.cross_row_problems_at(lines, ids, ctx):
        outcome = outcomes[index]
        outcome.problems = [*outcome.problems, problem]

    due = due_emails(lines, outcomes, policy, as_of) if emails else []
    return Evaluation(as_of, lines, outcomes, due, assigned, filled)


def identity(line: Line) -> tuple[str, str, str] | None:
    """What recognises a row without a Return ID from one run to the next: Order ID, SKU and Email."""
    if line.order_id is None or line.sku is None:
        return None
    return (line.order_id.lower(), line.sku.lower(), (line.email or "").lower())


_return_id, _notified_on = attrgetter("return_id"), attrgetter("notified_on")


def assign_return_ids(lines: list[Line], policy: Policy, as_of: date,
                      remembered: Mapping[tuple[str, str, str], str] | None = None) -> tuple[list[str], dict[int, str]]:
    """Each line's Return ID; blank ones get one (R-00001 onwards, after the highest in the sheet).

    Blank-ID lines of the same order, customer and notice date form one new return; a blank-ID
    line of an order that already has a return noticed within a few days joins that return.
    A row an earlier run gave an ID (and emailed about) that never reached the sheet gets the same
    ID again, so its emails stay its own.
    """
    ids = list(map(_return_id, lines))
    if None not in ids:
        return ids, {}
    remembered = remembered or {}
    highest = 0
    existing: dict[tuple[str, str], list[tuple[str, date]]] = defaultdict(list)
    skus: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line.return_id is None:
            continue
        skus[line.return_id].add((line.sku or "").lower())
        match = _OUR_ID.match(line.return_id)
        if match:
            highest = max(highest, int(match[1]))
        if line.order_id is not None:
            key = (line.order_id.lower(), (line.email or "").lower())
            existing[key].append((line.return_id, line.notified_on or as_of))

    ids: list[str] = []
    assigned: dict[int, str] = {}
    new_groups: dict[tuple, str] = {}
    near = timedelta(days=policy.acknowledge_within_days)
    on_sheet = set(skus)
    for remembered_id in remembered.values():
        match = _OUR_ID.match(remembered_id)
        if match and remembered_id not in on_sheet:
            highest = max(highest, int(match[1]))
    for line in lines:
        if line.return_id is not None:
            ids.append(line.return_id)
            continue
        notified = line.notified_on or as_of
        return_id = None
        if line.order_id is not None:
            key = (line.order_id.lower(), (line.email or "").lower())
            group_key: tuple = (*key, notified)
        else:
            group_key = ("row", line.row)
        key_of_row = identity(line)
        earlier = remembered.get(key_of_row) if key_of_row is not None else None
        if earlier is not None and earlier not in on_sheet:
            return_id = new_groups[group_key] = earlier
        elif line.order_id is not None:
            for candidate, when in existing.get(key, ()):
                if abs(when - notified) <= near and (line.sku or "").lower() not in skus[candidate]:
                    return_id = candidate
                    break
        if return_id is None:
            return_id = new_groups.get(group_key)
        if return_id is None:
            highest += 1
            return_id = f"R-{highest:05d}"
            new_groups[group_key] = return_id
        ids.append(return_id)
        assigned[line.row] = return_id
        skus[return_id].add((line.sku or "").lower())
    return ids, assigned


def due_emails(lines: list[Line], outcomes: list[Outcome], policy: Policy, as_of: date) -> list[EmailDue]:
    """The emails the rules want sent now, one per return and kind (whether already sent is not known here)."""
    due: list[EmailDue] = []
    enabled = policy.emails_enabled
    if not enabled:
        return due
    # Old history is never news: only returns with a line noticed within email_history_days are looked at.
    oldest = as_of - timedelta(days=policy.email_history_days)
    return_ids = list(map(_return_id, outcomes))
    recent = set(compress(return_ids, map(ge, map(_notified_on, outcomes), repeat(oldest))))
    groups: dict[str, list[int]] = defaultdict(list)
    for index in compress(range(len(return_ids)), map(recent.__contains__, return_ids)):
        groups[return_ids[index]].append(index)
    quiet = _quiet_line(policy, as_of)
    for return_id, members in groups.items():
        if len(members) == 1 and quiet(lines[members[0]], outcomes[members[0]]):
            continue  # most returns are one line, and most want no email today: that is seen at a glance
        due += _return_emails(return_id, [lines[i] for i in members], [outcomes[i] for i in members], policy, as_of)
    return due


def _quiet_line(policy: Policy, as_of: date):
    """A test of a return of one line: True when _return_emails would surely want no email for it."""
    history, acknowledge, remind = policy.email_history_days, policy.acknowledge_within_days, policy.reminder_after_days
    refusing = {Status.REFUSED, Status.ITEM_OVERDUE} if policy.auto_refuse_overdue else {Status.REFUSED}
    awaiting, needs_info, reimbursement_due = Status.AWAITING_ITEM, Status.NEEDS_INFO, Status.REIMBURSEMENT_DUE
    news_since = as_of - timedelta(days=REFUND_NEWS_DAYS)

    def quiet(line: Line, outcome: Outcome) -> bool:
        status = outcome.status
        if status is needs_info or not line.email or "email" in line.bad:
            return True
        age = (as_of - outcome.notified_on).days
        if age < 0 or age > history:
            return True
        refunded = line.refunded_on
        return not (
            (age <= acknowledge and line.contacted_on is None and status not in SETTLED)
            or (status is awaiting and age >= remind)
            or (refunded is not None and news_since <= refunded <= as_of)
            or status is reimbursement_due or status in refusing
        )
    return quiet


def _return_emails(return_id: str, lines: list[Line], outcomes: list[Outcome], policy: Policy,
                   as_of: date) -> list[EmailDue]:
    """The emails one return (these lines and their outcomes) wants sent now."""
    active = [i for i, outcome in enumerate(outcomes) if outcome.status is not Status.NEEDS_INFO]
    if not active:
        return []
    their_lines = [lines[i] for i in active]
    their_outcomes = [outcomes[i] for i in active]
    address = next((line.email for line in their_lines if line.email), None)
    if address is None or any("email" in line.bad for line in lines):
        return []  # a contact problem (shown on the row) stops every email to the return until it is fixed
    age = (as_of - min(o.notified_on for o in their_outcomes)).days
    if age < 0 or age > policy.email_history_days:
        return []
    customer = next((line.customer for line in their_lines if line.customer), None)
    deadline = min(o.deadline for o in their_outcomes)
    statuses = {o.status for o in their_outcomes}

    def rows_where(test) -> list[int]:
        return [line.row for line, o in zip(their_lines, their_outcomes) if test(line, o)]

    wanted: list[tuple[EmailKind, list[int], Decimal | None]] = []
    contacted = any(line.contacted_on is not None for line in lines)
    if not statuses <= SETTLED and age <= policy.acknowledge_within_days and not contacted:
        wanted.append((EmailKind.ACKNOWLEDGEMENT, [line.row for line in their_lines], None))
    if Status.AWAITING_ITEM in statuses and age >= policy.reminder_after_days:
        wanted.append((EmailKind.REMINDER, rows_where(lambda l, o: o.status is Status.AWAITING_ITEM), None))
    refunded = [
        line for line, o in zip(their_lines, their_outcomes)
        if line.refunded_on is not None and 0 <= (as_of - line.refunded_on).days <= REFUND_NEWS_DAYS
        and o.status is not Status.REFUSED
    ]
    if refunded:
        wanted.append((EmailKind.REFUND_CONFIRMATION, [line.row for line in refunded],
                       _total(refunded_amount(line) for line in refunded)))
    # An Amazon FBA reimbursement is claimed from Amazon, never asked of the customer.
    owing = [line for line, o in zip(their_lines, their_outcomes)
             if o.status is Status.REIMBURSEMENT_DUE and not is_amazon_fba(line)]
    if owing:
        wanted.append((EmailKind.REIMBURSEMENT_REQUEST, [line.row for line in owing],
                       _total(refunded_amount(line) for line in owing)))
    refusing = {Status.REFUSED, Status.ITEM_OVERDUE} if policy.auto_refuse_overdue else {Status.REFUSED}
    if statuses & refusing:
        wanted.append((EmailKind.REFUSAL, rows_where(lambda l, o: o.status in refusing), None))
    enabled = policy.emails_enabled
    return [EmailDue(return_id, kind, address, customer, rows, amount, deadline)
            for kind, rows, amount in wanted if kind in enabled]


def _total(amounts) -> Decimal | None:
    values = list(amounts)
    if any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


def not_acknowledged(lines: list[Line], outcomes: list[Outcome], policy: Policy, as_of: date) -> list[tuple[str, date]]:
    """Open returns that will never get the acknowledgement: noticed before the acknowledgement window and
    never contacted (the job was not running, or not yet emailing, when they came in). (Return ID, noticed on).

    Only returns the job would otherwise write to are listed: with an address, within email_history_days.
    Whether the email journal knows of an acknowledgement is for the caller to check.
    """
    if EmailKind.ACKNOWLEDGEMENT not in policy.emails_enabled:
        return []
    oldest = as_of - timedelta(days=policy.email_history_days)
    window = policy.acknowledge_within_days
    groups: dict[str, list[int]] = defaultdict(list)
    for index, outcome in enumerate(outcomes):
        if outcome.notified_on >= oldest:
            groups[outcome.return_id].append(index)
    found = []
    for return_id, members in groups.items():
        active = [i for i in members if outcomes[i].status is not Status.NEEDS_INFO]
        if not active or {outcomes[i].status for i in active} <= SETTLED:
            continue
        if not any(lines[i].email for i in active) or any(lines[i].contacted_on is not None for i in members):
            continue
        noticed = min(outcomes[i].notified_on for i in active)
        if (as_of - noticed).days > window:
            found.append((return_id, noticed))
    return sorted(found, key=lambda item: (item[1], item[0]))

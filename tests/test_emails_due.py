"""Which emails the rules say are due: per return, only while still news, never to old history."""
from datetime import date

from sheetreturns.engine.model import EmailKind
from sheetreturns.engine.policy import Policy

from .helpers import line, run


def kinds(evaluation):
    return [(e.return_id, e.kind) for e in evaluation.emails]


def test_new_return_gets_one_acknowledgement_for_all_its_lines():
    evaluation = run(line(2, sku="A"), line(3, sku="B"))
    assert kinds(evaluation) == [("R-00001", EmailKind.ACKNOWLEDGEMENT)]
    assert evaluation.emails[0].rows == [2, 3]
    assert evaluation.emails[0].to == "jo@example.com"


def test_no_acknowledgement_once_contacted_on_is_filled():
    assert kinds(run(line(contacted_on="2026-11-21"))) == []


def test_no_acknowledgement_for_a_return_noticed_over_a_week_ago():
    assert kinds(run(line(notified_on="2026-11-18"))) == []


def test_first_run_on_years_of_history_emails_nobody():
    history = [
        line(row, return_id=f"R-{row:05d}", order_id=str(row), notified_on=date(2024, 1, 1 + row % 28),
             refunded_on=date(2024, 1, 2 + row % 28), refund_amount=24.99)
        for row in range(2, 60)
    ]
    assert kinds(run(*history)) == []


def test_reminder_after_reminder_days_while_awaiting_item():
    assert kinds(run(line(notified_on="2026-11-10"))) == [("R-00001", EmailKind.REMINDER)]


def test_refund_confirmation_within_a_week_of_refund():
    evaluation = run(line(received_on="2026-11-22", condition="Unopened", refunded_on="2026-11-24",
                          refund_amount=24.99, notified_on="2026-11-10"))
    assert kinds(evaluation) == [("R-00001", EmailKind.REFUND_CONFIRMATION)]
    assert str(evaluation.emails[0].amount) == "24.99"


def test_no_refund_confirmation_for_an_old_refund():
    evaluation = run(line(received_on="2026-11-02", condition="Unopened", refunded_on="2026-11-10",
                          refund_amount=24.99, notified_on="2026-11-01"))
    assert kinds(evaluation) == []


def test_reimbursement_request_when_refunded_item_is_overdue():
    evaluation = run(line(notified_on="2026-10-01", refunded_on="2026-10-02", refund_amount=30))
    assert kinds(evaluation) == [("R-00001", EmailKind.REIMBURSEMENT_REQUEST)]
    assert str(evaluation.emails[0].amount) == "30"


def test_refusal_is_off_by_default():
    assert kinds(run(line(decision="Refuse", notified_on="2026-11-10"))) == []


def test_refusal_when_enabled():
    policy = Policy(emails_enabled=frozenset(EmailKind))
    assert kinds(run(line(decision="Refuse", notified_on="2026-11-10"), policy=policy)) == [
        ("R-00001", EmailKind.REFUSAL)
    ]


def test_auto_refuse_overdue_sends_refusal():
    policy = Policy(auto_refuse_overdue=True, emails_enabled=frozenset(EmailKind))
    assert kinds(run(line(notified_on="2026-10-10"), policy=policy)) == [("R-00001", EmailKind.REFUSAL)]


def test_overdue_without_auto_refuse_sends_nothing():
    policy = Policy(emails_enabled=frozenset(EmailKind))
    assert kinds(run(line(notified_on="2026-10-10"), policy=policy)) == []


def test_no_email_without_a_valid_address():
    bad = {"email": ("jo@", '"jo@" is not an email address')}
    assert kinds(run(line(email=None, bad=bad))) == []
    assert kinds(run(line(email=None))) == []


def test_a_bad_address_on_one_line_stops_the_whole_returns_emails():
    bad = {"email": ("jo@", '"jo@" is not an email address')}
    assert kinds(run(line(row=2), line(row=3, sku="CUP-02", email=None, bad=bad))) == []


def test_disabled_kind_is_not_due():
    policy = Policy(emails_enabled=frozenset({EmailKind.REMINDER}))
    assert kinds(run(line(), policy=policy)) == []


def test_settled_return_gets_no_acknowledgement():
    evaluation = run(line(received_on="2026-11-21", condition="Unopened", decision="Exchange"))
    assert kinds(evaluation) == []

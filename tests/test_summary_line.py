"""The last line of a sync: what a seller reads to know the run went fine."""
import pytest

from sheetreturns.cli.render import summary_line, sync_summary_line
from sheetreturns.results import EmailRecord, RunResult

from .helpers import AS_OF, line, run


def result(*lines, emails=(), written=True, failures=()):
    return RunResult("sync", AS_OF, "returns.xlsx", "Returns", run(*lines), emails=list(emails), written=written,
                     failures=list(failures))


def email(result_text, rid="R-00001"):
    return EmailRecord(rid, "acknowledgement", "jo@example.com", result_text)


def test_a_typical_run():
    res = result(
        line(2, return_id="R-00001", order_id="1001"),  # awaiting item: nothing to do
        line(3, return_id="R-00002", order_id="1002", received_on="2026-11-24"),  # awaiting inspection
        line(4, return_id="R-00003", order_id="1003", sku=None),  # needs info
        line(5, return_id="R-00003", order_id="1003", sku="MUG-02"),
        emails=[email("sent"), email("sent", "R-00002")],
    )
    assert sync_summary_line(res) == "3 returns checked · 2 emails sent · 2 need your attention · saved returns.xlsx"


def test_one_of_everything_is_singular():
    res = result(line(2, received_on="2026-11-24"), emails=[email("sent")])
    assert sync_summary_line(res) == "1 return checked · 1 email sent · 1 needs your attention · saved returns.xlsx"


def test_nothing_to_do():
    res = result(line(2, refunded_on="2026-11-01", refund_amount=24.99, received_on="2026-10-30", condition="Unopened"))
    assert sync_summary_line(res) == "1 return checked · no emails due · nothing needs your attention · saved returns.xlsx"


def test_a_return_with_a_problem_needs_attention_even_while_waiting_for_the_item():
    res = result(line(2, notified_on="2026-11-20", order_date="2026-08-01"))  # outside the return window
    assert res.counts == {"Awaiting item": 1}
    assert sync_summary_line(res).split(" · ")[2] == "1 needs your attention"


def test_outbox_failed_and_waiting_emails_are_told_apart():
    res = result(line(2), emails=[email("outbox"), email("outbox"), email("failed: 550 no such user"),
                                  email("waiting (over the per-run cap)")],
                 failures=["R-00001 acknowledgement to jo@example.com: 550 no such user"])
    assert sync_summary_line(res) == (
        "1 return checked · 2 emails written to the outbox · 1 email failed · 1 email left for the next run · "
        "nothing needs your attention · saved returns.xlsx")


def test_a_failure_other_than_an_email_is_counted():
    res = result(line(2), written=False, failures=["could not save returns.xlsx: it is open in Excel"])
    assert sync_summary_line(res) == (
        "1 return checked · no emails due · nothing needs your attention · 1 failure (see above) · nothing written")


def test_dry_run_says_what_would_happen():
    res = result(line(2), emails=[email("would send")], written=False)
    assert sync_summary_line(res, dry_run=True) == (
        "1 return checked · 1 email would be sent · nothing needs your attention · nothing written (dry run)")


@pytest.mark.parametrize("res", [
    result(line(2), emails=[email("sent")]),
    result(line(2, sku=None), written=False, failures=["x"]),
])
def test_the_line_is_the_same_from_the_json_object_a_scheduler_reads(res):
    assert summary_line(res.as_json()) == sync_summary_line(res)

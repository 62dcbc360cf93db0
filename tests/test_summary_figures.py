"""The Summary's figures on the bundled example, checked against an independent pandas computation."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.engine.policy import Policy
from sheetreturns.summary import compute
from sheetreturns.summary.figures import is_non_product

from .helpers import line, run
from .summary_expect import assert_figures_match, expected

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"
AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def example():
    loaded = loading.load(str(EXAMPLE), AS_OF, Config())
    loaded.workbook.close()
    return loaded


def example_raw() -> pd.DataFrame:
    raw = pd.read_excel(EXAMPLE, sheet_name="Returns", header=2, engine="openpyxl")  # title rows above the header
    raw["row"] = raw.index + 4
    return raw


@pytest.mark.slow
def test_example_figures_equal_an_independent_pandas_computation(example):
    figures = compute(example.evaluation, example.policy)
    assert_figures_match(figures, expected(example_raw(), example.evaluation, AS_OF))


@pytest.mark.slow
def test_example_tells_the_owner_what_needs_doing(example):
    figures = compute(example.evaluation, example.policy)
    key = figures.key
    assert key["action"].returns == 16
    assert (key["reimbursement_due"].returns, key["reimbursement_due"].amount) == (1, 89.0)  # R-00008's tea set
    assert (key["refund_due"].returns, key["refund_due"].amount, key["refund_due"].unpriced) == (5, 219.5, 1)
    assert list(figures.alerts["sku"]) == ["KTL-CPR"]  # 4 of its 5 inspected kettles were defective
    assert list(figures.reasons["category"][:2]) == ["Changed mind", "Defective"]
    assert list(figures.customers["customer"]) == ["Noah Patel"]


def returned(row, rid, sku, **values):
    return line(row, return_id=rid, sku=sku, **values)


def inspected(row, rid, sku, condition, **values):
    return returned(row, rid, sku, received_on="2026-11-10", condition=condition, **values)


@pytest.mark.slow
def test_defect_alert_needs_the_share_and_enough_inspected_returns():
    lines = [
        inspected(2, "R-1", "A", "Defective"), inspected(3, "R-2", "A", "Defective"), inspected(4, "R-3", "A", "Like new"),
        inspected(5, "R-4", "A", "Unopened"),  # A: 2 of 4 = 50%: alert at the default 0.5
        inspected(6, "R-5", "B", "Defective"), inspected(7, "R-6", "B", "Defective"),  # B: 2 of 2, too few inspected
        inspected(8, "R-7", "C", "Defective"), inspected(9, "R-8", "C", "Used"), inspected(10, "R-9", "C", "Used"),
        inspected(11, "R-10", "C", "Unopened"),  # C: 1 of 4
    ]
    figures = compute(run(*lines), Policy())
    assert list(figures.alerts["sku"]) == ["A"]
    stricter = compute(run(*lines, policy=Policy(defect_alert_share=0.6, defect_alert_min_returns=2)),
                       Policy(defect_alert_share=0.6, defect_alert_min_returns=2))
    assert list(stricter.alerts["sku"]) == ["B"]


@pytest.mark.slow
def test_manufacturer_damage_counts_as_defective_and_uninspected_items_do_not():
    lines = [inspected(2, "R-1", "A", "Damaged", damage_by="Manufacturer"),
             returned(3, "R-2", "A", received_on="2026-11-10")]  # back, not inspected yet
    product = compute(run(*lines), Policy()).products.iloc[0]
    assert (product["inspected"], product["defective"], product["defect_share"]) == (1, 1, 1.0)


@pytest.mark.slow
def test_claimed_defective_but_inspection_found_nothing():
    lines = [inspected(2, "R-1", "K", "Used", reason="Doesn't work"),
             inspected(3, "R-2", "K", "Defective", reason="Faulty"),
             returned(4, "R-3", "K", reason="Broken")]
    claimed = compute(run(*lines), Policy()).claimed.iloc[0]
    assert (claimed["claimed"], claimed["inspected"], claimed["found"], claimed["not_found"],
            claimed["not_inspected"]) == (3, 2, 1, 1, 1)


@pytest.mark.slow
def test_non_product_rows_are_left_out_of_every_figure_and_listed_with_their_refunds():
    lines = [
        returned(2, "R-1", "MUG", refunded_on="2026-11-20", refund_amount=24.99, notified_on="2026-11-19"),
        returned(3, "R-1", "POST", refunded_on="2026-11-20", refund_amount=4.95, notified_on="2026-11-19"),
        returned(4, "R-2", "amazon  fee", refunded_on="2026-09-01", refund_amount=1.5, notified_on="2026-09-01"),
    ]
    figures = compute(run(*lines), Policy())
    assert (figures.rows, figures.returns) == (1, 1)
    assert figures.key["refunded_all_time"].amount == 24.99
    assert figures.key["reimbursement_due"].returns == 0  # the fee's row is not an item to send back
    assert list(figures.products["sku"]) == ["MUG"]
    assert figures.non_product.to_dict("records") == [
        {"code": "POST", "rows": 1, "refunded": 4.95}, {"code": "AMAZON FEE", "rows": 1, "refunded": 1.5}]
    assert is_non_product("Bank  Charges") and not is_non_product("POSTER-A3")


@pytest.mark.slow
def test_a_return_with_two_products_counts_once_in_key_figures_and_twice_in_products():
    lines = [returned(2, "R-1", "A"), returned(3, "R-1", "B")]
    figures = compute(run(*lines), Policy())
    assert (figures.key["awaiting_item"].returns, figures.key["awaiting_item"].rows) == (1, 2)
    assert figures.products["returns"].sum() == 2


@pytest.mark.slow
def test_refund_due_amounts_follow_the_next_step():
    lines = [
        inspected(2, "R-1", "A", "Like new", qty=2, unit_price=10),  # full value of what came back
        inspected(3, "R-2", "A", "Like new", decision="Partial refund", refund_amount=5),
        inspected(4, "R-3", "A", "Like new", unit_price=30, refund_amount=20, refunded_on="2026-11-12"),  # 10 short
    ]
    assert compute(run(*lines), Policy()).key["refund_due"].amount == 20 + 5 + 10


@pytest.mark.slow
def test_repeat_customers_count_returns_noticed_within_the_period():
    lines = [returned(i + 2, f"R-{i}", "A", notified_on=day, email="sam@example.com", customer="Sam")
             for i, day in enumerate(["2026-08-27", "2026-09-10", "2026-10-10", "2026-11-20"])]
    lines.append(returned(9, "R-9", "A", notified_on="2026-11-20", email=None, customer="  Jo  Bloggs"))
    lines.append(returned(10, "R-10", "A", notified_on="2026-11-21", email=None, customer="jo bloggs"))
    lines.append(returned(11, "R-11", "A", notified_on="2026-11-22", email=None, customer="Jo Bloggs"))
    figures = compute(run(*lines), Policy())
    customers = figures.customers
    assert list(customers["returns"]) == [3, 3]  # Sam's 2026-08-27 return is older than 90 days
    assert set(customers["customer"]) == {"Sam", "  Jo  Bloggs"} or set(customers["customer"]) == {"Sam", "Jo  Bloggs"}
    fewer = compute(run(*lines), Policy(repeat_customer_returns=4, repeat_customer_days=120)).customers
    assert list(fewer["email"]) == ["sam@example.com"]


@pytest.mark.slow
def test_trend_runs_month_by_month_up_to_the_as_of_month_with_empty_months():
    lines = [returned(2, "R-1", "A", notified_on="2026-08-05", refunded_on="2026-08-20", refund_amount=12),
             returned(3, "R-2", "A", notified_on="2026-11-02")]
    trend = compute(run(*lines), Policy()).trend
    assert trend.to_dict("list") == {"month": ["2026-08", "2026-09", "2026-10", "2026-11"],
                                     "returns": [1, 0, 0, 1], "refunded": [12.0, 0.0, 0.0, 0.0]}


@pytest.mark.slow
def test_an_empty_sheet_has_empty_figures():
    figures = compute(run(), Policy())
    assert figures.rows == 0 and figures.key["open"].returns == 0
    assert figures.reasons.empty and figures.products.empty and figures.trend.empty
    assert figures.days_to_receive is None

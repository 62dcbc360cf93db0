"""The Summary on real data: 9,288 cancellation lines of a UK online retailer (no emails, no reasons,
postage and fee codes, one 80,995-unit line), checked against pandas computations on the source CSV."""
from datetime import datetime, timedelta

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.summary import compute, summary_tab
from sheetreturns.summary.tab import MAX_TABLE_ROWS
from sheetreturns.excel.draw_tab import render_tab

from .online_retail import AS_OF, cancellations, returns_sheet, write_sheet
from .summary_expect import assert_figures_match, expected

pytestmark = pytest.mark.slow  # a large sheet or a long computation, built once for the module

NON_PRODUCT = {"POST", "DOT", "C2", "M", "D", "S", "AMAZONFEE", "BANK CHARGES", "CRUK"}


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    data = cancellations()
    sheet = returns_sheet(data)
    path = write_sheet(tmp_path_factory.mktemp("retail") / "retail.xlsx", sheet)
    loaded = loading.load(str(path), AS_OF, Config())
    loaded.workbook.close()
    return data, sheet, loaded, compute(loaded.evaluation, loaded.policy)


def test_real_cancellations_figures_equal_an_independent_pandas_computation(retail):
    data, sheet, loaded, figures = retail
    raw = sheet.assign(row=sheet.index + 2)
    assert_figures_match(figures, expected(raw, loaded.evaluation, AS_OF))


def test_money_at_risk_is_what_the_csv_says_was_credited_for_items_never_received(retail):
    data, sheet, loaded, figures = retail
    products = data[~data["StockCode"].isin(NON_PRODUCT) & (data["derived_matched_sale_invoice"] != "")]
    credited = pd.to_datetime(products["InvoiceDate"]).dt.normalize()
    amount = products["derived_refund_amount"].astype(float)
    overdue = credited + timedelta(days=30) < pd.Timestamp(AS_OF)
    assert figures.key["reimbursement_due"].amount == round(amount[overdue].sum(), 2)
    assert figures.key["refunded_not_back"].amount == round(amount[~overdue].sum(), 2)
    assert figures.key["reimbursement_due"].returns == products.loc[overdue, "InvoiceNo"].nunique()


def test_the_80995_unit_line_is_counted_once_at_its_value(retail):
    data, sheet, loaded, figures = retail
    big = data[data["Quantity"] == "-80995"].iloc[0]
    product = figures.products.set_index("sku").loc[big["StockCode"]]
    same_sku = data[data["StockCode"] == big["StockCode"]]
    assert product["units"] == -same_sku["Quantity"].astype(int).sum()
    assert product["units"] >= 80995
    assert figures.key["refunded_not_back"].amount >= 168469.60


def test_postage_fees_and_adjustments_are_listed_apart_with_what_was_credited(retail):
    data, sheet, loaded, figures = retail
    other = data[data["StockCode"].isin(NON_PRODUCT)]
    want = other.groupby("StockCode")["derived_refund_amount"].apply(lambda s: round(s.astype(float).sum(), 2))
    got = figures.non_product.set_index("code")["refunded"]
    assert got.to_dict() == want.to_dict()
    assert not set(figures.products["sku"]) & NON_PRODUCT
    assert figures.rows == len(data) - len(other)


def test_without_reasons_or_emails_the_summary_says_so_instead_of_guessing(retail):
    data, sheet, loaded, figures = retail
    assert figures.reasons.empty and figures.no_reason_rows == figures.rows
    assert figures.claimed.empty
    assert figures.customers["email"].isna().all()
    assert figures.customers["customer"].notna().all()  # customers are known by their ID instead
    tab = summary_tab(loaded.evaluation, loaded.policy, datetime(2011, 12, 10, 6, 0))
    text = [c.value if hasattr(c, "value") else c for row in tab.rows for c in row]
    assert "No reasons recorded yet." in text
    assert [chart.kind for chart in tab.charts] == ["line"]  # no reasons chart without reasons


def test_long_tables_are_cut_on_the_tab_and_say_how_many_more(retail, tmp_path):
    data, sheet, loaded, figures = retail
    tab = summary_tab(loaded.evaluation, loaded.policy, datetime(2011, 12, 10, 6, 0))
    wb = Workbook()
    render_tab(tab, wb.active, loaded.policy.currency_symbol)
    wb.save(tmp_path / "summary.xlsx")
    ws = load_workbook(tmp_path / "summary.xlsx").active
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    more = len(figures.products) - MAX_TABLE_ROWS
    assert f"… and {more:,} more products (sheetreturns report --json lists all)" in texts
    assert ws.max_row < 400

"""The Summary tab's layout: what the owner sees first, and charts that point at the right cells."""
from datetime import date, datetime
from pathlib import Path

import pytest

from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.engine.model import Status
from sheetreturns.summary import compute, summary_tab
from sheetreturns.summary.tab import ALERT
from sheetreturns.sheet.tab_model import style_of, value_of

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"
FIRST_SCREEN = 40  # rows an owner sees without scrolling far


@pytest.fixture(scope="module")
def example():
    loaded = loading.load(str(EXAMPLE), date(2026, 11, 26), Config())
    loaded.workbook.close()
    tab = summary_tab(loaded.evaluation, loaded.policy, datetime(2026, 11, 26, 7, 30))
    return loaded, tab, compute(loaded.evaluation, loaded.policy)


def row_starting(tab, text, within=None):
    rows = tab.rows[:within] if within else tab.rows
    for number, row in enumerate(rows, start=1):
        if row and value_of(row[0]) == text:
            return number, [value_of(c) for c in row]
    raise AssertionError(f"no row starts with {text!r}")


@pytest.mark.slow
def test_title_and_as_of_are_frozen_at_the_top(example):
    loaded, tab, figures = example
    assert value_of(tab.rows[0][0]) == "Willow & Wick: returns summary"
    assert value_of(tab.rows[1][0]).startswith("As of 2026-11-26 · updated 2026-11-26 07:30 · 45 returns")
    assert tab.freeze_rows == 2 and tab.title == "Summary"


@pytest.mark.slow
def test_first_screen_answers_action_money_at_risk_reasons_and_products_to_pull(example):
    loaded, tab, figures = example
    _, action = row_starting(tab, "Need your action now", FIRST_SCREEN)
    assert action[2] == 16
    _, risk = row_starting(tab, "Reimbursement due", FIRST_SCREEN)
    assert risk[2:4] == [1, 89.0] and "money at risk" in risk[1]
    _, pull = row_starting(tab, "KTL-CPR", FIRST_SCREEN)
    assert pull[1:5] == ["Copper kettle 1.7L", 4, 5, 0.8]
    row_starting(tab, ALERT, FIRST_SCREEN)
    number, top = row_starting(tab, "Changed mind", FIRST_SCREEN)
    assert top[2] == 12


def test_status_rows_are_coloured_by_their_label_and_money_is_money(example):
    loaded, tab, figures = example
    number, _ = row_starting(tab, "Refund due")
    cells = tab.rows[number - 1]
    assert style_of(cells[0]) == "status" and value_of(cells[0]) == Status.REFUND_DUE.value
    assert style_of(cells[3]) == "money" and value_of(cells[3]) == 219.5
    assert "(1 without a price)" in value_of(cells[1])


def test_every_product_with_the_alert_says_pull_stock_in_the_products_table(example):
    loaded, tab, figures = example
    products_at, _ = row_starting(tab, "Products")
    flagged = [value_of(r[0]) for r in tab.rows[products_at:] if len(r) > 8 and value_of(r[8]) == ALERT]
    assert flagged == ["KTL-CPR"]


def test_charts_point_at_the_reasons_and_trend_tables(example):
    loaded, tab, figures = example
    bar, line = tab.charts
    assert (bar.kind, line.kind) == ("bar", "line")
    categories = [value_of(tab.rows[r - 1][bar.categories_column - 1]) for r in range(bar.first_row, bar.last_row + 1)]
    assert categories == list(figures.reasons["category"])
    counts = [value_of(tab.rows[r - 1][bar.series[0].column - 1]) for r in range(bar.first_row, bar.last_row + 1)]
    assert counts == list(figures.reasons["rows"])
    months = [value_of(tab.rows[r - 1][0]) for r in range(line.first_row, line.last_row + 1)]
    assert months == list(figures.trend["month"])
    money = line.series[1]
    assert money.axis == "right"
    assert [value_of(tab.rows[r - 1][money.column - 1]) for r in range(money.first_row, money.last_row + 1)] == \
        list(figures.trend["refunded"])


def test_charts_sit_beside_the_first_tables_not_over_them(example):
    loaded, tab, figures = example
    for chart in tab.charts:
        column = chart.anchor.rstrip("0123456789")
        row = int(chart.anchor[len(column):])
        assert row < FIRST_SCREEN
        # nothing is written in the chart's columns on the rows it covers (rows are 0.45-0.53 cm high)
        covered = range(row, row + int(chart.height_cm * 2.3) + 1)
        first_col = ord(column) - ord("A")
        for number in covered:
            cells = tab.rows[number - 1] if number <= len(tab.rows) else []
            assert all(value_of(c) is None for c in cells[first_col:first_col + 6]), (chart.title, number)

"""The fast paths of reading a sheet read every value as the general path does: money typed as plain text,
values remembered from one block of rows to the next, job columns judged once per distinct value."""
from datetime import date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetreturns.engine import typed_lines
from sheetreturns.engine.columns import BY_KEY
from sheetreturns.engine.model import LINE_FIELDS
from sheetreturns.engine.ownership import claim
from sheetreturns.engine.policy import Policy
from sheetreturns.engine.typed_lines import build_lines, parsers_for
from sheetreturns.engine.values import BadValue, CellError, money_text, parse_money

from .helpers import header_map

money_like = st.text(alphabet=" $£€¥₹0123456789,.-", max_size=16)


def _general(text: str):
    """What the table of currency marks makes of `text`, with the same checks on the amount."""
    try:
        amount = money_text(text)
        return ("value", None if amount is None else parse_money(amount))
    except BadValue:
        return ("bad", None)


@settings(max_examples=600, deadline=None)
@given(text=st.one_of(money_like, st.builds(lambda s, n: f"{s}{n:,.2f}", st.sampled_from(["", "$", "£ ", "€", " "]),
                                            st.floats(0, 10**13, allow_nan=False))))
def test_money_typed_as_plain_text_reads_as_through_the_table_of_currency_marks(text):
    try:
        fast = ("value", parse_money(text))
    except BadValue:
        fast = ("bad", None)
    general = _general(text)
    assert fast[0] == general[0], text
    assert str(fast[1]) == str(general[1]), text  # the same digits, not only an equal amount


def test_amounts_with_other_marks_still_read():
    assert parse_money("NZ$ 12,50") == Decimal("12.50")
    assert parse_money("12.50 EUR") == Decimal("12.50")
    assert parse_money("CHF 1'234.50") == Decimal("1234.50")
    assert parse_money(" £1,234.5 ") == Decimal("1234.5")
    assert parse_money("$.5") == Decimal("0.5")


cell = st.one_of(
    st.none(), st.just(""), st.just("  "),
    st.sampled_from(["12.50", "£3", "1,234", "x", "Like new", "like-new", "broken", "Refund", "nope", "2026-11-20",
                     "20/11/2026", "sometime", "jo@example.com", "jo@", " Jo ", "Jo", "0", "-1", "1e309"]),
    st.sampled_from([0.0, 1.0, 2.0, 2.5, -1.0, 1e13, float("nan"), 45000.0]),
    st.sampled_from([0, 1, 3, True, False]),
    st.sampled_from([date(2026, 11, 20), date(1970, 1, 1), datetime(2026, 11, 20, 9, 30)]),
    st.sampled_from([CellError("#N/A")]),
)
KEYS = ["order_id", "sku", "customer", "email", "qty", "unit_price", "notified_on", "received_on", "received_qty",
        "condition", "damage_by", "refund_amount", "refunded_on", "decision", "reason"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.fixed_dictionaries({k: cell for k in KEYS}), max_size=12), block=st.integers(1, 5))
def test_values_remembered_across_blocks_read_as_each_value_alone(rows, block):
    policy = Policy()
    header = header_map()
    width = max(header.columns.values()) + 1
    raw_rows = []
    for values in rows:
        raw = [""] * width
        for key, value in values.items():
            raw[header.columns[key]] = value
        raw_rows.append(raw)
    original = typed_lines.BLOCK
    typed_lines.BLOCK = block
    try:
        lines = build_lines(raw_rows, 2, header, policy)
    finally:
        typed_lines.BLOCK = original
    parsers = parsers_for(policy, False)
    by_row = {line.row: line for line in lines}
    for number, values in enumerate(rows, start=2):
        line = by_row.get(number)
        if line is None:
            continue
        for key, raw in values.items():
            if key not in LINE_FIELDS:
                continue
            try:
                expected = parsers[BY_KEY[key].kind](raw)
            except BadValue as exc:
                assert line.bad[key][0] is raw or line.bad[key][0] == raw
                assert line.bad[key][1] == str(exc)
                assert getattr(line, key) is None
                continue
            if key in ("refund_amount", "refunded_on") and line.refund_amount is None:
                continue  # a refund of nought is no refund: its amount and date are dropped
            assert key not in line.bad
            assert getattr(line, key) == expected and type(getattr(line, key)) is type(expected), (key, raw)


def test_a_job_column_is_judged_by_every_distinct_value_however_often_one_repeats():
    header = header_map(["Order ID", "SKU", "Status", "Contacted On"])
    rows = [["1", "A", "Done", 45000.0]] * 5 + [["2", "B", "Done", True]]
    owned = claim(header, None)
    list(owned.watch(rows))
    assert owned.foreign == {"contacted_on": 3}  # True is no date, even after 45000.0 (True == 1 in a set)
    owned = claim(header_map(["Order ID", "SKU", "Status"]), None)
    list(owned.watch([["1", "A", "Done"]] * 5 + [["1", "A", "Unit returned to inventory"], ["1", "A", "Done"]]))
    assert owned.foreign == {"status": 2}


def test_text_columns_of_nothing_but_text_read_as_cell_by_cell():
    """Return ID, Order ID and Notes holding only text are stripped in one pass: blank and spaces-only cells
    still read as blank, and a number among the texts as text."""
    header = header_map(["Return ID", "Order ID", "SKU", "Notes"])
    rows = [[" R-1 ", "1001", "A", "  "], ["", " 1002", "B", "ok "], ["R-3", "   ", "C", ""],
            ["R-4", 1004.0, "D", "fine"]]
    lines = build_lines(rows, 2, header, Policy())
    assert [(l.return_id, l.order_id, l.notes) for l in lines] == [
        ("R-1", "1001", None), (None, "1002", "ok"), ("R-3", None, None), ("R-4", "1004", "fine")]
    original = typed_lines.BLOCK
    typed_lines.BLOCK = 3  # the first block all text, the second with a number
    try:
        assert build_lines(rows, 2, header, Policy()) == lines
    finally:
        typed_lines.BLOCK = original

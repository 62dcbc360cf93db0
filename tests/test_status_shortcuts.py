"""The shortcuts of the status of a line whose item is back (a refund of exactly the value returned is neither too
much nor too little; the value of every unit is worked out once) and of writing an amount give what the rules give
written plainly."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sheetreturns.engine.currencies import CURRENCY_SYMBOLS, code_of_symbol, decimals
from sheetreturns.engine.policy import Policy
from sheetreturns.engine.statuses import status_of
from sheetreturns.engine.wording import money

from .helpers import line

AS_OF = date(2026, 11, 26)
TOLERANCE = Decimal("0.005")


def _plain_money(amount, symbol: str) -> str:
    code = code_of_symbol(symbol)
    places = decimals(code) if code else 2
    value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{'-' if value < 0 else ''}{symbol}{abs(value):,.{places}f}"


def _plain_status_when_back(each, symbol: str):
    """The README's rules for a line whose item is back, with no shortcut (the decision is not Refuse)."""
    ordered = each.qty or 1
    received = ordered if each.received_qty is None else each.received_qty
    price = each.unit_price
    received_value = None if price is None else price * received
    paid = each.refund_amount
    if paid is None and each.refunded_on is not None and price is not None:
        paid = price * ordered
    if paid is not None and received_value is not None and paid > received_value + TOLERANCE:
        return "Over-refunded", f"Refund is {_plain_money(paid - received_value, symbol)} more than the items returned: check it"
    if each.refunded_on is not None:
        if paid is not None and received_value is not None and paid + TOLERANCE < received_value \
                and each.decision != "Partial refund":
            return "Refund due", (
                f"Refunded {_plain_money(paid, symbol)} of {_plain_money(received_value, symbol)}: refund the "
                f"remaining {_plain_money(received_value - paid, symbol)} or set Decision to Partial refund")
        return "Done", "Nothing to do"
    return None  # the other statuses do not weigh the refund against the value returned


prices = st.sampled_from([Decimal("24.99"), Decimal("0.01"), Decimal("10"), Decimal("1234.5"), Decimal("3.333")])
# refunds on either side of the value returned, on and around the tolerance's edge
offsets = st.sampled_from([Decimal(0), Decimal("0.005"), Decimal("-0.005"), Decimal("0.0051"), Decimal("-0.0051"),
                           Decimal("0.004"), Decimal("-0.004"), Decimal("1"), Decimal("-1"), Decimal("0.00")])


@settings(max_examples=600, deadline=None)
@given(qty=st.sampled_from([None, 1, 2, 3]), received_qty=st.sampled_from([None, 0, 1, 2, 3]), price=st.one_of(
    st.none(), prices), refund=st.one_of(st.none(), st.tuples(st.sampled_from([1, 2, 3]), offsets)),
    refunded=st.booleans(), decision=st.sampled_from([None, "Refund", "Partial refund", "Exchange"]),
    condition=st.sampled_from([None, "Used", "Damaged"]), currency=st.sampled_from(["GBP", "JPY", "BHD", "CLF"]))
@example(qty=2, received_qty=None, price=Decimal("24.99"), refund=None, refunded=True, decision=None,
         condition="Used", currency="GBP")  # a refund date alone: the full value, which the items are worth
@example(qty=3, received_qty=2, price=Decimal("10"), refund=None, refunded=True, decision=None,
         condition="Used", currency="GBP")  # a refund date alone for three units, two back: over-refunded
def test_the_status_of_a_line_back_weighs_its_refund_as_the_plain_rules_do(
        qty, received_qty, price, refund, refunded, decision, condition, currency):
    amount = None
    if refund is not None and price is not None:
        units, offset = refund
        amount = price * units + offset
    each = line(qty=qty, received_qty=received_qty, unit_price=price, refund_amount=amount, decision=decision,
                condition=condition, received_on=AS_OF - timedelta(days=2),
                refunded_on=AS_OF - timedelta(days=1) if refunded else None)
    policy = Policy(currency=currency)
    status, next_step = status_of(each, policy, AS_OF, AS_OF + timedelta(days=30), None)
    plain = _plain_status_when_back(each, policy.currency_symbol)
    if plain is not None:
        assert (status.value, next_step) == plain


amounts = st.one_of(
    st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("0.005"), Decimal("2.5"), Decimal("1E+3"), Decimal("1.2345"),
                     Decimal("-0.0049"), Decimal("999999.995")]),
    st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False))


@settings(max_examples=600, deadline=None)
@example(amount=2.675, symbol="£")  # the float nearest 2.675 is below it: written as the text it shows, 2.68
@example(amount=Decimal("-0"), symbol="¥")
@given(amount=amounts, symbol=st.sampled_from([*CURRENCY_SYMBOLS.values(), "BHD ", "CLF ", "SEK "]))
def test_an_amount_is_written_as_the_plain_rule_writes_it(amount, symbol):
    assert money(amount, symbol) == _plain_money(amount, symbol)

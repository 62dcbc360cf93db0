"""Property: whatever a seller types into any cell, reading and evaluating never raises."""
import pytest
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetreturns.engine.columns import SELLER_COLUMNS
from sheetreturns.engine.evaluate import evaluate
from sheetreturns.engine.typed_lines import build_lines
from sheetreturns.engine.policy import Policy
from sheetreturns.engine.values import CellError

from .helpers import header_map

cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", " ", "£1,234.50", "31/02/2026", "2026-11-20", "like-new", "jo@", "refund", "-1", "1e309",
                     "Customer", "Refuse", "Partial refund", "0", "=SUM(A1)", "\n", "R-00001", "R-99999999999999999"]),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1, 1, 1)),
    st.datetimes(),
    st.times(),
    st.timedeltas(max_value=timedelta(days=10**5), min_value=timedelta(days=-10**5)),
    st.sampled_from([CellError("#N/A"), CellError("#REF!"), CellError("#DIV/0!")]),
)
row = st.lists(cell, min_size=0, max_size=len(SELLER_COLUMNS) + 3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=8), as_of=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
       date1904=st.booleans(), day_first=st.booleans())
@pytest.mark.slow
def test_arbitrary_cells_never_raise(rows, as_of, date1904, day_first):
    policy = Policy(date_order="day-month" if day_first else "month-day")
    header = header_map()
    lines = build_lines(rows, 2, header, policy, date1904)
    evaluation = evaluate(lines, header, policy, as_of)
    assert len(evaluation.outcomes) == len(lines)
    for outcome in evaluation.outcomes:
        assert outcome.status.value
        assert outcome.next_step
        for problem in outcome.problems:
            assert problem.message and problem.code and problem.row >= 2

"""The Summary's frame of rows, made column by column in its final types, equals the frame made the plain
way (every column as a list, then one DataFrame, then typed): the same columns, types and values."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from sheetreturns import loading
from sheetreturns.engine.model import Line, Outcome, Status
from sheetreturns.engine.report_facts import is_amazon_fba
from sheetreturns.engine.statuses import line_value, refunded_amount
from sheetreturns.settings.config_file import Config
from sheetreturns.summary.rows import _amount_owed, _customer_key, _inspected, _money, is_non_product, rows_frame

from .helpers import line, run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


def plain_frame(lines: list[Line], outcomes: list[Outcome]) -> pd.DataFrame:
    def dates(values) -> pd.Series:
        return pd.to_datetime(pd.Series(values, dtype="object"), errors="coerce")

    frame = pd.DataFrame({
        "row": [line.row for line in lines],
        "return_id": pd.factorize(pd.Series([o.return_id for o in outcomes], dtype=object))[0],
        "status": pd.Categorical([o.status.value for o in outcomes], categories=[s.value for s in Status]),
        "sku": [line.sku for line in lines],
        "product": [line.product for line in lines],
        "customer": [line.customer for line in lines],
        "email": [line.email for line in lines],
        "customer_key": [_customer_key(line) for line in lines],
        "units": [line.units for line in lines],
        "units_received": [line.units_received for line in lines],
        "value": [_money(line_value(line, line.units)) for line in lines],
        "refunded": [_money(refunded_amount(line)) for line in lines],
        "owed": [_money(_amount_owed(line, o.status)) for line, o in zip(lines, outcomes)],
        "notified": dates([o.notified_on for o in outcomes]),
        "received": dates([line.received_on for line in lines]),
        "refunded_on": dates([line.refunded_on for line in lines]),
        "reason": [line.reason for line in lines],
        "category": [o.reason_category or None for o in outcomes],
        "inventory": [o.inventory or None for o in outcomes],
        "inspected": [_inspected(line) for line in lines],
        "defective": [_inspected(line) and (line.condition == "Defective" or line.damage_by == "Manufacturer")
                      for line in lines],
        "non_product": [is_non_product(line.sku) for line in lines],
        "amazon_fba": [is_amazon_fba(line) for line in lines],
        "bad_email": ["email" in line.bad for line in lines],
    })
    grouped = {column: "category" for column in ("sku", "product", "customer_key", "reason", "category", "inventory")}
    return frame.astype({"row": int, "units": int, "units_received": int, "value": float, "refunded": float,
                         "owed": float, "inspected": bool, "defective": bool, "non_product": bool, "amazon_fba": bool,
                         "bad_email": bool, **grouped})


def example():
    loaded = loading.load(str(EXAMPLE), date(2026, 11, 26), Config())
    loaded.workbook.close()
    return loaded.evaluation


def made_up():
    return run(
        line(2), line(3, return_id="R-00002", sku="POST", email=None, customer="  Ann   Lee "),
        line(4, return_id="R-00003", received_on="2026-11-22", condition="Defective", qty=2, received_qty=1),
        line(5, return_id="R-00004", refunded_on="2026-11-23", refund_amount=30, reason="Too big"),
        line(6, return_id="R-00002", sku="MUG-02", email="x@example.com", damage_by="Manufacturer"),
    )


@pytest.mark.parametrize("evaluation", [example, made_up, lambda: run()], ids=["example", "made-up", "empty"])
def test_the_frame_made_column_by_column_equals_the_plain_one(evaluation):
    evaluation = evaluation()
    made = rows_frame(evaluation.lines, evaluation.outcomes)
    assert_frame_equal(made, plain_frame(evaluation.lines, evaluation.outcomes))
    assert len(made) == len(evaluation.lines)

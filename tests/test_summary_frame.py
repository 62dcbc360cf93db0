"""The Summary's frame of rows, made column by column in its final types, equals the frame made the plain
way (every column as a list, then one DataFrame, then typed): the same columns, types and values."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from sheetreturns import loading
from sheetreturns.engine.model import NO_BAD_CELLS, Line, Outcome, Status
from sheetreturns.engine.report_facts import is_amazon_fba
from sheetreturns.engine.statuses import line_value, refunded_amount
from sheetreturns.settings.config_file import Config
from sheetreturns.summary.rows import _amount_owed, _money, is_non_product, rows_frame
from sheetreturns.summary.tables import product_names

from .helpers import line, run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


# The rules the frame's columns follow, written row by row: the frame, made column by column, must agree.

def _customer_key(line: Line) -> str | None:
    if line.email:
        return line.email.lower()
    if line.customer:
        return "name:" + " ".join(line.customer.lower().split())
    return None


def _inspected(line: Line) -> bool:
    return line.received_on is not None and line.condition is not None


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


# -- any rows: every branch of every column, in any mix -------------------------------------------------

days = st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
texts = st.one_of(st.none(), st.sampled_from(["", "a", "Ann  Lee", "ÉLODIE", "x@example.com", "POST", " post  ",
                                              "Amazon FBA", "fba", "eBay", "Defective", "MUG-01"]), st.text(max_size=6))
money = st.one_of(st.none(), st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False),
                  st.decimals(min_value=0, max_value=10, places=7, allow_nan=False))
counts = st.one_of(st.none(), st.integers(min_value=-2, max_value=5))


@st.composite
def rows(draw):
    size = draw(st.integers(min_value=0, max_value=25))
    lines, outcomes = [], []
    for index in range(size):
        lines.append(Line(
            index + 2, customer=draw(texts), email=draw(texts), sku=draw(texts), product=draw(texts),
            qty=draw(counts), unit_price=draw(money), channel=draw(texts), reason=draw(texts),
            received_on=draw(days), received_qty=draw(counts),
            condition=draw(st.one_of(st.none(), st.sampled_from(["Defective", "Damaged", "As described", ""]))),
            damage_by=draw(st.one_of(st.none(), st.sampled_from(["Manufacturer", "Customer", "Carrier"]))),
            refund_amount=draw(money), refunded_on=draw(days),
            decision=draw(st.one_of(st.none(), st.sampled_from(["Partial refund", "Refuse", "Refund"]))),
            bad=draw(st.sampled_from([NO_BAD_CELLS, {"email": ("x", "not an address")}, {"qty": ("?", "bad")}])),
        ))
        outcomes.append(Outcome(
            draw(st.sampled_from(["R-1", "R-2", "R-3", "R-10"])), draw(st.sampled_from(list(Status))), "",
            inventory=draw(st.sampled_from(["", "Restock", "Write off"])),
            reason_category=draw(st.sampled_from(["", "Defective", "Other", "Size/fit"])),
            notified_on=draw(days),
        ))
    return lines, outcomes


@settings(max_examples=120, deadline=None)
@given(rows())
def test_the_frame_equals_the_plain_one_on_any_rows(made):
    lines, outcomes = made
    assert_frame_equal(rows_frame(lines, outcomes), plain_frame(lines, outcomes))


def counted_product_names(df: pd.DataFrame) -> pd.Series:
    """Each SKU's most written product name, counted on the names themselves (ties: alphabetically first)."""
    named = df[df["product"].notna() & df["sku"].notna()].astype({"sku": object, "product": object})
    counts = named.groupby(["sku", "product"]).size().rename("n").reset_index()
    counts = counts.sort_values(["sku", "n", "product"], ascending=[True, False, True])
    return counts.drop_duplicates("sku").set_index("sku")["product"]


@settings(max_examples=80, deadline=None)
@given(rows(), st.lists(st.text(max_size=3), min_size=1, max_size=6))
def test_each_skus_product_name_counted_on_codes_is_the_one_counted_on_names(made, names):
    lines, outcomes = made
    # Few SKUs and names, so that counts tie and one SKU has several names; any text, in any order.
    lines = [line._replace(sku=names[index % 2 % len(names)], product=names[index % len(names)] if index % 3 else line.product)
             for index, line in enumerate(lines)]
    frame = rows_frame(lines, outcomes)
    found, expected = product_names(frame), counted_product_names(frame)
    assert dict(found.items()) == dict(expected.items())
    assert list(found.index) == list(expected.index)

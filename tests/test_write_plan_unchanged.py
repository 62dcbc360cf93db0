"""returns_unchanged: a plan is taken for "nothing to write" only when every cell it writes holds that value already.

The attacks are on its shortcuts for a plan still held as columns: rows in sheet order (their bounds then
follow from their count), rows with a gap between them, a row the sheet as read did not reach.
"""
from __future__ import annotations

from datetime import date, datetime

from sheetreturns.sheet.write_plan import _ROW_KEYS, JobRows, WritePlan, returns_unchanged

from .helpers import STANDARD_HEADERS, header_map

HEADER = header_map([*STANDARD_HEADERS, "Status", "Next Step"])  # header on row 1: rows of returns from row 2


def plan(rows: list[int], status: list[object], current: dict[str, list[object]]) -> WritePlan:
    columns = {"status": status, "next_step": ["Wait"] * len(rows)}
    return WritePlan("Returns", HEADER, [], JobRows(rows, columns), current=current)


def test_rows_in_order_holding_what_the_plan_writes_are_unchanged():
    current = {"status": ["Open", "Done", ""], "next_step": ["Wait", "Wait", ""]}  # row 4 read blank
    assert returns_unchanged(plan([2, 3], ["Open", "Done"], current))
    assert not returns_unchanged(plan([2, 3], ["Open", "Open"], current))


def test_a_row_below_the_rows_read_is_a_change():
    current = {"status": ["Open", "Done"], "next_step": ["Wait", "Wait"]}  # rows 2 and 3 read
    assert not returns_unchanged(plan([2, 3, 4], ["Open", "Done", None], current))  # in order, one too many
    assert not returns_unchanged(plan([2, 4], ["Open", None], current))  # a gap, then past the end


def test_rows_with_a_gap_are_compared_where_they_are():
    current = {"status": ["Open", "", "Done"], "next_step": ["Wait", "", "Wait"]}  # row 3 blank
    assert returns_unchanged(plan([2, 4], ["Open", "Done"], current))
    assert not returns_unchanged(plan([2, 4], ["Done", "Open"], current))
    assert not returns_unchanged(plan([2, 3], ["Open", "Done"], current))  # row 3 would be filled, row 4 emptied


def test_a_row_above_the_first_row_of_returns_is_a_change():
    current = {"status": ["Open", "Done"], "next_step": ["Wait", "Wait"]}
    assert not returns_unchanged(plan([1, 2], ["Open", "Done"], current))  # the header row


def test_a_date_read_as_a_midnight_time_is_the_same_date_and_a_text_is_not():
    current = {"status": [datetime(2026, 11, 20), "x"], "next_step": ["Wait", "Wait"]}
    assert returns_unchanged(plan([2, 3], [date(2026, 11, 20), "x"], current))
    assert not returns_unchanged(plan([2, 3], ["2026-11-20", "x"], current))


def test_a_blank_held_as_an_empty_text_reaches_a_writer_as_none():
    # job_columns holds a blank as "" (as a blank cell reads), so an unchanged column compares equal at once;
    # writers are given None for it, as before.
    columns = {key: ["", ""] for key in _ROW_KEYS} | {"status": ["Open", "Done"], "next_step": ["", "Wait"]}
    rows = JobRows([2, 3], columns)
    current = {"status": ["Open", "Done"], "next_step": ["", "Wait"]}
    assert returns_unchanged(WritePlan("Returns", HEADER, [], rows, current=current))
    assert rows.as_columns[1] == {key: [None, None] for key in _ROW_KEYS} | {"status": ["Open", "Done"],
                                                                           "next_step": [None, "Wait"]}
    assert rows[2] == dict.fromkeys(_ROW_KEYS) | {"status": "Open"}


def test_the_plan_writes_each_rows_problems_as_the_outcome_words_them():
    from sheetreturns.sheet.write_plan import job_columns

    from .helpers import line, run

    evaluation = run(line(2), line(3, return_id="R-00002", qty=0, email="no-at-sign"), line(4, return_id="R-00003",
                                                                                         email="also-none"))
    assert sum(len(o.problems) for o in evaluation.outcomes) >= 3 and len(evaluation.outcomes[1].problems) >= 2
    assert job_columns(evaluation, {}, {})["problems"] == ["; ".join(p.message for p in o.problems) for o in evaluation.outcomes]

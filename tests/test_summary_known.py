"""A Summary left alone when its inputs are the ones it was last computed from: the key covers every input.

The attacks: a field the Summary reads but the key leaves out; an input changed on one row only; a new day;
a setting; a return no longer unacknowledged; another process (other hash seeds); a stale or broken memory of
earlier runs; a seller's edit of the sheet between runs.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sheetreturns import api, loading
from sheetreturns.engine.model import NO_BAD_CELLS, Line, Status
from sheetreturns.engine.policy import Policy
from sheetreturns.engine.replies import OtherReply, ReplyShown
from sheetreturns.settings.config_file import Config
from sheetreturns.sheet.tab_model import DeferredTab, Tab
from sheetreturns.summary import known, summary_tab
from sheetreturns.summary.known import (
    KEPT, LINE_FIELDS, OUTCOME_FIELDS, known_digests, lines_digests, remember_digest, summary_key,
)

from .helpers import basic_row, line, run, write_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "returns.xlsx"
AS_OF = date(2026, 11, 26)


class Recorder:
    """Stands in for a row (or the evaluation, or the policy) and notes every field read of it."""

    def __init__(self, real, seen: set[str]) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_seen", seen)

    def __getattr__(self, name: str):
        real = object.__getattribute__(self, "_real")
        computed = getattr(type(real), name, None)
        if isinstance(computed, property):  # units, problems_text ...: what they read is noted instead
            return computed.fget(self)
        object.__getattribute__(self, "_seen").add(name)
        return getattr(real, name)


def varied_evaluation():
    """Rows in every branch the Summary has: refunds owed, short, over; Amazon claims; postage; a bad address;
    replies waiting, handled and from someone else."""
    lines = [
        line(2, received_on=date(2026, 11, 22), condition="Defective", reason="Broken handle"),
        line(3, return_id="R-00002", order_id="1002", received_on=date(2026, 11, 21), condition="As described",
             decision="Partial refund", refund_amount=10, reason="Too big"),
        line(4, return_id="R-00003", order_id="1003", received_on=date(2026, 11, 21), condition="As described",
             refunded_on=date(2026, 11, 24), refund_amount=5, reason="Changed mind"),
        line(5, return_id="R-00004", order_id="1004", refunded_on=date(2026, 8, 1), channel="Amazon FBA",
             notified_on=date(2026, 7, 20), qty=2, received_qty=1, reason="Arrived late"),
        line(6, return_id="R-00005", order_id="1005", sku="POSTAGE", refunded_on=date(2026, 11, 3), refund_amount=3),
        line(7, return_id="R-00006", order_id="1006", email="no-at-sign", customer="Al", damage_by="Customer",
             received_on=date(2026, 11, 23), condition="Damaged"),
        line(8, return_id="R-00007", order_id="1007", received_on=date(2026, 11, 20), refunded_on=date(2026, 11, 25),
             refund_amount=40, reason="Wrong item"),
    ]
    evaluation = run(*lines)
    evaluation.outcomes[0].reply = ReplyShown(date(2026, 11, 24), "Where is my label?", "", True)
    evaluation.outcomes[1].reply = ReplyShown(date(2026, 11, 23), "Sent it", "Royal Mail AB1GB", False)
    evaluation.other_replies = [OtherReply("R-00003", "Mallory <m@example.net>", date(2026, 11, 25), "Hello")]
    return evaluation


def example_evaluation():
    loaded = loading.load(str(EXAMPLE), AS_OF, Config())
    loaded.workbook.close()
    return loaded.evaluation, loaded.policy


def recorded_reads(evaluation, policy: Policy, not_acknowledged) -> tuple[set[str], set[str], set[str]]:
    line_reads, outcome_reads, evaluation_reads = set(), set(), set()
    watched = dataclasses.replace(evaluation, lines=[Recorder(x, line_reads) for x in evaluation.lines],
                                  outcomes=[Recorder(x, outcome_reads) for x in evaluation.outcomes])
    summary_tab(Recorder(watched, evaluation_reads), policy, datetime(2026, 11, 26, 9), not_acknowledged)
    return line_reads, outcome_reads, evaluation_reads


@pytest.mark.parametrize("which", ["example", "varied"])
def test_the_summary_reads_nothing_of_a_row_that_its_key_leaves_out(which):
    if which == "example":
        evaluation, policy = example_evaluation()
    else:
        evaluation, policy = varied_evaluation(), Policy()
    lines_read, outcomes_read, evaluation_read = recorded_reads(evaluation, policy, [("R-00001", date(2026, 11, 1))])
    assert lines_read <= set(LINE_FIELDS), lines_read - set(LINE_FIELDS)
    assert outcomes_read <= set(OUTCOME_FIELDS), outcomes_read - set(OUTCOME_FIELDS)
    assert evaluation_read <= {"as_of", "lines", "outcomes", "other_replies"}  # all in the key
    assert "unit_price" in lines_read and "status" in outcomes_read  # the recording works


def key_of(evaluation, policy=None, not_acknowledged=()):
    return summary_key(evaluation, policy or Policy(), list(not_acknowledged))


OTHER_VALUES = {
    "row": 99, "customer": "Someone Else", "email": "else@example.com", "sku": "MUG-02", "product": "Big mug",
    "qty": 2, "unit_price": Decimal("24.98"), "channel": "Amazon FBA", "reason": "Too big",
    "received_on": date(2026, 11, 25), "received_qty": 0, "condition": "Defective", "damage_by": "Manufacturer",
    "refund_amount": Decimal("1.00"), "refunded_on": date(2026, 11, 25), "decision": "Refuse",
    "bad": {"email": ("x", "not an address")},
}


@pytest.mark.parametrize("field", LINE_FIELDS)
def test_a_change_to_any_field_the_summary_reads_on_one_row_changes_the_key(field):
    evaluation = varied_evaluation()
    before = key_of(evaluation)
    changed = dataclasses.replace(evaluation, lines=list(evaluation.lines))
    index = next(i for i, x in enumerate(changed.lines) if getattr(x, field) != OTHER_VALUES[field])
    changed.lines[index] = changed.lines[index]._replace(**{field: OTHER_VALUES[field]})
    assert key_of(changed) != before
    blanked = dataclasses.replace(evaluation, lines=list(evaluation.lines))
    blanked.lines[0] = blanked.lines[0]._replace(**{field: None if field not in ("row", "bad") else {}})
    assert key_of(blanked) != before or getattr(evaluation.lines[0], field) in (None, {})


@pytest.mark.parametrize("field", OUTCOME_FIELDS)
def test_a_change_to_any_conclusion_the_summary_shows_changes_the_key(field):
    evaluation = varied_evaluation()
    before = key_of(evaluation)
    other = {"return_id": "R-09999", "status": Status.ITEM_OVERDUE, "notified_on": date(2026, 10, 1),
             "reason_category": "Other", "inventory": "Write off",
             "reply": ReplyShown(date(2026, 11, 24), "Where is my label?", "", False)}[field]
    outcomes = [dataclasses.replace(o) for o in evaluation.outcomes]
    setattr(outcomes[0], field, other)
    assert key_of(dataclasses.replace(evaluation, outcomes=outcomes)) != before


def test_a_new_day_a_setting_and_the_unacknowledged_returns_are_inputs_too():
    evaluation = varied_evaluation()
    before = key_of(evaluation)
    assert key_of(dataclasses.replace(evaluation, as_of=date(2026, 11, 27))) != before
    for setting, value in (("store_name", "Other shop"), ("currency", "EUR"), ("defect_alert_share", 0.4),
                           ("defect_alert_min_returns", 2), ("repeat_customer_days", 30),
                           ("repeat_customer_returns", 2), ("acknowledge_within_days", 3),
                           ("emails_enabled", frozenset())):
        assert key_of(evaluation, Policy().with_values(**{setting: value})) != before, setting
    assert key_of(evaluation, not_acknowledged=[("R-00001", date(2026, 11, 1))]) != before
    assert key_of(dataclasses.replace(evaluation, other_replies=[])) != before
    # Equal inputs held in other objects give the same key.
    copied = dataclasses.replace(evaluation, lines=[Line(*x) for x in evaluation.lines],
                                 outcomes=[dataclasses.replace(o) for o in evaluation.outcomes])
    assert key_of(copied) == before


def test_the_key_is_the_same_in_another_process_whatever_its_hash_seed(tmp_path):
    code = ("import sys; sys.path.insert(0, %r); from tests.test_summary_known import varied_evaluation, key_of; "
            "from sheetreturns.engine.policy import Policy; "
            "print(key_of(varied_evaluation(), Policy().with_values(emails_enabled=frozenset(Policy().emails_enabled))))"
            % str(ROOT))
    keys = set()
    for seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        keys.add(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                cwd=ROOT, check=True).stdout.strip())
    assert len(keys) == 1 and len(next(iter(keys))) == 32


def test_a_deferred_tab_is_made_only_when_its_content_is_asked_for():
    made = []

    def make():
        made.append(1)
        tab = Tab("Summary", freeze_rows=2)
        tab.add("figures")
        return tab

    tab = DeferredTab("Summary", make, "known-digest")
    assert tab.title == "Summary" and tab.digest() == "known-digest" and not made
    assert tab.freeze_rows == 2 and made == [1]  # a field with a default makes it too
    assert tab.rows == [["figures"]] and tab.digest() == Tab("Summary", [["figures"]], freeze_rows=2).digest()
    assert made == [1]
    unknown = DeferredTab("Summary", make)
    assert unknown.digest() == tab.digest() and made == [1, 1]
    with pytest.raises(ValueError):
        DeferredTab("Email Log", make).rows
    wrong, count = DeferredTab("Summary", make, "a wrong memory"), len(made)
    assert wrong.shows("a wrong memory") and len(made) == count  # a match is believed without making the tab
    assert wrong.shows(tab.digest()) and len(made) == count + 1  # no match: made and compared, not trusted
    assert not DeferredTab("Summary", make, "x").shows(None)


def test_the_memory_keeps_the_newest_keys_and_shrugs_off_a_broken_file(tmp_path):
    path = tmp_path / "state" / "shop.summary.json"
    assert known_digests(path) == {}
    for number in range(KEPT + 3):
        remember_digest(path, f"k{number}", f"d{number}")
    assert list(known_digests(path)) == [f"k{n}" for n in range(3, KEPT + 3)]
    remember_digest(path, "k4", "again")  # an old key used again becomes the newest
    assert list(known_digests(path))[-1] == "k4" and len(known_digests(path)) == KEPT
    for garbage in ("", "{", "[1, 2]", '{"digests": 3}', '{"digests": {"a": 1}}'):
        path.write_text(garbage)
        assert known_digests(path) in ({}, {"a": "1"})


# -- through a real sync -----------------------------------------------------------------------------------

def quiet_config(tmp_path: Path) -> Config:
    config = Config(state_dir=tmp_path / "state")
    config.policy_entries.append(("emails_enabled", "none", "test"))
    return config


def sync(book: Path, config: Config, as_of: date = AS_OF, minute: int = 0, **options):
    when = datetime.combine(as_of, datetime.min.time()).replace(hour=9, minute=minute)
    return api.sync(book, as_of=as_of, config=config, now=when, **options)


def summary_cells(book: Path) -> list[tuple]:
    return [row for row in load_workbook(book)["Summary"].iter_rows(values_only=True)]


def forbid_computing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the Summary was computed")

    monkeypatch.setattr("sheetreturns.summary.tab.summary_tab", refuse)


@pytest.mark.slow
def test_an_unchanged_resync_never_computes_the_summary(tmp_path, monkeypatch):
    book = tmp_path / "returns.xlsx"
    shutil.copyfile(EXAMPLE, book)
    config = quiet_config(tmp_path)
    assert sync(book, config).written
    before = book.read_bytes()
    forbid_computing(monkeypatch)
    result = sync(book, config, minute=15)
    assert result.unchanged and book.read_bytes() == before


@pytest.mark.slow
def test_an_edit_the_summary_reads_is_shown_and_only_then_is_the_summary_computed(tmp_path, monkeypatch):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "1002"})])
    config = quiet_config(tmp_path)
    sync(book, config)
    assert "Mug" in {row[1] for row in summary_cells(book)}
    wb = load_workbook(book)
    wb["Returns"]["G3"] = "Big mug"  # Product: the Returns tab's job cells do not change, the Summary does
    wb.save(book)
    result = sync(book, config, minute=15)
    assert result.written and result.changes["cells"] == 0 and result.changes["tabs"] >= 1
    assert "Big mug" in {row[1] for row in summary_cells(book)}
    assert "updated 2026-11-26 09:15" in summary_cells(book)[1][0]  # the Summary changed: its stamp too
    forbid_computing(monkeypatch)
    assert sync(book, config, minute=30).unchanged


@pytest.mark.slow
def test_a_changed_setting_and_a_new_day_reach_the_summary(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()], settings=[("store_name", "Willow & Wick")])
    config = quiet_config(tmp_path)
    sync(book, config)
    assert summary_cells(book)[0][0] == "Willow & Wick: returns summary"
    wb = load_workbook(book)
    wb["Settings"]["B2"] = "Wick & Willow"
    wb.save(book)
    assert sync(book, config, minute=15).written
    assert summary_cells(book)[0][0] == "Wick & Willow: returns summary"

    overdue = sync(book, config, date(2026, 12, 21))  # not back by its deadline
    assert overdue.written
    figures = {row[0]: row for row in summary_cells(book) if row and row[0]}
    assert figures["Item overdue"][2] == 1


@pytest.mark.slow
def test_a_lost_or_broken_memory_costs_one_computing_and_changes_nothing(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()])
    config = quiet_config(tmp_path)
    sync(book, config)
    memories = list((tmp_path / "state").rglob("*.summary.json"))
    assert len(memories) == 1 and len(json.loads(memories[0].read_text())["digests"]) == 1
    before = book.read_bytes()
    memories[0].write_text("{not json")
    assert sync(book, config, minute=15).unchanged and book.read_bytes() == before
    memories[0].unlink()
    assert sync(book, config, minute=30).unchanged and book.read_bytes() == before
    assert memories[0].exists()  # remembered again
    # A memory that claims another digest for these inputs is not believed over the sheet: the Summary is
    # computed, found the same as the one in the sheet, and nothing is written.
    data = json.loads(memories[0].read_text())
    memories[0].write_text(json.dumps({"digests": {k: "0" * 32 for k in data["digests"]}}))
    assert sync(book, config, minute=45).unchanged and book.read_bytes() == before


@pytest.mark.slow
def test_a_dry_run_remembers_nothing(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()])
    config = quiet_config(tmp_path)
    sync(book, config, dry_run=True)
    assert not list((tmp_path / "state").rglob("*.summary.json"))


@pytest.mark.parametrize("field, first, second", [
    ("received_on", date(2026, 11, 25), datetime(2026, 11, 25, 10)),  # a time of day slipped into a date column
    ("qty", 1, 1.0), ("qty", 1, True), ("unit_price", Decimal("2.5"), 2.5), ("sku", "1", 1),
    ("bad", {"email": ("x", "not an address")}, {"email": ("y", "not an address")}),
    ("row", 5, 5.0),
])
def test_values_equal_in_python_but_not_the_same_give_different_keys(field, first, second):
    evaluation = varied_evaluation()
    keys = []
    for value in (first, second):
        lines = list(evaluation.lines)
        lines[1] = lines[1]._replace(**{field: value})
        keys.append(key_of(dataclasses.replace(evaluation, lines=lines)))
    assert keys[0] != keys[1]


@pytest.mark.slow
def test_a_package_without_its_source_files_remembers_nothing(tmp_path, monkeypatch):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()])
    config = quiet_config(tmp_path)
    monkeypatch.setattr(known, "code_version", lambda: "")
    assert sync(book, config).written
    assert not list((tmp_path / "state").rglob("*.summary.json"))
    assert sync(book, config, minute=15).unchanged  # the Summary is computed and found the same


def test_the_summary_libraries_load_in_the_background_only_for_a_sheet_never_summarised_here(tmp_path):
    sheet = str(tmp_path / "shop.xlsx")

    def run_probe(also: tuple[str, ...] = ()) -> list[str]:
        probe = (
            "import sys\n"
            "from pathlib import Path\n"
            "from sheetreturns.summary.known import import_in_background\n"
            f"thread = import_in_background(Path({str(tmp_path / 'state')!r}), {sheet!r}, also={also!r})\n"
            "assert 'pandas' not in sys.modules or thread is None\n"
            "thread is not None and thread.join()\n"
            "print(thread is not None, 'pandas' in sys.modules, 'openpyxl' in sys.modules,\n"
            "      'sheetreturns.excel.writer' in sys.modules)\n"
        )
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    writer = ("sheetreturns.excel.writer",)
    assert run_probe() == ["True", "True", "True", "False"]
    assert run_probe(writer) == ["True", "True", "True", "True"]
    remember_digest(known._memo_path(tmp_path / "state", sheet), "a key", "a digest")
    # A Summary was made here: this run likely leaves it alone, and loads only what its write needs.
    assert run_probe() == ["False", "False", "False", "False"]
    assert run_probe(writer) == ["True", "False", "False", "True"]


@pytest.mark.slow
def test_a_first_sync_starts_the_libraries_loading_and_an_unchanged_one_only_the_writer(tmp_path, monkeypatch):
    book = tmp_path / "returns.xlsx"
    shutil.copyfile(EXAMPLE, book)
    config = quiet_config(tmp_path)
    started = []

    def watched(state_dir, source, also=()):
        thread = known.import_in_background(state_dir, source, also=also)
        started.append((thread, also, bool(known_digests(known._memo_path(state_dir, source)))))
        return thread

    monkeypatch.setattr(api, "import_in_background", watched)
    assert sync(book, config).written
    assert sync(book, config, minute=15).unchanged
    (first, also, summarised_before), (second, also_second, summarised) = started
    assert not summarised_before and summarised  # the first run computed a Summary, the second knows it
    assert also == also_second == ("sheetreturns.excel.writer",)
    assert first is not None and second is not None and not first.is_alive() and not second.is_alive()


# -- the key's encodings: exact, and the same however the lines are split into runs ------------------------

class Text(str):
    """A str subclass: equal to its text, but not the same value."""


ODD_VALUES = st.one_of(
    st.none(), st.text(max_size=6), st.integers(-2**70, 2**70), st.booleans(), st.floats(allow_nan=False),
    st.decimals(allow_nan=False, places=2), st.decimals(allow_nan=False), st.dates(), st.datetimes(),
    st.builds(Text, st.text(max_size=3)), st.binary(max_size=3), st.builds(bytearray, st.binary(max_size=3)),
    st.tuples(st.text(max_size=3), st.text(max_size=3)), st.just(NO_BAD_CELLS), st.just({}),
    st.dictionaries(st.sampled_from(["email", "qty"]), st.tuples(st.text(max_size=3), st.text(max_size=5)),
                    max_size=2),
    st.builds(MappingProxyType, st.dictionaries(st.sampled_from(["email"]), st.tuples(st.text(max_size=2)),
                                                max_size=1)),
)
# Values of the kind each column holds, so that runs mostly take the quick way.
KIND_VALUES = {"": st.one_of(st.none(), st.text(max_size=8), st.integers(0, 10**6)),
               "money": st.one_of(st.none(), st.decimals(min_value=0, max_value=10**6, places=2)),
               "date": st.one_of(st.none(), st.dates()),
               "cells": st.one_of(st.just(NO_BAD_CELLS), st.dictionaries(st.just("email"), st.tuples(
                   st.text(max_size=3), st.text(max_size=5)), min_size=1))}


@st.composite
def varied_lines(draw):
    """Lines whose values are mostly of their column's kind, or (some of them) of any kind."""
    count = draw(st.integers(0, 24))
    odd = draw(st.booleans())
    lines = []
    for number in range(count):
        values = {name: draw(st.one_of(KIND_VALUES[kind], ODD_VALUES) if odd else KIND_VALUES[kind])
                  for name, kind in LINE_FIELDS.items() if name != "row"}
        lines.append(Line(number + 2, **values))
    return lines


def same_value(a, b) -> bool:
    return type(a) is type(b) and repr(a) == repr(b)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(varied_lines(), st.integers(1, 30))
def test_the_lines_digest_is_the_same_however_the_lines_are_split_into_runs(lines, run):
    whole = lines_digests(lines, run=len(lines) + 1)
    assert lines_digests(lines, run=run) == whole == lines_digests(lines)
    assert lines_digests(lines, run=1) == whole


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(varied_lines(), st.data())
def test_any_value_that_differs_in_type_or_value_changes_the_lines_digest(lines, data):
    if not lines:
        return
    index = data.draw(st.integers(0, len(lines) - 1))
    name = data.draw(st.sampled_from([n for n in LINE_FIELDS if n != "row"]))
    other = data.draw(st.one_of(KIND_VALUES[LINE_FIELDS[name]], ODD_VALUES))
    if same_value(getattr(lines[index], name), other):
        return
    changed = list(lines)
    changed[index] = changed[index]._replace(**{name: other})
    assert lines_digests(changed) != lines_digests(lines)
    assert lines_digests(changed, run=7) != lines_digests(lines, run=3)


@pytest.mark.parametrize("kind, first, second", [
    ("money", Decimal("2.5"), Decimal("2.50")), ("money", Decimal("2"), 2), ("money", None, Decimal("0")),
    ("money", Decimal("0"), Decimal("-0")), ("money", Decimal("1"), "1"),
    ("date", None, date(1, 1, 1)), ("date", date(2026, 1, 1), datetime(2026, 1, 1)), ("date", None, 0),
    ("date", date(2026, 1, 1), "2026-01-01"), ("date", -1, "x"),
    ("", "1", 1), ("", 1, True), ("", 1, 1.0), ("", "", None), ("", "x", Text("x")), ("", b"x", bytearray(b"x")),
    ("", Decimal("1"), 1), ("", NO_BAD_CELLS, {}),
    ("cells", NO_BAD_CELLS, {}), ("cells", {}, MappingProxyType({})),
    ("cells", {"email": ("x", "bad")}, MappingProxyType({"email": ("x", "bad")})),
    ("cells", {"email": ("x", "bad")}, {"email": ("x", "bad "), }), ("cells", {"a": (1, "m")}, {"a": (True, "m")}),
    ("status", Status.DONE, "Done"), ("status", Status.DONE, Status.REFUSED),
])
def test_each_kind_of_column_tells_apart_values_equal_in_python(kind, first, second):
    digests = []
    for value in (first, second):
        field = known._Field(kind)
        field.add(["same", value, "same"] if kind != "status" else [Status.DONE, value, Status.DONE], 0)
        digests.append(field.digest())
    assert digests[0] != digests[1]

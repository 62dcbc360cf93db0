"""Blank Return IDs and Notified On dates are filled by the job; rows sharing an ID form one return."""
import pytest

from sheetreturns.engine.model import EmailKind

from .helpers import line, run


def test_blank_ids_continue_after_the_highest():
    evaluation = run(line(2, return_id="R-00007"), line(3, return_id=None, order_id="2002", email="a@example.com"))
    assert evaluation.assigned_ids == {3: "R-00008"}
    assert [o.return_id for o in evaluation.outcomes] == ["R-00007", "R-00008"]


def test_blank_id_lines_of_one_order_and_day_become_one_return():
    evaluation = run(
        line(2, return_id=None, order_id="3003", sku="A"),
        line(3, return_id=None, order_id="3003", sku="B"),
        line(4, return_id=None, order_id="4004", sku="A", email="other@example.com"),
    )
    assert evaluation.assigned_ids == {2: "R-00001", 3: "R-00001", 4: "R-00002"}
    acks = [e for e in evaluation.emails if e.kind is EmailKind.ACKNOWLEDGEMENT]
    assert [(e.return_id, e.rows) for e in acks] == [("R-00001", [2, 3]), ("R-00002", [4])]


def test_blank_id_line_joins_a_recent_return_of_the_same_order():
    evaluation = run(line(2, return_id="R-00004", sku="A"), line(3, return_id=None, sku="B"))
    assert evaluation.assigned_ids == {3: "R-00004"}


def test_blank_id_line_with_the_same_sku_is_a_new_return_flagged_as_duplicate():
    evaluation = run(line(2, return_id="R-00004", sku="A"), line(3, return_id=None, sku="A"))
    assert evaluation.assigned_ids == {3: "R-00005"}
    assert "duplicate-line" in [p.code for p in evaluation.outcomes[1].problems]


def test_seller_ids_in_another_scheme_are_kept():
    evaluation = run(line(2, return_id="RMA-77"), line(3, return_id=None, order_id="9", email="b@example.com"))
    assert evaluation.outcomes[0].return_id == "RMA-77"
    assert evaluation.assigned_ids == {3: "R-00001"}


def test_blank_notified_on_is_filled_with_the_run_date():
    evaluation = run(line(2, notified_on=None), line(3, return_id="R-00002", order_id="5"))
    assert evaluation.filled_notified == {2: evaluation.as_of}


def test_an_unreadable_notified_on_is_left_for_the_seller_not_filled():
    unreadable = {"notified_on": ("soon", '"soon" is not a date: write it as YYYY-MM-DD')}
    evaluation = run(line(2, notified_on=None, bad=unreadable), line(3, return_id="R-00002", order_id="5",
                                                                      notified_on=None))
    assert evaluation.filled_notified == {3: evaluation.as_of}
    assert evaluation.outcomes[0].notified_on == evaluation.as_of  # its deadline still counts from today


@pytest.mark.slow
def test_id_given_before_a_failed_write_sticks_to_its_row_and_its_email_is_not_resent(tmp_path, monkeypatch):
    """Run 1 emails a new row under R-00002 but cannot save; the seller then adds a row above it."""
    from datetime import date

    from openpyxl import load_workbook

    from sheetreturns import api
    from sheetreturns.settings.config_file import Config

    from .helpers import basic_row, write_workbook

    path = write_workbook(tmp_path / "returns.xlsx", [
        basic_row(),
        basic_row(**{"Return ID": None, "Order ID": "2001", "Email": "ann@example.com", "Customer": "Ann"}),
    ])
    config = Config(state_dir=tmp_path / "state")
    real_deliver = api.deliver

    def deliver_then_seller_saves(loaded, config, **kwargs):
        delivery = real_deliver(loaded, config, **kwargs)
        wb = load_workbook(path)
        wb["Returns"].insert_rows(3)
        row = basic_row(**{"Return ID": None, "Order ID": "2002", "Email": "bo@example.com", "Customer": "Bo"})
        headers = [c.value for c in wb["Returns"][1]]
        for column, header in enumerate(headers, start=1):
            wb["Returns"].cell(3, column, row.get(header))
        wb.save(path)
        return delivery

    monkeypatch.setattr(api, "deliver", deliver_then_seller_saves)
    # the emails went out, so the run is done with a failure (exit 1), not an error
    first = api.sync(path, as_of=date(2026, 11, 26), config=config, outbox=tmp_path / "outbox")
    assert not first.written and any("changed on disk" in f for f in first.failures)
    monkeypatch.setattr(api, "deliver", real_deliver)
    second = api.sync(path, as_of=date(2026, 11, 26), config=config, outbox=tmp_path / "outbox")

    ids = {line.email: outcome.return_id for line, outcome in zip(second.evaluation.lines, second.evaluation.outcomes)}
    assert ids["ann@example.com"] == "R-00002"  # the ID her acknowledgement went out under
    assert ids["bo@example.com"] == "R-00003"
    acks = [(e.return_id, e.to) for e in second.emails if e.kind == "acknowledgement"]
    assert ("R-00003", "bo@example.com") in acks
    assert all(to != "ann@example.com" for _, to in acks)  # not acknowledged twice

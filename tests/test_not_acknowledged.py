"""The seller hears about every return the job will not email: one noticed before the acknowledgement
window, never acknowledged, is listed on the run report and on the Summary."""
from __future__ import annotations

from datetime import date

from python_calamine import CalamineWorkbook

from sheetreturns import api

from .helpers import basic_row, write_workbook
from .mail_support import AS_OF, NOW, smtp_config


def summary(path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python(skip_empty_area=False)


def test_a_return_noticed_eleven_days_before_the_first_run_is_listed_not_silently_skipped(tmp_path):
    rows = [
        basic_row(**{"Return ID": "R-00001", "Order ID": "1001", "Notified On": date(2026, 11, 15),
                     "Email": "old@example.com", "Customer": "Olga Old"}),  # 11 days before the run
        basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "Notified On": date(2026, 11, 24),
                     "Email": "new@example.com"}),  # within the 7-day window: acknowledged
        basic_row(**{"Return ID": "R-00003", "Order ID": "1003", "Notified On": date(2026, 11, 10),
                     "Received On": date(2026, 11, 12), "Condition": "Unopened", "Refunded On": date(2026, 11, 13),
                     "Refund Amount": 24.99}),  # settled: nothing to say
    ]
    path = write_workbook(tmp_path / "returns.xlsx", rows)
    result = api.sync(path, as_of=AS_OF, config=smtp_config(tmp_path), outbox=tmp_path / "outbox", now=NOW)
    assert [(e.return_id, e.kind) for e in result.emails] == [("R-00002", "acknowledgement")]
    notes = [n for n in result.notes if n.startswith("Not acknowledged: noticed before the job ran")]
    assert len(notes) == 1 and "1 return noticed more than 7 days ago" in notes[0] and "R-00001 (2026-11-15)" in notes[0]
    assert "R-00002" not in notes[0] and "R-00003" not in notes[0]
    tab = summary(path)
    start = next(i for i, row in enumerate(tab) if str(row[0]).startswith("Not acknowledged: noticed before the job ran"))
    assert tab[start][0] == "Not acknowledged: noticed before the job ran (1)"
    assert tab[start + 3][:2] == ["R-00001", "Olga Old"]


def test_a_return_acknowledged_earlier_is_not_listed_even_once_it_is_old(tmp_path):
    row = basic_row(**{"Return ID": "R-00001", "Notified On": date(2026, 11, 20)})
    path = write_workbook(tmp_path / "returns.xlsx", [row])
    config = smtp_config(tmp_path)
    first = api.sync(path, as_of=AS_OF, config=config, outbox=tmp_path / "outbox", now=NOW)
    assert [e.kind for e in first.emails] == ["acknowledgement"]
    later = api.sync(path, as_of=date(2026, 12, 5), config=config, outbox=tmp_path / "outbox", now=NOW)
    assert not any(n.startswith("Not acknowledged") for n in later.notes)

"""Progress updates from the library: stages in order, row counts on long reads, nothing without a callback."""
from sheetreturns import loading
from sheetreturns import progress
from sheetreturns.settings.config_file import Config
from sheetreturns.progress import Progress, Reporter

from .helpers import AS_OF, basic_row, write_workbook


def test_reading_reports_rows_as_they_come_then_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "ROWS_EVERY", 2)
    rows = [basic_row(**{"Return ID": f"R-{n:05d}", "Order ID": str(1000 + n)}) for n in range(1, 6)]
    path = write_workbook(tmp_path / "shop.xlsx", rows)
    updates: list[Progress] = []
    loaded = loading.load(str(path), AS_OF, Config(), Reporter(updates.append))
    loaded.workbook.close()
    assert [(u.stage, u.done, u.total, u.message) for u in updates] == [
        ("read", 0, 4, "Reading shop.xlsx"),
        ("read", 0, 4, "Reading shop.xlsx: 2 rows"),
        ("read", 0, 4, "Reading shop.xlsx: 4 rows"),
        ("evaluate", 1, 4, "Checking 5 rows"),
    ]


def test_without_a_callback_rows_pass_through_untouched():
    rows = iter([[1], [2]])
    assert Reporter(None).count(rows, "x {n}") is rows


def test_finished_reports_every_stage_done():
    updates = []
    reporter = Reporter(updates.append)
    reporter.stage("write", "Saving")
    reporter.finished("Done")
    assert [(u.stage, u.done, u.total) for u in updates] == [("write", 3, 4), ("done", 4, 4)]

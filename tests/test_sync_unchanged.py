"""A sync that would change nothing writes nothing: same bytes, same mtime, no backup, no temp file."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from sheetreturns import api
from sheetreturns.cli.render import sync_summary_line
from sheetreturns.settings.config_file import Config

from .helpers import basic_row, write_workbook

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 26)


def snapshot(path: Path) -> tuple[bytes, int, int]:
    stat = path.stat()
    return path.read_bytes(), stat.st_mtime_ns, stat.st_ino


def backups(config: Config) -> list[str]:
    return sorted(p.name for p in config.state_dir.rglob("*.xlsx"))


def quiet_config(tmp_path: Path) -> Config:
    config = Config(state_dir=tmp_path / "state")
    config.policy_entries.append(("emails_enabled", "none", "test"))
    return config


def sync(path: Path, config: Config, as_of: date, minute: int = 0, **options):
    when = datetime.combine(as_of, datetime.min.time()).replace(hour=9, minute=minute)
    return api.sync(path, as_of=as_of, config=config, now=when, **options)


@pytest.mark.slow
def test_syncing_the_example_twice_leaves_the_file_untouched(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copyfile(ROOT / "examples" / "returns.xlsx", book)
    config = Config(state_dir=tmp_path / "state")
    first = sync(book, config, AS_OF, outbox=tmp_path / "outbox")
    assert first.written and not first.unchanged
    before, kept_backups, folder = snapshot(book), backups(config), sorted(p.name for p in tmp_path.iterdir())

    second = sync(book, config, AS_OF, minute=15, outbox=tmp_path / "outbox")

    assert not second.written and second.unchanged and second.ok
    assert snapshot(book) == before  # same bytes, same mtime, same file
    assert backups(config) == kept_backups and len(kept_backups) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == folder  # no temp file left beside it
    assert sync_summary_line(second).endswith(" · no changes: not saved")
    assert second.as_json()["unchanged"] is True


@pytest.mark.slow
def test_a_new_day_is_a_change_only_when_it_changes_a_cell(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()])  # noticed 20 Nov: item due back by 20 Dec
    config = quiet_config(tmp_path)
    assert sync(book, config, AS_OF).written
    status = lambda: load_workbook(book)["Returns"]["U2"].value  # noqa: E731

    before = snapshot(book)
    for day in (date(2026, 11, 27), date(2026, 11, 30)):  # within the deadline, same month: nothing to write
        result = sync(book, config, day)
        assert result.unchanged and not result.written
        assert snapshot(book) == before
    assert status() == "Awaiting item"

    overdue = sync(book, config, date(2026, 12, 21))
    assert overdue.written and status() == "Item overdue"
    after = snapshot(book)
    assert sync(book, config, date(2026, 12, 22)).unchanged and snapshot(book) == after


@pytest.mark.slow
def test_a_job_cell_edited_by_hand_is_put_back(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "1002"})])
    config = quiet_config(tmp_path)
    sync(book, config, AS_OF)
    wb = load_workbook(book)
    wb["Returns"]["U3"] = "Done"  # someone overwrote a status
    wb.save(book)
    result = sync(book, config, AS_OF)
    assert result.written and result.changes["cells"] == 1
    assert load_workbook(book)["Returns"]["U3"].value == "Awaiting item"
    assert sync(book, config, AS_OF).unchanged


@pytest.mark.slow
def test_a_deleted_summary_tab_is_made_again(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()])
    config = quiet_config(tmp_path)
    sync(book, config, AS_OF)
    wb = load_workbook(book)
    del wb["Summary"]
    wb.save(book)
    assert sync(book, config, AS_OF).written
    assert "Summary" in load_workbook(book).sheetnames


@pytest.mark.slow
def test_the_summary_shows_when_the_sheet_last_changed(tmp_path):
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row()])
    config = quiet_config(tmp_path)
    sync(book, config, AS_OF, minute=5)
    sync(book, config, date(2026, 11, 27), minute=50)  # nothing changed: the stamp stays
    stamp = load_workbook(book)["Summary"]["A2"].value
    assert "updated 2026-11-26 09:05" in stamp


@pytest.mark.slow
@pytest.mark.parametrize("column", ["Status", "Next Step", "Problems", "Inventory", "Reason Category",
                                    "Contacted On"])
def test_one_job_cell_changed_blanked_or_filled_is_written_back(tmp_path, column):
    # Row 2 is a plain return; row 3 has a problem (its Problems cell holds text, row 2's is blank). The job's
    # columns are compared whole with the cells as read: one cell of any of them, emptied where the job writes a
    # value or filled where it writes a blank, must still be a change.
    rows = [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "Qty": "lots"})]
    book = write_workbook(tmp_path / "shop.xlsx", rows)
    config = quiet_config(tmp_path)
    assert sync(book, config, AS_OF).written
    headers = [c.value for c in load_workbook(book)["Returns"][1]]
    letter = get_column_letter(headers.index(column) + 1)
    for row in (2, 3):
        wb = load_workbook(book)
        was = wb["Returns"][f"{letter}{row}"].value
        wb["Returns"][f"{letter}{row}"] = None if was not in (None, "") else "typed by hand"
        wb.save(book)
        result = sync(book, config, AS_OF)
        assert result.written and result.changes["cells"] == 1, (column, row)
        assert load_workbook(book)["Returns"][f"{letter}{row}"].value == was
        before = snapshot(book)
        assert sync(book, config, AS_OF).unchanged and snapshot(book) == before

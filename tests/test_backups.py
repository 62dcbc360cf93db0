"""Backups that mean something: one per save that changed the workbook, kept per day and per change; listed and restored."""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.excel.backups import Backup, list_backups, to_keep
from sheetreturns.excel.safe_save import backup
from sheetreturns.excel.safe_save import backup_name
from sheetreturns.state import backup_folder

from .mail_support import overwrite_a_status

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 26)


def fake(folder: Path, workbook: Path, when: datetime) -> Backup:
    path = folder / backup_name(workbook, when)
    path.write_bytes(b"PK")
    return Backup(path, when, 2)


def test_retention_keeps_the_last_changes_and_the_first_backup_of_each_recent_day(tmp_path):
    book = tmp_path / "returns.xlsx"
    start = datetime(2026, 10, 1, 9, 0)
    made = [fake(tmp_path, book, start + timedelta(days=day, minutes=15 * k)) for day in range(40) for k in range(4)]
    kept = to_keep(made, last=3, days=30)
    firsts = [b for b in made if b.taken.time() == start.time()]
    assert [b.taken for b in kept] == sorted({b.taken for b in firsts[-30:]} | {b.taken for b in made[-3:]})
    assert to_keep(made, last=0, days=30) == []


def test_a_backup_prunes_only_this_workbooks_backups(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    book, other = tmp_path / "returns.xlsx", tmp_path / "returns.v2.xlsx"
    book.write_bytes(b"PK now")
    theirs = [fake(folder, other, datetime(2026, 11, 1, 9, m)) for m in range(5)]
    ours = [fake(folder, book, datetime(2026, 11, 1, 9, m)) for m in range(5)]
    made = backup(book, folder, keep=2, days=0, now=datetime(2026, 11, 2, 9, 0))
    assert [b.path for b in list_backups(book, folder)] == [ours[-1].path, made]
    assert all(b.path.exists() for b in theirs)  # another workbook's backups are never touched
    assert made.read_bytes() == b"PK now"


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)])


@pytest.mark.slow
def test_backups_are_listed_and_one_is_restored_keeping_the_current_file(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copyfile(ROOT / "examples" / "returns.xlsx", book)
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'source = "{book}"\nstate_dir = "{tmp_path / "state"}"\n')
    original = book.read_bytes()
    assert api.sync(None, as_of=AS_OF, config=toml, outbox=tmp_path / "outbox").written
    overwrite_a_status(book)
    edited = book.read_bytes()
    assert api.sync(None, as_of=AS_OF, config=toml, outbox=tmp_path / "outbox").written
    assert api.sync(None, as_of=AS_OF, config=toml, outbox=tmp_path / "outbox").unchanged  # no backup for that

    listed = invoke("backups", "--config", toml, "--json")
    assert listed.exit_code == 0, listed.output
    names = [b["name"] for b in json.loads(listed.stdout)["backups"]]
    assert len(names) == 2
    text = invoke("backups", "--config", toml)
    assert text.exit_code == 0 and names[-1] in text.stdout.splitlines()[3]  # newest first, numbered 1

    current = book.read_bytes()
    restored = invoke("restore", "2", "--config", toml)  # the oldest: the file before the first sync
    assert restored.exit_code == 0, restored.output
    assert book.read_bytes() == original
    assert "Restored returns.xlsx from the backup taken" in restored.stdout
    folder = backup_folder(tmp_path / "state", str(book))
    backups_now = list_backups(book, folder)
    assert len(backups_now) == 3 and backups_now[-1].path.read_bytes() == current  # the replaced file is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outbox", "returns.xlsx", "sheetreturns.toml", "state"]

    # A restore is undone the same way: the newest backup is the file it replaced.
    assert invoke("restore", "1", "--config", toml).exit_code == 0
    assert book.read_bytes() == current
    kept = [b.path.read_bytes() for b in list_backups(book, folder)]
    assert kept == [original, edited, current, original]  # the day's first backup and the newest three


def test_restore_of_an_unknown_backup_or_a_google_sheet_says_what_to_do(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copyfile(ROOT / "examples" / "returns.xlsx", book)
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'state_dir = "{tmp_path / "state"}"\n')
    missing = invoke("restore", "1", book, "--config", toml)
    assert missing.exit_code == 2 and missing.stderr.startswith("Error: returns.xlsx has no backups")
    google = invoke("backups", "gsheet:abc", "--config", toml)
    assert google.exit_code == 2 and "Version history" in google.stderr
    assert invoke("backups", book, "--config", toml).stdout.startswith("No backups of returns.xlsx yet")

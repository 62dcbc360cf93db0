"""A sync that imports the new report files of [import] folder and records new notices does it in one write:
one open, one atomic replace, one backup (one batchUpdate on Google); the journals follow the write."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.engine.model import Status
from sheetreturns.errors import SheetReturnsError
from sheetreturns.imports.journal import ImportJournal
from sheetreturns.settings.config_file import Config, load_config
from tests import marketplace_reports as reports
from tests import marketplace_sheets as sheets
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import basic_row, write_workbook
from tests.intake_corpus import NOW, corpus, typed_by_hand, write_eml

AS_OF = NOW.date()
LOCAL_NOW = NOW.replace(tzinfo=None)


def shop(folder: Path) -> tuple[Path, Config]:
    """A sheet with no Channel or Reimbursed columns, a mail folder of notices and a month of Amazon reports."""
    book = write_workbook(folder / "returns.xlsx", [basic_row(), typed_by_hand()])
    write_eml(folder / "mail", corpus()[:4])
    reports.write_month(folder / "downloads")
    config = Config(path=folder / "sheetreturns.toml", state_dir=folder / "state",
                    intake={"mailbox": f"eml:{folder / 'mail'}", "max_message_kb": 256},
                    imports={"folder": str(folder / "downloads")})
    return book, config


def by_pair(result) -> dict[tuple[str, str], object]:
    return {(line.order_id, line.sku): outcome for line, outcome in
            zip(result.evaluation.lines, result.evaluation.outcomes)}


def imported_files(folder: Path) -> dict:
    """The report files the import journals under FOLDER (the test's own) record, by content hash."""
    return {k: v for path in folder.rglob("*.imports.json") for k, v in ImportJournal.load(path).files.items()}


@pytest.mark.slow
def test_a_sync_that_imports_and_records_intake_opens_saves_and_backs_up_the_workbook_once(tmp_path, monkeypatch):
    from sheetreturns.excel import reader, writer

    book, config = shop(tmp_path)
    opened, swaps = [], []
    real_open, real_replace = reader.XlsxWorkbook.__init__, writer.atomic_replace
    monkeypatch.setattr(reader.XlsxWorkbook, "__init__", lambda self, *a, **k: (opened.append(1), real_open(self, *a, **k))[1])
    monkeypatch.setattr(writer, "atomic_replace", lambda *a, **k: (swaps.append(1), real_replace(*a, **k))[1])
    inode = book.stat().st_ino

    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, outbox=tmp_path / "outbox")
    assert not result.failures, result.failures
    assert result.notes[0].startswith("import: 10 rows added") and result.notes[1].startswith("intake: ")
    assert (len(opened), len(swaps)) == (1, 1)  # one read, one atomic replace
    assert book.stat().st_ino != inode  # replaced once, by the one write
    assert len(api.backups(book, config=config).items) == 1
    # The imported rows were evaluated in this run, with what the reports said (the claim window).
    assert by_pair(result)[reports.REFUNDED_NOT_RETURNED].status is Status.REIMBURSEMENT_DUE
    sheet = load_workbook(book)
    assert {"Returns", "Summary", "Intake Log", "Import Log"} <= set(sheet.sheetnames)
    headers = [c.value for c in sheet["Returns"][1]]
    assert {"Channel", "Reimbursed On", "Reimbursed Amount", "Status"} <= set(headers)
    rows = list(sheet["Returns"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.evaluation.lines)
    assert all(row[headers.index("Status")] for row in rows)  # new rows got their Status in the same write
    reimbursed = next(r for r in rows if (r[headers.index("Order ID")], r[headers.index("SKU")]) == reports.REIMBURSED)
    assert reimbursed[headers.index("Reimbursed On")] is not None
    assert len(imported_files(tmp_path)) == 3  # the journal, after the write

    # Nothing new: the next sync imports nothing, adds nothing and keeps every byte.
    before = book.read_bytes()
    again = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, outbox=tmp_path / "outbox")
    assert not any(n.startswith("import:") for n in again.notes) and again.unchanged
    assert book.read_bytes() == before and len(api.backups(book, config=config).items) == 1


@pytest.mark.slow
def test_the_import_journal_is_written_only_after_the_sheet_was(tmp_path, monkeypatch):
    from sheetreturns.excel import writer

    book, config = shop(tmp_path)
    config.intake = {}
    before = book.read_bytes()

    def disk_full(*args, **kwargs):
        raise SheetReturnsError("no room left on the disk: free disk space and run again")

    monkeypatch.setattr(writer, "atomic_replace", disk_full)
    failed = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, outbox=tmp_path / "outbox")
    # The acknowledgements went to the outbox, so the run ends with a failure instead of stopping.
    assert any("was not saved" in f and "free disk space" in f for f in failed.failures), failed.failures
    assert failed.notes[0].startswith("import: 10 rows added") and not failed.written
    assert book.read_bytes() == before and imported_files(tmp_path) == {}

    monkeypatch.undo()
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, outbox=tmp_path / "outbox")
    assert result.notes[0].startswith("import: 10 rows added")  # imported now, when the sheet holds the rows
    assert len(imported_files(tmp_path)) == 3


@pytest.mark.slow
def test_a_dry_run_evaluates_the_new_reports_and_records_nothing(tmp_path):
    book, config = shop(tmp_path)
    before = book.read_bytes()
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, dry_run=True)
    assert result.notes[0].startswith("import: 10 rows would add")
    assert by_pair(result)[reports.REFUNDED_NOT_RETURNED].status is Status.REIMBURSEMENT_DUE
    assert book.read_bytes() == before and imported_files(tmp_path) == {}


@pytest.mark.slow
def test_a_sales_export_with_a_new_report_in_the_import_folder_is_left_byte_for_byte(tmp_path):
    path = sheets.write_sheet(tmp_path / "orders_export.xlsx", sheets.SHOPIFY_SALES, numbers=False)
    reports.write_month(tmp_path / "downloads")
    (tmp_path / "sheetreturns.toml").write_text('state_dir = "state"\n[import]\nfolder = "downloads"\n',
                                                encoding="utf-8")
    config = load_config(tmp_path / "sheetreturns.toml")
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(SheetReturnsError, match="nothing is written and no email is sent"):
        api.sync(path, as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert imported_files(tmp_path) == {}
    assert api.backups(path, config=config).items == []


@pytest.mark.network
@pytest.mark.slow
def test_a_sync_that_imports_and_records_intake_writes_the_google_sheet_in_one_structural_update(server, tmp_path):
    write_eml(tmp_path / "mail", corpus()[:4])
    reports.write_month(tmp_path / "downloads")
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    config.intake = {"mailbox": f"eml:{tmp_path / 'mail'}"}
    config.imports = {"folder": str(tmp_path / "downloads")}
    server.reset_counts()
    result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=LOCAL_NOW)
    assert result.written and not result.failures, result.failures
    assert result.notes[0].startswith("import: 10 rows added") and result.notes[1].startswith("intake: ")
    # One batchUpdate carries the new rows, the added columns and every generated tab (Summary, both logs).
    assert server.count("batchUpdate") == 1
    rows = server.values(key, "Returns")
    assert {"Channel", "Reimbursed On", "Reimbursed Amount"} <= set(rows[0])
    status = rows[0].index("Status")
    assert len(rows) == 1 + len(result.evaluation.lines)
    assert all(len(row) > status and row[status] for row in rows[1:])
    assert len(server.values(key, "Import Log")) > 1 and len(server.values(key, "Intake Log")) > 1
    assert by_pair(result)[reports.REFUNDED_NOT_RETURNED].status is Status.REIMBURSEMENT_DUE

    server.reset_counts()
    again = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=LOCAL_NOW)
    assert not any(n.startswith("import:") for n in again.notes)
    assert server.count("batchUpdate") == 0 and server.values(key, "Returns") == rows


@pytest.mark.slow
def test_a_sync_that_imports_and_records_intake_resolves_the_policy_once(tmp_path, monkeypatch):
    from sheetreturns.settings import policy_layers

    book, config = shop(tmp_path)
    calls = []
    real = policy_layers.resolve_policy
    monkeypatch.setattr(policy_layers, "resolve_policy", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, outbox=tmp_path / "outbox")
    assert result.notes[0].startswith("import: ") and result.notes[1].startswith("intake: ")
    assert len(calls) == 1  # loading resolves it; import, intake, emails and the tabs are handed that Policy
    calls.clear()
    api.import_reports(sorted((tmp_path / "downloads").iterdir()), book, config=config)
    assert len(calls) == 1
    calls.clear()
    api.intake(book, config=config, now=NOW)
    assert len(calls) == 1

"""`sync` on .xlsx files: it writes the job-owned columns and tabs and leaves everything else as it was."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns.state import backup_folder
from sheetreturns import api, loading
from sheetreturns.cli import main
from sheetreturns.settings.config_file import Config
from sheetreturns.engine.model import Status

from .helpers import STANDARD_HEADERS, basic_row, write_workbook
from .workbooks import AS_OF, cell_values, digest, feature_workbook, parts

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"
JOB_HEADERS = ["Status", "Next Step", "Problems", "Inventory", "Reason Category", "Contacted On", "Last Email"]


def config_for(tmp_path: Path, backups: int = 3) -> Config:
    return Config(state_dir=tmp_path / "state", backups=backups)


def sync(path: Path, tmp_path: Path, **kwargs):
    return api.sync(path, as_of=AS_OF, config=config_for(tmp_path), **kwargs)


def read(path: Path, tab: str = "Returns") -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python(skip_empty_area=False)


def column(rows: list[list[object]], header_row: int, name: str) -> list[object]:
    index = rows[header_row - 1].index(name)
    return [r[index] if index < len(r) else "" for r in rows[header_row:]]


@pytest.mark.slow
def test_sync_writes_status_and_next_step_onto_every_row(tmp_path):
    path = shutil.copy(EXAMPLE, tmp_path / "returns.xlsx")
    before = api.check(path, as_of=AS_OF, config=config_for(tmp_path))
    result = sync(Path(path), tmp_path)
    assert result.written and result.ok
    rows = read(path)
    statuses = [s for s in column(rows, 3, "Status") if s]
    assert statuses == [o.status.value for o in before.evaluation.outcomes]
    steps = [s for s in column(rows, 3, "Next Step") if s]
    assert steps == [o.next_step for o in before.evaluation.outcomes]
    assert rows[2][-7:] == JOB_HEADERS  # added at the right end, in order
    problems = column(rows, 3, "Problems")
    assert 'Email "jo@" is not an email address' in problems


@pytest.mark.slow
def test_blank_return_ids_and_notice_dates_are_filled(tmp_path):
    path = shutil.copy(EXAMPLE, tmp_path / "returns.xlsx")
    sync(Path(path), tmp_path)
    rows = read(path)
    ids = column(rows, 3, "Return ID")
    assert ids[27:30] == ["R-00044", "R-00044", "R-00045"]  # rows 31-33 had no Return ID
    notified = column(rows, 3, "Notified On")
    assert notified[29] == date(2026, 11, 26)  # row 33 had no Notified On: the run's date, shown as a date
    check = api.check(path, as_of=AS_OF, config=config_for(tmp_path))
    assert all(line.return_id for line in check.evaluation.lines)


@pytest.mark.slow
def test_second_sync_changes_no_returns_cell(tmp_path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "returns.xlsx"))
    sync(path, tmp_path)
    first = parts(path)
    result = sync(path, tmp_path)
    second = parts(path)
    assert result.changes["cells"] == 0
    returns_part = "xl/worksheets/sheet1.xml"
    assert second[returns_part] == first[returns_part]
    assert second["xl/styles.xml"] == first["xl/styles.xml"]  # no style growth run after run


@pytest.mark.slow
def test_dry_run_changes_nothing_and_says_what_would_change(tmp_path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "returns.xlsx"))
    before = digest(path)
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", "2026-11-26", "--dry-run", "--json",
                                       "--config", str(_toml(tmp_path))])
    data = json.loads(result.stdout)
    assert data["written"] is False
    assert data["changes"]["ids_assigned"] == 3 and data["changes"]["dates_filled"] == 1
    assert data["changes"]["columns_added"] == 7
    assert data["changes"]["cells"] > 48 * 3
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("state", "sheetreturns"))) == ["returns.xlsx"]


def _toml(tmp_path: Path) -> Path:
    config = tmp_path / "sheetreturns.toml"
    config.write_text(f'state_dir = "{tmp_path / "state"}"\n')
    return config


@pytest.mark.slow
def test_summary_tab_is_created_and_replaced_not_duplicated(tmp_path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "returns.xlsx"))
    sync(path, tmp_path)
    sync(path, tmp_path)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Returns", "Lists", "Settings", "Summary", "Email Log"]  # emails: to the outbox
    summary = book.get_sheet_by_name("Summary").to_python()
    assert any("Awaiting item" in row for row in summary)


@pytest.mark.slow
def test_everything_the_job_does_not_own_survives_byte_for_byte(tmp_path):
    path = feature_workbook(tmp_path / "features.xlsx")
    before_parts = parts(path)
    before_cells = cell_values(path)
    sync(path, tmp_path)
    sync(path, tmp_path)
    after_parts = parts(path)
    owned = {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
             "xl/styles.xml"}
    for name, data in before_parts.items():
        if name not in owned:
            assert after_parts.get(name) == data, f"{name} changed"
    after_cells = cell_values(path)
    for sheet in ("Lists", "Sales"):
        assert after_cells[sheet] == before_cells[sheet]
    job_columns = {"M", "N", "O", "P", "Q", "R", "S"}
    for ref, value in before_cells["Returns"].items():
        if ref in ("A6", "H6"):  # the blank Return ID and Notified On the job fills
            continue
        assert after_cells["Returns"][ref] == value, ref
    added = {ref for ref in after_cells["Returns"] if ref not in before_cells["Returns"]}
    assert {re.match(r"[A-Z]+", ref)[0] for ref in added} <= job_columns | {"A", "H"}


@pytest.mark.slow
def test_returns_sheet_keeps_its_settings_outside_the_cells(tmp_path):
    path = feature_workbook(tmp_path / "features.xlsx")
    before = parts(path)["xl/worksheets/sheet1.xml"].decode()
    sync(path, tmp_path)
    after = parts(path)["xl/worksheets/sheet1.xml"].decode()
    for pattern in (r"<sheetViews>.*?</sheetViews>", r"<autoFilter[^>]*/>", r"<conditionalFormatting.*?</conditionalFormatting>",
                    r"<dataValidations.*?</dataValidations>", r"<legacyDrawing[^>]*/>", r"<pageMargins[^>]*/>"):
        found = re.search(pattern, before, re.S)
        assert found, pattern
        assert found.group(0) in after, pattern
    from openpyxl import load_workbook

    ws = load_workbook(path)["Returns"]
    assert ws.freeze_panes == "C4"
    assert ws.column_dimensions["D"].width == 26
    assert ws["C4"].comment.text == "Prefers phone calls"
    assert ws.data_validations.dataValidation[0].formula1 == "Lists!$A$1:$A$6"


@pytest.mark.slow
def test_existing_job_columns_are_rewritten_in_place(tmp_path):
    path = feature_workbook(tmp_path / "features.xlsx", with_job_columns=True)
    sync(path, tmp_path)
    rows = read(path)
    assert rows[2][12:14] == ["Status", "Next Step"]
    assert rows[2][14:19] == ["Problems", "Inventory", "Reason Category", "Contacted On", "Last Email"]
    assert rows[3][12] == Status.AWAITING_ITEM.value


@pytest.mark.slow
def test_new_cells_take_their_columns_style(tmp_path):
    path = feature_workbook(tmp_path / "features.xlsx")
    sync(path, tmp_path)
    from openpyxl import load_workbook

    ws = load_workbook(path)["Returns"]
    assert ws["H6"].number_format == "dd/mm/yyyy"  # filled Notified On looks like the dates above it
    assert ws["M3"].font.bold and ws["M3"].fill.fgColor.rgb == ws["L3"].fill.fgColor.rgb  # header like the others


def test_text_that_looks_like_a_formula_is_written_as_text_in_generated_tabs(tmp_path):
    from sheetreturns.sheet.write_plan import build_plan
    from sheetreturns.sheet.tab_model import Styled, Tab

    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    loaded = loading.load(str(path), AS_OF, config_for(tmp_path))
    risky = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)"]
    tab = Tab("Summary", [[Styled(text, "text")] for text in risky])
    plan = build_plan(loaded.tab, loaded.header, loaded.evaluation, tabs=[tab])
    loaded.workbook.apply(plan, dry_run=False, backups=0)
    loaded.workbook.close()
    written = parts(path)
    summary_part = next(n for n in written if n.startswith("xl/worksheets/") and b"HYPERLINK" in written[n])
    assert b"<f>" not in written[summary_part]
    assert [row[0] for row in read(path, "Summary")] == risky


@pytest.mark.slow
def test_workbook_in_the_1904_date_system_gets_1904_dates(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(**{"Notified On": None})])
    with zipfile.ZipFile(path) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    content["xl/workbook.xml"] = content["xl/workbook.xml"].replace(b"<workbookPr", b'<workbookPr date1904="1"', 1)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    sync(path, tmp_path)
    rows = read(path)
    assert column(rows, 1, "Notified On")[0] == date(2026, 11, 26)


@pytest.mark.slow
def test_sellers_own_summary_tab_is_never_overwritten(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.create_sheet("Summary")["A1"] = "my own notes"
    wb.save(path)
    before = digest(path)
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", "2026-11-26", "--config", str(_toml(tmp_path))])
    assert result.exit_code == 2
    assert "already has a tab named 'Summary' that sheetreturns did not make" in result.stderr
    assert digest(path) == before


@pytest.mark.slow
def test_formula_in_a_job_owned_column_is_replaced_and_dropped_from_the_calc_chain(tmp_path):
    headers = STANDARD_HEADERS + ["Status"]
    row = basic_row()
    row["Status"] = "=1+1"
    path = write_workbook(tmp_path / "r.xlsx", [row], headers)
    status_ref = "U2"
    with zipfile.ZipFile(path) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    content["xl/calcChain.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><calcChain xmlns="http://schemas.openxmlformats.'
                                   f'org/spreadsheetml/2006/main"><c r="{status_ref}" i="1"/><c r="A9"/></calcChain>').encode()
    content["[Content_Types].xml"] = content["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                     b'spreadsheetml.calcChain+xml"/></Types>')
    content["xl/_rels/workbook.xml.rels"] = content["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    sync(path, tmp_path)
    after = parts(path)
    assert b'r="U2"' not in after["xl/calcChain.xml"]
    assert b'<c r="A9" i="1"/>' in after["xl/calcChain.xml"]
    assert read(path)[1][20] == Status.AWAITING_ITEM.value


@pytest.mark.slow
def test_backups_keep_the_previous_versions(tmp_path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "returns.xlsx"))
    original = digest(path)
    config = config_for(tmp_path, backups=2)
    config.backup_days = 0  # only the newest two (the first backup of each day is kept too by default)
    for run in range(3):
        if run:  # a status overwritten by hand: each sync has something to put right, so each one saves
            book = load_workbook(path)
            sheet = book["Returns"]
            status = next(c.column for c in sheet[3] if c.value == "Status")
            sheet.cell(4, status).value = "typed over"
            book.save(path)
        assert api.sync(path, as_of=AS_OF, config=config).written
    copies = sorted(backup_folder(tmp_path / "state", str(path)).iterdir())
    assert len(copies) == 2
    assert digest(copies[0]) != original  # the oldest copy, the pristine file, has rotated out
    api.sync(path, as_of=AS_OF, config=config_for(tmp_path, backups=0))
    assert len(list(backup_folder(tmp_path / "state", str(path)).iterdir())) == 2


@pytest.mark.slow
def test_json_output_of_sync(tmp_path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "returns.xlsx"))
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", "2026-11-26", "--json", "--config", str(_toml(tmp_path))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["command"] == "sync" and data["written"] is True and data["ok"] is True
    assert data["counts"]["Awaiting item"] == 15


@pytest.mark.slow
def test_summary_line_for_a_seller(tmp_path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "returns.xlsx"))
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", "2026-11-26", "--config", str(_toml(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("45 returns checked")
    assert result.stdout.strip().endswith("saved returns.xlsx")


@pytest.mark.parametrize("rows", [0, 1])
@pytest.mark.slow
def test_sheet_with_only_a_header(tmp_path, rows):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()] * rows)
    result = sync(path, tmp_path)
    assert result.written
    assert read(path)[0][-7:] == JOB_HEADERS


def test_the_returns_edits_are_made_only_once_the_generated_tabs_are_drawn(tmp_path, monkeypatch):
    """Memory, not output: the Summary (computed while the tabs are drawn) and the Returns tab's edits (a tuple
    per row) are each hundreds of MB at a million rows, and must never be held together. The peak itself is
    measured by benchmarks/bench_sync.py; this records the order of the two steps in a real sync."""
    from sheetreturns.excel import writer

    steps = []

    def drawn(*args, **kwargs):
        steps.append("generated tabs drawn")
        return draw(*args, **kwargs)

    def edits(*args, **kwargs):
        steps.append("returns edits made")
        return make_edits(*args, **kwargs)

    draw, make_edits = writer.write_generated, writer.sheet_edits
    monkeypatch.setattr(writer, "write_generated", drawn)
    monkeypatch.setattr(writer, "sheet_edits", edits)
    book = write_workbook(tmp_path / "shop.xlsx", [basic_row(), basic_row(order_id="1002", sku="MUG-02")])
    assert sync(book, tmp_path).written
    assert steps == ["generated tabs drawn", "returns edits made"]
    rows = read(book)
    status = rows[0].index("Status")
    assert rows[1][status] and rows[2][status]  # the edits were written: each row has its Status

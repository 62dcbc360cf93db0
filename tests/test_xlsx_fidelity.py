"""Workbooks from other programs come out of sync with everything intact, or are refused untouched."""
from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns import api
from sheetreturns.cli import main
from sheetreturns.settings.config_file import Config
from sheetreturns.engine.model import Status

from .helpers import basic_row, write_workbook
from .workbooks import AS_OF, digest, parts

DATA = Path(__file__).parent / "data"
HOSTILE = sorted((DATA / "hostile").glob("*.xlsx"))


def config_for(tmp_path: Path) -> Config:
    return Config(state_dir=tmp_path / "state")


def sync(path: Path, tmp_path: Path):
    return api.sync(path, as_of=AS_OF, config=config_for(tmp_path))


def rewrite_parts(path: Path, change) -> None:
    with zipfile.ZipFile(path) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    change(content)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)


def libreoffice_csv(path: Path, out: Path) -> str:
    """The first tab as LibreOffice reads it (proves the file opens in LibreOffice)."""
    done = subprocess.run(["soffice", "--headless", "--convert-to", "csv", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    target = out / (path.stem + ".csv")
    assert target.exists(), done.stdout + done.stderr
    return target.read_text(encoding="utf-8", errors="replace")


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_workbook_survives_two_syncs_and_opens_in_libreoffice(tmp_path):
    path = Path(shutil.copy(DATA / "libreoffice_returns.xlsx", tmp_path / "libreoffice_returns.xlsx"))
    before = parts(path)
    sync(path, tmp_path)
    sync(path, tmp_path)
    after = parts(path)
    kept = [n for n in before if n.startswith(("xl/charts/", "xl/media/", "xl/drawings/", "docProps/", "xl/comments"))
            or n in ("xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/sharedStrings.xml")]
    assert {"xl/charts/chart1.xml", "xl/media/image1.png", "xl/comments1.xml", "docProps/custom.xml"} <= set(kept)
    for name in kept:
        assert after[name] == before[name], name
    sheet = after["xl/worksheets/sheet1.xml"].decode()
    assert "<formula1>Lists!$A$1:$A$6</formula1>" in sheet
    assert re.search(r"<legacyDrawing r:id=\"[^\"]+\"/>", sheet)
    csv = libreoffice_csv(path, tmp_path / "csv")
    assert "Status,Next Step" in csv
    assert Status.AWAITING_ITEM.value in csv


@pytest.mark.slow
def test_excel_extension_list_validations_are_kept_verbatim(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    ext = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
           b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" '
           b'allowBlank="1"><x14:formula1><xm:f>Lists!$A$1:$A$6</xm:f></x14:formula1><xm:sqref>O2:O500</xm:sqref>'
           b'</x14:dataValidation></x14:dataValidations></ext></extLst>')
    rewrite_parts(path, lambda c: c.__setitem__(
        "xl/worksheets/sheet1.xml", c["xl/worksheets/sheet1.xml"].replace(b"</worksheet>", ext + b"</worksheet>")))
    sync(path, tmp_path)
    assert ext in parts(path)["xl/worksheets/sheet1.xml"]


@pytest.mark.slow
def test_macro_workbook_keeps_its_vba(tmp_path):
    path = write_workbook(tmp_path / "r.xlsm", [basic_row()])
    vba = bytes(range(256)) * 40

    def add_vba(c):
        c["xl/vbaProject.bin"] = vba
        c["[Content_Types].xml"] = c["[Content_Types].xml"].replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
            b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        c["xl/_rels/workbook.xml.rels"] = c["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
                                 b'vbaProject" Target="vbaProject.bin"/></Relationships>')

    rewrite_parts(path, add_vba)
    sync(path, tmp_path)
    after = parts(path)
    assert after["xl/vbaProject.bin"] == vba
    assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]
    assert b'Target="vbaProject.bin"' in after["xl/_rels/workbook.xml.rels"]


@pytest.mark.slow
def test_workbook_written_with_prefixes_and_without_cell_references(tmp_path):
    """Like the .NET writer in the corpus: x: prefixes, no r= on rows or cells, inline strings."""
    headers = ["Return ID", "Order ID", "Email", "SKU", "Qty", "Notified On", "Unit Price", "Reason"]
    rows = [basic_row(), basic_row(**{"Return ID": "R-00002", "SKU": "B", "Qty": 2})]  # dense: no blank cells
    path = write_workbook(tmp_path / "r.xlsx", rows, headers)

    def dotnet_style(c):
        xml = c["xl/worksheets/sheet1.xml"].decode()
        xml = re.sub(r' r="[A-Z]*\d+"', "", xml)
        xml = re.sub(r"<(/?)(\w+)", r"<\1x:\2", xml).replace("xmlns=", "xmlns:x=")
        c["xl/worksheets/sheet1.xml"] = xml.encode()

    rewrite_parts(path, dotnet_style)
    sync(path, tmp_path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns").to_python()
    assert rows[0][-7:-5] == ["Status", "Next Step"]
    assert rows[1][0] == "R-00001" and rows[1][-7] == Status.AWAITING_ITEM.value
    assert rows[2][4] == 2.0 and rows[2][-7] == Status.AWAITING_ITEM.value
    assert "<x:c " in parts(path)["xl/worksheets/sheet1.xml"].decode()


@pytest.mark.slow
def test_strict_open_xml_workbook_is_refused_untouched(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])

    def strict(c):
        for name in list(c):
            if name.endswith((".xml", ".rels")) and name != "[Content_Types].xml":
                c[name] = (c[name].replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                           b"http://purl.oclc.org/ooxml/spreadsheetml/main"))
        c["xl/workbook.xml"] = c["xl/workbook.xml"].replace(b"<workbook ", b'<workbook conformance="strict" ', 1)

    rewrite_parts(path, strict)
    assert api.check(path, as_of=AS_OF, config=config_for(tmp_path)).counts == {"Awaiting item": 1}
    before = digest(path)
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", "2026-11-26"])
    assert result.exit_code == 2
    assert "Strict Open XML" in result.stderr
    assert digest(path) == before


@pytest.mark.parametrize("path", HOSTILE, ids=[p.name for p in HOSTILE])
def test_hostile_files_sync_or_are_refused_untouched(path, tmp_path, monkeypatch):
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    before = digest(copy)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sync", str(copy), "--as-of", "2026-11-26"])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ")
        assert digest(copy) == before
    else:
        assert result.exit_code in (0, 1)
        CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(CalamineWorkbook.from_path(str(copy)).sheet_names[0])
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == [path.name]


@pytest.mark.slow
def test_hostile_layouts_with_a_returns_tab_are_written_correctly(tmp_path):
    """The corpus's .NET file made into a returns sheet: positional rows and cells, x: prefix, a BOM."""
    source = DATA / "hostile" / "poi__59746_NoRowNums.xlsx"
    path = tmp_path / "dotnet.xlsx"
    shutil.copy(source, path)

    def as_returns(c):
        sheet = next(n for n in c if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        xml = c[sheet].decode("utf-8-sig")
        header = "".join(f'<x:c t="inlineStr"><x:is><x:t>{h}</x:t></x:is></x:c>'
                         for h in ("Order ID", "SKU", "Email", "Notified On"))
        row = ('<x:c t="inlineStr"><x:is><x:t>5001</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>A-1</x:t></x:is>'
               '</x:c><x:c t="inlineStr"><x:is><x:t>a@example.com</x:t></x:is></x:c><x:c><x:v>46346</x:v></x:c>')
        xml = re.sub(r"<x:sheetData>.*</x:sheetData>",
                     f"<x:sheetData><x:row>{header}</x:row><x:row>{row}</x:row></x:sheetData>", xml, flags=re.S)
        c[sheet] = "\ufeff".encode() + xml.encode()
        c["xl/workbook.xml"] = c["xl/workbook.xml"].replace(b'name="Features"', b'name="Returns"')

    rewrite_parts(path, as_returns)
    result = sync(path, tmp_path)
    assert result.counts == {"Awaiting item": 1}
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns").to_python()
    assert rows[0][:5] == ["Order ID", "SKU", "Email", "Notified On", "Return ID"]
    assert rows[1][4] == "R-00001" and rows[1][5] == Status.AWAITING_ITEM.value


@pytest.mark.slow
def test_excel_style_app_properties_list_the_added_tabs(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/'
           'officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           'docPropsVTypes"><Application>Microsoft Excel</Application><HeadingPairs><vt:vector size="4" '
           'baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4>'
           '</vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4>'
           '</vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="2" baseType="lpstr"><vt:lpstr>'
           'Returns</vt:lpstr><vt:lpstr>Returns!Print_Area</vt:lpstr></vt:vector></TitlesOfParts></Properties>')
    rewrite_parts(path, lambda c: c.__setitem__("docProps/app.xml", app.encode()))
    sync(path, tmp_path)
    sync(path, tmp_path)
    written = parts(path)["docProps/app.xml"].decode()
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", written.split("<TitlesOfParts>")[1])
    assert titles == ["Returns", "Summary", "Email Log", "Returns!Print_Area"]
    assert "<vt:i4>3</vt:i4>" in written and 'size="4" baseType="lpstr"' in written


@pytest.mark.libreoffice
@pytest.mark.slow
def test_returns_kept_as_an_excel_table_stay_a_table(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from .helpers import STANDARD_HEADERS

    path = write_workbook(tmp_path / "r.xlsx", [basic_row(), basic_row(**{"Return ID": None, "SKU": "B"})])
    wb = load_workbook(path)
    table = Table(displayName="ReturnsTable", ref=f"A1:{chr(64 + len(STANDARD_HEADERS))}3")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    wb["Returns"].add_table(table)
    wb.save(path)
    before = {n: d for n, d in parts(path).items() if n.startswith("xl/tables/")}
    sync(path, tmp_path)
    after = parts(path)
    assert before and all(after[n] == d for n, d in before.items())  # the table part is untouched
    ws = load_workbook(path)["Returns"]
    assert list(ws.tables) == ["ReturnsTable"]
    assert ws["A3"].value == "R-00001"  # the blank ID filled inside the table (same order: same return)
    assert "Status,Next Step" in libreoffice_csv(path, tmp_path / "csv")

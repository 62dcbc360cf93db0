"""A very big tab read in pieces gives what the whole read gives: the same rows, widths, error cells, lines,
problems and statuses, and a sync writes the same file. Pieces are forced small here (a few rows each)."""
import io
import shutil
import tempfile
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from sheetreturns import api
from sheetreturns.engine.values import CellError
from sheetreturns.errors import SourceUnreadable
from sheetreturns.excel import pieces
from sheetreturns.excel.limits import Limits
from sheetreturns.excel.reader import XlsxWorkbook
from sheetreturns.settings.config_file import Config

from .helpers import basic_row, write_workbook

HOSTILE = Path(__file__).parent / "data" / "hostile"
EXAMPLE = Path(__file__).parents[1] / "examples" / "returns.xlsx"


def force_pieces(monkeypatch, piece_bytes: int) -> None:
    monkeypatch.setattr(pieces, "WHOLE_UP_TO", 0)
    monkeypatch.setattr(pieces, "PIECE_BYTES", piece_bytes)
    monkeypatch.setattr(pieces, "FIRST_PIECE_BYTES", piece_bytes)
    monkeypatch.setattr(pieces, "OTHERS_TIMES", 0)


def trimmed(row: list) -> list:
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


def read(path: Path) -> dict:
    """Per tab: its first rows (as the header search reads them), then all its rows and its width; or the error."""
    try:
        with XlsxWorkbook(path, backup_dir=path.parent / "backups") as book:
            result = {}
            for title in book.titles:
                first = [trimmed(row) for row in book.rows(title, 5)]
                every = [trimmed(row) for row in book.iter_rows(title)]
                result[title] = (first, every, book.used_width(title))
            return result
    except SourceUnreadable as exc:
        return {"error": str(exc)}


def pieced_kinds(path: Path) -> set[str]:
    with XlsxWorkbook(path, backup_dir=path.parent / "backups") as book:
        for title in book.titles:
            book.rows(title, 1)
        return {type(sheet).__name__ for sheet in book._sheets.values()}


CORPUS = sorted(HOSTILE.glob("*.xlsx"))


@pytest.mark.parametrize("piece_bytes", [1, 300])
@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_other_programs_files_read_the_same_in_pieces(path, piece_bytes, monkeypatch):
    whole = read(path)
    force_pieces(monkeypatch, piece_bytes)
    assert read(path) == whole


def test_pieces_are_used_when_forced_and_not_below_the_size(monkeypatch, tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    assert pieced_kinds(path) == {"CalamineSheet"}  # an ordinary tab: read whole, as before
    force_pieces(monkeypatch, 1)
    assert pieced_kinds(path) == {"PiecedSheet"}


def test_a_big_tab_read_again_after_done_reading_is_read_in_pieces_again(monkeypatch, tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(), basic_row()])
    force_pieces(monkeypatch, 1)
    with XlsxWorkbook(path, backup_dir=tmp_path / "backups") as book:
        title = book.titles[0]
        first = [trimmed(row) for row in book.iter_rows(title)]
        book.done_reading()  # lets go of the pieces; a later read (intake's second look) comes back here
        again = [trimmed(row) for row in book.iter_rows(title)]
        assert type(book._sheets[title]).__name__ == "PiecedSheet"
    assert again == first


# -- hand-written tabs: rows and cells with and without references, gaps, offsets, every kind of cell --

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = (f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
          '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" '
          'applyNumberFormat="1"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
SHARED = ["alpha", "beta & co", "Ünïcode", "  spaced  "]


def workbook_bytes(sheet_xml: str) -> bytes:
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>')
        book.writestr("_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        book.writestr("xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets><sheet name="Returns" sheetId="1" r:id="rId1"/>'
            '<sheet name="Other" sheetId="2" r:id="rId2"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/worksheet" Target="worksheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId4" Type="{rel}/styles" Target="styles.xml"/></Relationships>')
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">'
                      + "".join(f"<si><t xml:space=\"preserve\">{s.replace('&', '&amp;')}</t></si>" for s in SHARED)
                      + "</sst>")
        book.writestr("xl/styles.xml", STYLES)
        book.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        book.writestr("xl/worksheets/sheet2.xml",
                      f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData>'
                      '</worksheet>')
    return buffer.getvalue()


def cell_xml(p: str, kind: str, ref: str | None, value: int) -> str:
    r = f' r="{ref}"' if ref else ""
    return {
        "n": f"<{p}c{r}><{p}v>{value / 4}</{p}v></{p}c>",
        "s": f'<{p}c{r} t="s"><{p}v>{value % len(SHARED)}</{p}v></{p}c>',
        "inline": f'<{p}c{r} t="inlineStr"><{p}is><{p}t>text {value} &lt;row r="1"&gt;</{p}t></{p}is></{p}c>',
        "b": f'<{p}c{r} t="b"><{p}v>{value % 2}</{p}v></{p}c>',
        "e": f'<{p}c{r} t="e"><{p}v>#N/A</{p}v></{p}c>',
        "date": f'<{p}c{r} s="{1 + value % 2}"><{p}v>{45000 + value}</{p}v></{p}c>',
        "styled": f'<{p}c{r} s="1"/>',
        "formula": f"<{p}c{r}><{p}f>A1*2</{p}f><{p}v>{value}</{p}v></{p}c>",
    }[kind]


cell = st.tuples(st.integers(0, 2), st.booleans(), st.sampled_from(
    ["n", "s", "inline", "b", "e", "date", "styled", "formula"]), st.integers(0, 99))
row = st.tuples(st.integers(0, 3), st.booleans(), st.lists(cell, max_size=6), st.booleans())


@st.composite
def sheets(draw) -> str:
    prefix = draw(st.sampled_from(["", "x:"]))
    first_column = draw(st.integers(1, 3))
    number = 0
    body = []
    for gap, with_ref, cells, spans in draw(st.lists(row, max_size=25)):
        number += 1 + gap
        if not with_ref and gap and body:
            number -= gap  # a row without a reference follows the one before it
        attrs = (f' r="{number}"' if with_ref or not body else "") + (' spans="1:9"' if spans else "")
        column = first_column - 1
        parts = []
        for skip, cell_ref, kind, value in cells:
            column += 1 + skip
            if not cell_ref and skip:
                column -= skip
            parts.append(cell_xml(prefix, kind, f"{get_column_letter(column)}{number}" if cell_ref else None, value))
        body.append(f"<{prefix}row{attrs}>{''.join(parts)}</{prefix}row>" if parts else f"<{prefix}row{attrs}/>")
    dimension = f"<{prefix}dimension ref=\"A1:{get_column_letter(first_column + 8)}{number + 3}\"/>" if draw(st.booleans()) else ""
    namespace = f'xmlns:x="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{prefix}worksheet {namespace}>{dimension}'
            f"<{prefix}sheetViews><{prefix}sheetView workbookViewId=\"0\"/></{prefix}sheetViews>"
            f"<{prefix}sheetData>{''.join(body)}</{prefix}sheetData>"
            f"<{prefix}mergeCells count=\"1\"><{prefix}mergeCell ref=\"A1:B2\"/></{prefix}mergeCells></{prefix}worksheet>")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=sheets(), piece_bytes=st.integers(1, 400))
def test_hand_written_tabs_read_the_same_in_pieces(sheet, piece_bytes, tmp_path, monkeypatch):
    path = tmp_path / "hand.xlsx"
    path.write_bytes(workbook_bytes(sheet))
    monkeypatch.setattr(pieces, "WHOLE_UP_TO", 1 << 40)
    whole = read(path)
    force_pieces(monkeypatch, piece_bytes)
    assert read(path) == whole


def test_error_cells_and_dates_come_through_the_pieces(monkeypatch, tmp_path):
    sheet = (f'<worksheet xmlns="{MAIN}"><dimension ref="A1:C4"/><sheetData>'
             + "".join(f'<row r="{n}">{cell_xml("", "e", f"A{n}", n)}{cell_xml("", "date", f"B{n}", 2)}'
                       f'{cell_xml("", "s", f"C{n}", n)}</row>' for n in range(1, 5))
             + "</sheetData></worksheet>")
    path = tmp_path / "e.xlsx"
    path.write_bytes(workbook_bytes(sheet))
    force_pieces(monkeypatch, 1)
    rows = read(path)["Returns"][1]
    assert rows == [[CellError("#N/A"), date(2023, 3, 17), SHARED[n % len(SHARED)]] for n in range(1, 5)]


def test_rows_out_of_order_across_pieces_are_refused_not_misread(monkeypatch, tmp_path):
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="5"><c r="A5"><v>5</v></c></row>'
             '<row r="2"><c r="A2"><v>2</v></c></row></sheetData></worksheet>')
    path = tmp_path / "o.xlsx"
    path.write_bytes(workbook_bytes(sheet))
    assert read(path)["Returns"][1] == [[], [2.0], [], [], [5.0]]  # the whole read puts them in place
    force_pieces(monkeypatch, 1)
    assert "out of order" in read(path)["error"]


# -- whole runs: check and sync give the same result in pieces --------------------------------------

def varied_workbook(path: Path) -> Path:
    rows = []
    for n in range(60):
        overrides = {"Return ID": f"R-{n:05d}", "Order ID": str(1000 + n), "SKU": f"SKU-{n % 7}"}
        if n % 5 == 0:
            overrides["Notified On"] = "2026-11-03"  # a date typed as text
        if n % 7 == 3:
            overrides["Qty"] = "two"  # a problem on its row
        if n % 11 == 4:
            overrides["Unit Price"] = "#N/A"
        if n % 9 == 8:
            overrides["Received On"] = datetime(2026, 11, 10, 9, 30)
        rows.append(basic_row(**overrides) if n % 13 != 12 else {})  # and blank rows between
    return write_workbook(path, rows, title_rows=["Returns 2026"], settings=[("store_name", "Piece Shop", "")])


@pytest.mark.parametrize("piece_bytes", [1, 2500])
@pytest.mark.parametrize("source", ["example", "varied"])
def test_check_and_sync_give_the_same_in_pieces(source, piece_bytes, tmp_path, monkeypatch):
    original = EXAMPLE if source == "example" else varied_workbook(tmp_path / "varied.xlsx")
    results = []
    for forced in (False, True):
        if forced:
            force_pieces(monkeypatch, piece_bytes)
        folder = tmp_path / ("pieces" if forced else "whole")
        folder.mkdir()
        path = Path(shutil.copy(original, folder / "returns.xlsx"))
        config = Config(state_dir=folder / "state", backups=0)
        checked = api.check(path, as_of=date(2026, 11, 26), config=config).as_json()
        outbox = tmp_path / "outbox"  # named in the Email Log: the same folder for both runs
        shutil.rmtree(outbox, ignore_errors=True)
        synced = api.sync(path, as_of=date(2026, 11, 26), config=config, outbox=outbox,
                          now=datetime(2026, 11, 26, 9, 0)).as_json()
        with zipfile.ZipFile(path) as book:
            parts = {name: book.read(name) for name in book.namelist()}
        results.append((checked, synced, parts))
    (checked, synced, parts), (checked_p, synced_p, parts_p) = results
    assert checked_p == checked
    assert synced_p == synced
    assert parts_p.keys() == parts.keys()
    for name in parts:
        assert parts_p[name] == parts[name], name


def test_excels_largest_sheet_of_25_columns_is_within_the_default_limits():
    limits = Limits.from_config({})
    assert limits.part_bytes >= 1_100 << 20  # its XML is about 1,070 MB
    assert limits.cells >= 1_048_576 * 25


def test_each_piece_goes_through_a_temporary_file_that_is_deleted(monkeypatch, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    made = []
    real = tempfile.mkstemp

    def watched(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkstemp", watched)
    path = varied_workbook(tmp_path / "varied.xlsx")
    whole = read(path)
    force_pieces(monkeypatch, 2500)
    assert read(path) == whole
    assert len(made) > 3 and all(Path(name).parent == temp for _, name in made)
    assert list(temp.iterdir()) == []  # each deleted once calamine had read it


# -- the pass: each piece checked before calamine reads it, in a thread; nothing left behind ------------------

def numbered_sheet(count: int, far: int | None = None, error_every: int = 0) -> str:
    """A tab of `count` rows (A: text, B: a number, C: an error cell every `error_every` rows); row `far` has
    its B cell at ZZ instead (702 columns: over a limit of 1,000 cells for a tab of two rows or more)."""
    rows = []
    for n in range(1, count + 1):
        column = "ZZ" if n == far else "B"
        error = cell_xml("", "e", f"C{n}", n) if error_every and n % error_every == 0 else ""
        rows.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>row {n}</t></is></c>'
                    f'<c r="{column}{n}"><v>{n}</v></c>{error}</row>')
    return (f'<worksheet xmlns="{MAIN}"><dimension ref="A1:C{count}"/><sheetData>{"".join(rows)}</sheetData>'
            "</worksheet>")


class Watch:
    """What calamine was handed: each piece's rows, where they lie in the tab's XML, and how far the size check
    had got at that moment (read from the piece's file before calamine opens it)."""

    def __init__(self, monkeypatch, xml: str):
        self.xml = xml.encode()
        self.checks: list = []
        self.reads: list[tuple[int, int, int]] = []  # (start, end) of the piece's rows in the XML, checked so far
        real_check = pieces.SizeCheck
        checks = self.checks

        class Recorded(real_check):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                checks.append(self)

        real_from_path = pieces.calamine.CalamineWorkbook.from_path

        def from_path(path, *args, **kwargs):
            if not Path(path).name.startswith("sheetreturns-piece-"):  # the workbook itself, opened whole
                return real_from_path(path, *args, **kwargs)
            checked = checks[-1].checked
            with zipfile.ZipFile(path) as piece:
                if "xl/worksheets/sheet1.xml" not in piece.namelist():  # a piece of the other tab
                    return real_from_path(path, *args, **kwargs)
                data = piece.read("xl/worksheets/sheet1.xml")
            rows = data[data.index(b"<sheetData>") + len(b"<sheetData>"):data.rindex(b"</sheetData>")]
            start = self.xml.index(rows) if rows else 0
            self.reads.append((start, start + len(rows), checked))
            return real_from_path(path, *args, **kwargs)

        monkeypatch.setattr(pieces, "SizeCheck", Recorded)
        monkeypatch.setattr(pieces.calamine.CalamineWorkbook, "from_path", staticmethod(from_path))


def read_limited(path: Path, cells: int) -> dict:
    try:
        with XlsxWorkbook(path, backup_dir=path.parent / "backups", limits=Limits(cells=cells)) as book:
            return {"rows": [trimmed(row) for row in book.iter_rows("Returns")], "width": book.used_width("Returns")}
    except SourceUnreadable as exc:
        return {"error": str(exc)}


@pytest.mark.parametrize("piece_bytes", [1, 150, 700])
def test_calamine_reads_a_piece_only_after_the_size_check_has_passed_every_byte_of_it(piece_bytes, monkeypatch,
                                                                                        tmp_path):
    xml = numbered_sheet(40, error_every=7)
    path = tmp_path / "n.xlsx"
    path.write_bytes(workbook_bytes(xml))
    whole = read_limited(path, 1000)
    force_pieces(monkeypatch, piece_bytes)
    monkeypatch.setattr(pieces, "CHUNK", 100)  # the check a few rows ahead of the cuts, not the whole tab
    watch = Watch(monkeypatch, xml)
    assert read_limited(path, 1000) == whole
    assert len(watch.reads) > 3
    assert all(end <= checked for _, end, checked in watch.reads), watch.reads
    assert [start for start, _, _ in watch.reads] == sorted(start for start, _, _ in watch.reads)


@pytest.mark.parametrize("far", range(1, 31))
def test_a_far_cell_in_any_piece_is_refused_before_calamine_reads_that_piece(far, monkeypatch, tmp_path):
    xml = numbered_sheet(30, far=far)
    path = tmp_path / "far.xlsx"
    path.write_bytes(workbook_bytes(xml))
    whole = read_limited(path, 1000)
    far_cell = f'<c r="ZZ{far}">'.encode()
    for piece_bytes in (1, 120, 400):
        force_pieces(monkeypatch, piece_bytes)
        monkeypatch.setattr(pieces, "CHUNK", 100)  # the check a few rows ahead of the cuts, not the whole tab
        watch = Watch(monkeypatch, xml)
        assert read_limited(path, 1000) == whole, piece_bytes
        assert "over the limit of 1,000 cells" in whole["error"]
        assert all(far_cell not in watch.xml[start:end] for start, end, _ in watch.reads), (piece_bytes, watch.reads)


def piece_threads() -> list:
    return [t for t in threading.enumerate() if t.name.startswith("sheetreturns-piece")]


@pytest.fixture
def temp_folder(monkeypatch, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp
    assert list(temp.iterdir()) == []
    assert piece_threads() == []


def stored_book(xml: str) -> bytes:
    """workbook_bytes with the tab stored, not compressed: a byte changed in it is found only by its checksum,
    at the end of the part."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(xml)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        for info in source.infolist():
            kind = zipfile.ZIP_STORED if info.filename.endswith("sheet1.xml") else zipfile.ZIP_DEFLATED
            book.writestr(info.filename, source.read(info), compress_type=kind)
    return buffer.getvalue()


@pytest.mark.parametrize("template_on_disk", [False, True])
@pytest.mark.parametrize("fault", ["checksum", "bad xml", "far cell", "stop early", "close midway", "ctrl-c"])
def test_nothing_is_left_running_or_on_disk_after_an_error_or_an_early_stop(fault, template_on_disk, monkeypatch,
                                                                           tmp_path, temp_folder):
    xml = numbered_sheet(60, far=45 if fault == "far cell" else None)
    if fault == "bad xml":
        xml = xml.replace('<c r="B40"><v>40</v></c>', '<c r="B40"><v>40</x></c>')
    data = stored_book(xml)
    if fault == "checksum":
        at = data.index(b"row 50")
        data = data[:at] + b"ROW" + data[at + 3:]
    path = tmp_path / "fault.xlsx"
    path.write_bytes(data)
    whole = read_limited(path, 1000)
    force_pieces(monkeypatch, 200)
    if template_on_disk:
        monkeypatch.setattr(pieces._Template, "IN_MEMORY", 0)
    if fault in ("checksum", "far cell"):
        assert read_limited(path, 1000) == whole and "error" in whole
        return
    book = XlsxWorkbook(path, backup_dir=tmp_path / "backups", limits=Limits(cells=1000))
    open_ = True
    try:
        rows = book.iter_rows("Returns")
        if fault == "bad xml":
            with pytest.raises(SourceUnreadable, match="could not be read"):
                list(rows)
        else:
            for _ in range(20):
                next(rows)
            assert piece_threads()  # the worker is reading the pieces after these rows
            if fault == "ctrl-c":
                with pytest.raises(KeyboardInterrupt):
                    rows.throw(KeyboardInterrupt)
            elif fault == "close midway":
                book.close()
                open_ = False
                assert piece_threads() == []
    finally:
        if open_:
            book.close()


def test_the_full_read_after_the_header_search_goes_on_from_the_pieces_already_read(monkeypatch, tmp_path):
    xml = numbered_sheet(60, error_every=9)
    path = tmp_path / "n.xlsx"
    path.write_bytes(workbook_bytes(xml))
    whole = read(path)
    force_pieces(monkeypatch, 300)
    monkeypatch.setattr(pieces, "FIRST_PIECE_BYTES", 1000)  # the header search's rows all in the first piece
    watch = Watch(monkeypatch, xml)
    assert read(path) == whole
    starts = [start for start, _, _ in watch.reads]
    assert len(starts) == len(set(starts)) > 5  # every piece read once: the first kept for the full read


@pytest.mark.parametrize("ahead", [0, 1, 5])
@pytest.mark.parametrize("sizes", [(1, 1), (50, 500), (3000, 200), (100_000, 100_000)])
def test_rows_are_the_same_for_any_piece_sizes_and_any_number_queued(sizes, ahead, monkeypatch, tmp_path):
    path = varied_workbook(tmp_path / "varied.xlsx")
    whole = read(path)
    monkeypatch.setattr(pieces, "WHOLE_UP_TO", 0)
    monkeypatch.setattr(pieces, "FIRST_PIECE_BYTES", sizes[0])
    monkeypatch.setattr(pieces, "PIECE_BYTES", sizes[1])
    monkeypatch.setattr(pieces, "AHEAD", ahead)
    monkeypatch.setattr(pieces, "OTHERS_TIMES", 0)
    assert read(path) == whole


@pytest.mark.parametrize("zip64", [False, True])
@pytest.mark.parametrize("template_in_memory", [False, True])
def test_pieces_written_in_zip64_or_after_a_template_kept_on_disk_read_the_same(zip64, template_in_memory,
                                                                              monkeypatch, tmp_path, temp_folder):
    """Many shared strings keep the other parts on disk and copy them into each piece; a piece of 4 GB (a tab
    without r on its rows) is written in zip64. Both forced here on small pieces."""
    path = varied_workbook(tmp_path / "varied.xlsx")
    whole = read(path)
    force_pieces(monkeypatch, 2500)
    monkeypatch.setattr(pieces._Template, "IN_MEMORY", 1 << 30 if template_in_memory else 0)
    monkeypatch.setattr(pieces, "ZIP64_FROM", 0 if zip64 else 1 << 40)
    assert read(path) == whole


# -- markup a row search cannot see through: comments, CDATA, processing instructions --------------------------

def sheet_with_markup(markup: str) -> str:
    """30 rows, with `markup` (holding what looks like rows, a far cell, an end of the rows) after row 12."""
    rows = numbered_sheet(30)
    at = rows.index('<row r="13">')
    return rows[:at] + markup + rows[at:]


MARKUPS = {
    "comment": '<!-- <row r="13"><c r="ZZ13"><v>1</v></c></row> old rows </sheetData> <row r="14"> -->',
    "cdata": '<![CDATA[ <row r="13"><c r="ZZ13"><v>1</v></c></row> </sheetData> ]]>',
    "instruction": '<?note <row r="13"><c r="ZZ13"><v>1</v></c></row> </sheetData> ?>',
}


@pytest.mark.parametrize("kind", sorted(MARKUPS))
def test_rows_inside_a_comment_or_cdata_are_never_the_start_or_end_of_a_piece(kind, monkeypatch, tmp_path):
    # A piece cut at a "row" inside a comment would start calamine's read inside it: the far cell there (which
    # the size check rightly passes over, as calamine does in a whole read) would become a cell of the piece.
    xml = sheet_with_markup(MARKUPS[kind])
    path = tmp_path / "markup.xlsx"
    path.write_bytes(workbook_bytes(xml))
    whole = read_limited(path, 1000)
    assert "error" not in whole and len(whole["rows"]) == 30 and whole["width"] == 2
    start, end = xml.index(MARKUPS[kind]), xml.index(MARKUPS[kind]) + len(MARKUPS[kind])
    split = xml.index(MARKUPS[kind]) + 1  # a chunk that ends between the markup's "<" and what follows it
    for piece_bytes in (1, 120, 400):
        for chunk in (7, 100, split):
            force_pieces(monkeypatch, piece_bytes)
            monkeypatch.setattr(pieces, "CHUNK", chunk)
            watch = Watch(monkeypatch, xml)
            assert read_limited(path, 1000) == whole, (piece_bytes, chunk)
            assert not any(start < s < end or start < e < end for s, e, _ in watch.reads), (piece_bytes, watch.reads)


def test_error_cells_without_a_reference_are_placed_only_after_the_size_check_saw_the_whole_tab(monkeypatch,
                                                                                               tmp_path):
    # Placing them walks the whole part: a tab over the limit must be refused before that walk, as it is
    # before a whole read.
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c t="e"><v>#N/A</v></c></row>' for n in range(1, 400))
    far = '<row r="400"><c r="ZZ400"><v>1</v></c></row>'  # 400 rows x 702 columns: over 1,000 cells
    path = tmp_path / "errors.xlsx"
    force_pieces(monkeypatch, 200)
    monkeypatch.setattr(pieces, "CHUNK", 100)
    walked = []
    real = pieces.finish_error_cells
    monkeypatch.setattr(pieces, "finish_error_cells", lambda *a: walked.append(1) or real(*a))
    path.write_bytes(workbook_bytes(f'<worksheet xmlns="{MAIN}"><sheetData>{rows}{far}</sheetData></worksheet>'))
    assert "over the limit of 1,000 cells" in read_limited(path, 1000)["error"]
    assert walked == []
    path.write_bytes(workbook_bytes(f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'))
    got = read_limited(path, 1000)  # within the limit: the errors are placed
    assert walked and len(got["rows"]) == 399 and all(r[1] == CellError("#N/A") for r in got["rows"])


@pytest.mark.parametrize("data, before, expected", [
    (b"<row><c/></row>", b"", None), (b"<a><!-- x -->", b"", 3), (b"--><b/>", b"<", None), (b"!-- x", b"<", -1),
    (b"<?pi?><!-- c -->", b"", 0), (b"text! more! <![CDATA[", b"", 12), (b"?" * 200 + b"<!--", b"", 200),
    (b"!" * 200 + b"<?x", b"", 200), (b"!" * 200, b"<", -1), (b"a<b" * 100, b"", None)])
def test_the_search_for_comments_and_cdata_finds_the_first_wherever_it_is(data, before, expected):
    assert pieces._odd_markup(data, before) == expected


# -- the temporary folder: full, or not a folder; a template another thread still has open ----------------------

def untouched(path: Path) -> tuple:
    return path.read_bytes(), path.stat().st_mtime_ns


def assert_one_temp_folder_error(result_code: int, stderr: str, folder: Path) -> None:
    assert result_code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: the 'Returns' tab of "), stderr
    assert f"a temporary file could not be written in {folder} (" in lines[0]
    assert "make room there, or set TMPDIR to a folder with room" in lines[0] and "unexpected" not in lines[0]


@pytest.mark.parametrize("template_on_disk", [False, True])
@pytest.mark.parametrize("command", ["check", "sync"])
def test_a_temporary_folder_that_is_not_a_folder_is_one_error_line_and_the_workbook_is_untouched(
        command, template_on_disk, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from sheetreturns.cli import main

    path = varied_workbook(tmp_path / "varied.xlsx")
    before = untouched(path)
    not_a_folder = tmp_path / "temp"
    not_a_folder.write_text("a file where the temporary folder should be")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    force_pieces(monkeypatch, 2500)
    if template_on_disk:  # written by this thread, before any piece
        monkeypatch.setattr(pieces._Template, "IN_MEMORY", 0)
    outbox = ["--outbox", str(tmp_path / "outbox")] if command == "sync" else []
    result = CliRunner().invoke(main, [command, str(path), "--as-of", "2026-11-26", *outbox])
    assert_one_temp_folder_error(result.exit_code, result.stderr, not_a_folder)
    assert result.stdout == ""
    assert untouched(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["temp", "varied.xlsx"]  # no backup, no outbox
    assert piece_threads() == []


@pytest.mark.posix
@pytest.mark.slow
@pytest.mark.parametrize("template_on_disk", [False, True])
def test_a_full_disk_while_a_piece_is_written_is_one_error_line_and_nothing_is_left(template_on_disk, tmp_path):
    import os
    import subprocess
    import sys

    path = varied_workbook(tmp_path / "varied.xlsx")
    before = untouched(path)
    temp = tmp_path / "temp"
    temp.mkdir()
    script = (
        "import resource, signal\n"
        "from sheetreturns.excel import pieces\n"
        "pieces.WHOLE_UP_TO, pieces.PIECE_BYTES, pieces.FIRST_PIECE_BYTES, pieces.OTHERS_TIMES = 0, 2500, 2500, 0\n"
        f"pieces._Template.IN_MEMORY = {0 if template_on_disk else 1 << 30}\n"
        "from sheetreturns.cli import main\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))  # every file write past 100 bytes fails, as on a full disk\n"
        "main()\n")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "TMPDIR": str(temp)}
    done = subprocess.run([sys.executable, "-c", script, "check", str(path), "--as-of", "2026-11-26"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert_one_temp_folder_error(done.returncode, done.stderr, temp)
    assert "File too large" in done.stderr
    assert untouched(path) == before
    assert list(temp.iterdir()) == []  # the piece written in part, and the template, deleted


def is_open(name: str) -> bool:
    """Whether this process has the file open (any thread)."""
    import os

    try:
        wanted = os.stat(name)
    except OSError:
        return False
    for fd in os.listdir("/dev/fd"):
        try:
            found = os.fstat(int(fd))
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (wanted.st_dev, wanted.st_ino):
            return True
    return False


@pytest.mark.posix
def test_a_dropped_pass_leaves_no_template_file_even_where_an_open_file_cannot_be_deleted(monkeypatch, tmp_path,
                                                                                          temp_folder):
    """A pass dropped without close() stops its worker without waiting for it. On Windows a file that is open
    cannot be deleted: here every delete of a file this process has open is refused, as there, while the
    worker is held in the middle of copying the template into a piece."""
    import gc
    import os

    path = varied_workbook(tmp_path / "varied.xlsx")
    force_pieces(monkeypatch, 2500)
    monkeypatch.setattr(pieces._Template, "IN_MEMORY", 0)  # the template in a file of its own
    refused = []
    real_unlink, real_sendfile = os.unlink, os.sendfile

    def unlink_as_on_windows(name, *args, **kwargs):
        if is_open(name):
            refused.append(name)
            raise PermissionError(13, "The process cannot access the file because it is being used by another "
                                      "process", name)
        return real_unlink(name, *args, **kwargs)

    copying, go_on = threading.Event(), threading.Event()
    copies = []

    def held_sendfile(*args):
        copies.append(args)
        if len(copies) == 2:  # the second piece: the worker has the template open
            copying.set()
            go_on.wait(30)
        return real_sendfile(*args)

    monkeypatch.setattr(os, "unlink", unlink_as_on_windows)
    monkeypatch.setattr(os, "sendfile", held_sendfile)
    with XlsxWorkbook(path, backup_dir=tmp_path / "backups") as book:
        sheet = pieces.pieced_sheet(book.package, book.parts["Returns"], "Returns", book.limits)
        rows = sheet.iter_rows()
        next(rows)
        assert copying.wait(30)
        workers = piece_threads()
        assert workers and list(temp_folder.glob("*.parts"))
        del rows, sheet
        gc.collect()  # the pass is gone: its worker is told to stop, not waited for; the template is let go
        go_on.set()
        for worker in workers:
            worker.join(30)
    assert refused == []  # nothing was deleted while open
    # (temp_folder: the folder is empty, no worker left)

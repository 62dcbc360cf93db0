"""Crafted sheets that would make the reader allocate a huge grid from a tiny file: rows and cells without a
reference (placed by counting), references spelled another way, and more digits or letters than Excel allows.
Each is refused with one `Error:` line before the reader sees it, and the file is left byte for byte; and on
small sheets the walk the check falls back on never places a cell before where the reader (calamine) puts it."""
import hashlib
import io
import zipfile

import pytest
import python_calamine
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetreturns.cli import main
from sheetreturns.excel.limits import column_letters, sheet_extent

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Returns" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
PART = "xl/worksheets/sheet1.xml"
HEADER = '<row r="1">' + "".join(
    f'<c r="{column_letters(n + 1)}1" t="inlineStr"><is><t>{name}</t></is></c>'
    for n, name in enumerate(["Return ID", "Order ID", "SKU", "Qty", "Notified On"])) + "</row>"


def text(value: str = "x", attributes: str = "") -> str:
    return f'<c{attributes} t="inlineStr"><is><t>{value}</t></is></c>'


def workbook(sheet_data: str) -> bytes:
    """A whole .xlsx, built by hand: one Returns tab holding `sheet_data`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr(PART, '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                            f'spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>')
    return buffer.getvalue()


ATTACKS = {
    # a million rows without r (6 MB of XML, a few KB zipped), then a cell in the last one, and one at XFD
    "a million rows without r": (HEADER + "<row>" + text(attributes=' r="XFD1"') + "</row>"
                                 + "<row/>" * 1_000_000 + "<row>" + text() + "</row>", "1,000,003 rows x 16,384 columns"),
    "cells without r across the grid": (HEADER + "<row>" + '<c t="n"><v>1</v></c>' * 16_384 + "</row>"
                                        + "<row></row>" * 4_000 + "<row>" + text() + "</row>",
                                        "4,003 rows x 16,384 columns"),
    "single quotes": (HEADER + "<row>" + text(attributes=" r='XFD1048576'") + "</row>", "1,048,576 rows x 16,384"),
    "spaces around =": (HEADER + "<row>" + text(attributes=' r = "XFD1048576"') + "</row>", "1,048,576 rows x 16,384"),
    "a second r (the reader takes the last)": (HEADER + "<row>" + text(attributes=' r="A2" r="XFD1048576"') + "</row>",
                                               "1,048,576 rows x 16,384"),
    "a second r in single quotes": (HEADER + "<row>" + text(attributes=' r="A2" r=\'XFD1048576\'') + "</row>",
                                    "1,048,576 rows x 16,384"),
    "a second r with a space before =": (HEADER + "<row>" + text(attributes=' r="A2" r ="XFD1048576"') + "</row>",
                                         "1,048,576 rows x 16,384"),
    # each of these gets past the search for r=" only; the check for spaces around "=" must send it on
    "a second r after a line break": (HEADER + "<row>" + text(attributes=' r="A2" r=\n"XFD1048576"') + "</row>",
                                      "1,048,576 rows x 16,384"),
    "a second r with a tab before =": (HEADER + "<row>" + text(attributes=' r="A2" r\t="XFD1048576"') + "</row>",
                                       "1,048,576 rows x 16,384"),
    "many $ references, then a far one": (HEADER + "<row>" + text(attributes=' r="$A$2"') * 1_500
                                          + text(attributes=' r="$XFD$1048576"') + "</row>", "1,048,576 rows x 16,384"),
    "a quoted > before the reference": (HEADER + "<row>" + text(attributes=' r="A2" u="a>b" r="XFD1048576"')
                                        + "</row>", "1,048,576 rows x 16,384"),
    "a row number of 8 digits": (HEADER + "<row>" + text(attributes=' r="A99999999"') + "</row>", "99,999,999 rows"),
    "a column of 4 letters": (HEADER + '<row r="9000">' + text(attributes=' r="ZZZZ9000"') + "</row>",
                              "9,000 rows x 475,254 columns"),
    "a namespace prefix, rows without r": (
        HEADER + '<row r="2">' + text(attributes=' r="XFD2"') + "</row>"
        + '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>' * 5_000
        + '<row>' + text() + "</row>", "5,003 rows x 16,384 columns"),
}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_a_crafted_grid_is_refused_with_one_error_line_and_the_file_is_untouched(attack, tmp_path):
    sheet_data, spans = ATTACKS[attack]
    path = tmp_path / "returns.xlsx"
    path.write_bytes(workbook(sheet_data))
    assert path.stat().st_size < 200_000  # tiny on disk
    before = digest(path.read_bytes())
    for command in (["check", str(path), "--as-of", "2026-11-26"],
                    ["sync", str(path), "--as-of", "2026-11-26", "--outbox", str(tmp_path / "outbox")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: returns.xlsx: the 'Returns' tab spans "), result.stderr
        assert spans in lines[0] and "over the limit of 50,000,000 cells" in lines[0]
        assert "Traceback" not in result.output
        assert digest(path.read_bytes()) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["returns.xlsx"]


def test_the_same_sheet_with_references_everywhere_is_read():
    """The walk's figures on an ordinary sheet are the sheet's own (what the attacks are measured against)."""
    rows = HEADER + "".join(f'<row r="{r}">' + text(attributes=f' r="E{r}"') + "</row>" for r in range(2, 50))
    book = zipfile.ZipFile(io.BytesIO(workbook(rows)))
    assert sheet_extent(book, PART, "t.xlsx") == (49, 5)


# Small sheets in every spelling the reader accepts: the reader's last cell never lies beyond the walk's.
quote = st.sampled_from(['"', "'"])
space = st.sampled_from(["", " ", "\t"])
small_ref = st.builds(lambda c, r: f"{column_letters(c)}{r}", st.integers(1, 60), st.integers(1, 400))


def reference(ref: str, q: str, sp: str) -> str:
    return f" r{sp}={sp}{q}{ref}{q}"


cell = st.one_of(
    st.builds(lambda: text()),
    st.builds(lambda ref, q, sp: text(attributes=reference(ref, q, sp)), small_ref, quote, space),
    st.builds(lambda a, b: text(attributes=f' r="{a}" r="{b}"'), small_ref, small_ref),
    st.builds(lambda ref, v: text(attributes=f' u="{v}" r="{ref}"'), small_ref, st.sampled_from(["<", ">", "<c r='A9'/>"])),
    st.just('<c t="n"/>'), st.just('<c t="n"></c>'), st.just("<c><v>2</v></c>"),
    st.builds(lambda ref: f'<!-- <c r="{ref}"/></row> " -->', small_ref),
    st.just('<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" t="n"><x:v>3</x:v></x:c>'),
)
row = st.builds(
    lambda number, q, cells, closed: (f"<row{reference(str(number), q, '') if number else ''}/>" if closed
                                      else f"<row{reference(str(number), q, '') if number else ''}>"
                                           + "".join(cells) + "</row>"),
    st.one_of(st.just(0), st.integers(1, 400)), quote, st.lists(cell, max_size=8), st.booleans())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=25))
def test_the_walk_never_places_a_cell_before_the_reader_does(rows, tmp_path_factory):
    data = workbook("".join(rows))
    path = tmp_path_factory.mktemp("walk") / "t.xlsx"
    path.write_bytes(data)
    try:
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns")
    except Exception:  # the reader refuses this spelling: nothing to allocate
        return
    max_row, max_col = sheet_extent(zipfile.ZipFile(io.BytesIO(data)), PART, "t.xlsx")
    if sheet.end is not None:
        assert max_row >= sheet.end[0] + 1 and max_col >= sheet.end[1] + 1

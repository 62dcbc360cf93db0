"""The tab-extent check's pass of a few searches per chunk agrees with counting every reference exactly: it
never lets through a tab the exact count refuses, its bound is never below the exact extent, an ordinary sheet
is settled by the literal-led searches alone, and a far reference in any spelling after ordinary rows is
found."""
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetreturns.errors import SourceUnreadable
from sheetreturns.excel import limits
from sheetreturns.excel.limits import Limits, check_sheet_extent, column_letters, sheet_extent

DATA = Path(__file__).parent / "data"
PART = "xl/worksheets/sheet1.xml"


def package(xml: bytes) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(PART, xml)
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


def refused(book: zipfile.ZipFile, cells: int) -> str | None:
    try:
        check_sheet_extent(book, PART, "t.xlsx", "Returns", Limits(cells=cells))
    except SourceUnreadable as exc:
        return str(exc)
    return None


def letters(number: int, lower: bool) -> str:
    text = column_letters(number)
    return text.lower() if lower else text


# row numbers anywhere, and just past the round numbers the pass's row bound moves in steps of
row_number = st.one_of(st.integers(1, 1_100_000),
                       st.builds(lambda m, e, d: m * 10 ** e + d, st.integers(1, 99), st.integers(0, 4), st.integers(0, 12)))
def spaced(name: str, value: str, quote: str, space: str) -> str:
    return f"{name}{space}={space}{quote}{value}{quote}"


reference = st.one_of(
    # a cell: column (either case, maybe $), row (maybe $, maybe leading zeros)
    st.builds(lambda c, r, low, d1, d2, zeros: f'<c r="{"$" if d1 else ""}{letters(c, low)}{"$" if d2 else ""}'
                                               f'{"0" * zeros}{r}" t="n"><v>1</v></c>',
              st.integers(1, 16384), row_number, st.booleans(), st.booleans(), st.booleans(),
              st.integers(0, 2)),
    st.builds(lambda r: f'<row r="{r}" spans="1:5">', row_number),
    st.builds(lambda c1, r1, c2, r2: f'<dimension ref="{letters(c1, False)}{r1}:{letters(c2, False)}{r2}"/>',
              st.integers(1, 16384), st.integers(1, 1_100_000), st.integers(1, 16384), st.integers(1, 1_100_000)),
    st.builds(lambda c, r: f'<c s="1" r="{letters(c, False)}{r}"/>', st.integers(1, 800), st.integers(1, 99_999)),
    st.builds(lambda c, r: f'<mergeCell ref="A1:{letters(c, False)}{r}"/>', st.integers(1, 16384), st.integers(1, 10**6)),
    st.builds(lambda c, r: f'<c r="A1"><is><t>r="{letters(c, False)}{r}" ref="{letters(c, False)}{r}"</t></is></c>',
              st.integers(1, 16384), st.integers(1, 10**6)),
    st.builds(lambda c, r: f'<c r="{letters(c, False)}{r}:{letters(c, False)}{r}"/>', st.integers(1, 16384),
              st.integers(1, 10**6)),
    # rows and cells the reader places by counting, in any number
    st.builds(lambda n, closed: ("<row/>" if closed else "<row></row>") * n, st.integers(1, 40), st.booleans()),
    st.builds(lambda n: "<row>" + "<c><v>1</v></c>" * n + "</row>", st.integers(1, 40)),
    st.builds(lambda n: '<c t="n"/>' * n, st.integers(1, 40)),
    # references spelled another way: either quote, spaces around "=", more digits or letters than Excel allows,
    # a second r= (the reader takes the last), a namespace prefix, quoted values holding "<" or ">"
    st.builds(lambda c, r, q, sp: f'<c {spaced("r", letters(c, False) + str(r), q, sp)}/>', st.integers(1, 20_000),
              st.integers(1, 10**9), st.sampled_from(['"', "'"]), st.sampled_from(["", " ", "\t", "\n ", "\r", "\x0c"])),
    st.builds(lambda c, r, q: f'<row {spaced("r", str(r), q, " ")}><c r="B2" {spaced("r", letters(c, False) + str(r), q, "")}/>',
              st.integers(1, 20_000), st.integers(1, 10**9), st.sampled_from(['"', "'"])),
    st.builds(lambda c, r, v: f'<c r="A1" u="{v}" r="{letters(c, False)}{r}"/>', st.integers(1, 20_000),
              st.integers(1, 2_000_000), st.sampled_from(["<", ">", "<c", "a>b<row ", "'"])),
    st.builds(lambda c, r, with_r: f'<x:c xmlns:x="urn:x"{" r=" + chr(34) + letters(c, False) + str(r) + chr(34) if with_r else ""}/>',
              st.integers(1, 20_000), st.integers(1, 2_000_000), st.booleans()),
    st.builds(lambda r: f'<x:row xmlns:x="urn:x"><x:c/></x:row><x:row r="{r}"/>', st.integers(1, 2_000_000)),
    st.builds(lambda c, r: f'<!-- <c r="{letters(c, False)}{r}"/> <row> </row> " \' -->', st.integers(1, 16384),
              st.integers(1, 10**6)),
    st.builds(lambda c, r: f'<c r="A1"><is><t><![CDATA[<c r="{letters(c, False)}{r}"/></row>]]></t></is></c>',
              st.integers(1, 16384), st.integers(1, 10**6)),
    st.just("</row>"), st.just("<sheetData>"), st.just("<!-- a comment -->"), st.just("<row r='3'/>"),
)


@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(parts=st.lists(reference, max_size=60), chunk=st.sampled_from([7, 64, 300, 1 << 20]),
       cells=st.sampled_from([1, 100, 10_000, 10**6, 50_000_000, 10**9]))
def test_the_bound_refuses_exactly_what_walking_every_row_and_cell_refuses(monkeypatch, parts, chunk, cells):
    monkeypatch.setattr(limits, "CHUNK", chunk)
    book = package(("<worksheet>" + "".join(parts) + "</worksheet>").encode())
    max_row, max_col = sheet_extent(book, PART, "t.xlsx")
    message = refused(book, cells)
    assert (message is not None) == ((max_row or 1) * (max_col or 1) > cells)
    # the pass's own figures, unless it handed the part to the walk: never below what the walk finds
    with book.open(PART) as handle:
        body = handle.read()
    tail = b""
    bound = limits._Bound()
    settled = True
    for at in range(0, len(body) + 1, chunk):
        data = tail + body[at:at + chunk]
        piece, tail = limits._whole_tags(data) if at + chunk < len(body) else (data, b"")
        settled = settled and bound.scan(piece)
    if settled:
        assert bound.max_col >= max_col
        assert max(bound.max_row, bound.row_limit - 1) >= max_row


def test_a_far_cell_after_many_ordinary_rows_is_found(monkeypatch):
    monkeypatch.setattr(limits, "CHUNK", 4096)
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{column_letters(c)}{r}"><v>1</v></c>' for c in range(1, 6))
                   + "</row>" for r in range(1, 3000))
    for far, expected in (('<c r="XFD2999"><v>1</v></c>', (2999, 16384)), ('<c r="B1048576"/>', (1048576, 5)),
                          ('<c r="$e$1048576"/>', (1048576, 5)), ('<c r="A5:ZZ6"/>', (2999, 702))):
        book = package(f"<worksheet><sheetData>{rows}{far}</sheetData></worksheet>".encode())
        assert sheet_extent(book, PART, "t.xlsx") == expected
        area = expected[0] * expected[1]
        assert refused(book, area) is None
        assert f"({area:,} cells)" in refused(book, area - 1)


@pytest.mark.parametrize("path", sorted((DATA / "hostile").glob("*.xlsx")) + [DATA / "libreoffice_returns.xlsx"],
                         ids=lambda p: p.name)
def test_every_fixture_sheet_gets_the_same_answer_both_ways(path):
    try:
        book = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return
    for part in (n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
        max_row, max_col = sheet_extent(book, part, path.name)
        area = (max_row or 1) * (max_col or 1)
        check_sheet_extent(book, part, path.name, "tab", Limits(cells=area))
        if area > 1:
            with pytest.raises(SourceUnreadable, match=f"{max_row:,} rows x {max_col:,} columns"):
                check_sheet_extent(book, part, path.name, "tab", Limits(cells=area - 1))


@pytest.mark.parametrize("bound", [1, 9, 10, 11, 99, 100, 110, 1000, 11000, 99000, 100000, 110000, 1_000_000])
def test_the_row_pattern_matches_exactly_the_numbers_at_or_above_its_bound(bound):
    import re

    pattern = re.compile(limits._numbers_from(bound) + rb'"')
    for number in [*range(1, 3000), *range(max(bound - 3000, 1), bound + 3000), 10**7 - 1]:
        assert (pattern.match(f'{number}"'.encode()) is not None) == (number >= bound), number


@pytest.mark.parametrize("last", [0, 1, 25, 26, 27, 52, 701, 702, 703, 16383, 16384])
def test_the_column_pattern_matches_exactly_the_columns_after_the_last_one(last):
    import re

    pattern = re.compile(rb"(?:" + limits._columns_after(last) + rb")")
    for number in range(1, 16385):
        for text in (column_letters(number), column_letters(number).lower()):
            assert (pattern.match(text.encode() + b"1") is not None) == (number > last), text


def test_a_far_cell_stops_the_check_early_and_a_damaged_part_is_refused_as_damaged(monkeypatch):
    monkeypatch.setattr(limits, "CHUNK", 256)
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(1, 2000))
    book = package(f'<worksheet><sheetData><c r="XFD1048576"/>{rows}</sheetData></worksheet>'.encode())
    assert "over the limit" in refused(book, 1000)  # stops at the first chunk, many chunks still to inflate
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(PART, ("<worksheet>" + rows * 5 + "</worksheet>").encode())
    damaged = bytearray(data.getvalue())
    middle = len(damaged) // 2
    damaged[middle:middle + 40] = bytes(40)  # the deflate stream broken halfway
    with pytest.raises(SourceUnreadable, match="is damaged"):
        check_sheet_extent(zipfile.ZipFile(io.BytesIO(bytes(damaged))), PART, "t.xlsx", "Returns", Limits())


@pytest.mark.parametrize("bound", [1, 2, 9, 10, 11, 99, 100, 110, 1000, 11000, 57000, 99000, 100000, 110000, 1_000_000])
def test_the_pattern_for_rows_below_the_bound_matches_only_numbers_below_it(bound):
    import re

    pattern = re.compile(rb"(?:" + limits._numbers_below(bound) + rb')"')
    for number in [*range(0, 3000), *range(max(bound - 3000, 0), bound + 3000), 10**7 - 1]:
        assert (pattern.match(f'{number}"'.encode()) is not None) == (number < bound), number
    for text in ("0" * len(str(bound)), "0" + str(bound), "00" + str(bound - 1), str(bound) + "0"):
        if pattern.match(f'{text}"'.encode()) is not None:  # a leading zero may be read one by one, never let by
            assert int(text) < bound, text


@pytest.mark.parametrize("last", [0, 1, 25, 26, 27, 30, 52, 53, 701, 702, 703, 16383, 16384])
def test_the_pattern_for_columns_up_to_the_last_matches_exactly_those(last):
    import re

    pattern = re.compile(rb"(?:" + limits._columns_upto(last) + rb")1")
    for number in range(1, 16385):
        for text in (column_letters(number), column_letters(number).lower()):
            assert (pattern.fullmatch(text.encode() + b"1") is not None) == (number <= last), text


@pytest.mark.parametrize("space", [b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c"])
def test_a_chunk_with_any_space_around_an_equals_sign_is_searched_for_every_spelling(space):
    plain = b'<row r="7" spans="1:2"><c r="A7" t="inlineStr"><is><t>it\'s\nfine</t></is></c></row>'
    assert not limits._respelled(plain)
    for spelled in (b'<c r' + space + b'="XFD7"/>', b'<c r=' + space + b'"XFD7"/>', b"<c r" + space * 3 + b"='A1'/>"):
        assert limits._respelled(plain + spelled), spelled
    assert limits._respelled(plain + b"<c r='XFD7'/>")


ORDINARY = "".join(f'<row r="{r}" spans="1:6">' + "".join(
    f'<c r="{column_letters(c)}{r}" t="inlineStr"><is><t>it\'s row {r}\nline two</t></is></c>' if c % 2 else
    f'<c r="{column_letters(c)}{r}" s="1"><v>{r * c}</v></c>' for c in range(1, 7)) + "</row>" for r in range(1, 2999))


@pytest.mark.parametrize("far, expected", [
    ('<c r="XFD2999"><v>1</v></c>', (2999, 16384)),
    ('<c r ="XFD2999"/>', (2999, 16384)), ('<c r= "XFD2999"/>', (2999, 16384)), ('<c r=\n"XFD2999"/>', (2999, 16384)),
    ('<c r\t=\'XFD2999\'/>', (2999, 16384)), ("<c r='XFD2999'/>", (2999, 16384)), ('<c r\r="XFD2999"/>', (2999, 16384)),
    ('<c r="A5" r="XFD2999"/>', (2999, 16384)), ('<c r="A5" s="1" r="B1048576"/>', (1048576, 6)),
    # a second r spelled another way: only the check for spaces and quotes around "=" sends these to the search
    ('<c r="A5" r ="XFD2999"/>', (2999, 16384)), ('<c r="A5" r=\n"XFD2999"/>', (2999, 16384)),
    ("<c r=\"A5\" r='XFD2999'/>", (2999, 16384)), ('<c r="A5" r\x0c="XFD2999"/>', (2999, 16384)),
    ('<row r="5" r = "1048576"/><row r="6"/>', (1048576, 6)),
    ('<c r="xfd2999"/>', (2999, 16384)), ('<c r="$XFD$2999"/>', (2999, 16384)), ('<c r="G0001048576"/>', (1048576, 7)),
    ('<row r="1048576"/>', (1048576, 6)), ("<row r = '1048576'/>", (1048576, 6)), ('<c r="A5:ZZ6"/>', (2999, 702)),
    ('<c r="$A$1"/>' * 1500 + '<c r="$XFD$2"/>', (2999, 16384)),  # many read one by one, then the far one
    ('<c><v>1</v></c>', (2999, 6)), ('<c s="1" r="H2999"/>', (2999, 8)), ('<x:c xmlns:x="urn:x" r="XFD5"/>', (2999, 16384)),
    ('<dimension ref="A1:XFD1048576"/>', (1048576, 16384)),
], ids=lambda value: value[:40] if isinstance(value, str) else "")
def test_every_spelling_of_a_far_reference_after_many_ordinary_rows_is_found(monkeypatch, far, expected):
    monkeypatch.setattr(limits, "CHUNK", 1 << 15)  # many chunks: the bound is set by the ordinary rows first
    book = package(f"<worksheet><sheetData>{ORDINARY}<row r=\"2999\">{far}</row></sheetData></worksheet>".encode())
    assert sheet_extent(book, PART, "t.xlsx") == expected
    area = expected[0] * expected[1]
    assert refused(book, area) is None
    assert f"({area:,} cells)" in refused(book, area - 1)


def test_an_ordinary_sheet_is_settled_by_the_literal_searches_alone(monkeypatch):
    """Apostrophes and line breaks in text, styles and numbers: every chunk is proved within the bound by the
    searches for r=" and odd cells, never by the search for every spelling or by walking every row and cell."""
    monkeypatch.setattr(limits, "CHUNK", 1 << 15)
    book = package(f"<worksheet><dimension ref=\"A1:F2999\"/><sheetData>{ORDINARY}</sheetData></worksheet>".encode())

    def fails(*args, **kwargs):
        raise AssertionError("the ordinary sheet left the fast path")

    monkeypatch.setattr(limits._Bound, "_scan_beyond", fails)
    monkeypatch.setattr(limits, "_walk_part", fails)
    assert refused(book, 2999 * 6) is None
    with pytest.raises(AssertionError, match="left the fast path"):
        refused(book, 2999 * 6 - 1)  # over the limit: only the walk can say by how much


def counting(book: zipfile.ZipFile, reads: list[int]) -> zipfile.ZipFile:
    """`book`, counting the bytes every handle it opens is read for."""
    real_open = book.open

    def open_counted(name, *args, **kwargs):
        handle = real_open(name, *args, **kwargs)
        real_read = handle.read

        def read(size=-1):
            data = real_read(size)
            reads.append(len(data))
            return data

        handle.read = read
        return handle

    book.open = open_counted
    return book


@pytest.mark.parametrize("first", ['<c t="n"><v>1</v></c>', '<c r="B1"><is><t>r="XFD1048576"</t></is></c>'],
                         ids=["a cell without r", "a far reference in text"])
def test_a_part_the_check_must_walk_is_inflated_once_and_a_bit_and_fed_every_byte_once(monkeypatch, first):
    """A cell without r (or a far r=" in text, which the walk does not count) in the first chunk: the check gives
    up on its one pass there; the walk reads the part once, counting and feeding what the pass had not."""
    monkeypatch.setattr(limits, "CHUNK", 4096)
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="e"><v>#N/A</v></c><c r="B{r}"><v>{r}</v></c></row>'
                   for r in range(2, 3000))
    xml = f'<worksheet><sheetData><row r="1">{first}</row>{rows}</sheetData></worksheet>'.encode()
    reads: list[int] = []
    book = counting(package(xml), reads)
    fed: list[bytes] = []
    check_sheet_extent(book, PART, "t.xlsx", "Returns", Limits(), feed=fed.append)
    assert b"".join(fed) == xml  # every byte, once, in order
    assert sum(reads) <= len(xml) + 2 * 4096  # the first chunk or two, then the whole part once
    with pytest.raises(SourceUnreadable, match="inflates to more than 1 MB"):
        check_sheet_extent(package(xml + b"<!--" + b" " * (1 << 20) + b"-->"), PART, "t.xlsx", "Returns",
                           Limits(part_bytes=1 << 20))  # the walk counts the bytes too

"""The streamed rewrite of a worksheet part: the same bytes whatever the size of the pieces it is read in.

The part is read a buffer at a time; a row, a tag or the end of the cell data may be cut anywhere by a
buffer's end. Reading in pieces of 1, 2, 3 ... bytes must give exactly what reading it whole gives.
"""
from __future__ import annotations

import io
from datetime import date

import pytest

from sheetreturns.excel import worksheet_stream
from sheetreturns.excel.cells import SharedStrings
from sheetreturns.excel.styles import StyleBook
from sheetreturns.excel.worksheet_stream import SheetEdits, WriteRefused, rewrite_sheet

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEAD_PADDING = "<!-- " + "padding " * 640 + "-->"  # the first 4 KB (read whole, for the prefix) end before the rows
LONG_ROW_ATTRIBUTES = " ".join(f'x{i}="{"v" * 20}"' for i in range(20))  # a row tag longer than any overlap


def sheet(p: str = "") -> bytes:
    ns = NS.replace("xmlns=", f"xmlns:{p[:-1]}=") if p else NS
    rows = [
        f'<{p}row r="1" spans="1:3"><{p}c r="A1" t="inlineStr"><{p}is><{p}t>Return ID</{p}t></{p}is></{p}c>'
        f'<{p}c r="B1" s="2" t="inlineStr"><{p}is><{p}t>Reason</{p}t></{p}is></{p}c>'
        f'<{p}c r="C1" t="inlineStr"><{p}is><{p}t>Status</{p}t></{p}is></{p}c></{p}row>',
        "\n  <!-- a comment between rows -->\n  ",
        f'<{p}row r="2" spans="1:3"><{p}c r="A2" t="inlineStr"><{p}is><{p}t>R-1</{p}t></{p}is></{p}c>'
        f'<{p}c r="C2" s="3" t="inlineStr"><{p}is><{p}t>Open</{p}t></{p}is></{p}c></{p}row>',
        f'<{p}row r="3"/>',
        f'<{p}row r="5" {LONG_ROW_ATTRIBUTES}><{p}c r="A5"><{p}v>5</{p}v></{p}c></{p}row>',
        f'<{p}row><{p}c t="inlineStr"><{p}is><{p}t>no references</{p}t></{p}is></{p}c><{p}c/>'
        f'<{p}c><{p}v>7</{p}v></{p}c></{p}row>',  # row 6, its cells placed by order alone
        f'<{p}row r="7"><{p}c r="A7"><{p}v>1</{p}v></{p}c><{p}c r="C7" t="inlineStr"><{p}is><{p}t>Stale</{p}t>'
        f'</{p}is></{p}c></{p}row>',  # not in the plan: its job cell is emptied
        f'<{p}row r="9"><{p}c r="A9" t="inlineStr"><{p}is><{p}t>R-9</{p}t></{p}is></{p}c>'
        f'<{p}c r="C9" t="inlineStr"><{p}is><{p}t>Open</{p}t></{p}is></{p}c></{p}row>',  # already as planned
    ]
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
        f'<{p}dimension ref="A1:C9"/>{HEAD_PADDING}<{p}sheetData>{"".join(rows)}</{p}sheetData>'
        f'<{p}mergeCells count="1"><{p}mergeCell ref="A1:B1"/></{p}mergeCells></{p}worksheet>'
    ).encode()


def edits() -> SheetEdits:
    return SheetEdits(
        rows={
            1: {3: "Next Step"},  # a header cell added at the right, in the style of column B's header
            2: {2: "Closed", 3: "Refund", 1: "Too small"},  # replaced, appended, and one between existing cells
            3: {2: "New", 3: date(2026, 11, 26)},  # a self-closing row given cells
            4: {0: "R-4", 2: "Open"},  # a row the sheet lacks, created between 3 and 5
            5: {2: "Open", 3: None},
            6: {1: "by order", 2: 3},
            9: {2: "Open", 3: None},
            12: {0: "R-12", 2: "Open", 3: ""},  # below the last row
        },
        clear_columns=frozenset({2, 3}),
        clear_below=1,
        header_row=1,
        widths={3: 30},
        header_style_column=1,
        sheet_name="Returns",
        max_column=3,
        max_row=12,
    )


def rewrite(data: bytes, chunk: int | None, monkeypatch) -> tuple[bytes, object]:
    if chunk is not None:
        monkeypatch.setattr(worksheet_stream, "CHUNK", chunk)
    out = io.BytesIO()
    stats = rewrite_sheet(io.BytesIO(data), out, edits(), StyleBook(None), SharedStrings(lambda: []), False)
    return out.getvalue(), stats


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_every_piece_size_gives_the_same_bytes(prefix, monkeypatch):
    data = sheet(prefix)
    whole, whole_stats = rewrite(data, len(data) + 1, monkeypatch)
    for chunk in [*range(1, 40), 61, 97, 255, 256, 257, 1000, 4096]:
        assert rewrite(data, chunk, monkeypatch) == (whole, whole_stats), f"pieces of {chunk} bytes"


def test_what_the_rewrite_writes(monkeypatch):
    data = sheet()
    out, stats = rewrite(data, None, monkeypatch)
    text = out.decode()
    head, rows, tail = text.partition("<sheetData>")[0], text.split("<sheetData>")[1].split("</sheetData>")[0], \
        text.partition("</sheetData>")[2]
    assert head.endswith(f'<dimension ref="A1:D12"/><cols><col min="4" max="4" width="30" customWidth="1"/></cols>'
                         f'{HEAD_PADDING}')
    assert tail == '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>'
    # Header: the new cell takes column B's header style; spans widened.
    assert rows.startswith('<row r="1" spans="1:4">')
    assert '<c r="D1" s="2" t="inlineStr"><is><t>Next Step</t></is></c></row>' in rows
    # The comment between rows, and the unchanged row 9, are copied as they were.
    assert "\n  <!-- a comment between rows -->\n  " in rows
    nine = data.decode().split("<row r=\"9\">")[1].split("</row>")[0]
    assert f'<row r="9">{nine}</row>' in rows
    # Row 2: B2 put between A2 and C2, C2 replaced keeping its style, D2 added with the style above it.
    assert ('<row r="2" spans="1:4"><c r="A2" t="inlineStr"><is><t>R-1</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>Too small</t></is></c>'
            '<c r="C2" s="3" t="inlineStr"><is><t>Closed</t></is></c>'
            '<c r="D2" t="inlineStr"><is><t>Refund</t></is></c></row>') in rows
    # Row 3 (was self-closing) gets its cells, the date in a date format; row 4 is created before row 5.
    assert '<row r="3"><c r="C3" s="3" t="inlineStr"><is><t>New</t></is></c><c r="D3" s="1"><v>46352</v></c></row>' \
        in rows
    assert rows.index('<row r="3">') < rows.index('<row r="4">') < rows.index('<row r="5" ')
    assert '<row r="4"><c r="A4" t="inlineStr"><is><t>R-4</t></is></c><c r="C4" s="3" t="inlineStr">' in rows
    # Row 5 keeps its long tag; row 6's cells are given references (C6 keeps its lack of a style); row 7's
    # job cell is emptied.
    assert f'<row r="5" {LONG_ROW_ATTRIBUTES}><c r="A5"><v>5</v></c><c r="C5" s="3" t="inlineStr">' in rows
    assert ('<row><c r="A6" t="inlineStr"><is><t>no references</t></is></c>'
            '<c r="B6" t="inlineStr"><is><t>by order</t></is></c><c r="C6"><v>3</v></c></row>') in rows
    assert '<row r="7"><c r="A7"><v>1</v></c><c r="C7"/></row>' in rows
    # Row 12 is created below the last; its new cells take the style of the cells above (C9 has none).
    assert rows.endswith('<row r="12"><c r="A12" t="inlineStr"><is><t>R-12</t></is></c>'
                         '<c r="C12" t="inlineStr"><is><t>Open</t></is></c></row>')
    assert (stats.rows_changed, stats.rows_added) == (6, 2)


@pytest.mark.parametrize("broken, message", [
    (b'<row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>1</v></c>', "a row is not closed"),
    (b'<row r="2"><c r="A2"><v>1</v></c></row>', "cut short"),
    (b'<row r="2"><c r="A2"><v>1</v></c></row><row r="2"></row></sheetData></worksheet>', "out of order"),
])
def test_damaged_parts_are_refused_whatever_the_piece_size(broken, message, monkeypatch):
    data = f"<worksheet {NS}><sheetData>".encode() + broken
    for chunk in (1, 5, 64, 1 << 20):
        with pytest.raises(WriteRefused, match=message):
            rewrite(data, chunk, monkeypatch)


def test_a_plan_held_as_columns_gives_the_same_edits_as_one_held_as_rows():
    from sheetreturns.excel.writer import _ColumnRows, _PlanRows
    from sheetreturns.sheet.write_plan import _ROW_KEYS, JobRows

    columns = {key: [None] * 3 for key in _ROW_KEYS}
    columns.update(status=["Open", "Closed", None], next_step=["Wait", None, "Ship"], reply=[None, "hi", None])
    positions = {"status": 7, "next_step": 3}  # "reply" has no column: left out
    extra = {1: {7: "Status"}, 9: {7: "Open", 0: "R-9"}, 3: {0: "R-2"}}  # header, appended row, a filled ID
    by_rows = _PlanRows(JobRows([2, 3, 5], columns).as_dict(), positions, extra)
    by_columns = _ColumnRows(*JobRows([2, 3, 5], columns).as_columns, positions, extra)
    assert sorted(by_columns) == sorted(by_rows) == [1, 2, 3, 5, 9]
    assert len(by_columns) == len(by_rows) == 5
    for row in (1, 2, 3, 4, 5, 9):
        assert by_columns.get(row) == by_rows.get(row)
    assert by_columns[3] == {0: "R-2", 3: None, 7: "Closed"}
    for row in (1, 2, 3, 5, 9):  # listed left to right (SheetEdits.ordered), extra values and all
        assert list(by_columns[row]) == sorted(by_columns[row])
    with pytest.raises(KeyError):
        by_columns[4]


class _FullDisk(io.RawIOBase):
    """A file that takes `room` bytes, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if len(data) > self.room:
            raise OSError(28, "No space left on device")
        self.room -= len(data)
        return len(data)


def test_a_full_disk_while_a_streamed_part_is_compressed_stops_the_save_and_its_writer(tmp_path):
    import os
    import threading

    import openpyxl

    from sheetreturns.excel.package import Package
    from sheetreturns.excel.package_editor import PackageEditor

    book = openpyxl.Workbook()
    book.active.title = "Returns"
    book.save(tmp_path / "book.xlsx")
    written = []

    def big_part(out) -> None:  # pieces that do not compress: the zip entry grows as fast as they come
        for _ in range(200):
            written.append(out.write(os.urandom(1 << 16)))

    threads = threading.active_count()
    with Package(tmp_path / "book.xlsx") as package:
        editor = PackageEditor(package, package.workbook_part)
        editor.put("xl/worksheets/sheet1.xml", big_part)
        with pytest.raises(OSError, match="No space left"):
            editor.save(_FullDisk(1 << 20), first=["xl/worksheets/sheet1.xml"])
    assert len(written) < 200  # the writer was stopped, not left to stream the rest into nothing
    assert threading.active_count() == threads


class _Breaks(io.RawIOBase):
    """A part whose reading fails after `good` bytes (a damaged zip entry fails its checksum so)."""

    def __init__(self, data: bytes, good: int) -> None:
        self.data, self.good, self.at = data, good, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.at >= self.good:
            raise OSError("Bad CRC-32 for file 'xl/worksheets/sheet1.xml'")
        piece = self.data[self.at:self.at + min(size, 1000)]
        self.at += len(piece)
        return piece


def test_the_part_read_ahead_passes_on_its_failure_and_stops_when_the_rewrite_stops(monkeypatch):
    import threading

    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 5000))
    data = f'<worksheet {NS}><sheetData><row r="1"/>{rows}</sheetData></worksheet>'.encode()
    threads = threading.active_count()
    monkeypatch.setattr(worksheet_stream, "CHUNK", 1000)
    with pytest.raises(OSError, match="Bad CRC"):
        rewrite_sheet(_Breaks(data, len(data) // 2), io.BytesIO(), edits(), StyleBook(None), SharedStrings(list), False)
    assert threading.active_count() == threads
    out_of_order = data.replace(b'<row r="1"/>', b'<row r="3"/>', 1)  # refused at once, the part mostly unread
    with pytest.raises(WriteRefused, match="out of order"):
        rewrite_sheet(_Breaks(out_of_order, len(data)), io.BytesIO(), edits(), StyleBook(None), SharedStrings(list),
                      False)
    assert threading.active_count() == threads


def test_remembered_cells_give_what_making_each_cell_gives(monkeypatch):
    """New cells and cells an earlier run wrote are matched against remembered text (per column, value and
    the style above); with nothing remembered (every cell made and parsed) the bytes must be the same."""
    styles = StyleBook(None)
    date_style = styles.date_variant(None)  # a date format, as an earlier run added it
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>']
    edits_rows: dict[int, dict[int, object]] = {}
    for n in range(2, 80):
        band = 3 if (n // 7) % 2 else 4  # the seller's banded rows: the style changes down the column
        status = ["Open", "Closed", "Item overdue"][n % 3]
        cells = [f'<c r="A{n}"><v>{n}</v></c>']
        if n % 5:  # as an earlier run wrote it, or not (a value then differs)
            shown = status if n % 11 else "Stale"
            cells.append(f'<c r="B{n}" s="{band}" t="inlineStr"><is><t>{shown}</t></is></c>')
        if n % 4 == 0:
            cells.append(f'<c r="C{n}" s="{date_style}"><v>46299</v></c>')  # 2026-10-04 in a date style
        elif n % 4 == 1:
            cells.append(f'<c s="{band}" r="C{n}"><v>46299</v></c>')  # attributes in another order, no date style
        elif n % 13 == 0:
            cells.append(f'<c r="C{n}" s="0"/>')
        if n % 6 == 0:
            cells.append(f'<c r="D{n}" t="inlineStr"><is><t>old note</t></is></c>')
        rows.append(f'<row r="{n}">{"".join(cells)}</row>')
        edits_rows[n] = {1: status, 2: date(2026, 10, 4) if n % 3 else None, 3: None if n % 2 else "note",
                         4: (n % 3) or None, 5: 2.5 if n % 7 == 0 else None}
    # An unstyled cell, then a date cell as an earlier run wrote it (its date style is the one below inherits),
    # then a text for a cell the row lacks: it takes the date cell's style (new cells take the style above).
    rows += ['<row r="80"><c r="A80"><v>80</v></c><c r="C80" s="0"/></row>',
             f'<row r="81"><c r="A81"><v>81</v></c><c r="C81" s="{date_style}"><v>46298</v></c></row>',
             '<row r="82"><c r="A82"><v>82</v></c></row>']
    edits_rows.update({80: {2: date(2026, 10, 2)}, 81: {2: date(2026, 10, 3)}, 82: {2: "soon"},
                       85: {1: "Open", 2: date(2026, 10, 4), 4: 1}})
    data = f'<worksheet {NS}><sheetData>{"".join(rows)}</sheetData></worksheet>'.encode()

    def run() -> tuple[bytes, object]:
        out = io.BytesIO()
        sheet_edits = SheetEdits(rows=edits_rows, clear_columns=frozenset({1, 2, 3, 4, 5}), clear_below=1,
                                 header_row=1, max_column=5, max_row=85)
        book = StyleBook(styles.to_bytes())
        stats = rewrite_sheet(io.BytesIO(data), out, sheet_edits, book, SharedStrings(list), False)
        return out.getvalue() + book.to_bytes(), stats

    remembered = run()
    monkeypatch.setattr(worksheet_stream, "_REMEMBERED", frozenset())
    made = run()
    assert remembered == made
    assert 50 < made[1].cells_changed < 200  # some cells kept, some changed, some added


@pytest.mark.parametrize("ordered", [False, True])
def test_stale_job_cells_are_emptied_in_place_whatever_order_the_set_of_job_columns_iterates_in(ordered):
    """Job columns H and I: frozenset({7, 8}) iterates 8 before 7. A row the plan does not name still has the
    job's old values there; each is emptied where it is, once, also when the plan's rows come ordered."""
    assert list(frozenset({7, 8})) != [7, 8]  # the case this test is about
    row = ('<row r="2"><c r="A2"><v>1</v></c><c r="H2" t="inlineStr"><is><t>old7</t></is></c>'
           '<c r="I2" t="inlineStr"><is><t>old8</t></is></c></row>')
    data = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}>{HEAD_PADDING}'
            f'<sheetData><row r="1"><c r="A1"><v>0</v></c></row>{row}</sheetData></worksheet>').encode()
    plan = SheetEdits(rows={}, clear_columns=frozenset({7, 8}), clear_below=1, max_column=8, ordered=ordered)
    out = io.BytesIO()
    rewrite_sheet(io.BytesIO(data), out, plan, StyleBook(None), SharedStrings(lambda: []), False)
    written = out.getvalue().decode()
    assert '<row r="2"><c r="A2"><v>1</v></c><c r="H2"/><c r="I2"/></row>' in written, written
    assert "old" not in written

"""Rewriting one worksheet part as a stream: only the cells being edited change, every other byte is copied.

The part is processed one <row> at a time, so memory stays flat however many rows the sheet has.
Rows without edits are copied as they are; in an edited row, only the edited cells are replaced
(keeping their style) or inserted in column order; everything outside <sheetData> is copied
verbatim except <dimension> (widened) and <cols> (widths for added columns).
"""
from __future__ import annotations

import queue
import re
import threading
from dataclasses import dataclass, field
from collections.abc import Mapping
from datetime import date
from typing import BinaryIO

from ..errors import SheetReturnsError
from ..engine.columns import column_letter as column_letters
from .cells import CellWriter, SharedStrings, attr, cell_position, has_formula, old_value, same_value
from .package import _column_index
from .worksheet_head import column_styles, prefix_of, widen
from .styles import StyleBook

CHUNK = 1 << 22


class WriteRefused(SheetReturnsError):
    """The workbook cannot be written without losing something; nothing is written."""


@dataclass
class SheetEdits:
    rows: Mapping[int, dict[int, object]]  # sheet row -> 0-based column -> new value (None: empty the cell)
    clear_columns: frozenset[int] = frozenset()  # emptied in rows below `clear_below` that have no edits
    clear_below: int = 0
    header_row: int = 1
    widths: dict[int, float] = field(default_factory=dict)  # widths for columns the job adds
    header_style_column: int | None = None  # new header cells copy this header cell's style
    sheet_name: str = "Returns"
    max_column: int = -1  # rightmost column written (0-based)
    max_row: int = 0  # lowest row written
    ordered: bool = False  # each row's dict lists its columns left to right already (the rewrite's own too)


@dataclass
class RewriteStats:
    cells_changed: int = 0
    rows_changed: int = 0
    rows_added: int = 0
    formula_cells: set[str] = field(default_factory=set)  # refs of formula cells the job replaced


class _Stream:
    """A decompressed part read in chunks. Positions returned are valid only until the next search.

    Linear in the part's size however far apart the things searched for are: a search that fails goes on
    from where the last one stopped (less the few bytes a match could straddle), never from the start of
    what is buffered, and the buffer drops what was taken without copying what is left.
    """

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.buffer = bytearray()
        self.position = 0
        self.exhausted = False

    def fill(self) -> bool:
        if self.exhausted:
            return False
        chunk = self.source.read(CHUNK)
        if not chunk:
            self.exhausted = True
            return False
        del self.buffer[:self.position]  # O(1) in CPython: the array's start moves
        self.buffer += chunk
        self.position = 0
        return True

    def search(self, pattern: re.Pattern, overlap: int = 256) -> re.Match | None:
        """The next match of `pattern`, which is never longer than `overlap` bytes."""
        start = self.position
        while True:
            match = pattern.search(self.buffer, start)
            if match is not None:
                return match
            resume = max(self.position, len(self.buffer) - overlap) - self.position
            if not self.fill():
                return None
            start = resume

    def index(self, needle: bytes) -> int:
        start = self.position
        while True:
            found = self.buffer.find(needle, start)
            if found >= 0:
                return found
            resume = max(self.position, len(self.buffer) - len(needle) + 1) - self.position
            if not self.fill():
                return -1
            start = resume

    def copy_until(self, pattern: re.Pattern, out: BinaryIO, overlap: int = 256) -> re.Match | None:
        """Write everything before the next match of `pattern` to `out` as it streams past (memory stays at a
        chunk however long the gap); the match itself is left in the buffer. None at the end of the part."""
        while True:
            match = pattern.search(self.buffer, self.position)
            if match is not None:
                out.write(self.take(match.start()))
                return self.search(pattern, overlap)  # the same match, positions after the take
            keep = max(self.position, len(self.buffer) - overlap)
            out.write(self.take(keep))
            if not self.fill():
                return None

    def slice(self, start: int, end: int) -> bytes:
        with memoryview(self.buffer) as view:
            return bytes(view[start:end])

    def take(self, end: int) -> bytes:
        data = self.slice(self.position, end)
        self.position = end
        return data

    def remainder(self) -> bytes:
        """What is buffered and not yet taken, as bytes; the buffer is left empty (reading goes on from the
        source)."""
        data = self.take(len(self.buffer))
        self.buffer.clear()
        self.position = 0
        return data

    def rest(self) -> bytes:
        parts = [self.slice(self.position, len(self.buffer))]
        self.position = len(self.buffer)
        while True:
            chunk = self.source.read(CHUNK)
            if not chunk:
                break
            parts.append(chunk)
        return b"".join(parts)

    def copy_rest(self, out: BinaryIO) -> None:
        out.write(self.take(len(self.buffer)))
        while True:
            chunk = self.source.read(CHUNK)
            if not chunk:
                break
            out.write(chunk)


class _Gathered:
    """Writes gathered into pieces of about a megabyte: the zip stream behind then checksums and compresses
    a few hundred large pieces instead of one or two small ones per row."""

    def __init__(self, out: BinaryIO, size: int = 1 << 20) -> None:
        self.out, self.size = out, size
        self.parts: list[bytes] = []
        self.length = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.length += len(data)
        if self.length >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.out.write(b"".join(self.parts))
            self.parts.clear()
            self.length = 0


class _ReadAhead:
    """The part read by a thread a few chunks ahead of the rewrite: unzipping (zlib releases the GIL) then
    runs beside the Python that edits the rows. read(size) gives at least `size` bytes, or the rest."""

    def __init__(self, source: BinaryIO, depth: int = 2) -> None:
        self.source = source
        self.chunks: queue.Queue = queue.Queue(depth)
        self.error: BaseException | None = None
        self.ended = False
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sheetreturns-unzip", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self.stopping.is_set():
                chunk = self.source.read(CHUNK)
                self.chunks.put(chunk)
                if not chunk:
                    return
        except BaseException as exc:  # a damaged part: raised by the reader's next read
            self.error = exc
            self.chunks.put(b"")

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        length = 0
        while not self.ended and (size < 0 or length < max(size, 1)):
            chunk = self.chunks.get()
            if not chunk:
                self.ended = True
                if self.error is not None:
                    raise self.error
                break
            parts.append(chunk)
            length += len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        self.stopping.set()
        while self.thread.is_alive():  # a put waiting for room returns once something is taken
            try:
                self.chunks.get(timeout=0.05)
            except queue.Empty:
                pass
        self.thread.join()


def rewrite_sheet(source: BinaryIO, out: BinaryIO, edits: SheetEdits, styles: StyleBook,
                  shared: SharedStrings, date1904: bool) -> RewriteStats:
    gathered = _Gathered(out)
    ahead = _ReadAhead(source)
    try:
        stats = _rewrite(ahead, gathered, edits, styles, shared, date1904)
    finally:
        ahead.close()
    gathered.flush()
    return stats


def _rewrite(source: BinaryIO, out: _Gathered, edits: SheetEdits, styles: StyleBook,
             shared: SharedStrings, date1904: bool) -> RewriteStats:
    stream = _Stream(source)
    while len(stream.buffer) < 4096 and stream.fill():
        pass  # the root element's prefix is looked for in the first 4 KB
    prefix = prefix_of(stream.slice(0, 4096))
    p = prefix
    stats = RewriteStats()

    open_match = stream.search(re.compile(rb"<" + re.escape(p) + rb"sheetData\b[^>]*?(/?)>"), overlap=1 << 20)
    if open_match is None:
        raise WriteRefused(f"the {edits.sheet_name!r} tab has no cell data section; open and save it in Excel first")
    self_closing = open_match.group(1) == b"/"
    before = stream.take(open_match.start())
    sheet_data_tag = stream.take(open_match.end())

    col_styles = column_styles(before, p)
    out.write(widen(before, p, edits, edits.max_column))
    out.write(sheet_data_tag[:-2] + b">" if self_closing else sheet_data_tag)

    ctx = _RowContext(p, None, styles, shared, date1904, {}, col_styles, edits.sheet_name, stats,
                      ordered=edits.ordered)
    pending = sorted(edits.rows)  # rows with edits, in order; those not met in the file are created
    pending.append(1 << 62)  # stops every search of it
    next_pending = 0
    header_style: int | None = None
    row_close = b"</" + p + b"row>"
    cell_re = re.compile(rb"<" + re.escape(p) + rb"c\b([^>]*?)(?:/>|>(.*?)</" + re.escape(p) + rb"c>)", re.S)
    ctx.cell_re = cell_re
    data_close = b"</" + p + b"sheetData>"
    previous_row = 0
    pieces: list[bytes] = []  # what the rows so far become, written out a buffer at a time

    def emit_new_rows(up_to: int) -> None:
        nonlocal next_pending
        while pending[next_pending] < up_to:
            number = pending[next_pending]
            cells = [(c, v) for c, v in sorted(edits.rows[number].items()) if v is not None and v != ""]
            if cells:
                row_text = b"%d" % number
                body = b"".join(ctx.new_cell(c, row_text, v, None) for c, v in cells)
                pieces.append(b"<" + p + b'row r="%d">' % number + body + row_close)
                stats.rows_added += 1
                stats.cells_changed += len(cells)
            next_pending += 1

    if self_closing:
        emit_new_rows(1 << 61)
        out.write(b"".join(pieces))
        out.write(data_close)
        stream.copy_rest(out)
        return stats

    # One search per row finds its opening tag (with its number) or the end of the cell data; rows left as
    # they are, and anything between rows (whitespace, comments), are copied a buffer at a time: `cursor`
    # is where the bytes not yet handed on begin, `scan` where the next search starts.
    row_or_end = re.compile(rb"<" + re.escape(p) + rb'row\b(?:[^>]*?\br="([^"]*)")?[^>]*?(/?)>|(' +
                            re.escape(data_close) + rb")")
    rows_get = edits.rows.get
    header_row = edits.header_row
    clear_columns = sorted(edits.clear_columns)  # left to right, as every row's edits are listed (ordered)
    clear_below = edits.clear_below
    buffer = stream.remainder()
    read = stream.source.read
    cursor = scan = 0
    rows_changed = cells_changed = 0
    while True:
        match = row_or_end.search(buffer, scan)
        end = -1
        if match is not None:
            if match.group(3) is not None:
                break
            end = match.end() if match.group(2) else buffer.find(row_close, match.end())
        if end < 0:
            # The next row (or the end of the cell data) runs past what is buffered: hand on what is done,
            # keep the unfinished tail (from the row's start, or from the last "<", which a tag cut short
            # begins with: attributes hold no "<") and read more.
            if match is not None:
                keep = match.start()
            else:
                keep = buffer.rfind(b"<", scan)
                keep = len(buffer) if keep < 0 else keep
            chunk = read(max(CHUNK, len(buffer) - keep))  # a row bigger than a chunk: each read doubles
            if not chunk:
                if match is not None:
                    raise WriteRefused(f"the {edits.sheet_name!r} tab is damaged (a row is not closed)")
                raise WriteRefused(f"the {edits.sheet_name!r} tab is cut short (no end of its cell data)")
            pieces.append(buffer[cursor:keep])
            out.write(b"".join(pieces))
            pieces.clear()
            buffer = buffer[keep:] + chunk
            cursor = scan = 0
            continue
        ref = match.group(1)
        number = int(ref) if ref and ref.isdigit() else previous_row + 1
        if number <= previous_row:
            raise WriteRefused(
                f"the rows of the {edits.sheet_name!r} tab are stored out of order: open and save it in Excel first"
            )
        previous_row = number
        row_start = match.start()
        if pending[next_pending] < number:
            pieces.append(buffer[cursor:row_start])
            cursor = row_start
            emit_new_rows(number)
        if match.group(2):
            row_end, inner = end, None
        else:
            row_end = end + len(row_close)
            inner = buffer[match.end():end]
        scan = row_end
        row_edits = rows_get(number)
        if number == header_row and edits.header_style_column is not None and inner:
            header_style = _style_at(inner, cell_re, edits.header_style_column)
        if row_edits is not None:
            next_pending += 1
        elif number > clear_below and clear_columns and inner:
            row_edits = dict.fromkeys(clear_columns)
        else:
            continue  # copied as it is, with the bytes around it
        tag = match.group(0)
        edited = _edit_row_by_reference(tag, inner, number, row_edits, ctx,
                                        header_style if number == header_row else None) if inner else None
        if edited is None:
            edited = _edit_row_by_parsing(tag, inner, number, row_edits, ctx,
                                          header_style if number == header_row else None)
        new_row, changed = edited
        if changed:
            rows_changed += 1
            cells_changed += changed
            pieces.append(buffer[cursor:row_start])
            pieces.append(new_row)
            cursor = row_end

    stats.rows_changed += rows_changed
    stats.cells_changed += cells_changed
    pieces.append(buffer[cursor:match.start()])
    emit_new_rows(1 << 61)
    pieces.append(buffer[match.start():])
    out.write(b"".join(pieces))
    stream.copy_rest(out)
    return stats


def _style_at(inner: bytes, cell_re: re.Pattern, wanted: int) -> int | None:
    column = -1
    for match in cell_re.finditer(inner):
        position = cell_position(match.group(1))
        column = position[0] if position else column + 1
        if column == wanted:
            style = attr(match.group(1), "s")
            return int(style) if style else None
    return None


@dataclass
class _RowContext:
    """What editing any row needs: the sheet's prefix, styles, strings and running state."""

    p: bytes
    cell_re: re.Pattern
    styles: StyleBook
    shared: SharedStrings
    date1904: bool
    last_style: dict[int, int | None]
    col_styles: dict[int, int]
    sheet_name: str
    stats: RewriteStats
    letters: dict[int, bytes] = field(default_factory=dict)
    cell: CellWriter | None = None
    ordered: bool = False  # SheetEdits.ordered
    tails: dict[tuple, bytes] = field(default_factory=dict)  # (style, not a header, type, value) -> a new cell's tail
    # Column -> value -> a new cell's tail in the column's current style (dropped when that style changes),
    # and column -> how its cells begin up to the row number: a new cell is then one lookup and a join.
    column_tails: dict[int, dict[object, bytes]] = field(default_factory=dict)
    openers: dict[int, bytes] = field(default_factory=dict)
    # Column -> value -> an existing cell's text after its reference when an earlier run wrote it in the style
    # of the cell above, and that style (see kept_tail; dropped when the column's style changes).
    kept: dict[int, dict[object, tuple[bytes, int | None]]] = field(default_factory=dict)
    indexes: dict[bytes, int] = field(default_factory=dict)  # column letters -> 0-based index

    def __post_init__(self) -> None:
        self.cell = CellWriter(self.p, self.date1904)
        self.cell_open = b"<" + self.p + b'c r="'  # how every cell cell_xml writes begins, up to its reference
        self.open_c = b"<" + self.p + b"c"
        self.row_close = b"</" + self.p + b"row>"

    def column(self, index: int) -> bytes:
        found = self.letters.get(index)
        if found is None:
            found = self.letters[index] = column_letters(index).encode()
        return found

    def replacement(self, match: re.Match, column: int, number: int, value: object) -> bytes | None:
        """New XML for an existing cell, or None when it already shows `value`."""
        cell_tag, body = match.group(1), match.group(2)
        style_text = attr(cell_tag, "s")
        style = int(style_text) if style_text else None
        if self.last_style.get(column, _UNSET) != style:
            self.restyle(column, style)
        if hasattr(value, "isoformat"):
            style = self.styles.date_variant(style)
        new = self.cell(self.column(column) + b"%d" % number, style, value)
        if new == match.group(0):
            return None  # exactly what an earlier run wrote
        formula = has_formula(body)
        if not formula and same_value(old_value(cell_tag, body, self.shared), value, self.date1904):
            return None  # same value, stored another way (e.g. Excel re-saved it as a shared string)
        if formula:
            if _SHARED_FORMULA.search(body) and b"ref=" in body:
                raise WriteRefused(
                    f"cell {column_letters(column)}{number} of the {self.sheet_name!r} tab holds a formula that "
                    f"other cells share; sheetreturns writes that column: remove the formula and run again"
                )
            self.stats.formula_cells.add(f"{column_letters(column)}{number}")
        return new

    def new_cell(self, column: int, row_text: bytes, value: object, header_style: int | None) -> bytes:
        """A cell the row lacks (`row_text`: the row's number as text), in the style of the column's cells above
        it (or the column's own style): made from the cell's text after its reference, remembered per style
        and value, as most of a column's values repeat."""
        if header_style is not None:
            style = header_style
        else:
            style = self.last_style.get(column)
            if style is None:
                style = self.col_styles.get(column)
        letters = self.letters.get(column) or self.column(column)
        kind = value.__class__
        if kind not in _REMEMBERED:  # a float or Decimal: equal values may be written differently (0.0, -0.0)
            return self.cell(letters + row_text, self._style(style, value, header_style), value)
        key = (style, header_style is None, kind, value)
        tail = self.tails.get(key)
        if tail is None:
            if len(self.tails) >= _TAILS_KEPT:
                self.tails.clear()
            cell = self.cell(b"", self._style(style, value, header_style), value)
            tail = self.tails[key] = cell[len(self.cell_open):]
        if header_style is None:
            tails = self.column_tails.get(column)
            if tails is None or len(tails) >= _TAILS_KEPT:
                tails = self.column_tails[column] = {}
                self.opener(column)
            tails[value] = tail  # only values of _REMEMBERED types: no two equal values of different types
        return self.cell_open + letters + row_text + tail

    def restyle(self, column: int, style: int | None) -> None:
        """The column's cells are in `style` from here down: what was remembered for the style above goes."""
        self.last_style[column] = style
        self.column_tails.pop(column, None)
        self.kept.pop(column, None)

    def opener(self, column: int) -> bytes:
        found = self.openers.get(column)
        if found is None:
            found = self.openers[column] = self.cell_open + self.column(column)
        return found

    def kept_tail(self, column: int, value: object) -> tuple[bytes, int | None] | None:
        """What follows the reference of an existing cell holding `value` in the style of the cell above it, if
        an earlier run wrote it (then it is left as it is), and the style it shows; None for the first cell
        of a column (no cell above yet). Only for values of _REMEMBERED types."""
        style = self.last_style.get(column, _UNSET)
        if style is _UNSET:
            return None
        if hasattr(value, "isoformat"):
            style = self.styles.date_variant(style)
        found = (self.cell(b"", style, value)[len(self.cell_open):], style or None)
        kept = self.kept.get(column)
        if kept is None or len(kept) >= _TAILS_KEPT:
            kept = self.kept[column] = {}
        kept[value] = found
        return found

    def _style(self, style: int | None, value: object, header_style: int | None) -> int | None:
        if header_style is None and hasattr(value, "isoformat"):
            return self.styles.date_variant(style)
        return style

    def index_of(self, letters: bytes) -> int:
        found = self.indexes.get(letters)
        if found is None:
            found = self.indexes[letters] = _column_index(letters)
        return found


# Values whose equal instances are always written alike: a new cell's text after its reference is remembered.
_REMEMBERED = frozenset({str, int, date, type(None)})
_TAILS_KEPT = 1 << 16
_UNSET = object()
_SHARED_FORMULA = re.compile(rb'<(?:\w+:)?f\b[^>]*\bt="(?:shared|array|dataTable)"')
_LAST_REF = re.compile(rb'<(?:\w+:)?c[^>]*?\br="([A-Z]+)\d+"')


def _edit_row_by_reference(tag: bytes, inner: bytes, number: int, row_edits: dict[int, object], ctx: _RowContext,
                           header_style: int | None) -> tuple[bytes, int] | None:
    """Fast path: find each edited cell by its reference (r="V57") instead of parsing the whole row.

    Returns None when the row needs the careful path (cells without references, or a new cell that
    must go between existing ones).
    """
    last_open = inner.rfind(ctx.open_c)
    if last_open < 0:
        return None
    last_ref = _LAST_REF.match(inner, last_open)  # the last cell's reference, within its tag
    if last_ref is None:
        return None
    max_column = ctx.indexes.get(last_ref.group(1))
    if max_column is None:
        max_column = ctx.index_of(last_ref.group(1))
    row_text = b"%d" % number
    letters = ctx.letters
    column_tails = ctx.column_tails if header_style is None else {}
    openers, kept, last_style, len_open = ctx.openers, ctx.kept, ctx.last_style, len(ctx.open_c)
    pieces: list[tuple[int, int, bytes]] = []  # (start, end, new xml) over `inner`
    appended: list[bytes] = []
    columns: list[int] = []
    for column, value in row_edits.items() if ctx.ordered else sorted(row_edits.items()):
        if column > max_column:
            # Cells are stored in column order: one right of the last is not there (no need to look).
            if value is None or value == "":
                continue  # absent and meant to be empty
            columns.append(column)
            if value.__class__ in _REMEMBERED:
                tails = column_tails.get(column)
                if tails is not None:
                    tail = tails.get(value)
                    if tail is not None:  # the common case, made here: ctx.new_cell would make the same
                        appended.append(openers[column] + row_text + tail)
                        continue
            appended.append(ctx.new_cell(column, row_text, value, header_style))
            continue
        position = inner.find(b' r="' + (letters.get(column) or ctx.column(column)) + row_text + b'"')
        if position < 0:
            if value is None or value == "":
                continue  # absent and meant to be empty
            return None  # a new cell between existing ones: the careful path puts it in order
        if value.__class__ in _REMEMBERED:
            # The cell as an earlier run wrote it, in the style of the cell above: left as it is (most cells of
            # a sync after the first), without parsing it.
            same = kept.get(column)
            entry = same.get(value) if same is not None else None
            if entry is None:
                entry = ctx.kept_tail(column, value)
            if entry is not None and inner.startswith((openers.get(column) or ctx.opener(column)) + row_text + entry[0],
                                                      position - len_open):
                if entry[1] != last_style.get(column, _UNSET):
                    ctx.restyle(column, entry[1])
                continue
        start = inner.rfind(b"<", 0, position)
        match = ctx.cell_re.match(inner, start) if start >= 0 else None
        if match is None or match.start(1) > position or match.end(1) < position:
            return None
        new = ctx.replacement(match, column, number, value)
        if new is not None:
            pieces.append((match.start(), match.end(), new))
            columns.append(column)
    if not columns:
        return b"", 0
    if pieces:
        out: list[bytes] = []
        cursor = 0
        for start, end, new in pieces:
            out.append(inner[cursor:start])
            out.append(new)
            cursor = end
        out.append(inner[cursor:])
        inner = b"".join(out)
    if b"spans=" in tag:
        tag = _widen_spans(tag, [(c, b"") for c in columns])
    return tag + inner + b"".join(appended) + ctx.row_close, len(columns)


def _edit_row_by_parsing(tag: bytes, inner: bytes | None, number: int, row_edits: dict[int, object],
                         ctx: _RowContext, header_style: int | None) -> tuple[bytes, int]:
    """Careful path: parse every cell (positions may come from order alone), then splice in the edits."""
    p = ctx.p
    cells: list[tuple[int, re.Match]] = []
    positional = False
    column = -1
    for match in ctx.cell_re.finditer(inner or b""):
        position = cell_position(match.group(1))
        if position is None:
            positional = True
            column += 1
        else:
            column = position[0]
        cells.append((column, match))
    changed = 0
    result: list[tuple[int, bytes]] = []
    remaining = dict(row_edits)
    for column, match in cells:
        xml = match.group(0)
        if column in remaining:
            new = ctx.replacement(match, column, number, remaining.pop(column))
            if new is not None:
                xml = new
                changed += 1
            elif positional:
                xml = _with_ref(xml, p, column, number)
        elif positional:
            xml = _with_ref(xml, p, column, number)
        result.append((column, xml))
    for column, value in sorted(remaining.items()):
        if value is None or value == "":
            continue
        result.append((column, ctx.new_cell(column, b"%d" % number, value, header_style)))
        changed += 1
    if not changed:
        return b"", 0
    result.sort(key=lambda item: item[0])
    body = b"".join(xml for _, xml in result)
    new_tag = _widen_spans(tag[:-2] + b">" if inner is None else tag, result)
    return new_tag + body + b"</" + p + b"row>", changed


def _with_ref(xml: bytes, p: bytes, column: int, number: int) -> bytes:
    head = b"<" + p + b"c"
    return head + b' r="' + column_letters(column).encode() + b"%d" % number + b'"' + xml[len(head):]


def _widen_spans(tag: bytes, cells: list[tuple[int, bytes]]) -> bytes:
    spans = attr(tag, "spans")
    if not spans or b":" not in spans:
        return tag
    low, high = (int(x) for x in spans.split(b":")[:2])
    columns = [c + 1 for c, _ in cells]
    new = b"%d:%d" % (min(low, *columns), max(high, *columns))
    return tag.replace(b'spans="' + spans + b'"', b'spans="' + new + b'"', 1)

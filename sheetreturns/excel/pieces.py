"""A very big tab read by calamine one piece at a time, so its copy of the cells never holds the whole tab.

calamine reads a tab whole: for Excel's largest sheet (1,048,576 rows x 25 columns, about 1 GB of XML) its
copy of the cells alone takes about 1.2 GB, and it stays alive while the rows are typed. A tab whose XML
inflates to more than `WHOLE_UP_TO` is instead cut between rows into pieces of about `PIECE_BYTES` of XML.
Each piece goes into a small temporary workbook file (the tab's own head, the piece's rows, and the workbook's
other parts calamine reads: the workbook, its relationships, shared strings, styles), calamine reads that
piece, its rows are handed on, and the piece is dropped before the next is read.

The rows are the same as a whole read gives (`tests/test_pieces.py` checks): calamine places each row by its
`r` attribute (a row without one follows the row before it), so every piece starts at a row that has one;
rows before a piece's first row are the ones the pieces before handed on, and are skipped. The tab's
<dimension> is left out of every piece (calamine would reserve room for the whole tab). Only row widths may
differ: a row is as wide as the cells of its own piece reach, and the rows' readers take a missing cell as blank.
"""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from typing import Iterator

import python_calamine as calamine

from ..errors import SourceUnreadable
from .package import Package

MB = 1 << 20
WHOLE_UP_TO = 256 * MB  # a tab's XML up to this size is read whole (the quickest way)
PIECE_BYTES = 96 * MB  # the XML of one piece (calamine's copy of its cells is about 1.2 times this)
_CHUNK = 4 << 20
_HEAD_MAX = 16 * MB  # the XML before <sheetData>: column widths, views ... (more than this: read whole)

_SHEET_DATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)worksheet\b")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*>(?:\s*</(?:[A-Za-z_][\w.-]*:)?dimension\s*>)?")
# A row that says where it is: a piece may start only there.
_ROW_WITH_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br\s*=\s*["\']')
_CARRY = 4096  # bytes kept back at a chunk's end: a closing </sheetData> cut in two is seen whole


def pieced_sheet(package: Package, part: str, title: str) -> "PiecedSheet | None":
    """The tab at `part` read in pieces, if its XML is big enough to need it and laid out to allow it."""
    zip_name = package._names[part]
    if package.zip.getinfo(zip_name).file_size <= WHOLE_UP_TO:
        return None
    sheets = {entry.part for entry in package.info.sheets}
    workbook = package.workbook_part
    folder, base = workbook.rpartition("/")[::2]
    needed = ["[Content_Types].xml", "_rels/.rels", workbook, f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"]
    # what the workbook's relationships lead to, but its tabs: shared strings, styles, theme ...
    needed += [target for target in package.relationships(workbook).values()
               if target not in sheets and target.lower().endswith(".xml")]
    others = {name: package._names[name] for name in dict.fromkeys(needed) if package.has(name)}
    try:
        return PiecedSheet(package.zip, zip_name, part, others, title, package.path.name)
    except _NotPieced:
        return None


class PiecedSheet:
    """Rows of one tab read piece by piece; stands in for calamine's sheet (`iter_rows`, `start`, `end`).

    `iter_rows` yields every row from row 1 and column A (no `start` offset to add). The first piece is kept
    for a second read from the top (the header search reads a few rows, then the full read starts again)."""

    start = None  # rows come padded from column A already

    def __init__(self, zip_file: zipfile.ZipFile, zip_name: str, part: str, others: dict[str, str], title: str,
                 name: str) -> None:
        self.zip, self.zip_name, self.part, self.others, self.title, self.name = zip_file, zip_name, part, others, title, name
        stream = _Stream(zip_file, zip_name, name)
        try:
            self.head, self.tail = stream.head()  # raises _NotPieced when the XML is not as expected
        finally:
            stream.close()
        self._first: tuple[object, int, bool] | None = None  # the first piece: calamine's sheet, XML length, last?
        self._last_row = self._last_col = -1
        self._read_all = False

    @property
    def end(self) -> tuple[int, int] | None:
        """(last row, last column), 0-based, of the cells holding anything, as calamine's sheet gives them."""
        if not self._read_all:
            for _ in self.iter_rows():
                pass
        return (self._last_row, self._last_col) if self._last_row >= 0 else None

    def iter_rows(self) -> Iterator[list]:
        emitted = 0
        for box in self._pieces():
            sheet = box.pop()
            start, end = sheet.start, sheet.end
            if end is None:
                continue
            if start[0] < emitted:
                raise SourceUnreadable(
                    f"{self.name}: the rows of the {self.title!r} tab are saved out of order, which a tab this big "
                    f"cannot be read with: open it in Excel and save it again")
            self._last_row = max(self._last_row, end[0])
            self._last_col = max(self._last_col, end[1])
            # The piece's rows from its own first row and column: calamine's iter_rows would first make a
            # blank row for every row above it (the rows of the pieces before: most of the time it took).
            rows = sheet.to_python(skip_empty_area=True)
            del sheet  # calamine's copy of this piece goes before the next is read
            for _ in range(start[0] - emitted):
                yield [""] * (end[1] + 1)
            rows.reverse()
            pad = [""] * start[1] if start[1] else None
            while rows:
                row = rows.pop()  # each row let go once handed on
                yield row if pad is None else pad + row
            emitted = end[0] + 1
        self._read_all = True

    def _pieces(self) -> Iterator[list]:
        stream = _Stream(self.zip, self.zip_name, self.name)
        try:
            stream.head()
            index = 0
            # Each piece is handed on in a box its reader empties: this generator keeps no hold on it.
            if self._first is not None:
                sheet, length, last = self._first
                stream.skip(length)
                stream.done = last
                box = [sheet]
                del sheet
                yield box
                index = 1
            while not stream.done:
                if index:
                    self._first = None  # one piece in memory at a time
                sheet, length = self._read_piece(stream)
                if index == 0:
                    self._first = (sheet, length, stream.done)
                box = [sheet]
                del sheet
                yield box
                index += 1
        finally:
            stream.close()

    def _read_piece(self, stream: "_Stream") -> tuple[object, int]:
        # A temporary file, not memory: calamine reads a file in place (handed bytes, it copies them first,
        # and reads them more slowly). Readable by the user only, and deleted once calamine has read it.
        handle, temp = tempfile.mkstemp(prefix="sheetreturns-piece-", suffix=".xlsx")
        try:
            with os.fdopen(handle, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as piece:
                for entry, original in self.others.items():
                    with self.zip.open(original) as source, piece.open(entry, "w") as out:
                        while chunk := source.read(_CHUNK):
                            out.write(chunk)
                with piece.open(self.part, "w", force_zip64=True) as out:
                    out.write(self.head)
                    length = stream.copy_piece(out, PIECE_BYTES)
                    out.write(self.tail)
            try:
                book = calamine.CalamineWorkbook.from_path(temp)
                try:
                    sheet = book.get_sheet_by_name(self.title)
                finally:
                    book.close()
            except Exception as exc:  # calamine's XmlError ...
                text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
                raise SourceUnreadable(f"the {self.title!r} tab of {self.name} could not be read ({text})") from None
        finally:
            try:
                os.unlink(temp)
            except OSError:
                pass
        return sheet, length


class _Stream:
    """The tab's XML inflated chunk by chunk: its head, then its rows cut into pieces at rows with an `r`."""

    def __init__(self, zip_file: zipfile.ZipFile, part: str, name: str) -> None:
        self.name = name
        self.handle = zip_file.open(part)
        self.pending = b""  # inflated, not yet handed on
        self.done = False

    def close(self) -> None:
        self.handle.close()

    def _read(self) -> bytes:
        try:
            return self.handle.read(_CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise SourceUnreadable(f"{self.name} is damaged ({exc}): open it in Excel and save it again") from None

    def head(self) -> tuple[bytes, bytes]:
        """The XML up to and with <sheetData> (without <dimension>), and what closes a piece after its rows."""
        data = b""
        while (found := _SHEET_DATA.search(data)) is None:
            chunk = self._read()
            if not chunk or len(data) > _HEAD_MAX:
                raise _NotPieced()
            data += chunk
        if found.group(2):  # <sheetData/>: no rows
            raise _NotPieced()
        root = _ROOT.search(data, 0, found.start())
        if root is None:
            raise _NotPieced()
        self.pending = data[found.end():]
        head = _DIMENSION.sub(b"", data[:found.end()])
        return head, b"</" + found.group(1) + b"sheetData></" + root.group(1) + b"worksheet>"

    def skip(self, length: int) -> None:
        """Pass over the rows of a piece already read."""
        data = self.pending
        while len(data) < length:
            chunk = self._read()
            if not chunk:
                break
            length -= len(data)
            data = chunk
        self.pending = data[length:]

    def copy_piece(self, out, size: int) -> int:
        """Write the next piece's rows to `out`: `size` bytes or so, up to a row with an `r` or the end of the
        rows. Returns how many bytes it wrote."""
        written = 0
        data = self.pending
        self.pending = b""
        while True:
            end = _SHEET_DATA_END.search(data)
            limit = end.start() if end is not None else len(data)
            if written + limit > size:
                cut = _ROW_WITH_REF.search(data, max(size - written, 1), limit)
                if cut is not None:
                    out.write(data[:cut.start()])
                    self.pending = data[cut.start():]
                    return written + cut.start()
            if end is not None:
                out.write(data[:limit])
                self.done = True
                return written + limit
            keep = min(len(data), _CARRY)
            out.write(data[:len(data) - keep])
            written += len(data) - keep
            data = data[len(data) - keep:]
            chunk = self._read()
            if not chunk:  # no </sheetData>: calamine is handed what there is, as the whole read would be
                out.write(data)
                self.done = True
                return written + len(data)
            data += chunk


class _NotPieced(Exception):
    """The tab's XML is not laid out as expected for cutting: it is read whole."""

"""A big tab read in pieces: calamine reads one piece in a thread while this thread checks the next piece and
hands on the rows of the one before.

A tab whose XML inflates to more than `WHOLE_UP_TO` is read in one pass over its XML. The main thread inflates
it a chunk at a time, runs the size check on each chunk (limits.SizeCheck: no cell beyond the cell limit) and
cuts the rows into pieces of about `PIECE_BYTES` (the first smaller: the header search reads only the first
rows). A piece is cut only at a row with an `r` attribute, and only within the bytes the size check has passed:
calamine never sees a byte before it is checked, so a crafted reference (XFD1048576) is refused before calamine
could allocate its grid. Each checked piece becomes a small temporary workbook file, stored, not compressed (the
tab's own head without its <dimension>, the piece's rows, and the workbook's other parts calamine reads: the
workbook, its relationships, shared strings, styles), which a worker thread hands to calamine while the main
thread checks the pieces after it and gives the rows of the pieces before it to the reader's consumer. The file
is deleted as soon as calamine has read it; calamine's copy of a piece's cells goes once its rows are handed on.

This relies on python-calamine releasing the GIL while it opens a workbook and reads a sheet (`from_path`,
`get_sheet_by_name`: it has done so since 0.2.3, and pyproject.toml pins it below 0.10). Were it not to, the
rows would be the same, only the overlap, and so the time saved, would be gone.

calamine parses the shared strings with every piece, so a workbook with many of them is cut into fewer, larger
pieces (each at least `OTHERS_TIMES` the size of those other parts). Memory holds a few pieces at a time
(`AHEAD` checked pieces queued for calamine besides the one whose rows are handed on), never the whole tab:
for Excel's largest sheet (about 1 GB of XML) calamine's copy of the whole tab alone would be about 1.2 GB. A tab
whose rows carry no `r` at all cannot be cut: it is one piece, held in memory until calamine has its file.

The rows are the same as a whole read gives (`tests/test_pieces.py` checks): calamine places each row by its
`r` attribute (a row without one follows the row before it), so every piece starts at a row that has one;
rows before a piece's first row are the ones the pieces before handed on, and are skipped. The tab's
<dimension> is left out of every piece (calamine would reserve room for the whole tab). Only row widths may
differ: a row is as wide as the cells of its own piece reach, and the rows' readers take a missing cell as blank.
A comment, CDATA section or processing instruction among the rows (Excel never writes one) may hold text that
looks like a row or like the end of the rows, which a search for them cannot tell apart: from the first one on,
nothing more is cut, and the rest of the tab's XML, with its own end, is the last piece (every byte of it
checked first). Rows saved out of order across two pieces (Excel never saves them so) cannot be placed this way: the tab is
refused with a line saying to save it again in Excel. Error cells (#N/A ...), which calamine reads as blanks,
are found in each piece's XML before it is read and put back on its rows.

Any error (a damaged file, a limit passed in a later piece, calamine refusing a piece, the reader closed midway,
Ctrl+C) stops the pass: queued pieces are dropped, the worker thread ends once calamine is done with the piece it
has, and every temporary file is deleted.
"""
from __future__ import annotations

import os
import re
import struct
import tempfile
import threading
import weakref
import zipfile
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Iterator

import python_calamine as calamine

from ..errors import SheetReturnsError, SourceUnreadable
from .limits import CHUNK, Limits, SizeCheck, check_sheet_extent, damaged
from .package import ErrorCells, Package, by_row, finish_error_cells, overlay, tab_unreadable
from .worksheet_head import ELEMENT_PREFIX, ROOT, SHEET_DATA

MB = 1 << 20
WHOLE_UP_TO = 8 * MB  # a tab's XML up to this size is checked, then read whole (pieces would gain little)
PIECE_BYTES = 16 * MB  # the XML of one piece: calamine takes about 0.2 s over it, the main thread a bit less
FIRST_PIECE_BYTES = 4 * MB  # the first piece (the header search waits for it alone); each next one twice the
# one before, up to PIECE_BYTES: calamine is soon busy, and checking a piece takes about half as long as its
# read. Near the tab's end a piece is at most half of what is left: the rows of the last piece are typed
# while calamine has nothing left to read, so it is kept small.
OTHERS_TIMES = 1  # a piece's XML at least this many times the other parts calamine reads with every piece
MAX_PIECE_BYTES = 96 * MB  # ... but never more than this (calamine's copy of a piece is about 1.2 times its XML)
AHEAD = 2  # checked pieces queued for calamine besides the one whose rows are being handed on
ZIP64_FROM = 0xFFFF0000  # a piece this big (4 GB: a tab without r on its rows) is written in zip64
_HEAD_MAX = 16 * MB  # the XML before <sheetData>: column widths, views ... (more than this: read whole)
_CARRY = 4096  # bytes looked at again for a closing </sheetData> cut in two by a chunk's end

_P = ELEMENT_PREFIX
_SHEET_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>")
_DIMENSION = re.compile(rb"<" + _P + rb"dimension\b[^>]*>(?:\s*</" + _P + rb"dimension\s*>)?")
# A row that says where it is: a piece may start only there.
_ROW_WITH_REF = re.compile(rb"<" + _P + rb"row\s[^>]*?\br\s*=\s*[\"']")

Row = list[object]


def pieced_sheet(package: Package, part: str, title: str, limits: Limits) -> "PiecedSheet | None":
    """The tab at `part` read in pieces, if its XML is big enough to gain from it and laid out to allow it."""
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
        return PiecedSheet(package, zip_name, part, others, title, limits)
    except _NotPieced:
        return None


class PiecedSheet:
    """Rows of one tab read piece by piece; stands in for calamine's sheet (`iter_rows`, `end`).

    `iter_rows` yields every row from row 1 and column A (no `start` offset to add), error cells put back. The
    first piece is kept while the rows after it are not yet asked for: the header search reads a few rows, then
    the full read starts again from the top and goes on with the pieces already checked and read behind it.
    Reading from the top again later starts a new pass. close() ends the pass (the reader calls it)."""

    def __init__(self, package: Package, zip_name: str, part: str, others: dict[str, str], title: str,
                 limits: Limits) -> None:
        self.package, self.zip_name, self.part, self.others = package, zip_name, part, others
        self.title, self.limits, self.name = title, limits, package.path.name
        self._pass: _Pass | None = _Pass(self)  # reads the head: _NotPieced when the XML is not as expected
        self._last_row = self._last_col = -1
        self._read_all = False

    @property
    def end(self) -> tuple[int, int] | None:
        """(last row, last column), 0-based, of the cells holding anything, as calamine's sheet gives them."""
        if not self._read_all:
            for _ in self.iter_rows():
                pass
        return (self._last_row, self._last_col) if self._last_row >= 0 else None

    def iter_rows(self) -> Iterator[Row]:
        run = self._pass
        if run is None or not run.from_top():
            if run is not None:
                run.close()
            run = self._pass = _Pass(self)
        return self._rows(run)

    def close(self) -> None:
        if self._pass is not None:
            self._pass.close()
            self._pass = None

    def _rows(self, run: "_Pass") -> Iterator[Row]:
        emitted = 0
        index = 0
        try:
            while (sheet := run.piece(index)) is not None:
                index += 1
                start, end = sheet.start, sheet.end
                if end is None:
                    continue
                if start[0] < emitted:
                    raise SourceUnreadable(
                        f"{self.name}: the rows of the {self.title!r} tab are saved out of order, which a tab this "
                        f"big cannot be read with: open it in Excel and save it again")
                self._last_row = max(self._last_row, end[0])
                self._last_col = max(self._last_col, end[1])
                # The piece's rows from its own first row and column: calamine's iter_rows would first make a
                # blank row for every row above it (the rows of the pieces before).
                rows = sheet.to_python(skip_empty_area=True)
                del sheet  # calamine's copy of this piece goes once its rows are out (the first is kept a while)
                errors = run.error_rows
                for number in range(emitted, start[0]):
                    yield overlay([""] * (end[1] + 1), number, errors)
                if start[1] == 0 and not errors:
                    yield from rows  # as they are: no Python step a row
                else:
                    pad = [""] * start[1]
                    for number, row in enumerate(rows, start[0]):
                        yield overlay(pad + row, number, errors)
                del rows
                emitted = end[0] + 1
        except GeneratorExit:  # the consumer stopped early (the header search): the pass is kept for later
            raise
        except BaseException:
            run.close()
            raise
        run.close()
        self._read_all = True


class _Pass:
    """One read of the tab from its top (see the module's docstring)."""

    def __init__(self, source: PiecedSheet) -> None:
        self.source = source
        self.name, self.title = source.name, source.title
        zip_file = source.package.zip
        self.check = SizeCheck(zip_file, source.zip_name, source.name, source.title, source.limits)
        self.errors = ErrorCells()
        self.error_rows: dict[int, dict[int, str]] = {}  # 0-based row -> column -> error text, found so far
        self._positional = False  # an error cell without a reference: their places came from a walk of the XML
        self.chunks: deque = deque()  # the chunks inflated and not yet in a piece (the first maybe in part)
        self.length = 0  # their bytes
        self.offset = 0  # where the first of them starts in the part's XML
        self.window = b""  # the last chunk read, after the end of the one before it: searched for a cut
        self.window_at = 0  # where it starts in the part's XML
        self._errors_seen = 0
        self.eof = self.rows_done = self.closed = False
        # Where the first comment, CDATA section or processing instruction after <sheetData> starts (None while
        # there is none): a "row" or "</sheetData>" inside one is not one, so no piece is cut after it.
        self.odd_markup: int | None = None
        self._in_rows = False  # past <sheetData> (markup before it is the head's)
        self._last_byte = b""  # of the XML read so far: a "<" there and "!" at a chunk's start are one "<!"
        self.own_end = False  # the last piece holds the rest of the tab's XML with its own end
        self.queue: deque[Future] = deque()  # pieces handed to the worker, in order
        self.handed = 0  # pieces handed on to the rows
        self.cut = 0  # pieces cut
        self.first = None  # calamine's sheet of the first piece, while a read from the top may want it again
        self.pool: ThreadPoolExecutor | None = None
        self.template: _Template | None = None
        self._finalizer: weakref.finalize | None = None
        try:
            self.handle = zip_file.open(source.zip_name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise damaged(self.name, exc) from None
        try:
            self.head, self.tail = self._head()
            others = sum(zip_file.getinfo(name).file_size for name in source.others.values())
            self.smallest = min(max(FIRST_PIECE_BYTES, OTHERS_TIMES * others), MAX_PIECE_BYTES)
            self.size = min(max(PIECE_BYTES, OTHERS_TIMES * others), MAX_PIECE_BYTES)
            self.declared = zip_file.getinfo(source.zip_name).file_size  # (only for sizing pieces)
        except BaseException:
            self.close()
            raise

    def from_top(self) -> bool:
        """Whether a read from the top can use this pass (only its first piece has been handed on)."""
        return not self.closed and self.handed <= 1 and (self.handed == 0 or self.first is not None)

    def piece(self, index: int):
        """calamine's sheet of the `index`th piece (0, or the one after the last handed on); None after the last."""
        if self.closed:
            raise RuntimeError("the pieced read was closed")
        if index == 0 and self.first is not None:
            return self.first
        if index != self.handed:
            raise RuntimeError("pieces are handed on in order")
        while len(self.queue) <= AHEAD and self._submit():
            pass
        if not self.queue:
            return None
        sheet = self.queue.popleft().result()
        self.handed += 1
        self.first = sheet if index == 0 else None
        return sheet

    def close(self) -> None:
        """Stop: queued pieces dropped, the worker's current piece waited for, temporary files deleted."""
        if self.closed:
            return
        self.closed = True
        self.first = None
        try:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.queue.clear()
            self.handle.close()
            if self._finalizer is not None:
                self._finalizer()  # deletes the template

    # -- the main thread: inflate, check, cut -----------------------------------------------------------

    def _more(self) -> bool:
        """Inflate and check the next chunk, and look for error cells in it; False at the part's end (checked
        whole by then)."""
        if self.eof:
            return False
        try:
            chunk = self.handle.read(CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise damaged(self.name, exc) from None
        if not chunk:
            self.eof = True
            self.check.finish()  # raises if the tab is refused
            self.errors.finish()
            return False
        self.check.add(chunk)
        self._look_for_markup(chunk)
        self.errors.feed(chunk)
        if not self.rows_done and not self.check.over:  # past the rows, or refused: only counted
            self.chunks.append(chunk)
            self.window_at = self.offset + self.length - min(len(self.window), _CARRY)
            self.window = self.window[-_CARRY:] + chunk
            self.length += len(chunk)
        return True

    def _head(self) -> tuple[bytes, bytes]:
        """The XML up to and with <sheetData> (without <dimension>), and what closes a piece after its rows."""
        while (found := SHEET_DATA.search(data := b"".join(self.chunks))) is None:
            if self.length > _HEAD_MAX or not self._more():
                raise _NotPieced()
        if found.group(2):  # <sheetData/>: no rows
            raise _NotPieced()
        root = ROOT.search(data, 0, found.start())
        if root is None:
            raise _NotPieced()
        self._take(found.end())
        self._in_rows = True
        self._look_for_markup(b"".join(self.chunks), at=found.end())
        return _DIMENSION.sub(b"", data[:found.end()]), b"</" + found.group(1) + b"sheetData></" + root.group(1) + b"worksheet>"

    def _take(self, upto: int) -> list:
        """The rows' bytes up to `upto` (a place in the part's XML), taken out, as pieces of the chunks read."""
        taken = []
        left = upto - self.offset
        while left:
            chunk = self.chunks[0]
            if len(chunk) <= left:
                taken.append(self.chunks.popleft())
                left -= len(chunk)
            else:
                view = memoryview(chunk)
                taken.append(view[:left])
                self.chunks[0] = view[left:]
                left = 0
        self.length -= upto - self.offset
        self.offset = upto
        return taken

    def _next_piece(self, size: int) -> list | None:
        """The next piece's rows: `size` bytes or so, up to a row with an `r` or the end of the rows, every byte
        of it checked. None when the rows are all cut. Only the last chunk read (with the end of the one before
        it) is searched: a cut, or the end of the rows, is looked for once in every byte."""
        if self.rows_done:
            return None
        if self.odd_markup is not None:
            return self._rest()
        target = self.offset + max(size, 1)  # the piece ends at the first row with an `r` from here
        while True:
            window, at = self.window, self.window_at
            end = _rows_end(window, 0)
            limit = at + end.start() if end is not None else at + len(window)
            if limit > target:
                cut = _ROW_WITH_REF.search(window, max(target - at, 0), limit - at)
                if cut is not None and at + cut.start() <= self.check.checked:
                    return self._take(at + cut.start())
            if end is not None and limit <= self.check.checked:
                self.rows_done = True
                piece = self._take(limit)
                self.chunks.clear()
                self.window = b""
                while self._more():  # the part's rest: checked (and counted) before calamine has the last piece
                    pass
                return piece
            if self.eof:  # no </sheetData>: calamine is handed what there is, as the whole read would be
                self.rows_done = True
                return self._take(self.offset + self.length)
            self._more()
            if self.odd_markup is not None:
                return self._rest()

    def _rest(self) -> list:
        """The rest of the tab's XML as the last piece, with its own end (see odd_markup): every byte checked
        first (the size check has the whole part before calamine has any of it)."""
        while self._more():
            pass
        self.rows_done = self.own_end = True
        return self._take(self.offset + self.length)

    def _look_for_markup(self, chunk: bytes, at: int | None = None) -> None:
        """Note the first comment, CDATA section or processing instruction in the rows (see odd_markup): `chunk`
        as just read, or (`at`) the rows' start as read with the head."""
        before = self._last_byte if at is None else b""  # (the head ends with <sheetData>'s ">")
        if chunk:
            self._last_byte = chunk[-1:]
        if self.odd_markup is not None or not self._in_rows:
            return
        found = _odd_markup(chunk, before)
        if found is not None:
            self.odd_markup = (self.check.seen - len(chunk) if at is None else at) + found

    def _submit(self) -> bool:
        """Cut, check and hand the worker the next piece; False when there is none."""
        size = FIRST_PIECE_BYTES
        if self.cut:  # twice the one before, up to the size; near the end at most half of what is left
            size = min(FIRST_PIECE_BYTES << min(self.cut, 16), self.size,
                       max(self.smallest, (self.declared - self.offset) // 2))
        piece = self._next_piece(size)
        if piece is None:
            return False
        self.cut += 1
        self._find_errors()
        if self.pool is None:
            self.template = _Template(self.source.package.zip, self.source.others, self.name, self.title)
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="sheetreturns-piece")
            self._finalizer = weakref.finalize(self, _stop, self.pool, self.template)
        parts = [self.head, *piece] if self.own_end else [self.head, *piece, self.tail]
        crc = None  # the zip64 path (a piece of 4 GB) works it out itself
        if sum(len(p) for p in parts) < ZIP64_FROM:
            crc = 0
            for data in parts:  # here, not in the worker: each call there would wait for the GIL
                crc = zlib.crc32(data, crc)
        self.queue.append(self.pool.submit(_read_piece, self.template, self.source.part, self.title, self.name,
                                           parts, crc))
        return True

    def _find_errors(self) -> None:
        """The error cells found so far, by row: those of every piece cut (the scan is fed every chunk read, and
        a piece ends before the next row, so its cells are all in what was fed)."""
        if self._positional:
            return
        if self.errors.positional:  # cells placed by counting: the XML walked whole, once, for their places
            self._positional = True
            # That walk reads the whole part: the size check has it whole first (as before a whole read).
            check_sheet_extent(self.source.package.zip, self.source.zip_name, self.name, self.title,
                               self.source.limits)
            self.error_rows = by_row(finish_error_cells(self.errors, self.source.package, self.source.part))
        elif len(self.errors.found) != self._errors_seen:
            self._errors_seen = len(self.errors.found)
            self.error_rows = by_row(self.errors.found)


_MARKUP_OPEN = re.compile(rb"<[!?]")


def _odd_markup(data: bytes, before: bytes) -> int | None:
    """Where the first "<!" or "<?" in `data` starts (-1: its "<" is `before`, the byte before `data`), or None.
    Found by their second byte, rare in a sheet's XML ("<" is everywhere, so a search for "<!" is slow);
    after many of those bytes without a "<" before them, by one search for both."""
    best = None
    for mark in (b"!", b"?"):
        at = data.find(mark)
        for _ in range(64):
            if at < 0:
                break
            if (data[at - 1:at] if at else before) == b"<":
                best = at - 1 if best is None else min(best, at - 1)
                break
            at = data.find(mark, at + 1)
        else:
            found = _MARKUP_OPEN.search(data)
            if before == b"<" and data[:1] in (b"!", b"?"):
                return -1
            return found.start() if found is not None else best
    return best


def _rows_end(data: bytearray, start: int) -> re.Match | None:
    """The first </sheetData> in `data` from `start` (found by its name: a search from every "</" is slow)."""
    at = start
    while (at := data.find(b"sheetData", at)) >= 0:
        begin = data.rfind(b"</", max(at - 256, 0), at)
        found = _SHEET_DATA_END.match(data, begin) if begin >= 0 else None
        if found is not None and found.start() <= at < found.end():
            return found
        at += 9
    return None


class _Template:
    """The workbook's parts besides the tab, stored, as the start of every piece's zip file: kept in memory (or,
    with many shared strings, in a temporary file copied to each piece's start), with their directory entries.

    The temporary file is deleted by whichever comes last: delete() (the pass stopped) or the worker closing it
    after a copy. On Windows a file that is open cannot be deleted (Python opens files without the sharing flag
    that would allow it): a pass dropped without close() stops its worker without waiting for it, so a delete
    at that moment, while the worker copies the file, would fail and leave the file in the temporary folder.
    Counting who has it open makes the file go as soon as the last one closes it, on every system."""

    IN_MEMORY = 4 * MB

    def __init__(self, zip_file: zipfile.ZipFile, others: dict[str, str], name: str, title: str) -> None:
        self.central = b""
        self.count = 0
        self.path: str | None = None
        self._lock = threading.Lock()
        self._open = 0  # copies under way (the worker's)
        self._deleted = False  # delete() was called: the last copy to end deletes the file
        parts = []
        offset = 0
        for entry, original in others.items():
            try:
                data = zip_file.read(original)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise damaged(name, exc) from None
            encoded = entry.encode()
            crc = zlib.crc32(data)
            self.central += _central_header(encoded, crc, len(data), offset)
            parts += [_local_header(encoded, crc, len(data)), data]
            offset += len(parts[-2]) + len(data)
            self.count += 1
        self.size = offset
        self.data = b"".join(parts)
        if self.size > self.IN_MEMORY:
            try:
                handle, self.path = tempfile.mkstemp(prefix="sheetreturns-piece-", suffix=".parts")
                try:
                    with os.fdopen(handle, "wb") as out:
                        out.write(self.data)
                except BaseException:
                    self.delete()
                    raise
            except OSError as exc:
                raise _no_room(exc, title, name) from None
            self.data = b""

    def delete(self) -> None:
        with self._lock:
            self._deleted = True
            if self._open:
                return  # the worker deletes it once its copy is done
        self._unlink()

    def _unlink(self) -> None:
        if self.path is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def around(self, part: str, size: int, crc: int) -> tuple[bytes, bytes]:
        """What a piece's file holds between the template and the tab's XML (`size` bytes with this checksum),
        and after that XML."""
        name = part.encode()
        central = self.central + _central_header(name, crc, size, self.size)
        local = _local_header(name, crc, size)
        end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.count + 1, self.count + 1, len(central),
                          self.size + len(local) + size, 0)
        return local, central + end

    def copy_to(self, fd: int) -> None:
        """The template at the start of the file `fd` (from its file: for the one in memory, see _write_piece)."""
        with self._lock:
            if self._deleted:
                raise _Stopped()
            self._open += 1
        try:
            self._copy(fd)
        finally:
            with self._lock:
                self._open -= 1
                last = self._deleted and not self._open
            if last:
                self._unlink()

    def _copy(self, fd: int) -> None:
        with open(self.path, "rb") as source:
            sent = 0
            if hasattr(os, "sendfile"):
                try:
                    while sent < self.size:
                        done = os.sendfile(fd, source.fileno(), sent, self.size - sent)
                        if not done:
                            break
                        sent += done
                except OSError:  # not for files here: copy by reading
                    os.lseek(fd, 0, os.SEEK_SET)
                    os.ftruncate(fd, 0)
                    sent = 0
            if sent < self.size:
                source.seek(sent)
                while data := source.read(1 << 20):
                    _write_all(fd, [data])


def _stop(pool: ThreadPoolExecutor, template: _Template) -> None:
    """close()'s last step, or a pass dropped unclosed: the worker ends after its piece; the template goes (at
    once, or when the worker has closed it: see _Template)."""
    pool.shutdown(wait=False, cancel_futures=True)
    template.delete()


def _read_piece(template: _Template, part: str, title: str, name: str, parts: list, crc: int | None) -> object:
    """The worker: the piece's temporary workbook file written, read by calamine, deleted; calamine's sheet.
    Few steps that take the GIL back (each may wait for the main thread): no more than 6 for a piece."""
    try:
        handle, temp = tempfile.mkstemp(prefix="sheetreturns-piece-", suffix=".xlsx")
    except OSError as exc:
        raise _no_room(exc, title, name) from None
    try:
        try:
            _write_piece(handle, template, part, parts, crc)
        except OSError as exc:  # the disk full, a file size limit ...
            raise _no_room(exc, title, name) from None
        finally:
            os.close(handle)
        parts.clear()  # the piece's XML goes before calamine makes its copy
        try:
            book = calamine.CalamineWorkbook.from_path(temp)
            try:
                return book.get_sheet_by_name(title)
            finally:
                book.close()
        except Exception as exc:  # calamine's XmlError ...
            raise tab_unreadable(name, title, exc) from None
    finally:
        try:
            os.unlink(temp)
        except OSError:
            pass


def _no_room(exc: OSError, title: str, name: str) -> SheetReturnsError:
    """A temporary file for a piece could not be written: the workbook is fine, the temporary folder is not."""
    return SheetReturnsError(
        f"the {title!r} tab of {name} could not be read: a temporary file could not be written in "
        f"{tempfile.gettempdir()} ({exc.strerror or exc}): make room there, or set TMPDIR to a folder with "
        f"room, and run again")


def _write_piece(fd: int, template: _Template, part: str, parts: list, crc: int | None) -> None:
    """A stored zip: the template's parts, then the tab's XML (`parts` in order, `crc` its checksum, worked
    out by the main thread), then the zip's directory."""
    if crc is None:  # a piece of 4 GB (a tab without r on its rows, with the part limit raised): zip64
        _write_big_piece(fd, template, part, parts)
        return
    local, trailer = template.around(part, sum(len(p) for p in parts), crc)
    if template.path is not None:
        template.copy_to(fd)
        _write_all(fd, [local, *parts, trailer])
    else:
        _write_all(fd, [template.data, local, *parts, trailer])


def _write_big_piece(fd: int, template: _Template, part: str, parts: list) -> None:
    """The template made a zip of its own, and the tab's XML added to it by zipfile, in zip64."""
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, template.count, template.count, len(template.central),
                      template.size, 0)
    if template.path is not None:
        template.copy_to(fd)
    _write_all(fd, [template.data, template.central + end])
    with open(fd, "r+b", closefd=False) as file, zipfile.ZipFile(file, "a") as piece:
        with piece.open(part, "w", force_zip64=True) as out:
            for data in parts:
                out.write(data)


def _local_header(name: bytes, crc: int, size: int) -> bytes:
    # version 2.0, UTF-8 name, stored, 1 January 1980
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 0, 0, 0x21, crc, size, size, len(name), 0) + name


def _central_header(name: bytes, crc: int, size: int, offset: int) -> bytes:
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 0, 0, 0x21, crc, size, size, len(name),
                       0, 0, 0, 0, 0, offset) + name


def _write_all(fd: int, parts: list) -> None:
    """Every byte of `parts`, in one system call where the system allows (the worker then waits for the GIL
    once, not once a part)."""
    views = [memoryview(p).cast("B") for p in parts if len(p)]
    while views:
        if hasattr(os, "writev"):
            done = os.writev(fd, views[:1024])
        else:
            done = os.write(fd, views[0])
        while views and done >= len(views[0]):
            done -= len(views[0])
            views.pop(0)
        if done:
            views[0] = views[0][done:]


class _Stopped(Exception):
    """The pass was stopped before the worker began a piece: nobody waits for that piece any more."""


class _NotPieced(Exception):
    """The tab's XML is not laid out as expected for cutting: it is read whole."""

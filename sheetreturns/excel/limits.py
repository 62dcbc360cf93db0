"""Limits checked before a workbook is read: how big a part may inflate to, and how many cells a tab may span.

A 5 KB file with values in A1 and XFD1048576 makes a spreadsheet reader allocate the whole 16,384 x
1,048,576 grid; a 1 MB part can inflate to gigabytes. Both are refused with an `Error:` line naming
the limit, before the reader (calamine) sees the file. Both limits can be raised in sheetreturns.toml:

    [limits]
    sheet_mb = 2048        # the most one part of the .xlsx (a tab's XML, the shared strings) may inflate to
    cells = 50000000       # the most cells the rectangle a tab spans may hold (rows x columns)
"""
from __future__ import annotations

import re
import zipfile
from operator import itemgetter
from dataclasses import dataclass
from typing import Callable

from ..errors import ConfigError, SourceUnreadable

MB = 1 << 20
DEFAULT_PART_MB = 2048  # Excel's largest sheet (1,048,576 rows) of 25 columns is ~1,070 MB of XML; read in pieces
DEFAULT_CELLS = 50_000_000
CHUNK = 4 << 20

# A cell's or a row's reference, or the dimension: <c r="XFD1048576" ...>, <row r="12" ...>, <dimension ref=...>
_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension)\s[^>]*?\br(?:ef)?="\$?([A-Za-z]{0,3})\$?([0-9]{0,7})'
                  rb'(?::\$?([A-Za-z]{0,3})\$?([0-9]{0,7}))?"')


@dataclass(frozen=True)
class Limits:
    part_bytes: int = DEFAULT_PART_MB * MB
    cells: int = DEFAULT_CELLS

    @classmethod
    def from_config(cls, table: dict | None, where: str = "sheetreturns.toml") -> "Limits":
        table = dict(table or {})
        unknown = sorted(set(table) - {"sheet_mb", "cells"})
        if unknown:
            raise ConfigError(f"{where} [limits]: unknown key {unknown[0]!r} (known: cells, sheet_mb)")
        values = {}
        for key, default in (("sheet_mb", DEFAULT_PART_MB), ("cells", DEFAULT_CELLS)):
            value = table.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{where} [limits] {key} must be a whole number above 0, such as {default}")
            values[key] = value
        return cls(values["sheet_mb"] * MB, values["cells"])

    @property
    def part_mb(self) -> int:
        return self.part_bytes // MB


def column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def check_part_sizes(zip_file: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Every part's inflated size, as the zip declares it, within the limit (the zip's own directory: no reading)."""
    for info in zip_file.infolist():
        if info.file_size > limits.part_bytes:
            raise SourceUnreadable(
                f"{name}: its part {info.filename} inflates to {info.file_size / MB:,.0f} MB, over the limit of "
                f"{limits.part_mb:,} MB (a possible decompression bomb): if the file is genuine, raise "
                f"[limits] sheet_mb in sheetreturns.toml")


def check_sheet_extent(zip_file: zipfile.ZipFile, part: str, name: str, tab: str, limits: Limits,
                       feed: Callable[[bytes], object] | None = None) -> None:
    """The rectangle the tab's cells span, from its <dimension> and every cell and row reference, within the limit.

    Streams the part (never more than a chunk in memory) and counts the bytes it really inflates to, so a part
    whose zip entry understates its size is stopped too. `feed`, if given, is handed every chunk as inflated
    (another scan of the same part shares this one pass).

    One pass looks only for references beyond what it has seen (a column further right, a row number at or
    above a rounded bound), so the usual sheet costs one regular-expression search per chunk. When that
    bound cannot show the tab within the limit, every reference is counted exactly in a second pass."""
    bound = _Bound()
    try:
        with zip_file.open(part) as handle:
            seen = 0
            tail = b""
            while chunk := handle.read(CHUNK):
                seen += len(chunk)
                if seen > limits.part_bytes:
                    raise SourceUnreadable(
                        f"{name}: the {tab!r} tab inflates to more than {limits.part_mb:,} MB, the limit (a possible "
                        f"decompression bomb): if the file is genuine, raise [limits] sheet_mb in sheetreturns.toml")
                if feed is not None:
                    feed(chunk)
                body, tail = _whole_tags(tail + chunk)
                bound.scan(body)
                if bound.area_seen > limits.cells:
                    break
            bound.scan(tail)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceUnreadable(f"{name} is damaged ({exc}): open it in Excel and save it again") from None
    if bound.area_bound <= limits.cells:
        return
    max_row, max_col = sheet_extent(zip_file, part, name, limits.cells)
    area = (max_row or 1) * (max_col or 1)
    if area > limits.cells:
        raise SourceUnreadable(
            f"{name}: the {tab!r} tab spans {max_row:,} rows x {max_col:,} columns ({area:,} cells), over the "
            f"limit of {limits.cells:,} cells: delete what lies far outside your table (Ctrl+End in Excel goes to "
            f"the last cell in use), or raise [limits] cells in sheetreturns.toml")


def sheet_extent(zip_file: zipfile.ZipFile, part: str, name: str, stop_above: int | None = None) -> tuple[int, int]:
    """(last row, last column), 1-based, over the <dimension> and every cell and row reference of a part: each
    reference counted (stops early once rows x columns exceeds `stop_above`)."""
    max_row = max_col = 0
    tail = b""
    try:
        with zip_file.open(part) as handle:
            while True:
                chunk = handle.read(CHUNK)
                body, tail = _whole_tags(tail + chunk) if chunk else (tail, b"")
                row, col = _exact(body)
                max_row, max_col = max(max_row, row), max(max_col, col)
                if not chunk or (stop_above is not None and (max_row or 1) * (max_col or 1) > stop_above):
                    break
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceUnreadable(f"{name} is damaged ({exc}): open it in Excel and save it again") from None
    return max_row, max_col


def _whole_tags(data: bytes) -> tuple[bytes, bytes]:
    """`data` cut before its last tag (kept for the next chunk, unless it runs past 4 KB)."""
    cut = data.rfind(b"<")
    return (data[:cut], data[cut:]) if cut > 0 and len(data) - cut < 4096 else (data, b"")


def _exact(body: bytes) -> tuple[int, int]:
    """The highest row and column referenced in `body` (whole tags only)."""
    # findall and the sets run in C: one Python step per distinct column or row, not per cell
    found = _REF.findall(body)
    letters = set(map(itemgetter(1), found)) | set(map(itemgetter(3), found))
    digits = set(map(itemgetter(2), found)) | set(map(itemgetter(4), found))
    return (max((int(x) for x in digits if x), default=0),
            max((column_number(x) for x in letters if x), default=0))


_REBUILDS = 1024  # searches rebuilt this many times (a sheet growing wider row after row): count exactly


class _Bound:
    """What a tab's references can reach, from one search per chunk (two with ref=) for references past a bound.

    Every reference the exact count would see either lies within (`max_col`, `row_limit` - 1), or is matched by
    `beyond` and then read exactly (its tag parsed as the exact count parses it), moving the bound. Row numbers
    rise down a sheet, so the row bound moves in steps of two significant figures, not at every row."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0  # the highest seen exactly
        self.row_limit = 1  # every row number not seen exactly is below this
        self.beyond: dict[bytes, re.Pattern[bytes]] | None = None  # by attribute; None: count exactly
        self.rebuilds = 0

    @property
    def area_seen(self) -> int:
        return (self.max_row or 1) * (self.max_col or 1)

    @property
    def area_bound(self) -> int:
        return max(self.max_row, self.row_limit - 1, 1) * (self.max_col or 1)

    def scan(self, body: bytes) -> None:
        if self.beyond is None:
            row, col = _exact(body)
            self._seen(row, col)
            if self.rebuilds < _REBUILDS:
                self._rebuild()
            return
        # The chunk's last row tag, read exactly first: rows rise down a sheet, so one rebuild per chunk
        # (not one at every step of the bound) keeps the chunk's own rows from being matched.
        last = body.rfind(b"<row")
        if last >= 0 and (ref := _REF.match(body, last)) is not None and self._read(ref) and not self._rebuilt():
            self.scan(body)  # rebuilt too often: this body and the rest counted exactly
            return
        if not self._scan_beyond(body, b"r"):
            return
        if b'ref="' in body:  # the dimension, a range: rare after the first chunk
            self._scan_beyond(body, b"ref")

    def _scan_beyond(self, body: bytes, attribute: bytes) -> bool:
        """Read exactly each tag holding a reference `beyond` matches; False once counting exactly instead."""
        at = 0
        while (hit := self._pattern(attribute).search(body, at)) is not None:
            at = hit.end()
            start = body.rfind(b"<", 0, hit.start())
            ref = _REF.match(body, start) if start >= 0 else None
            if ref is None:
                continue  # not a cell, row or dimension reference: the exact count ignores it too
            if self._read(ref) and not self._rebuilt():
                self.scan(body)  # the whole body again, exactly: a max is the same however often seen
                return False
        return True

    def _read(self, ref: re.Match[bytes]) -> bool:
        """Count one tag's reference exactly; whether the bound moved."""
        _, col, row, col2, row2 = ref.groups()
        return self._seen(max(int(row or 0), int(row2 or 0)),
                          max(column_number(col) if col else 0, column_number(col2) if col2 else 0))

    def _rebuilt(self) -> bool:
        """The searches rebuilt for the moved bound; False once rebuilt too often (counting exactly instead)."""
        self.rebuilds += 1
        if self.rebuilds >= _REBUILDS:
            self.beyond = None
            return False
        self._rebuild()
        return True

    def _seen(self, row: int, col: int) -> bool:
        changed = False
        if col > self.max_col:
            self.max_col, changed = col, True
        if row > self.max_row:
            self.max_row = row
        if row >= self.row_limit:
            self.row_limit, changed = _round_up(row + 1), True
        return changed

    def _rebuild(self) -> None:
        self.beyond = {}  # compiled when first searched with

    def _pattern(self, attribute: bytes) -> re.Pattern[bytes]:
        found = self.beyond.get(attribute)
        if found is None:
            letters, digits = len(column_letters(self.max_col)), len(str(self.row_limit))
            # Possessive repeats and a look-ahead for the count of digits: an ordinary reference fails at once.
            found = self.beyond[attribute] = re.compile(
                attribute + rb'="\$?(?:' + _columns_after(self.max_col)
                + rb'|[A-Za-z]{0,%d}+\$?(?=[0-9]{%d})(?:' % (letters, digits)
                + _numbers_from(self.row_limit) + rb')|[^":]*+:)')
        return found


def _round_up(number: int) -> int:
    """`number` rounded up to two significant figures (10,001 -> 11,000)."""
    unit = 10 ** max(len(str(number)) - 2, 0)
    return -(-number // unit) * unit


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _either_case(letters: str) -> str:
    return "[" + "".join(c + c.lower() for c in letters) + "]"


def _columns_after(number: int) -> bytes:
    """A pattern for the column letters (either case) of every column after column `number`."""
    letters = column_letters(number)
    size = len(letters)
    options = [f"[A-Za-z]{{{size + 1},3}}"] if size < 3 else []
    for i, letter in enumerate(letters):
        later = _ALPHABET[_ALPHABET.index(letter) + 1:]
        if later:
            rest = size - i - 1
            options.append("".join(_either_case(c) for c in letters[:i]) + _either_case(later)
                           + (f"[A-Za-z]{{{rest}}}" if rest else ""))
    return "|".join(options).encode() or b"(?!)"


def _numbers_from(number: int) -> bytes:
    """A pattern matching the start of every decimal number of `number` or more (and some with leading zeros)."""
    digits = str(number)
    size = len(digits)
    options = [f"[0-9]{{{size + 1}}}", digits]
    for i, digit in enumerate(digits):
        if digit != "9":
            rest = size - i - 1
            options.append(digits[:i] + f"[{int(digit) + 1}-9]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join(options).encode()

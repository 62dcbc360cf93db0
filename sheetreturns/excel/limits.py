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
from dataclasses import dataclass
from typing import Callable

from ..errors import ConfigError, SourceUnreadable
from .package import first_line
from .worksheet_head import ELEMENT_PREFIX, NAME_CHARS

MB = 1 << 20
DEFAULT_PART_MB = 2048  # Excel's largest sheet (1,048,576 rows) of 25 columns is ~1,070 MB of XML; read in pieces
DEFAULT_CELLS = 50_000_000
CHUNK = 4 << 20


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
    """The rectangle the tab's cells span, from its <dimension> and every cell and row, within the limit.

    Streams the part (never more than a chunk in memory) and counts the bytes it really inflates to, so a part
    whose zip entry understates its size is stopped too. `feed`, if given, is handed every byte once, in order,
    as inflated (another scan of the same part shares the inflate). The work is SizeCheck's, fed the whole part."""
    check = SizeCheck(zip_file, part, name, tab, limits, feed)
    try:
        with zip_file.open(part) as handle:
            while chunk := handle.read(CHUNK):
                check.add(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged(name, exc) from None
    check.finish()


def damaged(name: str, exc: BaseException) -> SourceUnreadable:
    return SourceUnreadable(f"{name} is damaged ({first_line(exc)}): open it in Excel and save it again")


class SizeCheck:
    """The size check of one tab, fed its XML chunk by chunk, in order, as inflated; `finish()` at its end.

    `checked` counts the bytes from the part's start known to lie within the limit: what they hold cannot
    place a cell beyond it, so a reader may be handed them before the rest is seen (the pieced reader hands
    calamine each piece once it is checked). add() and finish() raise the error a seller sees.

    One pass looks only for what could reach beyond what it has seen (a reference past the last column or
    at or above a rounded row bound, in any spelling) and for cells that do not open with a reference. The
    usual chunk costs six searches that each start with a literal (odd cells, prefixed cells, " =" and "= ",
    r=" not followed by a reference within the bound, "dimension") and a few C-speed finds of single
    characters; a chunk with a space or quote around an "=" is searched for r= in every spelling instead.
    When that cannot settle the question (a cell without a reference, which the reader places by counting, or
    a bound over the limit, which only an exact count can judge), every row and cell is walked as the reader
    walks them: the bytes seen so far again from the part's start, then each chunk as it comes (the part is
    inflated once and a bit, not twice). Once the walk is over the limit the rest is only inflated (counted,
    and a damaged part reported as such), and finish() refuses the tab."""

    def __init__(self, zip_file: zipfile.ZipFile, part: str, name: str, tab: str, limits: Limits,
                 feed: Callable[[bytes], object] | None = None) -> None:
        self.zip_file, self.part, self.name, self.tab, self.limits, self.feed = zip_file, part, name, tab, limits, feed
        self.bound = _Bound()
        self.walk: _Walk | None = None  # walking every row and cell (the pass could not settle it)
        self.over = False  # the walk went over the cell limit: the tab is refused at finish()
        self.seen = 0  # bytes inflated (and fed) so far
        self.checked = 0
        self._tail = b""  # a tag not complete yet, looked at with the next chunk

    def add(self, chunk: bytes) -> None:
        self.seen += len(chunk)
        if self.seen > self.limits.part_bytes:
            raise _inflates_too_far(self.name, self.tab, self.limits)
        if self.over:
            return
        if self.feed is not None:
            self.feed(chunk)
        try:
            if self.walk is None:
                body, self._tail = _whole_tags(self._tail + chunk)
                if not self.bound.scan(body) or self.bound.area_bound > self.limits.cells:
                    self._walk_from_start()
            else:
                self._walk_on(self._tail + chunk)
        except ValueError as exc:
            raise damaged(self.name, exc) from None
        if not self.over:
            self.checked = self.seen - len(self._tail)

    def finish(self) -> None:
        """The part's end: its last bytes judged, and the tab refused if it spans more cells than the limit."""
        try:
            if not self.over and self.walk is None and (
                    not self.bound.scan(self._tail) or self.bound.area_bound > self.limits.cells):
                self._walk_from_start()
            if not self.over and self.walk is not None:
                self.walk.feed(self._tail + b">")  # a tag left open at the end still counts
                self.over = _area(self.walk) > self.limits.cells
        except ValueError as exc:
            raise damaged(self.name, exc) from None
        self._tail = b""
        if self.walk is not None and _area(self.walk) > self.limits.cells:
            max_row, max_col = self.walk.max_row, self.walk.max_col
            raise SourceUnreadable(
                f"{self.name}: the {self.tab!r} tab spans {max_row:,} rows x {max_col:,} columns "
                f"({_area(self.walk):,} cells), over the limit of {self.limits.cells:,} cells: delete what lies "
                f"far outside your table (Ctrl+End in Excel goes to the last cell in use), or raise [limits] cells "
                f"in sheetreturns.toml")
        self.checked = self.seen

    def _walk_from_start(self) -> None:
        self.walk, self._tail = _walk_part(self.zip_file, self.part, self.name, self.limits.cells, upto=self.seen)
        self.over = _area(self.walk) > self.limits.cells

    def _walk_on(self, data: bytes) -> None:
        self._tail = self.walk.feed(data)
        if len(self._tail) > _LONGEST_TAG:
            raise ValueError("a tag longer than 64 MB")
        self.over = _area(self.walk) > self.limits.cells


def _area(walk: "_Walk") -> int:
    return (walk.max_row or 1) * (walk.max_col or 1)


def _inflates_too_far(name: str, tab: str, limits: Limits) -> SourceUnreadable:
    return SourceUnreadable(
        f"{name}: the {tab!r} tab inflates to more than {limits.part_mb:,} MB, the limit (a possible "
        f"decompression bomb): if the file is genuine, raise [limits] sheet_mb in sheetreturns.toml")


def sheet_extent(zip_file: zipfile.ZipFile, part: str, name: str, stop_above: int | None = None) -> tuple[int, int]:
    """(last row, last column), 1-based, over the <dimension> and every cell and row of a part, walked as the
    reader walks them: a row or cell without a reference is placed after the one before it (stops early once
    rows x columns exceeds `stop_above`)."""
    walk, tail = _walk_part(zip_file, part, name, stop_above)
    if stop_above is None or _area(walk) <= stop_above:
        walk.feed(tail + b">")  # a tag left open at the end still counts
    return walk.max_row, walk.max_col


def _walk_part(zip_file: zipfile.ZipFile, part: str, name: str, stop_above: int | None,
               upto: int | None = None) -> tuple["_Walk", bytes]:
    """sheet_extent's walk, over the part's first `upto` bytes (all of them if None): the walk, and what is left
    of those bytes (a tag not complete yet). Stops early once rows x columns exceeds `stop_above`."""
    walk = _Walk()
    tail = b""
    left = upto
    try:
        with zip_file.open(part) as handle:
            while chunk := handle.read(CHUNK if left is None else min(CHUNK, left)):
                if left is not None:
                    left -= len(chunk)
                tail = walk.feed(tail + chunk)
                if len(tail) > _LONGEST_TAG:
                    raise ValueError("a tag longer than 64 MB")
                if stop_above is not None and _area(walk) > stop_above:
                    break
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged(name, exc) from None
    return walk, tail


_LONGEST_TAG = 64 << 20  # a comment or tag this long is not from a spreadsheet program
_NAME = ELEMENT_PREFIX
_QUOTED = rb'(?:[^>"\']++|"[^"]*+"|\'[^\']*+\')*+'  # a tag's inside: quoted values may hold ">" (and "<")
_ATTRIBUTES = rb'(' + _QUOTED + rb')'


def _whole_tags(data: bytes) -> tuple[bytes, bytes]:
    """`data` cut before its last tag if that tag is not complete yet (kept for the next chunk)."""
    cut = data.rfind(b"<")
    if cut < 0 or _MARKUP.match(data, cut) is not None:
        return data, b""
    if len(data) - cut > _LONGEST_TAG:
        raise ValueError("a tag longer than 64 MB")
    return data[:cut], data[cut:]


# Any markup from its "<" to its ">" (quoted values taken whole).
_MARKUP = re.compile(rb'<' + _QUOTED + rb'>')
# A row, cell or dimension tag with its attributes (searched for anywhere: what it finds is read whole).
_TAG = re.compile(rb'<' + _NAME + rb'(c|row|dimension)(?=[\s/>])' + _ATTRIBUTES + rb'>')
# The walk, one step: everything up to the next row end or row, cell or dimension tag, read as the reader
# reads XML (comments, CDATA and processing instructions skipped whole; quoted values whole), then that tag.
_SKIP = (rb'(?:[^<]++|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|</(?![^ \t\r\n<>]*<)(?!' + _NAME + rb'row\s*>)[^>]*+>'
         rb'|<(?![!?/])(?![^ \t\r\n<>]*<)(?!' + _NAME + rb'(?:c|row|dimension)[\s/>])' + _QUOTED + rb'>'
         rb'|<!(?!--|\[CDATA\[)' + _QUOTED + rb'>)*+')
_STEP = re.compile(_SKIP + rb'(?:(</)' + _NAME + rb'row\s*>|<' + _NAME + rb'(c|row|dimension)(?=[\s/>])'
                   + _ATTRIBUTES + rb'>)', re.S)
_SKIP_ONLY = re.compile(_SKIP, re.S)
# A tag whose name holds a "<" (not XML): the reader takes what follows its first colon as the name, so <a<b:c>
# is a cell to it. Neither skipped nor read by the walk, it is refused (as damaged).
_NAME_WITH_LT = re.compile(rb"</?[^ \t\r\n<>!?]*<")
_ATTRIBUTE = re.compile(rb'([^\s=/>"\']+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_LETTERS = re.compile(rb"[A-Za-z]+")
_DIGITS = re.compile(rb"[0-9]+")
_HUGE = 10 ** 12  # a row or column number of more digits or letters than any sheet has reads as this


def _references(attributes: bytes, wanted: bytes) -> list[bytes] | None:
    """The values of every attribute named `wanted` (the reader takes one of them: all are counted); None if none."""
    if wanted not in attributes:
        return None
    found = [double or single for key, double, single in _ATTRIBUTE.findall(attributes) if key == wanted]
    return found or None


def _position(values: list[bytes]) -> tuple[int, int]:
    """(row, column), 1-based, the highest any of these references names (0 where it names none)."""
    row = col = 0
    for value in values:
        for digits in _DIGITS.findall(value):
            digits = digits.lstrip(b"0") or b"0"
            row = max(row, int(digits) if len(digits) <= 12 else _HUGE)
        for letters in _LETTERS.findall(value):
            col = max(col, column_number(letters) if len(letters) <= 8 else _HUGE)
    return row, col


class _Walk:
    """Every row and cell tag in order, placed as the reader places them: a row's or cell's reference where it
    has one (the highest, if it has several), else the row after the last row, the column after the last cell.
    A row never moves back up (the reader's rows only ever go down a sheet; this errs on the side of more)."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0
        self.row = 0  # 0-based: the row the next row or cell without a reference falls in
        self.col = 0  # 0-based: the column the next cell without a reference falls in

    def feed(self, data: bytes) -> bytes:
        """Walk `data`; what is left of it (a tag not complete yet) to be fed again in front of what follows."""
        at = 0
        while (step := _STEP.match(data, at)) is not None:
            at = step.end()
            end, kind, attributes = step.groups()
            if end is not None:
                self._row_end()
            elif kind == b"c":
                values = _references(attributes, b"r")
                if values is None:
                    row, col = self.row + 1, self.col + 1
                else:
                    row, col = _position(values)
                    self.col = max(col - 1, 0)
                self.col += 1
                self._seen(row, col)
            elif kind == b"row":
                values = _references(attributes, b"r")
                if values is not None:
                    row = _position(values)[0]
                    self.row = max(self.row, row - 1)
                    self._seen(row, 0)
                if attributes.endswith(b"/"):
                    self._row_end()
            else:
                values = _references(attributes, b"ref")
                if values is not None:
                    self._seen(*_position(values))
        skipped = _SKIP_ONLY.match(data, at)
        if _NAME_WITH_LT.match(data, skipped.end()):
            raise ValueError("a tag's name holds a '<'")
        return data[skipped.end():]

    def _row_end(self) -> None:
        self.row += 1
        self.col = 0

    def _seen(self, row: int, col: int) -> None:
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)


_REBUILDS = 1024  # bound moved this many times (a sheet growing wider row after row): walk the part instead
_HITS = 50_000  # tags read one by one this many times (a writer that puts other attributes first): walk instead

# Cell tags that do not open with a reference written r="...", and cell tags with a namespace prefix: each
# is read whole, and one without any reference (the reader places it by counting) sends the check to the walk.
# Rows need no such search: a row without a reference moves only the cells without one after it, and every
# reference a row or cell has, in any spelling, is found by the search for references beyond the bound (for
# r=" alone where no "=" in the chunk has a space or a single quote around it).
_ODD_CELL = re.compile(rb'<c(?! r=")[\s/>]')
_PREFIXED = re.compile(rb':c[\s/>]')
_PREFIX = re.compile(rb'<(?:[^ \t\r\n<>/:]' + NAME_CHARS + rb'*)?')  # a prefix's start, as ELEMENT_PREFIX reads one


class _Bound:
    """What a tab's rows and cells can reach, from a few searches per chunk.

    Every reference the walk would count either lies within (`max_col`, `row_limit` - 1) or is matched by a
    search for an r= attribute beyond that (in any spelling, anywhere: one in text counts too, which only
    errs on the side of more) and then read, moving the bound. Every row and cell tag that does not open
    with r="..." is read whole; one without any reference (the reader places it by counting) makes scan()
    return False, and the caller walks the part. Row numbers rise down a sheet, so the row bound moves in
    steps of two significant figures, not at every row."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0  # the highest seen
        self.row_limit = 1  # every row number not seen is below this
        self.beyond: dict[bytes, re.Pattern[bytes]] = {}  # by attribute name, compiled when first searched with
        self.rebuilds = self.hits = 0

    @property
    def area_seen(self) -> int:
        return (self.max_row or 1) * (self.max_col or 1)

    @property
    def area_bound(self) -> int:
        return max(self.max_row, self.row_limit - 1, 1) * (self.max_col or 1)

    def scan(self, body: bytes) -> bool:
        """Read what could reach beyond the bound; False when only walking the part can tell."""
        # The chunk's last row tag, read first: rows rise down a sheet, so one rebuild per chunk (not one at
        # every step of the bound) keeps the chunk's own rows from being matched.
        last = body.rfind(b"<row")
        if last >= 0 and (tag := _TAG.match(body, last)) is not None and tag[1] == b"row":
            values = _references(tag[2], b"r")
            if values is not None and self._seen(_position(values)[0], 0) and not self._rebuilt():
                return False
        at = 0
        while (hit := _ODD_CELL.search(body, at)) is not None:
            at = hit.end()
            if not self._tag_at(body, hit.start()):
                return False
        at = 0
        while (hit := _PREFIXED.search(body, at)) is not None:
            at = hit.end()
            start = body.rfind(b"<", 0, hit.start())
            if start >= 0 and _PREFIX.fullmatch(body, start, hit.start()) and not self._tag_at(body, start):
                return False
        beyond = self._scan_beyond if _respelled(body) else self._scan_standard
        return beyond(body) and (_DIMENSION_WORD.search(body) is None or self._scan_dimension(body))

    def _scan_beyond(self, body: bytes) -> bool:
        """Read every r= value beyond the bound, in any spelling (the search made again each time the bound moves)."""
        return self._read_hits(body, b"r")

    def _scan_standard(self, body: bytes) -> bool:
        """The same, for a chunk where every r= is written r=" (no space around its "=", no single quote after
        it: see _respelled). The search is for r=" followed by anything but a reference within the bound: its
        literal start and a look-ahead that fails within a few characters keep it cheap. What it finds is read
        whole; a chunk where that happens often ($ signs, leading zeros) is searched for every spelling instead."""
        return self._read_hits(body, b'r="', _STANDARD_HITS)

    def _read_hits(self, body: bytes, kind: bytes, most: int | None = None) -> bool:
        at = hits = 0
        while (hit := self._pattern(kind).search(body, at)) is not None:
            at = hit.end()
            hits += 1
            if most is not None and hits > most:
                return self._read_hits(body[hit.start():], b"r")
            value = _VALUE.match(body, hit.start())
            if value is not None and self._seen(*_position([value[1] or value[2] or b""])) and not self._rebuilt():
                return False
        return True

    def _scan_dimension(self, body: bytes) -> bool:
        """The dimension's ref= where it reaches beyond the bound (other ref= attributes are not counted)."""
        at = 0
        while (hit := self._pattern(b"ref").search(body, at)) is not None:
            at = hit.end()
            start = body.rfind(b"<", 0, hit.start())
            tag = _TAG.match(body, start) if start >= 0 else None
            if tag is not None and tag[1] == b"dimension" and tag.end() > hit.start():
                values = _references(tag[2], b"ref")
                if values is not None and self._seen(*_position(values)) and not self._rebuilt():
                    return False
        return True

    def _tag_at(self, body: bytes, start: int) -> bool:
        """Read the row or cell tag at `start`; False when the check must walk the part instead (a tag without
        a reference, one not complete here, too many read one by one, or a bound that keeps moving)."""
        self.hits += 1
        tag = _TAG.match(body, start)
        if self.hits > _HITS or tag is None:
            return False
        kind, attributes = tag.groups()
        values = _references(attributes, b"ref" if kind == b"dimension" else b"r")
        if values is None:
            return kind == b"dimension"
        row, col = _position(values)
        return not self._seen(row, 0 if kind == b"row" else col) or self._rebuilt()

    def _rebuilt(self) -> bool:
        """The searches made again for the moved bound; False once that has happened too often."""
        self.rebuilds += 1
        self.beyond = {}
        return self.rebuilds < _REBUILDS

    def _seen(self, row: int, col: int) -> bool:
        """Count a reference; whether the bound moved."""
        changed = False
        if col > self.max_col:
            self.max_col, changed = col, True
        if row > self.max_row:
            self.max_row = row
        if row >= self.row_limit:
            self.row_limit, changed = _round_up(row + 1), True
        return changed

    def _pattern(self, attribute: bytes) -> re.Pattern[bytes]:
        found = self.beyond.get(attribute)
        if found is None and attribute == b'r="':
            # r=" then anything but letters and digits within the bound, and the closing quote
            found = self.beyond[attribute] = re.compile(
                rb'r="(?!(?:' + _columns_upto(self.max_col) + rb')?(?:' + _numbers_below(self.row_limit) + rb')")')
        if found is None:
            letters, digits = len(column_letters(self.max_col)), len(str(self.row_limit))
            # Any spelling (spaces around "=", either quote). Possessive repeats and a look-ahead for the count
            # of digits: an ordinary reference fails at once.
            found = self.beyond[attribute] = re.compile(
                attribute + rb'\s*+=\s*+["\']\$?(?:' + _columns_after(self.max_col)
                + rb'|[A-Za-z]{0,%d}+\$?(?=[0-9]{%d})(?:' % (letters, digits)
                + _numbers_from(self.row_limit) + rb')|[^"\':]*+:)')
        return found


# An r= value from the "r" on, up to its closing quote.
_VALUE = re.compile(rb'r\s*=\s*(?:"([^"]*)|\'([^\']*))')
_DIMENSION_WORD = re.compile(rb'dimension')  # in every dimension tag, with or without a namespace prefix
_STANDARD_HITS = 1000  # r=" values read one by one in a chunk before it is searched for every spelling instead
# Where an r= may be spelled other than r=": white space before or after "=", or a single quote after it. Each
# is a literal search; those for the rarer characters are run only if the chunk holds that character at all
# (a C-speed find).
_SPACE_EQUALS = re.compile(rb' =')
_EQUALS_SPACE = re.compile(rb'= ')
_EQUALS_QUOTE = re.compile(rb"='")
_OTHER_SPACES = [(space, re.compile(re.escape(space) + rb'='), re.compile(rb'=' + re.escape(space)))
                 for space in (b"\t", b"\n", b"\r", b"\x0b", b"\x0c")]


def _respelled(body: bytes) -> bool:
    """Whether an r= in `body` may be spelled other than r=" (only the search for every spelling finds those);
    False proves every r= in it is written r=" (what `\\s*=\\s*["']` can match there is exactly `="`)."""
    return (_SPACE_EQUALS.search(body) is not None or _EQUALS_SPACE.search(body) is not None
            or (b"'" in body and _EQUALS_QUOTE.search(body) is not None)
            or any(space in body and (before.search(body) is not None or after.search(body) is not None)
                   for space, before, after in _OTHER_SPACES))


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
    options = [f"[A-Za-z]{{{size + 1},}}"]  # the reader takes any count of letters
    for i, letter in enumerate(letters):
        later = _ALPHABET[_ALPHABET.index(letter) + 1:]
        if later:
            rest = size - i - 1
            options.append("".join(_either_case(c) for c in letters[:i]) + _either_case(later)
                           + (f"[A-Za-z]{{{rest}}}" if rest else ""))
    return "|".join(options).encode() or b"(?!)"


def _columns_upto(number: int) -> bytes:
    """A pattern for the column letters (either case) of columns 1 to `number` (fewer letters first)."""
    if number <= 0:
        return b"(?!)"
    letters = column_letters(number)
    size = len(letters)
    options = [f"[A-Za-z]{{1,{size - 1}}}"] if size > 1 else []
    for i in range(size - 1, -1, -1):
        top = letters[i] if i == size - 1 else chr(ord(letters[i]) - 1)
        if top >= "A":
            rest = size - i - 1
            options.append("".join(_either_case(c) for c in letters[:i]) + f"[A-{top}a-{top.lower()}]"
                           + (f"[A-Za-z]{{{rest}}}" if rest else ""))
    return "|".join(options).encode()


def _numbers_below(number: int) -> bytes:
    """A pattern for decimal numbers below `number` (>= 1): those of as many digits without a leading zero, the
    ones sharing the longest beginning with it first (a chunk's rows lie just below its bound), then any of
    fewer digits."""
    digits = str(number)
    size = len(digits)
    options = []
    for i in range(size - 1, -1, -1):
        low = "1" if i == 0 and size > 1 else "0"  # no leading zero in as many digits (one is read as more: slower)
        if digits[i] > low:
            rest = size - i - 1
            options.append(digits[:i] + f"[{low}-{int(digits[i]) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    if size > 1:
        options.append(f"[0-9]{{1,{size - 1}}}")
    return "|".join(options).encode()


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

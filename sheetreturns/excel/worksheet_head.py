"""The part of a worksheet before its cells: <dimension> widened, <cols> given widths for added columns."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..engine.columns import column_letter as column_letters
from .package import _column_index

if TYPE_CHECKING:
    from .worksheet_stream import SheetEdits


# An element's name may carry a namespace prefix: anything up to its first colon, as the reader (calamine)
# takes it, which reads <é:c>, <1:c>, <:c> and <a/b:c> as cells too (a name ends only at a space, tab, CR or
# LF, or ">"; "\x0b" and "\x0c" are name characters to it). "<" is left out (a search from every "<" stays
# linear); a name holding one is not XML, and the size check refuses a worksheet with one. A name starting
# with "/" closes a tag.
NAME_CHARS = rb"[^ \t\r\n<>:]"
ELEMENT_PREFIX = rb"(?:(?:[^ \t\r\n<>/:]" + NAME_CHARS + rb"*)?:)?"
ROOT = re.compile(rb"<(" + ELEMENT_PREFIX + rb")worksheet\b")  # group 1: its prefix
SHEET_DATA = re.compile(rb"<(" + ELEMENT_PREFIX + rb")sheetData\b[^>]*?(/?)>")  # group 2: "/" when empty
_DIMENSION = re.compile(rb'(<' + ELEMENT_PREFIX + rb'dimension\b[^>]*\bref=")([^"]*)(")')
_COLS = re.compile(rb"<(" + ELEMENT_PREFIX + rb")cols\b[^>]*>(.*?)</" + ELEMENT_PREFIX + rb"cols>", re.S)
_COL = re.compile(rb"<" + ELEMENT_PREFIX + rb"col\b([^>]*?)/?>")
_NUM = re.compile(rb'\b(min|max|style)="(\d+)"')


def column_styles(before: bytes, p: bytes) -> dict[int, int]:
    """0-based column -> the style its <col> element gives new cells."""
    styles: dict[int, int] = {}
    match = _COLS.search(before)
    if not match:
        return styles
    for col in _COL.finditer(match.group(2)):
        values = {k.decode(): int(v) for k, v in _NUM.findall(col.group(1))}
        if "style" in values and "min" in values:
            for index in range(values["min"] - 1, min(values.get("max", values["min"]), values["min"] + 16384) ):
                styles[index] = values["style"]
    return styles


def widen(before: bytes, p: bytes, edits: "SheetEdits", max_col: int) -> bytes:
    """The part before <sheetData>, with <dimension> covering the new extent and widths for added columns."""
    max_row = edits.max_row

    def dimension(match: re.Match) -> bytes:
        ref = match.group(2)
        parts = ref.split(b":")
        end = re.fullmatch(rb"([A-Z]+)(\d+)", parts[-1])
        start = re.fullmatch(rb"([A-Z]+)(\d+)", parts[0])
        if not end or not start:
            return match.group(0)
        end_col = max(_column_index(end.group(1)), max_col)
        end_row = max(int(end.group(2)), max_row)
        new = parts[0] + b":" + column_letters(end_col).encode() + b"%d" % end_row
        return match.group(1) + new + match.group(3)

    before = _DIMENSION.sub(dimension, before, count=1)
    if not edits.widths:
        return before
    existing = _COLS.search(before)
    covered: set[int] = set()
    if existing:
        for col in _COL.finditer(existing.group(2)):
            values = {k.decode(): int(v) for k, v in _NUM.findall(col.group(1))}
            if "min" in values:
                covered.update(range(values["min"], values.get("max", values["min"]) + 1))
    new_cols = b"".join(
        b"<" + p + b'col min="%d" max="%d" width="%s" customWidth="1"/>' % (c + 1, c + 1, b"%g" % w)
        for c, w in sorted(edits.widths.items()) if c + 1 not in covered
    )
    if not new_cols:
        return before
    if existing:
        insert_at = existing.end() - len(b"</" + p + b"cols>")
        return before[:insert_at] + new_cols + before[insert_at:]
    # <cols> goes right after <sheetFormatPr> (or <sheetViews>, <dimension>, <sheetPr>) in schema order.
    for name in (b"sheetFormatPr", b"sheetViews", b"dimension", b"sheetPr"):
        match = re.search(rb"<" + re.escape(p) + name + rb"\b.*?(?:/>|</" + re.escape(p) + name + rb">)", before, re.S)
        if match:
            return before[:match.end()] + b"<" + p + b"cols>" + new_cols + b"</" + p + b"cols>" + before[match.end():]
    worksheet = re.search(rb"<" + re.escape(p) + rb"worksheet\b[^>]*>", before)
    at = worksheet.end() if worksheet else len(before)
    return before[:at] + b"<" + p + b"cols>" + new_cols + b"</" + p + b"cols>" + before[at:]


def prefix_of(head: bytes) -> bytes:
    """The namespace prefix of the worksheet's root element (with its colon; b"" for none, or none found)."""
    match = ROOT.search(head)
    return match.group(1) if match else b""

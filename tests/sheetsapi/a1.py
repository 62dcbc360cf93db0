"""A1 notation as the Sheets API reads and writes it: parsing ranges, quoting titles, normalising."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ApiError

_CELL = re.compile(r"^([A-Za-z]{0,3})(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")


def column_letters(index: int) -> str:
    """0-based column index -> letters."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    value = 0
    for char in letters.upper():
        value = value * 26 + ord(char) - 64
    return value - 1


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: quoted only when it has to be."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str | None, str]:
    """'Sheet 1'!A1:B2 -> ("Sheet 1", "A1:B2"); A1:B2 -> (None, "A1:B2"); Sheet1 -> ("Sheet1", "")."""
    text = text.strip()
    if text.startswith("'"):
        end = 1
        title = []
        while end < len(text):
            char = text[end]
            if char == "'":
                if end + 1 < len(text) and text[end + 1] == "'":
                    title.append("'")
                    end += 2
                    continue
                break
            title.append(char)
            end += 1
        rest = text[end + 1:]
        if rest.startswith("!"):
            return "".join(title), rest[1:]
        return "".join(title), rest
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


@dataclass
class Span:
    """Rows and columns of a range, 0-based, end-exclusive; an end of None is open (to the grid's edge)."""

    r0: int
    c0: int
    r1: int | None
    c1: int | None


def parse_cells(cells: str) -> Span | None:
    """'A1:B2', 'A:A', '1:3', 'B2', 'A2:B' ... -> Span; '' -> whole sheet; unparseable -> None."""
    if cells == "":
        return Span(0, 0, None, None)
    first, colon, second = cells.partition(":")
    a = _CELL.match(first)
    if not a or (not a[1] and not a[2]):
        return None
    if not colon:
        if not a[1] or not a[2]:
            return None
        row, col = int(a[2]) - 1, column_index(a[1])
        if row < 0:
            return None
        return Span(row, col, row + 1, col + 1)
    b = _CELL.match(second)
    if not b or (not b[1] and not b[2]):
        return None
    r0 = int(a[2]) - 1 if a[2] else 0
    c0 = column_index(a[1]) if a[1] else 0
    r1 = int(b[2]) if b[2] else None
    c1 = column_index(b[1]) + 1 if b[1] else None
    if r0 < 0 or (r1 is not None and r1 < 1):
        return None
    if r1 is not None and r0 >= r1:
        r0, r1 = r1 - 1, r0 + 1
    if c1 is not None and c0 >= c1:
        c0, c1 = c1 - 1, c0 + 1
    return Span(r0, c0, r1, c1)


def cells_text(r0: int, c0: int, r1: int, c1: int) -> str:
    """A bounded 0-based span -> 'A1' or 'A1:D4'."""
    start = f"{column_letters(c0)}{r0 + 1}"
    if r1 - r0 == 1 and c1 - c0 == 1:
        return start
    return f"{start}:{column_letters(c1 - 1)}{r1}"


def range_text(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{quote_title(title)}!{cells_text(r0, c0, r1, c1)}"


def bad_range(text: str) -> ApiError:
    return ApiError(400, f"Unable to parse range: {text}")

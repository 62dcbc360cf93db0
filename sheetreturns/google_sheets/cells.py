"""Values between Python and the Sheets API: what a read returns, what a write sends, and A1 ranges.

Reads use UNFORMATTED_VALUE with SERIAL_NUMBER dates, and numbers are handed to the rules as floats,
just as the .xlsx reader hands them over, so the same content gives the same statuses in both.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal

from ..engine.columns import column_letter
from ..engine.values import CellError

EPOCH = date(1899, 12, 30)
ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#ERROR!", "#SPILL!",
                         "#CALC!", "#GETTING_DATA"})
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$")


def from_api(row: list) -> list:
    """One row as read: integers as floats (as calamine gives them), error texts as CellError."""
    return [float(v) if v.__class__ is int else CellError(v) if v.__class__ is str and v in ERROR_CODES else v
            for v in row]


def column_index(letters: str) -> int:
    """Column letters -> 0-based index (A -> 0, AB -> 27)."""
    value = 0
    for char in letters.upper():
        value = value * 26 + ord(char) - 64
    return value - 1


def serial(day: date) -> int | float:
    if isinstance(day, datetime):
        delta = day - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return (day - EPOCH).days


def to_api(value: object) -> object:
    """A planned value as a RAW write sends it: dates as serial numbers, money as numbers, blank as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (date, datetime)):
        return serial(value)
    if isinstance(value, (Decimal, float)):
        number = float(value)
        if not math.isfinite(number):
            return str(value)  # JSON has no NaN or infinity: as text, as a drawn tab shows it
        return int(number) if number.is_integer() else number
    if isinstance(value, int):
        return value
    return str(value)


def same(current: object, wanted: object) -> bool:
    """Does the cell as read already hold the planned value? (read values are from_api'd rows)."""
    target = to_api(wanted)
    if current is None or current == "":
        return target == ""
    if isinstance(target, str):
        return isinstance(current, str) and current == target
    if isinstance(target, bool) or isinstance(current, bool):
        return current is target
    if isinstance(current, (int, float)):
        return abs(float(current) - float(target)) < 1e-9
    return False


def identity_text(value: object) -> str | None:
    """A cell reduced for matching rows again: trimmed text, whole numbers without .0, blank as None."""
    if value is None or isinstance(value, CellError):
        return None
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value).strip()
    return text or None


def quote_title(title: str) -> str:
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, col: int, first_row: int, last_row: int | None = None, last_col: int | None = None) -> str:
    """'Returns'!D2:D9 from 0-based columns and 1-based rows; last_row None = to the end of the column."""
    start = f"{column_letter(col)}{first_row}"
    end_col = column_letter(col if last_col is None else last_col)
    if last_row is None:
        return f"{quote_title(title)}!{start}:{end_col}"
    if last_row == first_row and (last_col is None or last_col == col):
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{end_col}{last_row}"


def column_range(title: str, col: int) -> str:
    letter = column_letter(col)
    return f"{quote_title(title)}!{letter}:{letter}"

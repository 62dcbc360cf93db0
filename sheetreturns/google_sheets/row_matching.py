"""Finding the rows again just before writing: sellers insert, delete and sort rows while the job runs.

A row is recognised by its Return ID, Order ID, SKU and Email (the identity columns), never by its
position. The identity columns are read again right before the write; if they are exactly as first
read, nothing moved. Otherwise each row goes to the one row that now has its identity; rows whose
identity is missing or shared by several rows are left for the next run rather than risk writing
one row's values into another.
"""
from __future__ import annotations

from collections import Counter

from ..engine.columns import HEADER_SEARCH_ROWS, HeaderMap, find_header
from ..errors import SheetReturnsError
from .sheets_client import Api
from .cells import column_range, from_api, identity_text, quote_title

IDENTITY_KEYS = ("return_id", "order_id", "sku", "email")

Key = tuple[str | None, ...]


def keys_of(columns: dict[str, list], header: HeaderMap, rows: int,
            identity: tuple[str, ...] = IDENTITY_KEYS) -> list[Key]:
    """The identity of every row (0-based), from cell values as the API returns them."""
    present = [k for k in identity if k in header.columns]
    normal = []
    for key in present:
        column = list(columns.get(key) or [])
        column += [None] * (rows - len(column))
        normal.append([None if v is None or v == "" else (v.strip() or None) if v.__class__ is str else identity_text(v)
                       for v in column[:rows]])
    return list(zip(*normal)) if normal else [()] * rows


def fewest_keys(columns: dict[str, list], header: HeaderMap, rows: int) -> tuple[str, ...]:
    """The fewest identity columns that tell every row apart, as first read: the Return ID alone when every
    row holding anything has one of its own, else with the SKU (lines of one return), else all of them.
    Reading fewer columns again costs less; a blank row stays blank in every one of them."""
    full = keys_of(columns, header, rows)
    for identity in (("return_id",), ("return_id", "sku")):
        if not all(k in header.columns for k in identity):
            continue
        keys = [key for key, whole in zip(keys_of(columns, header, rows, identity), full) if any(whole)]
        if all(key[0] for key in keys) and len(set(keys)) == len(keys):
            return identity
    return IDENTITY_KEYS


def reread_ranges(tab: str, old: HeaderMap, keys: tuple[str, ...], grid_rows: int) -> tuple[list[str], list[str]]:
    """(the keys read, the ranges): the top rows (to find the header again), then each named column."""
    wanted = [k for k in keys if k in old.columns]
    top = max(1, min(HEADER_SEARCH_ROWS, grid_rows))  # a range past the grid's last row is an error
    return wanted, [f"{quote_title(tab)}!1:{top}"] + [column_range(tab, old.columns[k]) for k in wanted]


def reread(api: Api, tab: str, old: HeaderMap, keys: tuple[str, ...], grid_rows: int,
           done: str = "nothing was written") -> tuple[HeaderMap, dict[str, list]]:
    """One batchGet: the top rows (to find the header again) and the named columns."""
    wanted, ranges = reread_ranges(tab, old, keys, grid_rows)
    answers = api.batch_get(ranges, major="COLUMNS")
    top = _rows_from_columns(answers[0].get("values", []))
    columns = {k: (a.get("values") or [[]])[0] for k, a in zip(wanted, answers[1:])}
    return found_again(api, tab, old, keys, top, columns, done)


def read_back(answer: dict, tab: str, wanted: list[str]) -> tuple[list[list], dict[str, list]]:
    """The ranges of reread_ranges as a batchUpdate brought them back: (top rows, named columns), values as
    values.batchGet gives them (unformatted, dates as serial numbers)."""
    sheets = (answer.get("updatedSpreadsheet") or {}).get("sheets") or []
    data = next((s.get("data") or [] for s in sheets if (s.get("properties") or {}).get("title") == tab), [])
    if len(data) != len(wanted) + 1:
        raise SheetReturnsError(f"Google's answer to the write did not hold the {tab!r} tab's rows: run again")
    top = [[""] * data[0].get("startColumn", 0) + [_plain(c) for c in row.get("values", [])]
           for row in _grid_rows(data[0])]
    columns = {k: [_plain((row.get("values") or [{}])[0]) for row in _grid_rows(grid)]
               for k, grid in zip(wanted, data[1:])}
    return top, columns


class HeaderMoved(SheetReturnsError):
    """The header row is no longer where it was, or no longer the same (the seller changed it meanwhile)."""


def found_again(api: Api, tab: str, old: HeaderMap, keys: tuple[str, ...], top: list[list],
                columns: dict[str, list], done: str = "nothing was written") -> tuple[HeaderMap, dict[str, list]]:
    """The header found again in the top rows; the named columns read again where they are now if it moved.
    `done`: what the run has written so far, for the error if the header is not found (HeaderMoved)."""
    try:
        header = find_header([from_api(r) for r in top], tab)
    except SheetReturnsError:
        raise HeaderMoved(
            f"the header row of the {tab!r} tab changed while sheetreturns was running: run it again "
            f"({done})") from None
    wanted = [k for k in keys if k in old.columns]
    if any(header.columns.get(k) != old.columns.get(k) for k in wanted):
        # Columns were inserted, deleted or moved: read the named columns where they are now.
        moved = [k for k in keys if k in header.columns]
        answers = api.batch_get([column_range(tab, header.columns[k]) for k in moved], major="COLUMNS")
        columns = {k: (a.get("values") or [[]])[0] for k, a in zip(moved, answers)}
    return header, columns


def _grid_rows(grid: dict) -> list[dict]:
    return [{}] * grid.get("startRow", 0) + list(grid.get("rowData") or [])


_ERRORS = {"NULL_VALUE": "#NULL!", "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!", "REF": "#REF!", "NAME": "#NAME?",
           "NUM": "#NUM!", "N_A": "#N/A"}


def _plain(cell: dict) -> object:
    """A cell's effectiveValue as values.batchGet gives it unformatted ("" for an empty cell)."""
    value = cell.get("effectiveValue")
    if not value:
        return ""
    if "numberValue" in value:
        return value["numberValue"]
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return value["boolValue"]
    error = value.get("errorValue") or {}
    return _ERRORS.get(error.get("type"), "#ERROR!")


def _rows_from_columns(columns: list[list]) -> list[list]:
    height = max((len(c) for c in columns), default=0)
    return [[c[r] if r < len(c) else "" for c in columns] for r in range(height)]


def locate(first: list[Key], first_start: int, now: list[Key], now_start: int, wanted: set[int]) -> tuple[dict[int, int], int]:
    """Map wanted rows (0-based, as first read) to where they are now; (mapping, rows that could not be placed).

    `first` and `now` hold the identity of every row, from index 0; data rows start at *_start.
    """
    if first[first_start:] == now[now_start:len(now)] and first_start == now_start:
        return {r: r for r in wanted}, 0
    # Trailing blank rows may differ in count only; compare again without them.
    trimmed_first = _trim(first[first_start:])
    trimmed_now = _trim(now[now_start:])
    shift = now_start - first_start
    if trimmed_first == trimmed_now:
        return {r: r + shift for r in wanted}, 0
    if trimmed_now[:len(trimmed_first)] == trimmed_first:
        # Rows were only added below (by this run's own append, or by the seller): every row read is where it
        # was; a blank row read stays the target only while it is still blank.
        blank_now = tuple(None for _ in (now[0] if now else ()))
        end = first_start + len(trimmed_first)
        mapping = {r: r + shift for r in wanted
                   if r < end or r + shift >= len(now) or now[r + shift] == blank_now}
        return mapping, len(wanted) - len(mapping)
    blank = tuple(None for _ in (first[0] if first else ()))
    seen_first = Counter(first[first_start:])
    seen_now = Counter(now[now_start:])
    where_now = {key: i for i, key in enumerate(now) if i >= now_start and seen_now[key] == 1}
    mapping, lost = {}, 0
    for r in sorted(wanted):
        key = first[r] if r < len(first) else blank
        if key == blank or seen_first[key] != 1 or key not in where_now:
            lost += 1
            continue
        mapping[r] = where_now[key]
    return mapping, lost


def _trim(keys: list[Key]) -> list[Key]:
    end = len(keys)
    while end and all(v is None for v in keys[end - 1]):
        end -= 1
    return keys[:end]

"""Rows of raw cell values -> typed Lines, recording every cell that cannot be read instead of failing.

Rows are parsed a block at a time, column by column: a column holds one kind of value, so each
column gets one tight loop with a fast path for the values spreadsheets usually hold.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from itertools import compress, islice
from typing import Callable, Iterable, Iterator

from .columns import ALL_COLUMNS, JOB_COLUMNS, HeaderMap
from .layout_rows import Reading, apply_layout
from .layouts import footer_text
from .model import LINE_FIELDS, NO_BAD_CELLS, Line
from .policy import Policy
from .values import (
    EARLIEST_PLAUSIBLE, LATEST_PLAUSIBLE, BadValue, parse_choice, parse_count, parse_date, parse_email,
    parse_money, parse_signed_count, parse_text,
)

Parser = Callable[[object], object]
BLOCK = 256  # rows parsed together: few enough that their cells are still in the CPU cache from the reader
make_line = partial(tuple.__new__, Line)  # builds a Line from a full tuple without Python-level __new__


def parsers_for(policy: Policy, date1904: bool) -> dict[str, Parser]:
    """One parser per column kind, with the workbook's date system, the seller's date order and words bound in."""
    return {
        "text": parse_text,
        "email": parse_email,
        "date": partial(parse_date, day_first=policy.day_first, date1904=date1904),
        "money": parse_money,
        "int": parse_count,
        "condition": partial(parse_choice, kind="condition", extra=policy.value_map("condition")),
        "damage_by": partial(parse_choice, kind="damage_by", extra=policy.value_map("damage_by")),
        "decision": partial(parse_choice, kind="decision", extra=policy.value_map("decision")),
    }


class _Bad:
    """Stands in for a value that could not be parsed, until the block is assembled into lines."""

    __slots__ = ("raw", "message")

    def __init__(self, raw: object, message: str) -> None:
        self.raw, self.message = raw, message


# Text columns whose values repeat down a sheet; one shared object per distinct value saves memory.
_REPEATING = frozenset({"sku", "product", "channel", "reason", "customer", "status", "inventory", "reason_category"})


_MISSING = object()


def _column(values: tuple, kind: str, parse: Parser, repeating: bool = False,
            memo: dict | None = None) -> tuple[list, bool]:
    """Parse one column of a block; returns the values and whether any cell was bad.

    `memo` (kept by the caller from block to block) holds what each value already read as, for the kinds
    whose values repeat down a column; only values that read well are kept in it."""
    failed = False

    def slow(value: object) -> object:
        nonlocal failed
        try:
            return parse(value)
        except BadValue as exc:
            failed = True
            return _Bad(value, str(exc))

    # The test for the usual value comes first: a date or a number compared with "" is a slow comparison.
    if kind == "text" and not repeating:
        try:
            out = list(map(str.strip, values))  # the usual column: nothing but text, stripped in one pass
        except TypeError:  # a blank (None), a number, a date, an error ...
            out = [
                None if v == "" or v is None else (v.strip() or None) if v.__class__ is str else slow(v)
                for v in values
            ]
        else:
            if "" in out:
                out = [v or None for v in out]
    elif kind == "text":
        # raw text -> its stripped value, one shared object per distinct value (kept from block to block)
        shared = {"": None} if memo is None else memo
        known = shared.get
        keep = shared.setdefault

        def share(text: str) -> str | None:
            stripped = text.strip()
            found = shared[text] = keep(stripped, stripped) or None
            return found

        out = [
            found if (found := known(v, _MISSING)) is not _MISSING
            else None if v is None else share(v) if v.__class__ is str else slow(v)
            for v in values
        ]
    else:
        # Dates typed as text, prices, counts, choices and emails repeat down a column: each distinct value
        # is parsed once.
        memo = {} if memo is None else memo
        texts = memo.setdefault(str, {})  # str values by themselves: no (type, value) key to build
        known = texts.get

        def cached(value: object) -> object:
            if value.__class__ is str:
                found = slow(value)
                if found.__class__ is not _Bad:
                    texts[value] = found
                return found
            key = (value.__class__, value)
            try:
                return memo[key]
            except KeyError:
                found = slow(value)
                if found.__class__ is not _Bad:
                    memo[key] = found
                return found
            except TypeError:  # unhashable: never from a reader, but never a crash either
                return slow(value)

        numbers = memo.setdefault(float, {})  # float values by themselves (never a key equal to True or 1)
        number = numbers.get

        def money(value: float) -> Decimal:
            found = numbers[value] = Decimal(repr(value))
            return found

        def count(value: float) -> int:
            found = numbers[value] = int(value)
            return found

        if kind == "date":
            out = [
                v if v.__class__ is date and EARLIEST_PLAUSIBLE <= v < LATEST_PLAUSIBLE
                else None if v == "" or v is None
                else found if v.__class__ is str and (found := known(v, _MISSING)) is not _MISSING
                else cached(v)
                for v in values
            ]
        elif kind == "money":
            out = [
                (found if (found := number(v)) is not None else money(v)) if v.__class__ is float and 0 <= v < 1e12
                else None if v == "" or v is None
                else cached(v)
                for v in values
            ]
        elif kind == "int":
            out = [
                (found if (found := number(v)) is not None else count(v))
                if v.__class__ is float and 0 <= v <= 1e7 and v.is_integer()
                else None if v == "" or v is None
                else cached(v)
                for v in values
            ]
        else:
            out = [
                None if v == "" or v is None
                else found if v.__class__ is str and (found := known(v, _MISSING)) is not _MISSING
                else cached(v)
                for v in values
            ]
    return out, failed


def _blocks(rows: Iterable[list[object]]) -> Iterator[list[list[object]]]:
    iterator = iter(rows)
    while block := list(islice(iterator, BLOCK)):
        yield block


def build_lines(
    rows: Iterable[list[object]], first_row: int, header: HeaderMap, policy: Policy, date1904: bool = False,
    job_cells: dict[str, list[object]] | None = None, reading: Reading | None = None,
) -> list[Line]:
    """Typed lines for every row that has anything in a seller column; `rows` start at sheet row `first_row`.

    `job_cells`, if given, receives the raw value of every job-owned cell as read, by column key, for
    every row from `first_row` on (blank rows too): what a sync compares its new values with.
    `reading`, if given, collects the rows left alone (footers, summaries, sales lines of a credit-note
    file) and whether the sheet is a sales export. A refund of zero is no refund.
    """
    reading = reading if reading is not None else Reading()
    reading.layout = header.layout
    parsers = parsers_for(policy, date1904)
    layout = header.layout
    signed = layout is not None and layout.signed_quantity
    kinds = {c.key: c for c in ALL_COLUMNS}
    present = [(key, header.columns[key]) for key in LINE_FIELDS if key in header.columns]
    source_columns = list(header.sources.items())
    kept = [(c.key, header.columns[c.key]) for c in JOB_COLUMNS if c.key in header.columns] if job_cells is not None else []
    for key, _ in kept:
        job_cells[key] = []
    need = max((index for _, index in [*present, *source_columns, *kept]), default=-1) + 1
    seller_positions = [i for i, (key, _) in enumerate(present) if not kinds[key].job_owned]
    lines: list[Line] = []
    sources: dict[int, dict[str, str]] = {}
    next_row = first_row
    # what each column's values read as, kept from block to block
    memos: dict[str, dict] = {key: {"": None} if kinds[key].kind == "text" else {} for key, _ in present}
    for block in _blocks(rows):
        numbers = range(next_row, next_row + len(block))
        next_row += len(block)
        cells = block if min(map(len, block)) >= need else [
            c if len(c) >= need else list(c) + [""] * (need - len(c)) for c in block]
        raw_columns = list(zip(*cells)) if cells else []
        for key, index in kept:
            job_cells[key].extend(raw_columns[index])
        parsed: dict[str, list] = {}
        bad_rows: dict[int, dict[str, tuple[object, str]]] = {}
        for key, index in present:
            column = kinds[key]
            parse = parse_signed_count if signed and key == "qty" else parsers[column.kind]
            values, failed = _column(raw_columns[index], column.kind, parse, key in _REPEATING, memos[key])
            if failed:
                for position, value in enumerate(values):
                    if value.__class__ is _Bad:
                        values[position] = None
                        if not column.job_owned:
                            bad_rows.setdefault(position, {})[key] = (value.raw, value.message)
            parsed[key] = values
        if "refund_amount" in parsed:
            _zero_refunds_are_none(parsed)
        size = len(block)
        blanks = [None] * size
        bads = [NO_BAD_CELLS] * size
        for position, cells_of_row in bad_rows.items():
            bads[position] = cells_of_row
        columns = [numbers, *(parsed.get(key) or blanks for key in LINE_FIELDS), bads]
        # A row with nothing in any seller column (and no unreadable cell) is not a return. A row with an
        # Order ID or a SKU has something: only the others are looked at cell by cell.
        order_ids, skus = parsed.get("order_id", blanks), parsed.get("sku", blanks)
        lonely = [position for position, order, sku in zip(range(size), order_ids, skus)
                  if order is None and sku is None]
        keep = [True] * size
        if lonely:
            seller = [parsed[present[i][0]] for i in seller_positions]
            for position in lonely:
                keep[position] = position in bad_rows or any(values[position] is not None for values in seller)
        for position in lonely:
            is_line = keep[position]
            # Rows without an order or a SKU: a footer or summary line, or text outside our columns.
            texts = [c for c in block[position] if c is not None and c != "" and not (isinstance(c, str) and not c.strip())]
            if not texts:
                continue
            footer = footer_text(block[position])
            if footer is not None:
                keep[position] = False
                reading.left_alone.append((numbers[position], f'a report footer or summary line ("{footer}")'))
            elif not is_line:
                reading.left_alone.append((numbers[position], "nothing in the columns sheetreturns reads"))
        if source_columns:
            for name, index in source_columns:
                for position, value in enumerate(raw_columns[index]):
                    if keep[position] and value is not None and value != "":
                        try:
                            text = parse_text(value)
                        except BadValue:
                            text = None
                        if text:
                            sources.setdefault(numbers[position], {})[name] = text
        lines.extend(compress(map(make_line, zip(*columns)), keep))
    if layout is not None:
        lines = apply_layout(lines, sources, layout, reading, policy.this_is_a_returns_sheet)
    reading.left_alone.sort()
    return lines


def _zero_refunds_are_none(parsed: dict[str, list]) -> None:
    """A Refund Amount of 0 is no refund: neither the amount nor its date count."""
    amounts = parsed["refund_amount"]
    dates = parsed.get("refunded_on")
    for position, amount in enumerate(amounts):
        if amount is not None and amount.__class__ is not _Bad and amount == 0:
            amounts[position] = None
            if dates is not None:
                dates[position] = None

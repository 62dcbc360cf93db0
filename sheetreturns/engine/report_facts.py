"""What imported marketplace reports said about a row, kept beside the sheet: the values each report gave
(so a seller's different value shows as a problem, without being overwritten) and the report lines to
quote in a claim.

Facts are keyed by the row's Return ID (a marketplace's own return identifier) or by Order ID + SKU.
"""
from __future__ import annotations

from functools import lru_cache

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping

from .model import Line, Problem
from .values import describe

TOLERANCE = Decimal("0.005")
FBA_CHANNELS = frozenset({"amazonfba", "fba", "fulfilledbyamazon", "amazonafn", "afn", "amazonfulfilled"})


@dataclass(frozen=True, slots=True)
class ReportFact:
    column: str  # column key the report gave a value for
    value: object  # typed: date, Decimal, int or str
    ref: str  # "payments-nov.csv line 7"
    quote: str = ""  # the line's own words, for a claim


FactsIndex = Mapping[tuple[str, str], tuple[ReportFact, ...]]


def is_amazon_fba(line: Line) -> bool:
    """Amazon fulfilled the order (Channel "Amazon FBA"): Amazon refunds the customer and may owe the seller."""
    channel = line.channel
    return channel is not None and _fba_channel(channel)


@lru_cache(maxsize=1024)
def _fba_channel(channel: str) -> bool:
    return "".join(c for c in channel.lower() if c.isalnum()) in FBA_CHANNELS


def facts_of(line: Line, facts: FactsIndex | None) -> tuple[ReportFact, ...]:
    if not facts:
        return ()
    found: tuple[ReportFact, ...] = ()
    if line.return_id is not None:
        found += facts.get(("id", line.return_id.lower()), ())
    if line.order_id is not None and line.sku is not None:
        found += facts.get((line.order_id.lower(), line.sku.lower()), ())
    return found


def same(a: object, b: object) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return abs(Decimal(str(a)) - Decimal(str(b))) <= TOLERANCE
        except ArithmeticError:
            return False
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().lower() == b.strip().lower()
    return a == b


def shown(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return describe(value)


def disagreements(line: Line, found: tuple[ReportFact, ...], label, cell, return_id: str | None) -> list[Problem]:
    """A seller's value that a report contradicts: shown on the row, never overwritten."""
    problems = []
    for fact in found:
        mine = getattr(line, fact.column, None)
        if mine is None or same(mine, fact.value):
            continue
        name = label(fact.column)
        problems.append(Problem(
            "report-disagrees", return_id, line.row, name, cell(fact.column, line.row),
            f"{name} is {shown(mine)} but {fact.ref} says {shown(fact.value)}: check which is right",
        ))
    return problems


def claim_quote(found: tuple[ReportFact, ...]) -> str:
    """The refund lines to quote in a claim to Amazon."""
    seen: list[str] = []
    for fact in found:
        if fact.column == "refunded_on":
            text = f"{fact.ref} ({fact.quote})" if fact.quote else fact.ref
            if text not in seen:
                seen.append(text)
    return "; ".join(seen)

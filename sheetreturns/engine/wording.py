"""How amounts, dates and counts are written in text a seller or customer reads."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount: Decimal | float | int, symbol: str) -> str:
    """£1,234.50 (symbol first, two decimals, thousands separated)."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.2f}"


def day(value: date) -> str:
    return value.isoformat()


def units(count: int, noun: str = "unit") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

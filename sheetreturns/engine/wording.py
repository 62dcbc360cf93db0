"""How amounts, dates and counts are written in text a seller or customer reads."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .currencies import decimals_of_symbol

_QUANTUM = [Decimal(1).scaleb(-places) for places in range(4)]  # 1, 0.1, 0.01, 0.001


def money(amount: Decimal | float | int, symbol: str) -> str:
    """£1,234.50: symbol first, thousands separated, in the currency's own decimals (¥1,235 for yen)."""
    places = decimals_of_symbol(symbol)
    exact = amount if amount.__class__ is Decimal else Decimal(str(amount))
    value = exact.quantize(_QUANTUM[places] if places < 4 else Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{abs(value):,.{places}f}"


def money_format(symbol: str) -> str:
    """The spreadsheet number format for amounts: #,##0.00, or #,##0 for a currency without decimals."""
    places = decimals_of_symbol(symbol)
    return "#,##0" + ("." + "0" * places if places else "")


def day(value: date) -> str:
    return value.isoformat()


def units(count: int, noun: str = "unit") -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

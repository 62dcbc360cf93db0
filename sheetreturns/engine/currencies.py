"""Currencies: the symbols a seller writes ("£", "A$", "NZ$", "¥") and how many decimals each has.

Decimals come from the Unicode CLDR through Babel (JPY and KRW have none, BHD three), so amounts are
written the way the currency is. Babel is a pure library: it reads its bundled data, nothing else.
"""
from __future__ import annotations

import re
from functools import lru_cache

from babel.numbers import get_currency_precision, get_currency_symbol

# The symbol written for each currency a shop may choose; any other is written as its code ("SEK 12.00").
CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}
# Codes also recognised in amounts typed as text ("12.50 EUR", "CHF 30").
KNOWN_CODES = ("GBP", "USD", "EUR", "AUD", "CAD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "INR")


@lru_cache(maxsize=None)
def decimals(code: str) -> int:
    """How many decimals amounts in the currency have: 2 for most, 0 for JPY, 3 for BHD."""
    try:
        return get_currency_precision(code.upper())
    except (KeyError, ValueError):
        return 2


def code_of_symbol(symbol: str) -> str | None:
    """The currency a written symbol stands for: "¥" -> "JPY", "SEK " -> "SEK"; None when unknown."""
    text = symbol.strip()
    for code, written in CURRENCY_SYMBOLS.items():
        if written == text:
            return code
    return text.upper() if len(text) == 3 and text.isalpha() else None


@lru_cache(maxsize=64)
@lru_cache(maxsize=64)
def decimals_of_symbol(symbol: str) -> int:
    code = code_of_symbol(symbol)
    return decimals(code) if code else 2


@lru_cache(maxsize=1)
def symbol_pattern() -> re.Pattern[str]:
    """Every currency mark that may stand beside an amount: the table's symbols, the CLDR ones ("US$",
    "CA$", "JP¥"), the codes, and spaces. Longest first, so "NZ$" goes as a whole rather than "$"."""
    marks = set(CURRENCY_SYMBOLS.values()) | {"$", "£", "€", "¥", "₹"}
    for code in KNOWN_CODES:
        for locale in ("en", "en_GB", "en_AU", "en_CA", "en_NZ", "en_IN", "ja", "de", "fr"):
            marks.add(get_currency_symbol(code, locale))
    marks -= set(KNOWN_CODES)
    symbols = "|".join(re.escape(m) for m in sorted(marks, key=len, reverse=True))
    codes = "|".join(KNOWN_CODES)
    return re.compile(rf"(?i)(?:{symbols})|\b(?:{codes})\b|[\s\u00a0\u202f]")

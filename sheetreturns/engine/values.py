"""Cell values as sellers type them, turned into dates, money, counts and choices.

Every parser takes the raw cell value (whatever the reader produced: str, float, int, bool,
date, datetime, CellError, None) and returns a typed value or None for a blank cell. A value that
cannot be understood raises BadValue with a message a seller can act on.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Mapping

from .columns import normalise
from .currencies import symbol_pattern
from .vocabularies import RESOLUTIONS


class BadValue(ValueError):
    """The cell holds something that cannot be read as its column's type."""


@dataclass(frozen=True, slots=True)
class CellError:
    """An Excel error value cached in a cell (#N/A, #REF! ...)."""

    code: str

    def __str__(self) -> str:
        return self.code


EXCEL_1900 = date(1899, 12, 30)
EXCEL_1904 = date(1904, 1, 1)
EARLIEST_PLAUSIBLE = date(1980, 1, 1)
LATEST_PLAUSIBLE = date(2200, 1, 1)


def describe(value: object) -> str:
    """How a raw cell value is quoted back to the seller in a message."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "..."


def _error_message(value: CellError) -> str:
    return f"shows the spreadsheet error {value.code}"


# -- text -------------------------------------------------------------------

def parse_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, CellError):
        raise BadValue(_error_message(value))
    return str(value).strip() or None


# -- dates ------------------------------------------------------------------

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:z|utc|[+-]\d{2}:?\d{2}))?)?$")
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?: +\d{1,2}:\d{2}(?::\d{2})?)?$")
_LETTERS = r"[^\W\d_]+"
_DAY_MONTH_NAME = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th|\.)?[ \-]+(?:de )?({_LETTERS})\.?,?[ \-]+(?:de )?(\d{{2,4}})$")
_MONTH_NAME_DAY = re.compile(rf"({_LETTERS})\.?[ \-]+(\d{{1,2}})(?:st|nd|rd|th)?,?[ \-]+(\d{{2,4}})$")
_WEEKDAY_FIRST = re.compile(rf"({_LETTERS})\.?,?\s+(?=\d|{_LETTERS})")
# Month and weekday names in the languages sellers' sheets come in, from the Unicode CLDR (through Babel).
_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _fold(name: str) -> str:
    """Lower case, no dots, no accents: "Févr." -> "fevr", "März" -> "marz"."""
    text = unicodedata.normalize("NFKD", name.lower().replace(".", "").strip())
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, int], dict[str, int]]:
    """{month name: 1..12} and {weekday name: 0..6}, every language and width; a name that means two
    different months in two languages is left out."""
    from babel.dates import get_day_names, get_month_names

    months: dict[str, set[int]] = {}
    weekdays: dict[str, set[int]] = {}
    for name, index in _MONTHS.items():
        months.setdefault(name, set()).add(index)
    for language in _LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for index, name in get_month_names(width, context, language).items():
                    months.setdefault(_fold(name), set()).add(index)
                for index, name in get_day_names(width, context, language).items():
                    weekdays.setdefault(_fold(name), set()).add(index)
    return ({k: v.pop() for k, v in months.items() if len(v) == 1 and len(k) >= 3},
            {k: v.pop() for k, v in weekdays.items() if len(v) == 1 and len(k) >= 2})


def _month(name: str) -> int | None:
    return _names()[0].get(_fold(name))


_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?$")


def serial_to_date(serial: float, date1904: bool = False) -> date:
    if not math.isfinite(serial) or serial < 1 or serial >= 2958466:
        raise BadValue(f"{describe(serial)} is not a date")
    base = EXCEL_1904 if date1904 else EXCEL_1900
    return base + timedelta(days=int(serial))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000
    return year


def _make_date(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(f'"{raw}" is not a real date') from None


def _parse_date_text(text: str, day_first: bool, date1904: bool) -> date:
    raw = text
    text = text.strip().lower()
    match = _ISO.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), raw)
    match = _NUMERIC.match(text)
    if match:
        a, b, c = match.groups()
        if len(a) == 4:  # 2026/11/20
            return _make_date(int(a), int(b), int(c), raw)
        first, second, year = int(a), int(b), _year(c)
        if len(c) not in (2, 4):
            raise BadValue(f'"{raw}" is not a date: write it as YYYY-MM-DD')
        if first > 12 and second <= 12:
            day, month = first, second  # unambiguous whatever the setting
        elif second > 12 and first <= 12:
            month, day = first, second
        elif day_first:
            day, month = first, second
        else:
            month, day = first, second
        return _make_date(year, month, day, raw)
    weekday = None
    match = _WEEKDAY_FIRST.match(text)
    if match and _fold(match[1]) in _names()[1]:  # "Thursday, 20 November 2026", "jeudi 20 novembre 2026"
        weekday, text = _names()[1][_fold(match[1])], text[match.end():]
    named = None
    match = _DAY_MONTH_NAME.match(text)
    if match and _month(match[2]):
        named = _make_date(_year(match[3]), _month(match[2]), int(match[1]), raw)
    match = None if named else _MONTH_NAME_DAY.match(text)
    if match and _month(match[1]):
        named = _make_date(_year(match[3]), _month(match[1]), int(match[2]), raw)
    if named is not None:
        if weekday is not None and named.weekday() != weekday:
            raise BadValue(f'"{raw}": {named.isoformat()} is a {WEEKDAYS[named.weekday()]}, not a {WEEKDAYS[weekday]}')
        return named
    if _SERIAL_TEXT.match(text):
        return serial_to_date(float(text), date1904)
    raise BadValue(f'"{describe(raw)}" is not a date: write it as YYYY-MM-DD')


def parse_date(value: object, day_first: bool = True, date1904: bool = False) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str):
        if not value.strip():
            return None
        result = _parse_date_text(value, day_first, date1904)
    elif isinstance(value, bool):
        raise BadValue(f"{describe(value)} is not a date")
    elif isinstance(value, (int, float)):
        result = serial_to_date(float(value), date1904)
    elif isinstance(value, CellError):
        raise BadValue(_error_message(value))
    elif isinstance(value, (time, timedelta)):
        raise BadValue(f"{describe(value)} is a time of day, not a date")
    else:
        raise BadValue(f'"{describe(value)}" is not a date')
    if not EARLIEST_PLAUSIBLE <= result < LATEST_PLAUSIBLE:
        raise BadValue(f"{result.isoformat()} is not a plausible date (check the year)")
    return result


# -- money ------------------------------------------------------------------

_MONEY_TEXT = re.compile(r"-?(?:\d[\d,.']*)?\d$|-?\d*\.\d+$")
# The usual amount typed as text: digits (thousands with commas), a decimal point, maybe a common symbol
# before it. It reads the same as through the general path (a property test checks), only faster.
_PLAIN_MONEY = re.compile(r" *(?:[$£€¥₹] *)?([0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+) *")
_TOO_LARGE = Decimal("1e12")
CENT = Decimal("0.01")


def _decimal_from_text(text: str, raw: str) -> Decimal:
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = True, text[1:]
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if not text or not _MONEY_TEXT.match(text):
        raise BadValue(f'"{describe(raw)}" is not an amount of money')
    text = text.replace("'", "")
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        if last_comma > last_dot:  # 1.234,50
            text = text.replace(".", "").replace(",", ".")
        else:  # 1,234.50
            text = text.replace(",", "")
    elif last_comma >= 0:
        decimals = len(text) - last_comma - 1
        if text.count(",") == 1 and decimals in (1, 2):  # 24,99
            text = text.replace(",", ".")
        elif all(len(part) == 3 for part in text.split(",")[1:]):
            text = text.replace(",", "")
        else:
            raise BadValue(f'"{describe(raw)}" is not an amount of money')
    elif text.count(".") > 1:
        raise BadValue(f'"{describe(raw)}" is not an amount of money')
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BadValue(f'"{describe(raw)}" is not an amount of money') from None
    return -amount if negative else amount


def money_text(value: str) -> Decimal | None:
    """An amount typed as text, with any currency mark the table knows ("NZ$ 12,50", "12.50 EUR"); None if blank."""
    text = symbol_pattern().sub("", value)
    if not text:
        if value.strip():
            raise BadValue(f'"{describe(value)}" is not an amount of money')
        return None
    return _decimal_from_text(text, value)


def parse_money(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(f"{describe(value)} is not an amount of money")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue(f"{describe(value)} is not an amount of money")
        amount = Decimal(repr(value))
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        plain = _PLAIN_MONEY.fullmatch(value)
        # "12.50", "£12.50", "$ 1,234.50": read without the whole table of currency marks
        amount = Decimal(plain[1].replace(",", "")) if plain is not None else money_text(value)
        if amount is None:
            return None
    elif isinstance(value, CellError):
        raise BadValue(_error_message(value))
    else:
        raise BadValue(f'"{describe(value)}" is not an amount of money')
    return _checked_amount(amount, value)


def _checked_amount(amount: Decimal, value: object) -> Decimal:
    if amount < 0:
        raise BadValue(f"{describe(value)} is negative: enter amounts as positive numbers")
    if amount >= _TOO_LARGE:
        raise BadValue(f"{describe(value)} is too large to be an amount of money")
    return amount


# -- whole numbers ----------------------------------------------------------

def parse_count(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(f"{describe(value)} is not a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"{describe(value)} is not a whole number")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text.replace(",", ""))
            except ValueError:
                raise BadValue(f'"{describe(value)}" is not a whole number') from None
            if not as_float.is_integer():
                raise BadValue(f'"{describe(value)}" is not a whole number') from None
            number = int(as_float)
    elif isinstance(value, CellError):
        raise BadValue(_error_message(value))
    else:
        raise BadValue(f'"{describe(value)}" is not a whole number')
    if number < 0:
        raise BadValue(f"{number} is negative")
    if number > 10_000_000:
        raise BadValue(f"{number} is too large")
    return number


# -- choices ----------------------------------------------------------------

CONDITIONS = ("Unopened", "Like new", "Used", "Damaged", "Defective", "Wrong item")
DAMAGE_BY = ("Customer", "Carrier", "Manufacturer", "Marketplace", "Unknown")
DECISIONS = ("Refund", "Partial refund", "Refuse", "Exchange", "Store credit")

_SYNONYMS = {
    "condition": {
        "new": "Unopened", "sealed": "Unopened", "unused": "Unopened", "notopened": "Unopened",
        "asnew": "Like new", "mint": "Like new", "perfect": "Like new", "good": "Like new",
        "opened": "Used", "worn": "Used", "secondhand": "Used",
        "broken": "Damaged", "damage": "Damaged",
        "faulty": "Defective", "defect": "Defective", "notworking": "Defective",
        "wrong": "Wrong item", "wrongproduct": "Wrong item", "differentitem": "Wrong item",
    },
    "damage_by": {
        "buyer": "Customer", "client": "Customer",
        "courier": "Carrier", "shipping": "Carrier", "transit": "Carrier", "postage": "Carrier",
        "delivery": "Carrier", "post": "Carrier",
        "amazon": "Marketplace", "warehouse": "Marketplace", "fulfilmentcentre": "Marketplace",
        "fulfillmentcenter": "Marketplace",
        "supplier": "Manufacturer", "factory": "Manufacturer", "maker": "Manufacturer", "vendor": "Manufacturer",
        "notsure": "Unknown", "unclear": "Unknown", "dontknow": "Unknown",
    },
    "decision": {
        "fullrefund": "Refund", "refunded": "Refund",
        "partial": "Partial refund", "partiallyrefund": "Partial refund", "partialrefunded": "Partial refund",
        "refused": "Refuse", "reject": "Refuse", "rejected": "Refuse", "deny": "Refuse", "denied": "Refuse",
        "decline": "Refuse", "declined": "Refuse", "norefund": "Refuse",
        "replace": "Exchange", "replacement": "Exchange", "swap": "Exchange", "exchanged": "Exchange",
        "credit": "Store credit", "voucher": "Store credit", "giftcard": "Store credit",
    },
}
CHOICES = {"condition": CONDITIONS, "damage_by": DAMAGE_BY, "decision": DECISIONS}
_CHOICE_MAPS = {
    kind: {**{normalise(c): c for c in options}, **_SYNONYMS[kind]} for kind, options in CHOICES.items()
}
# Amazon's Resolution values (StandardRefund, Replacement ...) are decisions too.
_CHOICE_MAPS["decision"].update({normalise(k): v for k, v in RESOLUTIONS.items()})


def parse_choice(value: object, kind: str, extra: Mapping[str, str] | None = None) -> str | None:
    """One of our choices for a cell; `extra` holds the seller's own words (normalised word -> our value)."""
    if value is None or value == "":
        return None
    if isinstance(value, CellError):
        raise BadValue(_error_message(value))
    key = normalise(value)
    if not key:
        if str(value).strip():
            raise BadValue(f'"{describe(value)}" is not one of: {", ".join(CHOICES[kind])}')
        return None
    found = (extra.get(key) if extra else None) or _CHOICE_MAPS[kind].get(key)
    if found is None:
        raise BadValue(f'"{describe(value)}" is not one of: {", ".join(CHOICES[kind])}')
    return found


def parse_signed_count(value: object) -> int | None:
    """A whole number that may be negative (a credit note's quantity)."""
    if isinstance(value, str) and value.strip().startswith("-"):
        number = parse_count(value.strip()[1:])
        return None if number is None else -number
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        number = parse_count(-value)
        return None if number is None else -number
    return parse_count(value)


# -- email addresses --------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def parse_email(value: object) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    if text.isascii():
        if not _EMAIL.fullmatch(text) or ".." in text or len(text) > 254:
            raise BadValue(f'"{describe(text)}" is not an email address')
        return text
    return international_address(text)


def international_address(text: str) -> str:
    """An address with letters beyond ASCII (jo@exämple.de, 用户@例子.广告), checked by email-validator and
    returned in its normal form (NFC; the domain as IDNA writes it). No DNS lookups."""
    from email_validator import EmailNotValidError, validate_email

    try:
        found = validate_email(text, check_deliverability=False, globally_deliverable=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise BadValue(f'"{describe(text)}" is not an email address ({str(exc).rstrip(".")})') from None
    if "." not in found.ascii_domain:  # as for plain addresses: a domain has a dot
        raise BadValue(f'"{describe(text)}" is not an email address')
    return found.normalized

"""Typed values as sellers type them: dates, money, counts, choices and email addresses."""
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from sheetreturns.engine.values import (
    BadValue, CellError, parse_choice, parse_count, parse_date, parse_email, parse_money, parse_text,
)


@pytest.mark.parametrize(
    ("raw", "day_first", "expected"),
    [
        (date(2026, 11, 20), True, date(2026, 11, 20)),
        (datetime(2026, 11, 20, 14, 5), True, date(2026, 11, 20)),
        (46346.0, True, date(2026, 11, 20)),
        (46346, True, date(2026, 11, 20)),
        ("2026-11-20", True, date(2026, 11, 20)),
        ("2026-11-20T09:30:00Z", True, date(2026, 11, 20)),
        ("20/11/2026", True, date(2026, 11, 20)),
        ("11/20/2026", False, date(2026, 11, 20)),
        ("05/11/2026", True, date(2026, 11, 5)),
        ("05/11/2026", False, date(2026, 5, 11)),
        ("20/11/2026", False, date(2026, 11, 20)),  # unambiguous whatever the setting
        ("20.11.26", True, date(2026, 11, 20)),
        ("20 Nov 2026", True, date(2026, 11, 20)),
        ("November 20, 2026", True, date(2026, 11, 20)),
        ("  2026/11/20 ", True, date(2026, 11, 20)),
        ("46346", True, date(2026, 11, 20)),
        ("", True, None),
        (None, True, None),
    ],
)
def test_dates(raw, day_first, expected):
    assert parse_date(raw, day_first=day_first) == expected


def test_serials_in_the_1904_system():
    assert parse_date(44884.0, date1904=True) == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("31/02/2026", '"31/02/2026" is not a real date'),
        ("soon", '"soon" is not a date: write it as YYYY-MM-DD'),
        (True, "TRUE is not a date"),
        (3.0, "1900-01-02 is not a plausible date (check the year)"),
        (time(9, 30), "09:30:00 is a time of day, not a date"),
        (CellError("#N/A"), "shows the spreadsheet error #N/A"),
        (float("nan"), "nan is not a date"),
    ],
)
def test_bad_dates_say_why(raw, message):
    with pytest.raises(BadValue) as info:
        parse_date(raw)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (24.99, Decimal("24.99")), (12, Decimal(12)), ("£1,234.50", Decimal("1234.50")), ("1.234,50 €", Decimal("1234.50")),
        ("24,99", Decimal("24.99")), ("USD 10", Decimal("10")), ("$ 1,000", Decimal("1000")), (" £0.99 ", Decimal("0.99")),
        ("", None), (None, None),
    ],
)
def test_money(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["ten pounds", "£", "1.2.3", "(5.00)", -3, "12,34,5", float("inf"), CellError("#REF!")])
def test_bad_money(raw):
    with pytest.raises(BadValue):
        parse_money(raw)


@pytest.mark.parametrize(("raw", "expected"), [(2.0, 2), ("3", 3), (" 4 ", 4), ("1,000", 1000), ("", None), (0, 0)])
def test_counts(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", [1.5, "two", -1, True, "2.5"])
def test_bad_counts(raw):
    with pytest.raises(BadValue):
        parse_count(raw)


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("like-new", "condition", "Like new"), ("LIKE NEW", "condition", "Like new"), ("faulty", "condition", "Defective"),
        (" wrong item ", "condition", "Wrong item"), ("courier", "damage_by", "Carrier"), ("partial", "decision", "Partial refund"),
        ("Store-Credit", "decision", "Store credit"), ("rejected", "decision", "Refuse"), ("", "decision", None),
    ],
)
def test_choices_are_matched_forgivingly(raw, kind, expected):
    assert parse_choice(raw, kind) == expected


def test_unknown_choice_lists_the_options():
    with pytest.raises(BadValue, match="is not one of: Customer, Carrier, Manufacturer, Marketplace, Unknown"):
        parse_choice("the dog", "damage_by")


@pytest.mark.parametrize("raw", ["jo@example.com", "mailto:jo@example.com", " Jo.Bloggs+returns@mail.example.co.uk "])
def test_valid_emails(raw):
    assert "@" in parse_email(raw)


@pytest.mark.parametrize("raw", ["jo@", "jo", "jo@example", "jo@@example.com", "jo@example.com\nBcc: x@evil.com",
                                 "a b@example.com", "jo@exa..mple.com"])
def test_invalid_emails(raw):
    with pytest.raises(BadValue):
        parse_email(raw)


def test_text_of_numbers_drops_the_point_zero():
    assert parse_text(10023.0) == "10023"
    assert parse_text("  A-1 ") == "A-1"

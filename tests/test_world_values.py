"""Values the world uses: every currency symbol of the table, each currency's own decimals (yen has none),
dates with weekdays and other languages' month names, and international email addresses sent over SMTP."""
from __future__ import annotations

import email
import email.policy
from datetime import date
from decimal import Decimal

import idna
import pytest
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.emails.message import BadAddress, check_address
from sheetreturns.engine.currencies import CURRENCY_SYMBOLS
from sheetreturns.engine.values import BadValue, parse_date, parse_email, parse_money
from sheetreturns.engine.wording import money, money_format

from .helpers import basic_row, write_workbook
from .mail_server import MailServer
from .mail_support import smtp_config

AS_OF = date(2026, 11, 26)


@pytest.mark.parametrize("code, symbol", sorted(CURRENCY_SYMBOLS.items()))
def test_every_symbol_of_the_currency_table_is_read_as_money(code, symbol):
    assert parse_money(f"{symbol}12.00") == Decimal("12.00")
    assert parse_money(f"{symbol} 1,234.50") == Decimal("1234.50")
    assert parse_money(f"12.00 {code}") == Decimal("12.00")


@pytest.mark.parametrize("raw, expected", [
    ("A$12.00", "12.00"), ("NZ$5", "5"), ("C$7.25", "7.25"), ("CA$7.25", "7.25"), ("US$3", "3"),
    ("JP¥1200", "1200"), ("¥1,200", "1200"), ("₹499", "499"), ("12,50\u00a0€", "12.50"), ("€ 1.234,50", "1234.50"),
])
def test_symbols_as_written_in_other_countries(raw, expected):
    assert parse_money(raw) == Decimal(expected)


def test_a_symbol_glued_to_letters_is_still_not_money():
    with pytest.raises(BadValue):
        parse_money("B$12")


@pytest.mark.parametrize("amount, symbol, text, number_format", [
    (Decimal("1234.5"), "£", "£1,234.50", "#,##0.00"),
    (Decimal("1234.5"), "¥", "¥1,235", "#,##0"),  # yen have no decimals
    (Decimal("12"), "A$", "A$12.00", "#,##0.00"),
    (Decimal("5"), "NZ$", "NZ$5.00", "#,##0.00"),
    (Decimal("3.1415"), "BHD ", "BHD 3.142", "#,##0.000"),  # three decimals for the Bahraini dinar
])
def test_amounts_are_written_in_the_currencys_own_decimals(amount, symbol, text, number_format):
    assert money(amount, symbol) == text
    assert money_format(symbol) == number_format


@pytest.mark.parametrize("raw", [
    "Friday, 20 November 2026", "20. November 2026", "Freitag, 20. November 2026", "vendredi 20 novembre 2026",
    "20 de noviembre de 2026", "Fri 20 Nov 2026", "November 20th, 2026", "20 nov. 2026",
])
def test_dates_with_weekdays_and_month_names_in_other_languages(raw):
    assert parse_date(raw) == date(2026, 11, 20)


def test_month_names_with_accents_and_dots():
    assert parse_date("3 févr. 2026") == date(2026, 2, 3)
    assert parse_date("20. März 2026") == date(2026, 3, 20)


def test_a_weekday_that_does_not_match_the_date_is_a_problem_not_a_guess():
    # 20 November 2026 is a Friday: the day or the weekday was mistyped, and only the seller knows which.
    with pytest.raises(BadValue, match=r'"Thursday, 20 November 2026": 2026-11-20 is a Friday, not a Thursday'):
        parse_date("Thursday, 20 November 2026")
    assert parse_date("Thursday, 19 November 2026") == date(2026, 11, 19)


@pytest.mark.parametrize("raw, smtp", [
    ("jo@exämple.de", "jo@xn--exmple-cua.de"),
    ("info@bücher.example", "info@xn--bcher-kva.example"),
])
def test_international_domains_are_valid_and_sent_in_idna_form(raw, smtp):
    assert parse_email(raw) == raw
    assert check_address(parse_email(raw)) == smtp


def test_a_name_part_beyond_ascii_is_valid_and_kept_for_smtputf8_with_the_domain_in_idna_form():
    assert parse_email("jö@example.de") == "jö@example.de"
    assert check_address("jö@example.de") == "jö@example.de"
    assert check_address("jö@bücher.example") == "jö@xn--bcher-kva.example"
    assert check_address("用户@例子.广告") == "用户@" + idna.encode("例子.广告").decode()
    for bad in ("jö <x@y.de>@example.de", "jö\r\nBcc: x@y.de@example.de", '"jö"@example.de', "jö@@example.de"):
        with pytest.raises(BadAddress):
            check_address(bad)
    with pytest.raises(BadValue, match=r'"jo@exämple" is not an email address'):
        parse_email("jo@exämple")


@pytest.mark.network
@pytest.mark.slow
def test_a_yen_shop_end_to_end_idn_customers_get_their_email(tmp_path):
    rows = [
        basic_row(**{"Return ID": "R-00001", "Email": "jo@exämple.de", "Unit Price": "¥3,000", "Received On": date(2026, 11, 23),
                     "Received Qty": 1, "Condition": "Unopened"}),
        basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "Email": "jö@example.de", "Unit Price": "JP¥1200",
                     "Notified On": date(2026, 11, 25)}),
    ]
    book = write_workbook(tmp_path / "returns.xlsx", rows, settings=[("Currency", "JPY", ""), ("Store name", "Kyoto Cups", "")])
    checked = api.check(book, as_of=AS_OF, config=smtp_config(tmp_path))
    assert [p for p in checked.problems if p.code == "bad-email"] == []
    refund_step = checked.evaluation.outcomes[0].next_step
    assert "¥3,000" in refund_step and "¥3,000.00" not in refund_step

    with MailServer() as server:  # offers no SMTPUTF8, as many servers: jö@ cannot be sent there
        result = api.sync(book, as_of=AS_OF, config=smtp_config(tmp_path, server.port), send_backlog=True)
    assert [r.rcpt_tos for r in server.received] == [["jo@xn--exmple-cua.de"]]
    failed = {e.return_id: e.outcome for e in result.emails if e.outcome[0] == "failed"}
    assert "offers no SMTPUTF8" in failed["R-00002"][1] and "ask the customer for another address" in failed["R-00002"][1]

    summary = load_workbook(book)["Summary"]
    formats = {c.number_format for row in summary.iter_rows() for c in row if "¥" in str(c.number_format)}
    assert formats and all(".00" not in f for f in formats), formats


@pytest.mark.network
@pytest.mark.slow
def test_a_name_part_beyond_ascii_is_sent_with_smtputf8_to_a_server_that_offers_it(tmp_path):
    rows = [basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "Customer": "Jörg Müller",
                         "Email": "jörg@bücher.example", "Notified On": date(2026, 11, 25)})]
    book = write_workbook(tmp_path / "returns.xlsx", rows, settings=[("Store name", "Kyoto Cups", "")])
    with MailServer(smtputf8=True) as server:
        result = api.sync(book, as_of=AS_OF, config=smtp_config(tmp_path, server.port), send_backlog=True)
        again = api.sync(book, as_of=AS_OF, config=smtp_config(tmp_path, server.port), send_backlog=True)
    assert [e.outcome[0] for e in result.emails] == ["sent"], result.emails
    assert again.emails == []  # once
    [received] = server.received
    assert received.rcpt_tos == ["jörg@xn--bcher-kva.example"]  # the name part as UTF-8, the domain in IDNA form
    # Headers in UTF-8 (RFC 6532), read as a mail program does: the standard library's bytes parser would not
    message = email.message_from_string(received.data.decode("utf-8"), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "jörg@xn--bcher-kva.example"
    assert message["To"].addresses[0].display_name == "Jörg Müller"
    assert "Kyoto Cups" in message.get_body(("plain",)).get_content()

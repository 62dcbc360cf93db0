"""Reading return notices: which rule takes a message, and the order lines it finds."""
from __future__ import annotations

from datetime import date, datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from sheetreturns.settings.config_file import Config
from sheetreturns.errors import ConfigError
from sheetreturns.intake.extract import Extracted, NotParsed, extract
from sheetreturns.intake.message import read_message
from sheetreturns.intake.rules import BUILT_IN_RULES, rules_from_config
from sheetreturns.settings.intake import intake_settings
from tests.intake_corpus import FORMATS, corpus, good_notice

BUILT_IN = list(BUILT_IN_RULES)
WHEN = datetime(2026, 11, 24, 10, 30, tzinfo=timezone.utc)


def mail(body: str, *, subject: str = "Return request", sender: str = "Jo Bloggs <jo@example.com>",
         html: str | None = None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = "shop@example.com"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Nov 2026 10:30:00 +0000"
    msg["Message-ID"] = "<test@example.com>"
    if body:
        msg.set_content(body)
        if html:
            msg.add_alternative(html, subtype="html")
    elif html:
        msg.set_content(html, subtype="html")
    return bytes(msg)


def parse(raw: bytes, rules=None) -> Extracted | NotParsed:
    return extract(read_message(raw), rules or BUILT_IN)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("number", [3, 6])  # 6 gives the marketplaces two returned lines
def test_each_notice_format_gives_its_order_lines(fmt, number):
    notice = good_notice(number, fmt)
    found = parse(notice.raw)
    assert isinstance(found, Extracted), found
    assert found.notes == []
    assert found.lines == notice.lines


@pytest.mark.slow
def test_the_corpus_covers_several_formats_and_multi_line_returns():
    mails = corpus()
    assert len(mails) == 50
    assert len({m.name.split("-", 1)[1] for m in mails if m.expect == "recorded"}) >= 8
    assert any(len(m.lines) > 1 for m in mails)
    assert {m.expect for m in mails} == {"recorded", "partial", "duplicate", "unparsed", "skipped"}


def test_a_label_seen_again_starts_the_next_returned_line():
    found = parse(mail("Order ID: 5001\nSKU: A-1\nQty: 2\nReason: Too big\nSKU: B-2\nQty: 1\nReason: Broken\n"))
    assert [(l["sku"], l["qty"], l["reason"]) for l in found.lines] == [("A-1", 2, "Too big"), ("B-2", 1, "Broken")]


def test_one_reason_for_the_whole_notice_is_every_lines_reason():
    found = parse(mail("Order ID: 5002\nReason: Arrived late\n\nSKU: A-1\nQty: 1\nSKU: B-2\nQty: 3\n"))
    assert [(l["sku"], l["reason"]) for l in found.lines] == [("A-1", "Arrived late"), ("B-2", "Arrived late")]


def test_a_sku_repeated_in_the_subject_and_footer_is_one_line():
    found = parse(mail("Order ID: 5003\nSKU: A-1\nQuantity: 2\n\nReference: SKU A-1\n", subject="Return SKU A-1"))
    assert [(l["sku"], l["qty"]) for l in found.lines] == [("A-1", 2)]


def test_a_table_in_plain_text_gives_one_line_per_row():
    body = "Order #5004\n\n| SKU | Item | Qty | Reason |\n|---|---|---|---|\n| A-1 | Mug | 2 | Chipped |\n| B-2 | Bowl | 1 | Too small |\n"
    found = parse(mail(body))
    assert [(l["sku"], l["product"], l["qty"], l["reason"]) for l in found.lines] == [
        ("A-1", "Mug", 2, "Chipped"), ("B-2", "Bowl", 1, "Too small")]


def test_html_is_read_as_text_without_scripts_styles_or_images():
    html = ("<html><head><style>.x{color:red}</style><script>alert('Order ID: 666')</script></head><body>"
            "<p>Order ID: 5005</p><p>SKU: <b>A-1</b></p><img src='https://tracker.example/p.gif' alt=''>"
            "<!-- Order ID: 777 --></body></html>")
    found = parse(mail("", html=html))
    assert [(l["order_id"], l["sku"]) for l in found.lines] == [("5005", "A-1")]


def test_the_html_part_is_read_when_the_text_part_has_no_order():
    found = parse(mail("Please view this message in HTML.", html="<p>Order number: 5006</p><p>SKU: C-3</p>"))
    assert [(l["order_id"], l["sku"]) for l in found.lines] == [("5006", "C-3")]


def test_notified_on_is_the_message_date_and_channel_the_rule_name():
    found = parse(mail("Order ID: 5007\nSKU: A-1"))
    assert found.lines[0]["notified_on"] == WHEN.astimezone().date()
    assert found.lines[0]["channel"] == "Email"


def test_a_customers_own_mail_gives_their_name_and_address():
    found = parse(mail("Order 5008, SKU A-1 please", sender='"Mei Chen" <mei@example.com>'))
    assert (found.lines[0]["customer"], found.lines[0]["email"]) == ("Mei Chen", "mei@example.com")


def test_a_no_reply_sender_is_not_taken_for_the_customer():
    found = parse(mail("Order 5009, SKU A-1", sender="Shop website <no-reply@shop.example.com>"))
    assert "email" not in found.lines[0] and "customer" not in found.lines[0]


def test_an_unreadable_quantity_is_kept_as_written_and_noted():
    found = parse(mail("Order ID: 5010\nSKU: A-1\nQuantity: a couple\n"))
    assert found.lines[0]["qty"] == "a couple"  # the sheet shows it as a problem on that row
    assert found.notes == ['Qty "a couple" is not a whole number']
    assert not found.complete


def test_a_notice_with_an_order_but_no_sku_is_recorded_in_part():
    found = parse(mail("Order number: 5011\nReason: Broken\n"))
    assert isinstance(found, Extracted)
    assert found.notes == ["no SKU found"]
    assert found.lines[0]["order_id"] == "5011" and "sku" not in found.lines[0]


def test_a_message_without_an_order_id_is_not_parsed_and_says_why():
    found = parse(mail("I want to send back the mug I bought."))
    assert found == NotParsed("no Order ID found", "Email")


def test_text_from_mail_never_starts_like_a_formula():
    found = parse(mail("Order ID: 5012\nSKU: A-1\nReason: =HYPERLINK(\"http://evil.example\")\nCustomer: +Jo\n"))
    assert found.lines[0]["reason"] == 'HYPERLINK("http://evil.example")'
    assert found.lines[0]["customer"] == "Jo"


def test_a_marketplace_notice_is_recognised_by_its_forwarded_sender():
    body = ("---------- Forwarded message ---------\nFrom: eBay <ebay@ebay.com>\nSubject: Return\n\n"
            "Order number: 11-22222-33333\nSKU: A-1\n")
    found = parse(mail(body, sender="Me <shop@example.com>", subject="Fwd: Return"))
    assert found.rule == "eBay"
    assert "email" not in found.lines[0]  # the marketplace is not the customer, nor is the seller


# -- rules from sheetreturns.toml ---------------------------------------------------


def configured(rules: list[dict], default_rules: bool = True):
    return intake_settings(Config(intake={"mailbox": "eml:.", "rules": rules, "default_rules": default_rules})).rules


def test_a_configured_rule_comes_first_and_names_the_channel():
    rules = configured([{"name": "Wholesale", "from": r"@bigbuyer\.example$", "order_id": r"PO[- ]?(\d+)",
                         "sku": r"Line item:\s*(\S+)"}])
    found = parse(mail("PO-7788\nLine item: A-1\nLine item: B-2\nQuantity: 4", sender="orders@bigbuyer.example"), rules)
    assert found.rule == "Wholesale"
    assert [(l["order_id"], l["sku"], l["channel"]) for l in found.lines] == [
        ("7788", "A-1", "Wholesale"), ("7788", "B-2", "Wholesale")]


def test_a_configured_rule_uses_built_in_patterns_for_values_it_does_not_set():
    rules = configured([{"name": "Not On The High Street", "subject": "^Return requested"}])
    found = parse(mail("Order ID: 5013\nSKU: A-1\nQuantity: 2", subject="Return requested: mug"), rules)
    assert (found.rule, found.lines[0]["qty"]) == ("Not On The High Street", 2)


def test_a_rule_takes_a_message_only_when_every_selector_matches():
    rules = configured([{"name": "Strict", "from": "@partner\\.example", "subject": "RMA", "body": "Authorised"}],
                       default_rules=False)
    text = "Order ID: 5014\nSKU: A-1\n"
    assert parse(mail(text + "Authorised", subject="RMA 1", sender="x@partner.example"), rules).rule == "Strict"
    refused = parse(mail(text, subject="RMA 1", sender="x@partner.example"), rules)
    assert isinstance(refused, NotParsed) and refused.reason.startswith("no rule takes mail from")


@pytest.mark.parametrize("rule, message", [
    ({"name": "Bad", "sku": "SKU: ([A-Z"}, r"rules #1 \(Bad\) sku: 'SKU: \(\[A-Z' is not a valid regular expression"),
    ({"name": "Bad", "skew": "x"}, r"rules #1 \(Bad\): unknown key 'skew'"),
    ({"from": "x"}, r"rules #1: give the rule a name"),
    ({"name": "Bad", "qty": 3}, r"qty must be a regular expression"),
])
def test_a_bad_rule_is_a_config_error_naming_it(rule, message):
    with pytest.raises(ConfigError, match=message):
        configured([rule])


def test_no_rules_at_all_is_a_config_error():
    with pytest.raises(ConfigError, match="no rules to read notices with"):
        rules_from_config([], use_built_in=False)


def test_no_mailbox_configured_says_how_to_set_one():
    with pytest.raises(ConfigError, match=r"no mail folder to read: pass --mailbox, or set mailbox in \[intake\]"):
        intake_settings(Config())


def test_an_unknown_intake_setting_is_named():
    with pytest.raises(ConfigError, match="unknown key 'mailbx'"):
        intake_settings(Config(intake={"mailbx": "eml:."}))


def test_max_message_kb_must_be_a_positive_number():
    with pytest.raises(ConfigError, match="max_message_kb must be a number"):
        intake_settings(Config(intake={"mailbox": "eml:.", "max_message_kb": 0}))


def test_a_quantity_followed_by_words_is_the_number():
    found = parse(mail("Order ID: 5016\nSKU: A-1\nQuantity: 3 units\n"))
    assert found.lines[0]["qty"] == 3


def test_order_dates_and_prices_are_read_as_values():
    found = parse(mail("Order ID: 5015\nOrder date: 2026-11-02\nSKU: A-1\nPrice: £24.99\n"))
    assert (found.lines[0]["order_date"], found.lines[0]["unit_price"]) == (date(2026, 11, 2), 24.99)

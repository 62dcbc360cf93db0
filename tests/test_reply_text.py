"""What of a customer's reply goes on the sheet: their new words only, safe in a cell; tracking numbers found."""
from __future__ import annotations

import pytest

from sheetreturns.intake.message import read_message
from sheetreturns.intake.replies import cell_text, find_tracking, preview


def reply(body: str, subject: str = "Re: A reminder about your return R-00002") -> bytes:
    return (f"From: Ben <ben@example.com>\r\nSubject: {subject}\r\nMessage-ID: <x@y>\r\n"
            f"Date: Wed, 04 Nov 2026 18:02:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}").encode()


@pytest.mark.parametrize("body, expected", [
    # Gmail: the attribution line wraps onto a second line
    ("Can I swap it for a large?\r\n\r\nOn Mon, 2 Nov 2026 at 09:30, Willow & Wick <shop@willow.example>\r\nwrote:\r\n"
     "> Hello Ben\r\n", "Can I swap it for a large?"),
    # Outlook: the original message block
    ("Yes please refund me.\r\n\r\n-----Original Message-----\r\nFrom: Willow\r\nSent: Monday\r\n", "Yes please refund me."),
    ("Yes please refund me.\r\n________________________________\r\nFrom: Willow & Wick\r\nSent: 2 November\r\n",
     "Yes please refund me."),
    # quoted lines between the answers, a signature after "-- "
    ("> Did it arrive broken?\r\nYes, the lid was cracked.\r\n-- \r\nBen Carter\r\n07700 900123\r\n",
     "Yes, the lid was cracked."),
    # a sign-off ends it, but only after something was said
    ("Thank you!\r\nI never got a label.\r\nKind regards,\r\nBen\r\n", "Thank you! / I never got a label."),
    ("Envoyé de mon iPhone\r\n", "(no new text: see the message in the mailbox)"),
    ("Le lun. 2 nov. 2026, Willow a écrit :\r\n> Bonjour\r\n", "(no new text: see the message in the mailbox)"),
])
def test_the_preview_is_the_customers_new_text_only(body, expected):
    assert preview(read_message(reply(body))) == expected


def test_the_preview_is_cut_to_a_cell_and_to_its_first_lines():
    long = "word " * 200
    shown = preview(read_message(reply(long)))
    assert len(shown) == 300 and shown.endswith("…")
    many = "\r\n".join(f"line {n}" for n in range(1, 12))
    assert preview(read_message(reply(many))) == " / ".join(f"line {n}" for n in range(1, 7))


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://evil.example\",\"click\")", 'HYPERLINK("[link]","click")'),
    ("+1 555 0100 call me", "1 555 0100 call me"),
    ("-2+3", "2+3"),
    ("@SUM(A1:A9)", "SUM(A1:A9)"),
    ("see https://evil.example/x?y=1 and www.evil.example", "see [link] and [link]"),
    ("javascript:alert(1)", "[link](1)"),
    ("a\x1b[2Jb\x07c\u202eevil\u200bd", "a [2Jb c evil d"),
    ("tab\there\r\nnew line", "tab here new line"),
    ("\t=1+1", "1+1"),
])
def test_cell_text_is_never_a_formula_a_link_or_a_control_character(text, expected):
    cleaned = cell_text(text)
    assert cleaned == expected
    assert cleaned[:1] not in ("=", "+", "-", "@")
    assert all(ch.isprintable() for ch in cleaned)


@pytest.mark.parametrize("text, expected, number", [
    ("sent with UPS, tracking 1Z999AA10123456784", "UPS 1Z999AA10123456784", True),
    ("the number is 1Z 999 AA1 01 2345 678 4", "UPS 1Z999AA10123456784", True),
    ("Royal Mail Tracked 48: AB123456789GB", "Royal Mail AB123456789GB", True),
    ("posted it at the post office, ref RR 123 456 789 GB", "Royal Mail RR123456789GB", True),
    ("USPS 9400 1000 0000 0000 0000 00", "USPS 9400100000000000000000", True),
    ("Priority Mail International EC123456789US", "USPS EC123456789US", True),
    ("DHL waybill 1234567890", "DHL 1234567890", True),
    ("DHL Paket JJD000390007123456789", "DHL JJD000390007123456789", True),
    ("FedEx tracking 123456789012", "FedEx 123456789012", True),
    ("I already sent it back on Monday", "sent, no tracking number", False),
    ("It's in the post", "sent, no tracking number", False),
    ("You sent it to the wrong address", "", False),  # not a claim that the item went back
    ("I dropped it off at DHL yesterday", "DHL: sent, no tracking number", False),
    ("my order 1234567890 arrived broken", "", False),  # ten digits without DHL named are not a waybill
    ("call me on 020 7946 0000", "", False),
])
def test_tracking_numbers_carriers_and_sent_claims_are_found(text, expected, number):
    found = find_tracking(text)
    assert (found.text, found.number) == (expected, number)

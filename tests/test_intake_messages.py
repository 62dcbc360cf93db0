"""Reading one message safely: attachments never opened, HTML read as text, broken mail refused with a reason."""
from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from sheetreturns.intake.message import Unreadable, html_to_text, message_key, read_message, summary_of


def message(**headers) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = headers.get("sender", "Jo <jo@example.com>")
    msg["Subject"] = headers.get("subject", "Return")
    msg["Date"] = "Tue, 24 Nov 2026 10:30:00 +0000"
    if headers.get("message_id", True):
        msg["Message-ID"] = "<m@example.com>"
    return msg


def test_attachments_are_counted_and_never_read():
    msg = message()
    msg.set_content("Order ID: 1\nSKU: A-1\n")
    msg.add_attachment(b"Order ID: 999 SKU: EVIL-1", maintype="text", subtype="plain", filename="notes.txt")
    msg.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="run.exe")
    notice = read_message(bytes(msg))
    assert notice.attachments == 2
    assert "999" not in notice.plain and "EVIL" not in notice.plain


def test_a_message_with_only_attachments_is_unreadable_and_says_so():
    msg = message()
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="label.pdf")
    with pytest.raises(Unreadable, match=r"no text \(only 1 attachment, not opened\)"):
        read_message(bytes(msg))


def test_bytes_that_are_not_an_email_are_unreadable():
    with pytest.raises(Unreadable, match="not an email message"):
        read_message(bytes(range(256)) * 4)


def test_parts_nested_too_deep_are_unreadable():
    inner = message()
    inner.set_content("Order ID: 1")
    for _ in range(20):
        outer = message()
        outer.make_mixed()
        outer.attach(inner)
        inner = outer
    with pytest.raises(Unreadable, match="nested"):
        read_message(bytes(inner))


def test_an_unknown_charset_is_read_as_well_as_it_can_be():
    raw = (b"From: jo@example.com\r\nSubject: Return\r\nMessage-ID: <c@x>\r\nContent-Type: text/plain; charset=klingon\r\n"
           b"\r\nOrder ID: 42 \xff\r\n")
    assert "Order ID: 42" in read_message(raw).plain


def test_encoded_headers_are_decoded():
    msg = message(subject="Rücksendung für Bestellung 7", sender='"Zoë Müller" <zoe@example.de>')
    msg.set_content("Order 7")
    notice = read_message(bytes(msg))
    assert (notice.subject, notice.sender.name) == ("Rücksendung für Bestellung 7", "Zoë Müller")


def test_a_notice_forwarded_inline_names_its_original_sender():
    msg = message(sender="Shop <shop@example.com>")
    msg.set_content("FYI\n\n-------- Original Message --------\nFrom: Amazon <seller-notification@amazon.com>\nSent: today\n\nOrder ID: 1")
    notice = read_message(bytes(msg))
    assert notice.original_sender.address == "seller-notification@amazon.com"


def test_a_notice_forwarded_as_an_attachment_is_read_with_its_sender():
    inner = message(sender="Etsy <transaction@etsy.com>", subject="Return request")
    inner.set_content("Order #55\nSKU: A-1")
    outer = message(sender="Shop <shop@example.com>", subject="Fwd: Return request")
    outer.set_content("see attached")
    outer.add_attachment(inner)
    notice = read_message(bytes(outer))
    assert notice.original_sender.address == "transaction@etsy.com"
    assert "Order #55" in notice.plain and notice.attachments == 0


def test_html_tables_become_rows_of_cells_and_blocks_become_lines():
    text = html_to_text("<div>Hello&nbsp;<b>there</b></div><table><tr><th>SKU</th><th>Qty</th></tr>"
                        "<tr><td>A-1</td><td>2</td></tr></table><p>Bye<br>now</p>")
    assert text.split("\n") == ["Hello there", "", "SKU | Qty", "", "A-1 | 2", "", "Bye", "now"]


def test_broken_html_is_still_read():
    assert "Order ID: 9" in html_to_text("<p>Order ID: 9<td><table><tr><b>")


def test_a_message_without_message_id_is_known_by_a_stable_hash_of_its_headers():
    msg = message(message_id=False)
    msg.set_content("Order 1")
    raw = bytes(msg)
    key = message_key(raw)
    assert key.startswith("no-id:")
    assert key == message_key(raw.replace(b"\r\n", b"\n"))  # the same message stored with other line ends
    assert key == message_key(raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n")  # from the header block alone


def test_the_sender_and_subject_of_an_unreadable_message_are_still_listed():
    raw = b"From: =?utf-8?q?Jos=C3=A9?= <jose@example.com>\r\nSubject: Return\r\n\r\n"
    assert summary_of(raw) == ("José <jose@example.com>", "Return")


def test_raw_utf8_headers_are_read_as_text():
    raw = "From: José Núñez <jose@example.com>\r\nSubject: Devolución pedido 12\r\nMessage-ID: <u@x>\r\n\r\nOrder 12\r\n"
    notice = read_message(raw.encode("utf-8"))
    assert (notice.subject, notice.sender.name) == ("Devolución pedido 12", "José Núñez")

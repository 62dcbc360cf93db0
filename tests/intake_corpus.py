"""Fifty realistic return notices, as a seller's "Returns" mail folder would hold them.

Most are good notices in seven formats (a customer's own mail, a website return form, an Amazon
notice forwarded inline, an eBay HTML notice with a table, an Etsy notice forwarded as an
attachment, a Shopify text+HTML notice, a reply quoting the order confirmation, a Latin-1
quoted-printable mail). A few are broken on purpose. Each message carries what intake should make
of it, derived from the same tables, so tests compare against data, not against the parser.

Run `python -m tests.intake_corpus DIR` to write them as .eml files for a look.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
SHOP = ("Example Shop", "shop@example.com")

CUSTOMERS = [
    ("Jo Bloggs", "jo.bloggs@example.com"), ("Priya Shah", "priya.shah@example.net"),
    ("Tom O'Neill", "tom.oneill@example.org"), ("Mei Chen", "mei.chen@example.com"),
    ("Carlos Ruiz", "carlos.ruiz@example.es"), ("Aisha Bello", "aisha.bello@example.co.uk"),
    ("Sam Patel", "sam.patel@example.com"), ("Hannah Berg", "hannah.berg@example.de"),
    ("Liam Walsh", "liam.walsh@example.ie"), ("Fatima Noor", "fatima.noor@example.com"),
    ("Oliver Grant", "oliver.grant@example.com"), ("Yuki Tanaka", "yuki.tanaka@example.jp"),
]
PRODUCTS = [
    ("MUG-BLUE", "Blue ceramic mug"), ("TT-04", "Linen tea towel"), ("CAN-LAV", "Lavender candle"),
    ("LAMP-2", "Brass desk lamp"), ("SCARF-RED", "Red wool scarf"), ("PLATE-10", "Stoneware dinner plate"),
    ("VASE-S", "Small glass vase"), ("CUSH-GRN", "Green velvet cushion"), ("BOWL-3", "Oak salad bowl"),
    ("RUG-1", "Jute doormat"),
]
# (as a return form or marketplace states it, as a customer writes it after "because it")
REASONS = [
    ("Damaged on arrival", "arrived with a chipped handle"), ("Not as pictured", "is not the colour pictured"),
    ("Too small", "is too small for our table"), ("Stopped working", "stopped working after a day"),
    ("Wrong item sent", "is not the item I ordered"), ("No longer needed", "is no longer needed"),
    ("Damaged in transit", "came in a crushed box"), ("Scent too strong", "smells far too strong"),
]


@dataclass
class Item:
    sku: str
    product: str
    qty: int
    reason: str  # as a form states it
    said: str  # as the customer writes it: "... because it <said>"


@dataclass
class Mail:
    name: str
    raw: bytes
    expect: str  # recorded, partial, duplicate, unparsed, skipped
    lines: list[dict] = field(default_factory=list)  # the rows it should add, column key -> value
    message_id: str | None = None


def _message(subject: str, sender: tuple[str, str], when: datetime, message_id: str | None) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f'"{sender[0]}" <{sender[1]}>' if sender[0] else sender[1]
    msg["To"] = f"{SHOP[0]} <{SHOP[1]}>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    if message_id:
        msg["Message-ID"] = message_id
    return msg


def _lines(order: str, items: list[Item], channel: str, when: datetime, *, customer=None, email=None,
           product=True, qty=True, reason=lambda item: item.reason) -> list[dict]:
    rows = []
    for item in items:
        row = {"order_id": order, "sku": item.sku, "reason": reason(item),
               "notified_on": when.date(), "channel": channel}
        if customer:
            row["customer"] = customer
        if email:
            row["email"] = email
        if product:
            row["product"] = item.product
        if qty:
            row["qty"] = item.qty
        rows.append(row)
    return rows


# -- the formats -------------------------------------------------------------------


def customer_plain(n, order, who, items, when, mid):
    item = items[0]
    msg = _message(f"Return request - order #{order}", who, when, mid)
    msg.set_content(
        f"Hello,\n\nI would like to return the {item.product.lower()} (SKU {item.sku}) from order #{order} "
        f"because it {item.said}.\n\nCould you tell me how to send it back?\n\nKind regards,\n{who[0]}\n"
    )
    return msg, _lines(order, [item], "Email", when, customer=who[0], email=who[1], product=False, qty=False,
                       reason=lambda i: f"it {i.said}")


def web_form(n, order, who, items, when, mid):
    item = items[0]
    msg = _message(f"New return request #{order}", ("Example Shop website", "no-reply@shop.example.com"), when, mid)
    msg.set_content(
        "A customer submitted the return form on your website.\n\n"
        f"Name: {who[0]}\nEmail: {who[1]}\nOrder number: {order}\nProduct: {item.product}\n"
        f"SKU: {item.sku}\nQuantity: {item.qty}\nReason: {item.reason}\n\n-- \nSent by the Example Shop contact form\n"
    )
    return msg, _lines(order, [item], "Email", when, customer=who[0], email=who[1])


def amazon_forwarded(n, order, who, items, when, mid):
    msg = _message(f"Fwd: Return authorization request for order {order}", SHOP, when, mid)
    body = "".join(
        f"\nItem: {i.product}\nSKU: {i.sku}\nQuantity: {i.qty}\nReturn reason: {i.reason}\n" for i in items
    )
    msg.set_content(
        "FYI - another return.\n\n---------- Forwarded message ---------\n"
        "From: Amazon Seller Central <seller-notification@amazon.co.uk>\n"
        f"Date: {format_datetime(when - timedelta(hours=3))}\n"
        f"Subject: Return authorization request for order {order}\nTo: {SHOP[1]}\n\n"
        f"Dear Example Shop,\n\nWe are writing to let you know that a buyer has requested a return.\n\n"
        f"Order ID: {order}\nBuyer name: {who[0]}\n{body}\n"
        "Please respond within 2 business days.\n\nSincerely,\nAmazon Services\n"
    )
    return msg, _lines(order, items, "Amazon", when, customer=who[0])


def ebay_html(n, order, who, items, when, mid):
    msg = _message(f"Return request opened: {items[0].product}", ("eBay", "ebay@ebay.co.uk"), when, mid)
    rows = "".join(
        f"<tr><td style='padding:4px'>{i.product}</td><td>{i.sku}</td><td>{i.qty}</td><td>{i.reason}</td></tr>"
        for i in items
    )
    msg.set_content(
        "<!DOCTYPE html><html><head><style>td{font-family:Arial}</style><script>track()</script></head><body>"
        "<table width='100%'><tr><td>"
        f"<h2>Your buyer wants to return an item</h2><p>Buyer: <b>{who[0]}</b></p>"
        f"<p>Order number: {order}</p>"
        "<table><tr><th>Item</th><th>SKU</th><th>Qty</th><th>Return reason</th></tr>"
        f"{rows}</table><p>Respond by {(when + timedelta(days=3)).date():%d %b %Y}.</p>"
        "</td></tr></table><img src='https://ebay.example/pixel.gif'></body></html>",
        subtype="html",
    )
    return msg, _lines(order, items, "eBay", when, customer=who[0])


def etsy_attached(n, order, who, items, when, mid):
    inner = _message(f"Return request for order #{order}", ("Etsy", "transaction@etsy.com"), when - timedelta(hours=5),
                     f"<etsy-{n}@etsy.com>")
    inner.set_content(
        f"Hi Example Shop,\n\n{who[0]} has asked to return part of order #{order}.\n\n"
        f"Customer: {who[0]}\nEmail: {who[1]}\n"
        + "".join(f"\nItem: {i.product}\nSKU: {i.sku}\nQuantity: {i.qty}\nReason for return: {i.reason}\n" for i in items)
    )
    msg = _message(f"Fwd: Return request for order #{order}", SHOP, when, mid)
    msg.set_content("See the attached notice.\n")
    msg.add_attachment(inner)
    msg.add_attachment(b"%PDF-1.4 return label\n%%EOF\n", maintype="application", subtype="pdf", filename="label.pdf")
    return msg, _lines(order, items, "Etsy", when, customer=who[0], email=who[1])


def shopify_alternative(n, order, who, items, when, mid):
    msg = _message(f"[Example Shop] Return requested for order #{order}", ("Shopify", "mailer@shopify.com"), when, mid)
    text = "".join(f"\nSKU: {i.sku}\nProduct: {i.product}\nQuantity: {i.qty}\nReason: {i.reason}\n" for i in items)
    msg.set_content(f"Return requested for order #{order}\nCustomer: {who[0]} <{who[1]}>\n{text}")
    html_rows = "".join(f"<tr><td>{i.sku}</td><td>{i.product}</td><td>{i.qty}</td><td>{i.reason}</td></tr>" for i in items)
    msg.add_alternative(
        f"<html><body><p>Return requested for order #{order}</p><p>Customer: {who[0]} &lt;{who[1]}&gt;</p>"
        f"<table><tr><th>SKU</th><th>Product</th><th>Quantity</th><th>Reason</th></tr>{html_rows}</table></body></html>",
        subtype="html",
    )
    return msg, _lines(order, items, "Shopify", when, customer=who[0], email=who[1])


def quoted_reply(n, order, who, items, when, mid):
    item = items[0]
    msg = _message(f"Re: Your order #{order} has shipped", who, when, mid)
    msg.set_content(
        f"Hi,\n\nI'd like to send this back because it {item.said}.\n\nThanks,\n{who[0].split()[0]}\n\n"
        f"On Mon, 16 Nov 2026 at 09:00, {SHOP[0]} <{SHOP[1]}> wrote:\n> Thank you for your order!\n"
        f"> Order #{order}\n> SKU: {item.sku}\n> Quantity: {item.qty}\n> We hope you love it.\n"
    )
    return msg, _lines(order, [item], "Email", when, customer=who[0], email=who[1], product=False,
                       reason=lambda i: f"it {i.said}")


def latin1_quoted_printable(n, order, who, items, when, mid):
    item = items[0]
    name = "Zoë Müller"
    msg = _message(f"Rücksendung / return for order {order}", (name, "zoe.mueller@example.de"), when, mid)
    msg.set_content(
        f"Guten Tag,\n\nOrder number: {order}\nSKU: {item.sku}\nQuantity: {item.qty}\n"
        f"Reason: {item.reason} - sorry, leider\n\nViele Grüße\n{name}\n",
        charset="iso-8859-1", cte="quoted-printable",
    )
    return msg, _lines(order, [item], "Email", when, customer=name, email="zoe.mueller@example.de", product=False,
                       reason=lambda i: f"{i.reason} - sorry, leider")


FORMATS = [customer_plain, web_form, amazon_forwarded, ebay_html, etsy_attached, shopify_alternative,
           quoted_reply, latin1_quoted_printable]
MULTI_ITEM = {amazon_forwarded, ebay_html, etsy_attached, shopify_alternative}
ORDER_STYLE = {
    amazon_forwarded: "203-45{:05d}-1{:06d}", ebay_html: "12-3{:04d}-8{:04d}", etsy_attached: "246{:04d}{:03d}",
}


def _order_id(fmt, n: int) -> str:
    style = ORDER_STYLE.get(fmt)
    return style.format(n * 37, n * 11) if style else str(1000 + n)


def _items(n: int, multi: bool) -> list[Item]:
    count = 2 if multi and n % 3 == 0 else 1
    return [
        Item(*PRODUCTS[(n + k * 3) % len(PRODUCTS)], 1 + (n + k) % 2, *REASONS[(n + k) % len(REASONS)])
        for k in range(count)
    ]


def good_notice(n: int, fmt=None, *, message_id: str | None = "default") -> Mail:
    fmt = fmt or FORMATS[n % len(FORMATS)]
    when = NOW - timedelta(days=n % 7, hours=2 + n % 5)
    who = CUSTOMERS[n % len(CUSTOMERS)]
    mid = f"<notice-{n}@mail.example.com>" if message_id == "default" else message_id
    msg, lines = fmt(n, _order_id(fmt, n), who, _items(n, fmt in MULTI_ITEM), when, mid)
    return Mail(f"{n:02d}-{fmt.__name__}.eml", bytes(msg), "recorded", lines, mid)


# -- the broken ones ------------------------------------------------------------------


def broken_notices(start: int) -> list[Mail]:
    when = NOW - timedelta(days=1)
    mails: list[Mail] = []

    msg = _message("Returning my mug", ("Dee Grey", "dee.grey@example.com"), when, f"<b1-{start}@example.com>")
    msg.set_content("Hi, I want to return the mug I bought last week, it is not what I expected. Dee\n")
    mails.append(Mail("b1-no-order-id.eml", bytes(msg), "unparsed", message_id=f"<b1-{start}@example.com>"))

    msg = _message("Our autumn catalogue is here", ("Supplier News", "news@supplier.example"), when, "<b2@supplier.example>")
    msg.set_content("New ceramics for the season. Visit our trade portal to see them.\n")
    mails.append(Mail("b2-newsletter.eml", bytes(msg), "unparsed", message_id="<b2@supplier.example>"))

    mails.append(Mail("b3-garbage.eml", bytes(range(256)) * 8, "skipped"))

    msg = _message("Fwd: Return authorization request for order 203-9999999-0000001", SHOP, when, "<b4@example.com>")
    msg.set_content(
        "---------- Forwarded message ---------\nFrom: Amazon Seller Central <seller-notification@amazon.co.uk>\n\n"
        "Order ID: 203-9999999-0000001\nBuyer name: Ivy Lane\n\nItem: Red wool scarf\nSKU: SCARF-RED\n"
        "Quantity: two\nReturn reason: Too itchy\n"
    )
    mails.append(Mail("b4-partial-quantity.eml", bytes(msg), "partial", [
        {"order_id": "203-9999999-0000001", "customer": "Ivy Lane", "product": "Red wool scarf", "sku": "SCARF-RED",
         "qty": "two", "reason": "Too itchy", "notified_on": when.date(), "channel": "Amazon"}], "<b4@example.com>"))

    msg = _message("New return request #1999", ("Example Shop website", "no-reply@shop.example.com"), when, "<b5@example.com>")
    msg.set_content("Name: Ravi Kumar\nEmail: ravi.kumar@example.com\nOrder number: 1999\nReason: Broken on arrival\n")
    mails.append(Mail("b5-partial-no-sku.eml", bytes(msg), "partial", [
        {"order_id": "1999", "customer": "Ravi Kumar", "email": "ravi.kumar@example.com", "reason": "Broken on arrival",
         "notified_on": when.date(), "channel": "Email"}], "<b5@example.com>"))

    msg = _message("Return request - order #1998 (photos attached)", ("Ben Ode", "ben.ode@example.com"), when, "<b6@example.com>")
    msg.set_content("Order #1998, SKU LAMP-2: it arrived broken, see the photos.\n")
    msg.add_attachment(bytes(range(256)) * 1600, maintype="image", subtype="jpeg", filename="photo.jpg")
    mails.append(Mail("b6-huge.eml", bytes(msg), "skipped", message_id="<b6@example.com>"))

    msg = _message("Return", ("Eve Null", "eve.null@example.com"), when, "<b7@example.com>")
    msg.add_attachment(b"MZ\x90\x00 not a real program", maintype="application", subtype="octet-stream",
                       filename="return_form.exe")
    mails.append(Mail("b7-attachment-only.eml", bytes(msg), "skipped", message_id="<b7@example.com>"))
    return mails


def typed_by_hand() -> dict:
    """The row a seller typed in before intake ran (notice 10's order line): its notice must not add it again."""
    line = good_notice(10, web_form).lines[0]
    return {"Order ID": line["order_id"], "SKU": line["sku"], "Customer": line["customer"],
            "Notified On": line["notified_on"] - timedelta(days=1), "Channel": "Phone"}


def corpus() -> list[Mail]:
    """The 50 messages: 43 good ones (one without a Message-ID, one already typed in by hand, one a
    second notice for the same order line), 2 partial, 2 unreadable by the rules, 3 skipped."""
    mails = [good_notice(n) for n in range(1, 42)]
    hand = good_notice(10, web_form)  # its order line is on the sheet already: typed_by_hand()
    mails[9] = Mail(hand.name, hand.raw, "duplicate", [], hand.message_id)
    no_id = good_notice(42, customer_plain, message_id=None)
    mails.append(no_id)
    again = good_notice(1, web_form, message_id="<again-1@mail.example.com>")  # same order line as notice 1
    first = mails[0].lines[0]
    assert (again.lines[0]["order_id"], again.lines[0]["sku"]) == (first["order_id"], first["sku"])
    mails.append(Mail("43-second-notice-same-line.eml", again.raw, "duplicate", [], again.message_id))
    mails += broken_notices(44)
    assert len(mails) == 50
    return mails


def write_eml(folder: Path, mails: list[Mail]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for mail in mails:
        (folder / mail.name).write_bytes(mail.raw)
    return folder


if __name__ == "__main__":
    target = write_eml(Path(sys.argv[1] if len(sys.argv) > 1 else "intake-corpus"), corpus())
    print(f"wrote 50 messages to {target}")

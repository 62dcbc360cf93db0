"""Customers' replies close the loop: the job's emails go out over SMTP, the answers come back over IMAP,
and a sync puts them on the right rows, holds the next reminder and lists them on the Summary."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.engine.model import EmailKind
from sheetreturns.settings.config_file import Config
from tests.dovecot import PASSWORD
from tests.helpers import basic_row, write_workbook
from tests.mail_server import MailServer

SHOP = "shop@willow.example"
DAY0 = date(2026, 11, 2)
ANN = basic_row(**{"Return ID": "R-00001", "Order ID": "5001", "Customer": "Ann Archer", "Email": "ann@example.com",
                   "SKU": "JUG-02", "Product": "Stoneware jug", "Notified On": DAY0})
BEN = basic_row(**{"Return ID": "R-00002", "Order ID": "5002", "Customer": "Ben Carter", "Email": "ben@example.com",
                   "SKU": "LAMP-7", "Product": "Desk lamp", "Notified On": DAY0 - timedelta(days=14)})


@pytest.fixture
def imap_password(monkeypatch):
    monkeypatch.setenv("SHEETRETURNS_IMAP_PASSWORD", PASSWORD)


def shop_config(folder, port: int, mailbox: str, cert, **intake) -> Config:
    return Config(path=folder / "sheetreturns.toml", state_dir=folder / "state",
                  smtp={"host": "127.0.0.1", "port": port, "security": "none", "from": f"Willow & Wick <{SHOP}>",
                        "reply_to": "help@willow.example"},
                  intake={"mailbox": mailbox, "ca_file": str(cert), "max_message_kb": 256, **intake})


def returns_rows(path) -> dict[str, dict]:
    ws = load_workbook(path)["Returns"]
    rows = list(ws.iter_rows(values_only=True))
    names = list(rows[0])
    found = {}
    for row in rows[1:]:
        values = dict(zip(names, row))
        if values.get("Return ID"):
            found[values["Return ID"]] = values
    return found


def tab_values(path, title) -> list[tuple]:
    return [tuple(r) for r in load_workbook(path)[title].iter_rows(values_only=True)]


def plain_reply(to_ack) -> bytes:
    """Ann answers the acknowledgement from a desktop client: In-Reply-To, References, the quoted history."""
    return (
        "From: Ann Archer <ann@example.com>\r\nTo: help@willow.example\r\n"
        f"Subject: Re: {to_ack['Subject']}\r\nMessage-ID: <ann-reply-1@mail.example.com>\r\n"
        f"In-Reply-To: {to_ack['Message-ID']}\r\nReferences: {to_ack['Message-ID']}\r\n"
        "Date: Tue, 03 Nov 2026 12:15:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Thanks!\r\nThe handle came off the jug when I unpacked it.\r\nCould you send me a prepaid label?\r\n\r\n"
        "Best,\r\nAnn\r\n\r\n"
        "On Mon, 2 Nov 2026 at 09:30, Willow & Wick <shop@willow.example> wrote:\r\n"
        "> Hello Ann, we're sorry the jug did not work out.\r\n> Please send it back by 2 December 2026.\r\n"
    ).encode()


def phone_reply(to_reminder) -> bytes:
    """Ben answers the reminder from a phone: no In-Reply-To or References, but the subject is kept."""
    return (
        "From: Ben Carter <ben@example.com>\r\nTo: help@willow.example\r\n"
        f"Subject: Re: {to_reminder['Subject']}\r\nMessage-ID: <ABCD-1234@phone.example.net>\r\n"
        "Date: Wed, 04 Nov 2026 18:02:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "I already sent it back on Monday with UPS, tracking 1Z999AA10123456784\r\n\r\n"
        "Sent from my iPhone\r\n\r\n"
        "> On 2 Nov 2026, at 09:30, Willow & Wick <shop@willow.example> wrote:\r\n> A reminder about your return\r\n"
    ).encode()


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_replies_sent_over_smtp_and_answered_over_imap_land_on_their_rows(tmp_path, dovecot, imap_password):
    book = write_workbook(tmp_path / "returns.xlsx", [ANN, BEN])
    folder = "Replies-e2e"
    dovecot.deliver(folder, [])
    with MailServer() as server:
        config = shop_config(tmp_path, server.port, dovecot.url(folder), dovecot.cert)
        first = api.sync(book, as_of=DAY0, config=config, now=datetime(2026, 11, 2, 9, 30))
        assert first.ok, first.failures
        sent = {(r.rcpt_tos[0], r.message["Subject"]) for r in server.received}
        assert sent == {("ann@example.com", "Your return R-00001 with Our shop: we're on it"),
                        ("ben@example.com", "A reminder about your return R-00002")}
        ack = next(r.message for r in server.received if r.rcpt_tos == ["ann@example.com"])
        reminder = next(r.message for r in server.received if r.rcpt_tos == ["ben@example.com"])

        dovecot.deliver(folder, [plain_reply(ack), phone_reply(reminder)])
        day14 = DAY0 + timedelta(days=14)  # Ann's reminder is due today
        second = api.sync(book, as_of=day14, config=config, now=datetime(2026, 11, 16, 9, 30))
        assert second.ok, second.failures
        assert len(server.received) == 2  # Ann's reminder waits: her reply is not handled yet
        assert not [e for e in second.evaluation.emails if e.kind is EmailKind.REMINDER]
        assert "2 customer replies recorded" in second.notes[0]

        rows = returns_rows(book)
        ann, ben = rows["R-00001"], rows["R-00002"]
        assert ann["Replied On"].date() == date(2026, 11, 3)
        assert ann["Reply"] == ("Thanks! / The handle came off the jug when I unpacked it. / "
                                "Could you send me a prepaid label?")
        assert ann["Next Step"] == "Customer replied on 2026-11-03: read it"
        assert ann["Return Tracking"] is None
        assert ben["Replied On"].date() == date(2026, 11, 4)
        assert ben["Reply"] == "I already sent it back on Monday with UPS, tracking 1Z999AA10123456784"
        assert ben["Return Tracking"] == "UPS 1Z999AA10123456784"
        assert ben["Next Step"] == "Customer replied on 2026-11-04: read it"
        assert "Reply Handled On" in ann  # the seller's column to mark a reply handled came with the first reply

        summary = tab_values(book, "Summary")
        heading = next(i for i, r in enumerate(summary) if r[0] == "Customer replies waiting for you (2)")
        listed = [r for r in summary[heading:heading + 6] if r[0] in ("R-00001", "R-00002")]
        assert [r[0] for r in listed] == ["R-00001", "R-00002"]  # oldest first
        assert listed[0][1].startswith("Thanks! / The handle came off")
        assert listed[1][3] == "Ben Carter"
        log = tab_values(book, "Intake Log")
        header = next(i for i, r in enumerate(log) if r and r[0] == "Received")
        names = log[header]
        entries = {r[names.index("Message-ID")]: dict(zip(names, r)) for r in log[header + 1:] if r[0]}
        assert entries["<ann-reply-1@mail.example.com>"]["Result"] == "Customer reply"
        assert entries["<ann-reply-1@mail.example.com>"]["Rule"] == "reply by thread"
        assert entries["<ABCD-1234@phone.example.net>"]["Rule"] == "reply by subject"
        assert entries["<ABCD-1234@phone.example.net>"]["Return ID"] == "R-00002"

        before = (returns_rows(book), tab_values(book, "Intake Log"), tab_values(book, "Summary"))
        saved = book.read_bytes()
        third = api.sync(book, as_of=day14, config=config, now=datetime(2026, 11, 16, 9, 30))
        assert third.ok and len(server.received) == 2
        assert third.notes[0].startswith("intake: 0 rows added from imaps://") and "repl" not in third.notes[0]
        assert (returns_rows(book), tab_values(book, "Intake Log"), tab_values(book, "Summary")) == before
        assert book.read_bytes() == saved  # nothing new: the workbook is not even rewritten

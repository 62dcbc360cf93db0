"""A reply's life on the sheet: who may attach one, how the seller handles it, when reminders resume,
the replies and Sent folders, and a crash between the sheet write and the journal."""
from __future__ import annotations

import pytest
import email
import email.policy
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.intake import journal as intake_journal
from sheetreturns.settings.config_file import Config
from tests.helpers import basic_row, write_workbook

DAY0 = date(2026, 11, 2)
PEOPLE = {
    "R-00001": ("Ann Archer", "ann@example.com", "5001", "JUG-02"),
    "R-00002": ("Ben Carter", "ben@example.com", "5002", "LAMP-7"),
    "R-00003": ("Cara Dunn", "cara@example.com", "5003", "RUG-4"),
}


def at(day: int, hour: int = 9) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(hour=hour)


def shop(tmp_path: Path, **intake) -> tuple[Path, Config]:
    rows = [basic_row(**{"Return ID": rid, "Customer": name, "Email": mail, "Order ID": order, "SKU": sku,
                         "Notified On": DAY0}) for rid, (name, mail, order, sku) in PEOPLE.items()]
    book = write_workbook(tmp_path / "returns.xlsx", rows)
    (tmp_path / "mail").mkdir()
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state",
                    smtp={"from": "Willow & Wick <shop@willow.example>", "reply_to": "help@willow.example"},
                    intake={"mailbox": f"eml:{tmp_path / 'mail'}", **intake},
                    policy_entries=[("owner_email", "owner@willow.example", "test")])
    return book, config


def sync(book: Path, config: Config, day: int, tmp_path: Path):
    result = api.sync(book, as_of=DAY0 + timedelta(days=day), config=config, now=at(day),
                      outbox=tmp_path / f"outbox-{day}")
    assert result.ok, result.failures
    return result


def sent(tmp_path: Path, day: int) -> dict[tuple[str, str], email.message.EmailMessage]:
    """(to, subject) -> message, of what a day's sync wrote to its outbox."""
    found = {}
    for path in sorted((tmp_path / f"outbox-{day}").glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found[(str(msg["To"]), str(msg["Subject"]))] = msg
    return found


def message(sender: str, subject: str, body: str, when: datetime, *, key: str, answers: str | None = None) -> bytes:
    threading = f"In-Reply-To: {answers}\r\nReferences: {answers}\r\n" if answers else ""
    return (f"From: {sender}\r\nTo: help@willow.example\r\nSubject: {subject}\r\nMessage-ID: {key}\r\n{threading}"
            f"Date: {when:%a, %d %b %Y %H:%M:%S} +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            ).encode()


def drop(folder: Path, name: str, raw: bytes) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.eml").write_bytes(raw)


def rows(book: Path) -> dict[str, dict]:
    ws = load_workbook(book)["Returns"]
    values = list(ws.iter_rows(values_only=True))
    return {r[0]: dict(zip(values[0], r)) for r in values[1:] if r[0]}


def summary_text(book: Path) -> list[str]:
    return [" | ".join(str(c) for c in r if c is not None) for r in load_workbook(book)["Summary"].iter_rows(values_only=True)]


def ack_of(tmp_path: Path, address: str):
    return next(m for (to, subject), m in sent(tmp_path, 0).items() if address in to and "on it" in subject)


@pytest.mark.slow
def test_a_reply_from_another_address_is_listed_for_the_seller_and_never_attached(tmp_path):
    book, config = shop(tmp_path)
    sync(book, config, 0, tmp_path)
    ack = ack_of(tmp_path, "ann@example.com")
    drop(tmp_path / "mail", "stranger", message("Mallory <mallory@example.net>", f"Re: {ack['Subject']}",
                                                "=HYPERLINK(\"http://x.example\") Please refund to my account instead",
                                                at(2), key="<mallory-1@example.net>", answers=ack["Message-ID"]))
    result = sync(book, config, 3, tmp_path)
    ann = rows(book)["R-00001"]
    assert "Reply" not in ann and ann["Next Step"].startswith("Wait for the item")  # nothing attached to the row
    assert result.evaluation.other_replies[0].sender == "Mallory <mallory@example.net>"
    shown = summary_text(book)
    assert any(line.startswith("Replies from someone who is not the return's customer (1)") for line in shown)
    assert any(line.startswith('R-00001 | HYPERLINK("[link]") Please refund to my account') and "mallory@example.net" in line
               for line in shown)
    log = [r for r in load_workbook(book)["Intake Log"].iter_rows(values_only=True) if r[9] == "<mallory-1@example.net>"]
    assert log[0][3] == "Reply, not from the customer" and log[0][11] == "R-00001"


@pytest.mark.slow
def test_handling_a_reply_lets_reminders_go_again_unless_a_tracking_number_is_fresh(tmp_path):
    book, config = shop(tmp_path)
    sync(book, config, 0, tmp_path)
    acks = {rid: ack_of(tmp_path, PEOPLE[rid][1]) for rid in PEOPLE}
    drop(tmp_path / "mail", "ann", message("Ann Archer <ann@example.com>", f"Re: {acks['R-00001']['Subject']}",
                                           "Could you send me a label?", at(3), key="<ann-1@example.com>",
                                           answers=acks["R-00001"]["Message-ID"]))
    drop(tmp_path / "mail", "ben", message("Ben Carter <ben@example.com>", "my lamp", "Is my refund coming?", at(4),
                                           key="<ben-1@example.com>"))  # a new thread: known by his address
    drop(tmp_path / "mail", "cara", message("Cara Dunn <cara@example.com>", f"RE: {acks['R-00003']['Subject']}",
                                            "I posted it today, Royal Mail AB123456789GB", at(5), key="<cara-1@example.com>"))
    sync(book, config, 6, tmp_path)
    (to, subject), = sent(tmp_path, 6)  # no customer email today: the owner still hears of the replies
    assert to == "owner@willow.example" and subject.endswith(", 3 customer replies to answer")
    shown = rows(book)
    assert shown["R-00002"]["Reply"] == "Is my refund coming?"
    assert shown["R-00003"]["Return Tracking"] == "Royal Mail AB123456789GB"
    assert [line.split(" | ")[0] for line in summary_text(book) if line.startswith("R-0000")][:3] == [
        "R-00001", "R-00002", "R-00003"]  # oldest reply first

    # The seller answers Ann and Cara and types the dates in Reply Handled On.
    wb = load_workbook(book)
    ws = wb["Returns"]
    headers = [c.value for c in ws[1]]
    column = headers.index("Reply Handled On") + 1
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value in ("R-00001", "R-00003"):
            ws.cell(row, column).value = DAY0 + timedelta(days=7)
    wb.save(book)

    result = sync(book, config, 14, tmp_path)  # every reminder is due today
    reminders = {to for to, subject in sent(tmp_path, 14) if subject.startswith("A reminder")}
    assert reminders == {"Ann Archer <ann@example.com>"}  # Ben's reply waits; Cara's tracking number is fresh
    shown = rows(book)
    assert shown["R-00001"]["Next Step"].startswith("Wait for the item")
    assert shown["R-00002"]["Next Step"] == "Customer replied on 2026-11-06: read it"
    assert shown["R-00003"]["Next Step"].startswith("Wait for the item")
    digest = next(m for (to, _), m in sent(tmp_path, 14).items() if "owner@" in to)
    text = digest.get_body(("plain",)).get_content()
    assert "Customer replies waiting for an answer, oldest first (1):" in text
    assert "R-00002  Ben Carter, 6 November 2026: Is my refund coming?" in text
    assert not [e for e in result.evaluation.emails if e.return_id == "R-00003" and str(e.kind) == "reminder"]

    sync(book, config, 20, tmp_path)  # Cara's tracking number is 15 days old: her reminder goes now
    assert {to for to, subject in sent(tmp_path, 20) if subject.startswith("A reminder")} == {
        "Cara Dunn <cara@example.com>"}


@pytest.mark.slow
def test_replies_from_their_own_folder_and_answers_seen_in_the_sent_folder(tmp_path):
    book, config = shop(tmp_path, replies=f"eml:{tmp_path / 'replies'}", sent=f"eml:{tmp_path / 'sent'}")
    (tmp_path / "replies").mkdir()
    (tmp_path / "sent").mkdir()
    sync(book, config, 0, tmp_path)
    ack = ack_of(tmp_path, "ann@example.com")
    drop(tmp_path / "replies", "ann", message("Ann Archer <ann@example.com>", f"Re: {ack['Subject']}",
                                              "Could you send me a label?", at(3), key="<ann-1@example.com>",
                                              answers=ack["Message-ID"]))
    sync(book, config, 4, tmp_path)
    assert rows(book)["R-00001"]["Next Step"] == "Customer replied on 2026-11-05: read it"

    drop(tmp_path / "sent", "answer", message("Willow & Wick <shop@willow.example>", "Re: Re: your return",
                                              "Here is your label.", at(5), key="<answer-1@willow.example>",
                                              answers="<ann-1@example.com>"))
    drop(tmp_path / "sent", "other", message("Willow & Wick <shop@willow.example>", "Stock order", "Ten more",
                                             at(5), key="<order-1@willow.example>"))
    sync(book, config, 6, tmp_path)
    ann = rows(book)["R-00001"]
    assert ann["Next Step"].startswith("Wait for the item") and ann["Reply"] == "Could you send me a label?"
    log = {r[9]: r for r in load_workbook(book)["Intake Log"].iter_rows(values_only=True) if r[9]}
    assert log["<answer-1@willow.example>"][3] == "Answered by you"
    assert "<order-1@willow.example>" not in log  # the rest of the Sent folder is not listed


@pytest.mark.slow
def test_a_crash_after_the_sheet_write_records_each_reply_once(tmp_path, monkeypatch):
    book, config = shop(tmp_path)
    sync(book, config, 0, tmp_path)
    ack = ack_of(tmp_path, "ann@example.com")
    drop(tmp_path / "mail", "ann", message("Ann Archer <ann@example.com>", f"Re: {ack['Subject']}",
                                           "Could you send me a label?", at(3), key="<ann-1@example.com>",
                                           answers=ack["Message-ID"]))

    def crash(self, records):
        raise KeyboardInterrupt("killed after the sheet was written")

    monkeypatch.setattr(intake_journal.Journal, "save", crash)
    try:
        sync(book, config, 4, tmp_path)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert rows(book)["R-00001"]["Reply"] == "Could you send me a label?"  # the sheet was written

    again = sync(book, config, 5, tmp_path)
    assert "repl" not in again.notes[0]  # found on the Intake Log: not recorded a second time
    log = [r for r in load_workbook(book)["Intake Log"].iter_rows(values_only=True) if r[9] == "<ann-1@example.com>"]
    assert len(log) == 1 and log[0][12] == "Could you send me a label?"
    assert rows(book)["R-00001"]["Next Step"] == "Customer replied on 2026-11-05: read it"
    for path in (tmp_path / "state").glob("*.intake.jsonl"):
        path.unlink()  # the state folder lost: the sheet still knows
    third = sync(book, config, 5, tmp_path)
    assert "repl" not in third.notes[0] and rows(book)["R-00001"]["Reply"] == "Could you send me a label?"

"""The brief's whole first morning: a folder of fifty return notices becomes rows on the sheet in one sync,
each new customer gets one acknowledgement (over a real SMTP server on 127.0.0.1), and a second sync
adds no row and sends nothing."""
from __future__ import annotations

import pytest
from sheetreturns import api
from sheetreturns.settings.config_file import Config
from tests.helpers import basic_row, write_workbook
from tests.intake_corpus import NOW, corpus, typed_by_hand, write_eml
from tests.mail_server import MailServer

AS_OF = NOW.date()
LOCAL_NOW = NOW.replace(tzinfo=None)


@pytest.mark.network
@pytest.mark.slow
def test_fifty_notices_become_rows_and_each_new_return_is_acknowledged_once(tmp_path):
    mails = corpus()
    write_eml(tmp_path / "mail", mails)
    book = write_workbook(tmp_path / "returns.xlsx", [basic_row(**{"Notified On": AS_OF.replace(month=9)}), typed_by_hand()])
    # One acknowledgement per new return (order + customer) whose customer's address the notice gave.
    expected = sorted({(line["order_id"], line["email"]) for m in mails if m.expect == "recorded"
                       for line in m.lines if "email" in line})
    with MailServer() as server:
        config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state",
                        intake={"mailbox": "eml:mail", "max_message_kb": 256},
                        smtp={"host": "127.0.0.1", "port": server.port, "security": "none",
                              "from": "Example Shop <shop@example.com>"})
        first = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
        assert first.notes[0].startswith(f"intake: {sum(len(m.lines) for m in mails)} rows added")
        sent = [e for e in first.emails if e.kind == "acknowledgement"]
        assert all(e.result == "sent" for e in sent)
        assert sorted(to for r in server.received for to in r.rcpt_tos) == sorted(email for _, email in expected)
        orders = {order for order, _ in expected}
        assert all(any(order in r.text for order in orders) for r in server.received)

        second = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
        assert second.notes[0].startswith("intake: 0 rows added")
        assert [e for e in second.emails if e.result == "sent"] == []
        assert len(server.received) == len(expected)

"""The whole job runs against a Google Sheet through the real gspread client —
statuses, Summary, Email Log, and emails sent exactly once over a real SMTP server."""
from __future__ import annotations

import pytest
from pathlib import Path

from sheetreturns import api
from sheetreturns.settings.config_file import Config
from sheetreturns.engine.model import Status
from tests.gsheet_support import by_id, from_workbook
from tests.mail_server import MailServer
from tests.mail_support import AS_OF, EXAMPLE_DUE, EXAMPLE_RECIPIENTS, NOW, SHOP

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


@pytest.mark.network
@pytest.mark.slow
def test_the_example_as_a_google_sheet_synced_twice_emails_each_customer_once(server, tmp_path):
    key = from_workbook(server, EXAMPLE)
    with MailServer() as mail:
        config = Config(google={"endpoint": server.url}, state_dir=tmp_path / "state",
                        smtp={"host": "127.0.0.1", "port": mail.port, "security": "none",
                              "from": f"Willow & Wick <{SHOP}>"})
        first = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW, send_backlog=True)
        second = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW)

    assert first.ok and second.ok
    assert sorted((e.return_id, e.kind, e.to) for e in first.emails) == sorted(EXAMPLE_DUE)
    assert all(e.result == "sent" for e in first.emails) and second.emails == []
    assert sorted(r.rcpt_tos[0] for r in mail.received) == EXAMPLE_RECIPIENTS  # once each, over two runs

    rows = by_id(server, key, header_row=3)
    assert rows["R-00022"]["Status"] == Status.AWAITING_ITEM.value
    assert rows["R-00022"]["Contacted On"] != ""  # the acknowledgement's date, from the journal
    assert rows["R-00044"]["Last Email"].startswith("acknowledgement ")  # a Return ID the run assigned
    titles = [sheet.title for sheet in server.book(key).sheets]
    assert {"Returns", "Summary", "Email Log"} <= set(titles)
    log = server.values(key, "Email Log")
    sent_rows = [row for row in log[1:] if row and "R-" in " ".join(str(c) for c in row)]
    assert len(sent_rows) == len(EXAMPLE_DUE)

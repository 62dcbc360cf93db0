"""Nothing unintended goes to customers: the first real (SMTP) run of a sheet sends nothing on its own, and
neither does a run over bulk_email_limit; `sync --send-backlog` sends what was held, each email once."""
from __future__ import annotations

import json

from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns import api
from sheetreturns.cli import main

from .helpers import basic_row, write_workbook
from .mail_server import MailServer
from .mail_support import AS_OF, EXAMPLE_DUE, EXAMPLE_RECIPIENTS, NOW, SHOP, example_copy, smtp_config


def write_config(folder, port, extra: str = ""):
    path = folder / "sheetreturns.toml"
    path.write_text(f'source = "returns.xlsx"\nstate_dir = "state"\n{extra}[smtp]\nhost = "127.0.0.1"\n'
                    f'port = {port}\nsecurity = "none"\nfrom = "Willow & Wick <{SHOP}>"\n')
    return path


def contacted(path) -> list[object]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns").to_python(skip_empty_area=False)
    header = next(i for i, row in enumerate(rows) if "Return ID" in row)
    column = rows[header].index("Contacted On")
    return [row[column] for row in rows[header + 1:] if row[column] not in ("", None)]


def test_first_smtp_sync_of_the_example_sends_nothing_says_why_and_send_backlog_sends_each_once(tmp_path):
    workbook = example_copy(tmp_path)
    with MailServer() as server:
        config = write_config(tmp_path, server.port)
        sync = ["sync", "--config", str(config), "--as-of", AS_OF.isoformat()]
        first = CliRunner().invoke(main, sync)
        assert first.exit_code == 0, first.output
        assert server.received == []  # nothing left the machine
        assert "Emails held: this is the first run of this sheet that would email customers over SMTP" in first.output
        assert "11 emails" in first.output and "evie.ward@example.com" in first.output
        assert "sheetreturns emails preview" in first.output and "sync --send-backlog" in first.output
        assert "11 emails held" in first.output
        assert contacted(workbook) == []  # no acknowledgement is recorded for an email that did not go

        preview = CliRunner().invoke(main, ["emails", "preview", "--config", str(config), "--as-of",
                                            AS_OF.isoformat(), "--json"])
        shown = json.loads(preview.stdout)
        assert sorted((e["return_id"], e["kind"], e["to"].split("<")[-1].rstrip(">")) for e in shown["emails"]) \
            == sorted(EXAMPLE_DUE)

        backlog = CliRunner().invoke(main, [*sync, "--send-backlog", "--json"])
        again = CliRunner().invoke(main, [*sync, "--json"])
    sent = json.loads(backlog.stdout)
    assert backlog.exit_code == 0, backlog.output
    assert sorted((e["return_id"], e["kind"], e["to"], e["result"]) for e in sent["emails"]) == sorted(
        (rid, kind, to, "sent") for rid, kind, to in EXAMPLE_DUE)
    assert json.loads(again.stdout)["emails"] == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS  # each once
    assert len(contacted(workbook)) > 0


def test_an_outbox_run_writes_the_emails_and_says_a_first_real_run_would_hold_them(tmp_path):
    workbook = example_copy(tmp_path)
    outbox = tmp_path / "outbox"
    result = api.sync(workbook, as_of=AS_OF, config=smtp_config(tmp_path), outbox=outbox, now=NOW)
    assert len(list(outbox.glob("*.eml"))) == len(EXAMPLE_DUE)
    assert all(e.result == "outbox" for e in result.emails)
    assert any("Over SMTP these 11 emails would be held, not sent: a first real run" in n for n in result.notes)


def test_a_run_over_bulk_email_limit_is_held_with_the_number_and_send_backlog_lets_it_go(tmp_path):
    first_row = basic_row(**{"Return ID": "R-00001", "Order ID": "1001", "Email": "a@example.com"})
    path = write_workbook(tmp_path / "returns.xlsx", [first_row])
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port, policy={"bulk_email_limit": "3"})
        api.sync(path, as_of=AS_OF, config=config, now=NOW, send_backlog=True)  # the sheet's email history
        assert len(server.received) == 1
        rows = [first_row] + [basic_row(**{"Return ID": f"R-0010{i}", "Order ID": f"20{i}",
                                            "Email": f"c{i}@example.com"}) for i in range(4)]
        write_workbook(path, rows)
        held = api.sync(path, as_of=AS_OF, config=config, now=NOW)
        assert len(server.received) == 1
        assert [e.result for e in held.emails] == ["held"] * 4
        assert any("4 emails would go at once, more than bulk_email_limit (3), so none were sent" in n
                   for n in held.notes)
        let_go = api.sync(path, as_of=AS_OF, config=config, now=NOW, send_backlog=True)
        assert [e.result for e in let_go.emails] == ["sent"] * 4
        write_workbook(path, rows + [basic_row(**{"Return ID": "R-00200", "Order ID": "300",
                                                   "Email": "d@example.com"})])
        small = api.sync(path, as_of=AS_OF, config=config, now=NOW)  # under the limit, after the first run
        assert [e.result for e in small.emails] == ["sent"]
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(
        ["a@example.com", "d@example.com", *(f"c{i}@example.com" for i in range(4))])


def test_a_sync_of_a_shopify_orders_export_over_smtp_sends_and_writes_nothing_even_with_send_backlog(tmp_path):
    import pytest

    from sheetreturns.errors import SheetReturnsError
    from tests import marketplace_sheets as sheets

    path = sheets.write_sheet(tmp_path / "orders_export.xlsx", sheets.SHOPIFY_SALES, numbers=False)
    before = path.read_bytes()
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port)
        for backlog in (False, True):
            with pytest.raises(SheetReturnsError, match="nothing is written and no email is sent"):
                api.sync(path, as_of=AS_OF, config=config, now=NOW, send_backlog=backlog)
    assert server.received == [] and path.read_bytes() == before

"""Done when: `sheetreturns sync` run twice on the example workbook against a local SMTP server delivers
each due email exactly once, with the right wording, and the sheet shows who was contacted and when."""
import json
from datetime import date

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns import api
from sheetreturns.cli import main

from .mail_server import MailServer
from .mail_support import AS_OF, EXAMPLE_DUE, EXAMPLE_RECIPIENTS, NOW, SHOP, example_copy, smtp_config

ACKNOWLEDGED = sorted(rid for rid, kind, _ in EXAMPLE_DUE if kind == "acknowledgement")


def write_config(folder, port):
    path = folder / "sheetreturns.toml"
    path.write_text(f'source = "returns.xlsx"\nstate_dir = "state"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
                    f'security = "none"\nfrom = "Willow & Wick <{SHOP}>"\nreply_to = "help@willow.example"\n')
    return path


def sheet(path, tab="Returns"):
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python(skip_empty_area=False)
    header = next(i for i, row in enumerate(rows) if "Return ID" in row)
    names = rows[header]
    return [dict(zip(names, row)) for row in rows[header + 1:] if any(v not in ("", None) for v in row)]


def by_return(rows, column):
    values = {}
    for row in rows:
        if row["Return ID"] and row[column] not in ("", None):
            values.setdefault(row["Return ID"], row[column])
    return values


@pytest.mark.network
@pytest.mark.slow
def test_two_syncs_deliver_each_due_email_once_and_the_sheet_shows_who_was_contacted(tmp_path):
    workbook = example_copy(tmp_path)
    with MailServer() as server:
        config = write_config(tmp_path, server.port)
        runs = [CliRunner().invoke(main, ["sync", "--config", str(config), "--as-of", "2026-11-26", "--json"])
                for _ in range(2)]
    today = date.today()
    first, second = (json.loads(r.stdout) for r in runs)
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert sorted((e["return_id"], e["kind"], e["to"], e["result"]) for e in first["emails"]) == sorted(
        (rid, kind, to, "sent") for rid, kind, to in EXAMPLE_DUE)
    assert second["emails"] == [] and first["written"] and second["unchanged"] and not second["written"]

    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS  # once each, over two runs
    refund = next(r for r in server.received if r.rcpt_tos == ["jacob.lee@example.com"])
    assert refund.message["Subject"] == "Your refund of £32.00 for return R-00043"
    assert "was sent on 24 November 2026" in refund.text
    ack = next(r for r in server.received if r.rcpt_tos == ["ruby.cox@example.com"])
    assert ack.message["Subject"] == "Your return R-00044 with Willow & Wick: we're on it"  # an ID the run assigned
    assert "  - 1 x Glass vase, small (£24.99)\n  - 1 x Fig candle (£18.00)\n" in ack.text

    rows = sheet(workbook)
    contacted = by_return(rows, "Contacted On")
    assert sorted(contacted) == ACKNOWLEDGED and set(contacted.values()) == {today}
    last = by_return(rows, "Last Email")
    assert last["R-00020"] == f"reminder {today.isoformat()}"
    assert last["R-00008"] == f"reimbursement-request {today.isoformat()}"
    assert len(last) == len(EXAMPLE_DUE)
    both_lines = [row for row in rows if row["Return ID"] == "R-00022"]
    assert len(both_lines) == 2 and all(row["Contacted On"] == today for row in both_lines)

    log = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Email Log").to_python()
    assert log[0] == ["Time", "Return ID", "To", "Kind", "Subject", "Result"]
    assert sorted(row[1] for row in log[1:]) == sorted(rid for rid, _, _ in EXAMPLE_DUE)
    assert {row[5] for row in log[1:]} == {"sent"}


@pytest.mark.network
@pytest.mark.slow
def test_a_failed_email_shows_on_its_row_and_sync_exits_1_then_the_next_run_repairs_it(tmp_path):
    workbook = example_copy(tmp_path)
    with MailServer(reject={"oscar.reed@example.com"}) as server:
        result = api.sync(workbook, as_of=AS_OF, config=smtp_config(tmp_path, server.port), now=NOW)
    assert not result.ok and result.written
    assert result.failures == ["R-00025 acknowledgement to oscar.reed@example.com: refused by the mail server: "
                               "550 5.1.1 <oscar.reed@example.com>: Recipient address rejected: User unknown"]
    rows = sheet(workbook)
    assert by_return(rows, "Last Email")["R-00025"].startswith("acknowledgement failed 2026-11-26: refused")
    assert "R-00025" not in by_return(rows, "Contacted On")

    with MailServer() as server:
        again = api.sync(workbook, as_of=AS_OF, config=smtp_config(tmp_path, server.port), now=NOW.replace(hour=12))
    assert again.ok and [r.rcpt_tos for r in server.received] == [["oscar.reed@example.com"]]
    rows = sheet(workbook)
    assert by_return(rows, "Last Email")["R-00025"] == "acknowledgement 2026-11-26"
    assert by_return(rows, "Contacted On")["R-00025"] == date(2026, 11, 26)


@pytest.mark.network
@pytest.mark.slow
def test_sync_dry_run_sends_nothing_records_nothing_and_lists_what_would_go(tmp_path):
    workbook = example_copy(tmp_path)
    before = workbook.read_bytes()
    with MailServer() as server:
        config = write_config(tmp_path, server.port)
        result = CliRunner().invoke(main, ["sync", "--config", str(config), "--as-of", "2026-11-26", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert server.received == [] and workbook.read_bytes() == before
    assert list((tmp_path / "state").glob("*.sqlite")) == []
    assert "R-00043  refund-confirmation    jacob.lee@example.com        would send" in result.stdout


@pytest.mark.slow
def test_sync_without_smtp_settings_fills_the_outbox_for_the_readme_demo(tmp_path):
    workbook = example_copy(tmp_path)
    (tmp_path / "sheetreturns.toml").write_text('source = "returns.xlsx"\nstate_dir = ".sheetreturns"\n')
    config = str(tmp_path / "sheetreturns.toml")
    result = CliRunner().invoke(main, ["sync", "--config", config, "--as-of", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(EXAMPLE_DUE)
    assert f"{len(EXAMPLE_DUE)} emails written to the outbox" in result.stdout
    assert by_return(sheet(workbook), "Last Email")["R-00043"].endswith("(outbox)")

"""Recording notices on a real .xlsx: fifty messages become rows in one run, a second run adds nothing."""
from __future__ import annotations

import json
import mailbox
from email.message import EmailMessage
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sheetreturns import api, loading
from sheetreturns.cli import main
from sheetreturns.settings.config_file import Config
from sheetreturns.api import intake
from sheetreturns.intake.journal import journal_path
from tests.helpers import STANDARD_HEADERS, basic_row, write_workbook
from tests.intake_corpus import NOW, amazon_forwarded, corpus, good_notice, typed_by_hand, write_eml

AS_OF = NOW.date()
FIELDS = ("order_id", "customer", "email", "sku", "product", "qty", "reason", "notified_on", "channel")
EARLIER = basic_row(**{"Return ID": "R-00001", "Order ID": "900", "SKU": "OLD-1", "Notified On": date(2026, 10, 1),
                       "Received On": date(2026, 10, 5), "Condition": "Unopened", "Refund Amount": 24.99,
                       "Refunded On": date(2026, 10, 6)})


@pytest.fixture
def shop(tmp_path: Path):
    """A seller's folder: the workbook (one old return, one typed in by hand), the mail folder, the config."""
    book = write_workbook(tmp_path / "returns.xlsx", [EARLIER, typed_by_hand()])
    mails = corpus()
    write_eml(tmp_path / "mail", mails)
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state",
                    intake={"mailbox": "eml:mail", "max_message_kb": 256})
    return book, config, mails


def sheet_lines(book: Path, config: Config):
    loaded = loading.load(str(book), AS_OF, config)
    loaded.workbook.close()
    return loaded.evaluation.lines


def as_row(line) -> dict:
    return {k: getattr(line, k) for k in FIELDS if getattr(line, k) is not None}


def expected_rows(mails) -> list[dict]:
    rows = []
    for mail in mails:
        for line in mail.lines:
            # An unreadable value stays in its cell as text; the sheet reads it as a problem (blank value).
            rows.append({k: v for k, v in line.items() if not (k == "qty" and isinstance(v, str))})
    return rows


@pytest.mark.slow
def test_fifty_notices_become_rows_in_one_run_and_a_second_run_adds_nothing(shop):
    book, config, mails = shop
    first = intake(book, config=config, now=NOW)
    assert {r: n for r, n in first.as_json()["counts"].items()} == {
        "recorded": 41, "partial": 2, "duplicate": 2, "unparsed": 2, "skipped": 3}
    assert first.written and len(first.rows) == sum(len(m.lines) for m in mails)

    lines = sheet_lines(book, config)
    assert [as_row(l) for l in lines[:2]] == [as_row(l) for l in sheet_lines_before(book, config)]
    assert [as_row(l) for l in lines[2:]] == expected_rows(mails)

    saved = book.read_bytes()
    second = intake(book, config=config, now=NOW)
    assert second.rows == [] and not second.written
    assert second.known == 45  # every recorded, partial and duplicate notice
    assert sorted(n.result for n in second.notices) == ["skipped"] * 3 + ["unparsed"] * 2  # retried, still listed
    assert book.read_bytes() == saved


def sheet_lines_before(book: Path, config: Config):
    """The two rows the seller had, as the fixture wrote them."""
    fresh = write_workbook(book.with_name("before.xlsx"), [EARLIER, typed_by_hand()])
    return sheet_lines(fresh, config)


@pytest.mark.slow
def test_rows_already_on_the_sheet_keep_every_cell(shop):
    book, config, _ = shop
    before = [[c.value for c in row] for row in load_workbook(book)["Returns"].iter_rows(min_row=1, max_row=3)]
    intake(book, config=config, now=NOW)
    after = [[c.value for c in row] for row in load_workbook(book)["Returns"].iter_rows(min_row=1, max_row=3)]
    assert after == before


@pytest.mark.slow
def test_the_intake_log_lists_every_message_and_why_some_were_not_recorded(shop):
    book, config, mails = shop
    intake(book, config=config, now=NOW)
    rows = [[c.value for c in row] for row in load_workbook(book)["Intake Log"].iter_rows()]
    header = rows.index(next(r for r in rows if "Message-ID" in r))
    table = [dict(zip(rows[header], r)) for r in rows[header + 1:]]
    assert len(table) == 50
    by_subject = {r["Subject"]: r for r in table}
    assert by_subject["Returning my mug"]["Result"] == "Not recorded"
    assert by_subject["Returning my mug"]["Details"] == "no Order ID found"
    assert by_subject["Returning my mug"]["From"] == "Dee Grey <dee.grey@example.com>"
    huge = next(r for r in table if r["Subject"].startswith("Return request - order #1998"))
    assert huge["Result"] == "Skipped" and "too large" in huge["Details"]
    assert sum(r["Result"] == "Recorded" for r in table) == 41


@pytest.mark.slow
def test_a_partly_read_notice_is_recorded_and_its_row_shows_the_problem(shop):
    book, config, _ = shop
    result = intake(book, config=config, now=NOW)
    partial = {n.order_id: n.details for n in result.notices if n.result == "partial"}
    assert partial == {"203-9999999-0000001": 'Qty "two" is not a whole number', "1999": "no SKU found"}
    checked = api.check(book, as_of=AS_OF, config=config)
    messages = {(p.row, p.column) for p in checked.problems}
    lines = {l.order_id: l.row for l in checked.evaluation.lines}
    assert (lines["203-9999999-0000001"], "Qty") in messages
    assert any(row == lines["1999"] for row, _ in messages)


@pytest.mark.slow
def test_a_dry_run_reports_the_rows_and_changes_nothing(shop):
    book, config, mails = shop
    saved = book.read_bytes()
    result = intake(book, config=config, dry_run=True, now=NOW)
    assert len(result.rows) == sum(len(m.lines) for m in mails) and not result.written
    assert book.read_bytes() == saved
    assert not journal_path(config.state_dir, str(book)).exists()


@pytest.mark.slow
def test_a_lost_state_folder_is_rebuilt_from_the_intake_log_tab(shop):
    book, config, _ = shop
    intake(book, config=config, now=NOW)
    journal = journal_path(config.state_dir, str(book))
    journal.unlink()
    again = intake(book, config=config, now=NOW)
    assert again.rows == [] and again.known == 45
    assert len(journal.read_text().splitlines()) == 50  # and the journal is whole again


@pytest.mark.slow
def test_a_notice_on_the_sheet_by_order_and_sku_is_not_added_even_without_the_journal(shop, tmp_path):
    book, config, _ = shop
    single = tmp_path / "one"
    notice = good_notice(2)
    write_eml(single, [notice])
    config.intake["mailbox"] = f"eml:{single}"
    intake(book, config=config, now=NOW)
    journal_path(config.state_dir, str(book)).unlink()
    wb = load_workbook(book)
    del wb["Intake Log"]  # as if the seller deleted the tab too
    wb.save(book)
    again = intake(book, config=config, now=NOW)
    assert again.rows == [] and [n.result for n in again.notices] == ["duplicate"]


@pytest.mark.slow
def test_recorded_mail_is_moved_to_a_subfolder_and_the_rest_stays(tmp_path):
    book = write_workbook(tmp_path / "returns.xlsx", [EARLIER])
    box = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    mails = [good_notice(4), good_notice(5)] + [m for m in corpus() if m.name == "b1-no-order-id.eml"]
    for mail in mails:
        box.add(mail.raw)
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state",
                    intake={"mailbox": "maildir:Maildir", "move_to": "Recorded"})
    result = intake(book, config=config, now=NOW)
    assert result.moved == 2
    assert len(mailbox.Maildir(str(tmp_path / "Maildir")).get_folder("Recorded")) == 2
    assert len(mailbox.Maildir(str(tmp_path / "Maildir"))) == 1  # the unparsed one waits for a better rule


def test_a_sheet_without_a_channel_column_gets_the_rest_and_a_note(tmp_path):
    headers = [h for h in STANDARD_HEADERS if h != "Channel"]
    book = write_workbook(tmp_path / "returns.xlsx", [], headers)
    write_eml(tmp_path / "mail", [good_notice(3)])
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state", intake={"mailbox": "eml:mail"})
    result = intake(book, config=config, now=NOW)
    assert result.notes == ["the sheet has no Channel column: add one to record it"]
    assert [l.sku for l in sheet_lines(book, config)] == [line["sku"] for line in good_notice(3).lines]


# -- the command ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_command_prints_what_it_recorded_and_exits_1_when_some_were_not(shop):
    book, config, _ = shop
    config_file = config.path
    config_file.write_text('state_dir = "state"\n[intake]\nmailbox = "eml:mail"\nmax_message_kb = 256\n')
    result = CliRunner().invoke(main, ["intake", str(book), "--config", str(config_file)])
    assert result.exit_code == 1, result.output
    assert "Not recorded (5)" in result.output
    assert "Recorded, check these rows (2)" in result.output
    assert f"{sum(len(m.lines) for m in corpus())} rows added · saved returns.xlsx" in result.output


@pytest.mark.slow
def test_the_command_json_is_one_object_with_the_counts(shop):
    book, config, _ = shop
    config.path.write_text('state_dir = "state"\n[intake]\nmailbox = "eml:mail"\nmax_message_kb = 256\n')
    result = CliRunner().invoke(main, ["intake", str(book), "--config", str(config.path), "--json", "--dry-run"])
    data = json.loads(result.output)
    assert data["command"] == "intake" and data["dry_run"] and not data["written"]
    assert data["counts"]["recorded"] == 41 and len(data["notices"]) == 50


def test_the_command_without_a_mailbox_is_one_error_line(tmp_path):
    book = write_workbook(tmp_path / "returns.xlsx", [EARLIER])
    result = CliRunner().invoke(main, ["intake", str(book), "--config", str(_empty_config(tmp_path))])
    assert result.exit_code == 2
    assert result.output.startswith("Error: no mail folder to read: pass --mailbox")


def test_the_mailbox_option_reads_a_folder_relative_to_the_current_one(tmp_path, monkeypatch):
    write_workbook(tmp_path / "returns.xlsx", [EARLIER])
    write_eml(tmp_path / "inbox", [good_notice(6, amazon_forwarded)])  # two returned lines
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["intake", "returns.xlsx", "--mailbox", "eml:inbox",
                                       "--config", str(_empty_config(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "2 rows added · saved returns.xlsx" in result.output


def _empty_config(folder: Path) -> Path:
    path = folder / "empty.toml"
    path.write_text('state_dir = "state"\n')
    return path


@pytest.mark.slow
def test_a_notice_no_rule_could_read_is_recorded_once_a_rule_reads_it(tmp_path):
    book = write_workbook(tmp_path / "returns.xlsx", [EARLIER])
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "buyer@wholesale.example", "Return", "<po-4411@wholesale.example>"
    msg["Date"] = "Wed, 25 Nov 2026 09:00:00 +0000"
    msg.set_content("Please take back PO 4411, line A-1 (2 units).")
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "po.eml").write_bytes(bytes(msg))
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state", intake={"mailbox": "eml:mail"})
    first = intake(book, config=config, now=NOW)
    assert [(n.result, n.details) for n in first.notices] == [("unparsed", "no Order ID found")]
    assert not first.ok

    config.intake["rules"] = [{"name": "Wholesale", "from": "@wholesale", "order_id": r"PO (\d+)", "sku": r"line (\S+)",
                               "qty": r"\((\d+) units"}]
    second = intake(book, config=config, now=NOW)
    assert [(n.result, n.rule) for n in second.notices] == [("recorded", "Wholesale")]
    assert [(l.order_id, l.sku, l.qty, l.channel) for l in sheet_lines(book, config)[1:]] == [("4411", "A-1", 2, "Wholesale")]
    assert intake(book, config=config, now=NOW).notices == []  # recorded now: not read again

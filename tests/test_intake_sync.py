"""One scheduled job does everything: sync records new notices first, then evaluates and acknowledges them."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.settings.config_file import Config
from sheetreturns.api import intake
from sheetreturns.engine.model import EmailKind, Status
from tests.dovecot import PASSWORD
from tests.helpers import basic_row, write_workbook
from tests.intake_corpus import NOW, corpus, typed_by_hand, write_eml

AS_OF = NOW.date()
LOCAL_NOW = NOW.replace(tzinfo=None)
OLD = basic_row(**{"Return ID": "R-00007", "Order ID": "900", "SKU": "OLD-1", "Notified On": AS_OF.replace(month=9)})


def make_shop(folder: Path, mailbox: str, **intake_settings) -> tuple[Path, Config]:
    book = write_workbook(folder / "returns.xlsx", [OLD, typed_by_hand()])
    config = Config(path=folder / "sheetreturns.toml", state_dir=folder / "state",
                    intake={"mailbox": mailbox, "max_message_kb": 256, **intake_settings})
    return book, config


def new_rows(result) -> list:
    return [line for line in result.evaluation.lines if line.row > 3]


@pytest.mark.slow
def test_sync_records_new_notices_first_and_evaluates_them_in_the_same_run(tmp_path):
    mails = corpus()
    write_eml(tmp_path / "mail", mails)
    book, config = make_shop(tmp_path, "eml:mail")
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)

    added = new_rows(result)
    assert len(added) == sum(len(m.lines) for m in mails)
    assert result.notes[0].startswith(f"intake: {len(added)} rows added from eml:")
    outcomes = {line.row: o for line, o in zip(result.evaluation.lines, result.evaluation.outcomes)}
    assert all(outcomes[line.row].return_id > "R-00007" for line in added)  # new Return IDs continue the sheet's
    statuses = Counter(outcomes[line.row].status for line in added)
    assert statuses[Status.AWAITING_ITEM] == len(added) - 2 and statuses[Status.NEEDS_INFO] == 2  # the two partial ones
    # A notice with two returned lines is one return: one acknowledgement for both.
    by_order: dict[str, set[str]] = {}
    for line in added:
        by_order.setdefault(line.order_id, set()).add(outcomes[line.row].return_id)
    assert all(len(ids) == 1 for ids in by_order.values())
    acknowledged = {e.return_id for e in result.evaluation.emails if e.kind is EmailKind.ACKNOWLEDGEMENT}
    due = {outcomes[line.row].return_id for line in added if line.email and outcomes[line.row].status is Status.AWAITING_ITEM}
    assert due and due <= acknowledged

    sheet = load_workbook(book)
    assert {"Returns", "Summary", "Intake Log"} <= set(sheet.sheetnames)
    ids = [row[0].value for row in sheet["Returns"].iter_rows(min_row=4)]
    assert all(ids) and len(ids) == len(added)  # Return IDs written onto the new rows


@pytest.mark.slow
def test_a_second_sync_adds_no_rows(tmp_path):
    write_eml(tmp_path / "mail", corpus())
    book, config = make_shop(tmp_path, "eml:mail")
    first = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
    second = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
    assert len(second.evaluation.lines) == len(first.evaluation.lines)
    assert second.notes[0].startswith("intake: 0 rows added")


@pytest.mark.slow
def test_sync_goes_on_when_the_mail_server_cannot_be_reached(tmp_path, monkeypatch):
    monkeypatch.setenv("SHEETRETURNS_IMAP_PASSWORD", "x")
    book, config = make_shop(tmp_path, "imaps://shop%40example.com@127.0.0.1:1/Returns")
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
    assert result.written and not result.ok
    assert result.failures == ["intake: cannot reach the IMAP server 127.0.0.1:1 (Connection refused): "
                               "check the address in [intake] mailbox"]


@pytest.mark.slow
def test_sync_without_an_intake_mailbox_reads_no_mail(tmp_path):
    book = write_workbook(tmp_path / "returns.xlsx", [OLD])
    result = api.sync(book, as_of=AS_OF, config=Config(state_dir=tmp_path / "state"), now=LOCAL_NOW)
    assert result.notes == [] and "Intake Log" not in load_workbook(book).sheetnames


@pytest.mark.slow
def test_a_dry_run_sync_says_what_intake_would_add_and_writes_nothing(tmp_path):
    write_eml(tmp_path / "mail", corpus()[:5])
    book, config = make_shop(tmp_path, "eml:mail")
    saved = book.read_bytes()
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW, dry_run=True)
    assert result.notes[0].startswith("intake: ") and " would add " in result.notes[0]
    assert book.read_bytes() == saved


# -- over IMAP ------------------------------------------------------------------------------


@pytest.fixture
def imap_password(monkeypatch):
    monkeypatch.setenv("SHEETRETURNS_IMAP_PASSWORD", PASSWORD)


@pytest.mark.dovecot
@pytest.mark.network
@pytest.mark.slow
def test_fifty_notices_in_an_imap_folder_become_rows_once_and_are_moved(tmp_path, dovecot, imap_password):
    mails = corpus()
    dovecot.deliver("Returns-e2e", [m.raw for m in mails])
    book, config = make_shop(tmp_path, dovecot.url("Returns-e2e"), ca_file=str(dovecot.cert), move_to="Returns-e2e/Done")
    first = intake(book, config=config, now=NOW)
    assert len(first.rows) == sum(len(m.lines) for m in mails)
    assert first.moved == 45  # recorded, partly recorded and already-on-the-sheet notices
    left = sorted(dovecot.message_ids("Returns-e2e"))
    assert left == sorted(m.message_id or "" for m in mails if m.expect in ("unparsed", "skipped"))

    dovecot.deliver("Returns-e2e", [m.raw for m in mails[:3]])  # the same notices delivered again
    second = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
    assert second.notes[0].startswith("intake: 0 rows added")
    assert len(new_rows(second)) == len(first.rows)
    assert sorted(dovecot.message_ids("Returns-e2e")) == left  # the repeats were moved too


@pytest.mark.slow
def test_sync_output_says_what_intake_added(tmp_path):
    from click.testing import CliRunner

    from sheetreturns.cli import main

    write_eml(tmp_path / "mail", corpus()[:3])
    book = write_workbook(tmp_path / "returns.xlsx", [OLD])
    (tmp_path / "sheetreturns.toml").write_text(
        f'state_dir = "{tmp_path / "state"}"\n[intake]\nmailbox = "eml:{tmp_path / "mail"}"\n')
    args = ["sync", str(book), "--as-of", AS_OF.isoformat(), "--outbox", str(tmp_path / "out"),
            "--config", str(tmp_path / "sheetreturns.toml")]
    shown = CliRunner().invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert any(line.startswith("intake: ") and " added from eml:" in line for line in shown.stdout.splitlines())
    data = __import__("json").loads(CliRunner().invoke(main, [*args, "--json"]).stdout)
    assert data["notes"][0].startswith("intake: 0 rows added")


@pytest.mark.slow
def test_a_sync_with_new_notices_reads_once_and_writes_the_workbook_once(tmp_path, monkeypatch):
    from sheetreturns.excel import reader, writer

    write_eml(tmp_path / "mail", corpus()[:5])
    book, config = make_shop(tmp_path, "eml:mail")
    opened, swaps = [], []
    real_open, real_replace = reader.XlsxWorkbook.__init__, writer.atomic_replace
    monkeypatch.setattr(reader.XlsxWorkbook, "__init__", lambda self, *a, **k: (opened.append(1), real_open(self, *a, **k))[1])
    monkeypatch.setattr(writer, "atomic_replace", lambda *a, **k: (swaps.append(1), real_replace(*a, **k))[1])
    result = api.sync(book, as_of=AS_OF, config=config, now=LOCAL_NOW)
    assert result.written and result.notes[0].startswith("intake: 6 rows added")
    assert (len(opened), len(swaps)) == (1, 1)  # one read, one atomic replace (and so one backup)
    sheet = load_workbook(book)
    # The new rows carry the notice's values and the job's: Return ID and Status in the same write.
    rows = list(sheet["Returns"].iter_rows(min_row=4, values_only=True))
    headers = [c.value for c in sheet["Returns"][1]]
    assert len(rows) == 6 and all(r[headers.index("Return ID")] and r[headers.index("Status")] for r in rows)
    assert sheet["Intake Log"].max_row > 1

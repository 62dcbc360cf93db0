"""A write Google carried out whose answer was lost (a dropped connection, a 5xx after the apply): the
adapter finds out whether it applied before it tries again, so that new rows are never added twice,
no email appears twice and the run does not say "not saved" about a write that went through."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from sheetreturns import api
from sheetreturns.engine.columns import column_letter
from sheetreturns.google_sheets.sheets_client import WRITE_TOKEN
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import basic_row
from tests.intake_corpus import NOW, corpus, write_eml

pytestmark = [pytest.mark.network, pytest.mark.slow]

FAULTS = ["dropped", "500-after-apply"]


def order_skus(server, key) -> Counter:
    rows = server.values(key, "Returns")
    order, sku = rows[0].index("Order ID"), rows[0].index("SKU")
    return Counter((str(r[order]), r[sku]) for r in rows[1:] if len(r) > sku and r[sku])


def lose_the_answer(server, fault: str, kind: str = "batchUpdate") -> None:
    """Google carries out the next `kind` request, and its answer never comes back."""
    if fault == "dropped":
        server.faults.drop(kind, applied=True)
    else:
        server.faults.fail(500, kind=kind, applied=True)


def tokens(server, key) -> list[dict]:
    return [m for m in server.book(key).developer_metadata if m["metadataKey"] == WRITE_TOKEN]


def with_notices(server, tmp_path, mails):
    write_eml(tmp_path / "mail", mails)
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    config.intake = {"mailbox": f"eml:{tmp_path / 'mail'}"}
    return key, config


def second_batch(server, tmp_path):
    """A sheet that took in 4 notices (its Intake Log tab exists), and 4 more waiting in the mail folder:
    (key, config, the rows' (order, SKU) counts now, how many rows the 4 new notices add)."""
    mails = corpus()[:8]
    key, config = with_notices(server, tmp_path, mails[:4])
    assert api.intake(f"gsheet:{key}", config=config, now=NOW).written
    write_eml(tmp_path / "mail", mails[4:])
    return key, config, order_skus(server, key), sum(len(m.lines) for m in mails[4:])


@pytest.mark.parametrize("fault", FAULTS)
def test_intake_rows_whose_write_lost_its_answer_are_added_once(server, tmp_path, no_waiting, fault):
    key, config, before, new_lines = second_batch(server, tmp_path)
    lose_the_answer(server, fault)
    result = api.intake(f"gsheet:{key}", config=config, now=NOW.replace(minute=5))
    assert not server.faults.pending
    after = order_skus(server, key)
    assert max(after.values()) == 1, [k for k, n in after.items() if n > 1]  # no row added twice
    assert sum(after.values()) == sum(before.values()) + new_lines
    assert result.written and result.ok
    assert len(tokens(server, key)) == 1  # the write's token; the earlier run's was removed by this write


@pytest.mark.parametrize("fault", FAULTS)
def test_a_sync_whose_write_lost_its_answer_finishes_the_write_and_shows_each_email_once(server, tmp_path,
                                                                                         no_waiting, fault):
    mails = corpus()[:8]
    key, config = with_notices(server, tmp_path, mails[:4])
    outbox = tmp_path / "outbox"
    first = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None), outbox=outbox)
    assert first.written
    write_eml(tmp_path / "mail", mails[4:])
    before = order_skus(server, key)
    lose_the_answer(server, fault)
    server.reset_counts()
    result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None, minute=5),
                      outbox=outbox)
    assert not server.faults.pending
    after = order_skus(server, key)
    assert max(after.values()) == 1, [k for k, n in after.items() if n > 1]
    assert sum(after.values()) == sum(before.values()) + sum(len(m.lines) for m in mails[4:])
    # The run learnt that its write went through, found the rows again and wrote every cell: no failure.
    assert result.written and not result.failures, result.failures
    rows = server.values(key, "Returns")
    status = rows[0].index("Status")
    assert all(len(r) > status and r[status] for r in rows[1:])
    kinds = [c.kind for c in server.api_calls()]
    assert kinds.count("batchUpdate") == 1, kinds  # never sent again once it was known to have applied
    sent = [e for e in result.emails if e.result == "outbox"]
    assert sent and len(list(outbox.glob("*.eml"))) == len(first.emails) + len(sent)
    log = server.values(key, "Email Log")[1:]
    assert len(log) == len({(r[1], r[2]) for r in log}) == len(list(outbox.glob("*.eml")))
    again = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None, minute=10),
                     outbox=outbox)
    assert again.emails == [] and order_skus(server, key) == after


def test_a_write_whose_request_was_lost_is_sent_again_and_applies_once(server, tmp_path, no_waiting):
    key, config, before, new_lines = second_batch(server, tmp_path)
    server.faults.drop("batchUpdate")  # the request never reached Google
    server.faults.fail(503, kind="batchUpdate")  # nor did the second try
    server.reset_counts()
    result = api.intake(f"gsheet:{key}", config=config, now=NOW.replace(minute=5))
    after = order_skus(server, key)
    assert result.written and max(after.values()) == 1
    assert sum(after.values()) == sum(before.values()) + new_lines
    assert [c.status for c in server.api_calls() if c.kind == "batchUpdate"] == [-1, 503, 200]


def test_a_lost_try_that_lands_after_its_retry_was_sent_is_applied_once(server, tmp_path, no_waiting):
    key, config, before, new_lines = second_batch(server, tmp_path)
    server.faults.drop("batchUpdate")  # no answer, and the sheet shows nothing yet: the run sends it again ...

    def late(s):  # ... but the first try reaches Google just before the second
        first = next(c for c in reversed(s.calls) if c.kind == "batchUpdate" and c.status == -1)
        s.handle("POST", first.path, {}, json.dumps(first.body).encode(), faults=False)

    server.faults.before(late, kind="batchUpdate")
    result = api.intake(f"gsheet:{key}", config=config, now=NOW.replace(minute=5))
    assert not server.faults.pending
    after = order_skus(server, key)
    assert max(after.values()) == 1, [k for k, n in after.items() if n > 1]
    assert sum(after.values()) == sum(before.values()) + new_lines
    # Google refused the second try (its write token existed already), and the run knows the first applied.
    assert sorted(c.status for c in server.calls if c.kind == "batchUpdate")[-2:] == [200, 400]
    assert result.written and result.ok


@pytest.mark.parametrize("fault", FAULTS)
def test_a_first_sync_whose_write_lost_its_answer_adds_its_tabs_and_columns_once(server, tmp_path, no_waiting,
                                                                                 fault):
    key = google_sheet(server, [basic_row(**{"Return ID": f"R-{i}", "Order ID": f"70{i}"}) for i in range(5)])
    lose_the_answer(server, fault)
    result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=local_config(server, tmp_path),
                      now=NOW.replace(tzinfo=None), outbox=tmp_path / "outbox")
    # Before, the try sent again was refused (its new tabs existed) with "report it", and nothing was saved.
    assert result.written and not result.failures, result.failures
    titles = [s.title for s in server.book(key).sheets]
    assert len(titles) == len(set(titles)) and "Summary" in titles
    header = server.values(key, "Returns")[0]
    assert header.count("Status") == 1 and server.sheet(key, "Returns").column_count == len(header)
    assert all(r[header.index("Status")] for r in server.values(key, "Returns")[1:])


@pytest.mark.parametrize("fault", FAULTS)
def test_the_column_write_before_the_emails_whose_answer_was_lost_keeps_its_cells(server, tmp_path, no_waiting,
                                                                                 fault):
    # The write that adds the columns before the first email also holds the rows' cells and brings the rows
    # back in its answer. Its answer lost, the rows are read instead; the cells are not written twice.
    from dataclasses import replace
    from tests.mail_server import MailServer

    key = google_sheet(server, [basic_row(**{"Return ID": f"R-{i}", "Order ID": f"70{i}"}) for i in range(5)])
    spare = server.sheet(key, "Returns").column_count - len(server.values(key, "Returns")[0])
    lose_the_answer(server, fault)
    with MailServer() as mail:
        config = replace(local_config(server, tmp_path),
                         smtp={"host": "127.0.0.1", "port": mail.port, "security": "none", "from": "shop@example.com"})
        result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None),
                          send_backlog=True)
    assert result.written and not result.failures, result.failures
    calls = [c for c in server.api_calls() if c.status == 200]
    kinds = [c.kind for c in calls]
    assert kinds[:4] == ["metadata", "values.batchGet", "metadata", "values.batchGet"]  # the token, then the rows
    header = server.values(key, "Returns")[0]
    # The columns were inserted once (the empty columns right of the table stay right of them).
    assert header.count("Status") == 1 and server.sheet(key, "Returns").column_count == len(header) + spare
    assert all(r[header.index("Status")] for r in server.values(key, "Returns")[1:])
    # The cells the column write held are not sent again after the emails.
    status = header.index("Status")
    later = [json.dumps(c.body) for c in calls[4:] if c.kind == "values.batchUpdate"]
    letter = column_letter(status)
    assert not any(re.search(rf"!{letter}\d", body) for body in later)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_lost_answer_whose_check_fails_too_says_the_write_may_have_gone_through(server, tmp_path, no_waiting,
                                                                                  fault):
    from sheetreturns.errors import SheetReturnsError
    from sheetreturns.google_sheets.sheets_client import RETRIES

    key, config, before, new_lines = second_batch(server, tmp_path)
    lose_the_answer(server, fault)  # Google carries the write out; its answer is lost ...
    asks = lambda call: "developerMetadata" in str(call.query.get("fields"))  # noqa: E731
    server.faults.drop("metadata", times=RETRIES + 1, when=asks)  # ... and so is every answer to "did it?"
    with pytest.raises(SheetReturnsError) as caught:
        api.intake(f"gsheet:{key}", config=config, now=NOW.replace(minute=5))
    assert not server.faults.pending
    assert sum(order_skus(server, key).values()) == sum(before.values()) + new_lines  # it did go through
    message = str(caught.value)
    assert "nothing was lost" not in message and "it may have" in message and "Run again" in message
    # The next run finds the rows on the sheet and adds none twice.
    api.intake(f"gsheet:{key}", config=config, now=NOW.replace(minute=10))
    after = order_skus(server, key)
    assert max(after.values()) == 1 and sum(after.values()) == sum(before.values()) + new_lines


@pytest.mark.parametrize("fault", ["dropped", "503", "429"])
def test_a_value_write_with_no_answer_finds_the_rows_again_before_it_goes_again(server, tmp_path, monkeypatch,
                                                                                fault):
    # The seller sorts the rows while the run waits to send again a value write that got no answer: the
    # cells go where their rows are after the sort, not where they were.
    from sheetreturns.google_sheets import sheets_client
    from tests.helpers import STANDARD_HEADERS
    from tests.test_gsheet_race import KNOWN, assert_every_row_holds_its_own_values, records, sort_by_order_descending

    key = google_sheet(server, KNOWN)
    config = local_config(server, tmp_path)
    assert api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None)).written
    sheet = server.sheet(key, "Returns")
    sheet.set_value(1, STANDARD_HEADERS.index("Condition"), "Used")  # R-00001 arrives and is inspected
    sheet.set_value(1, STANDARD_HEADERS.index("Received On"), 46350)
    sort = sort_by_order_descending(sheet.sheet_id)
    waits = []
    monkeypatch.setattr(sheets_client, "sleep", lambda s: (waits.append(s), server.edit(key, sort)))
    if fault == "dropped":
        server.faults.drop("values.batchUpdate")  # the request never reached Google
    else:  # a 429 (too many requests) was not carried out, but its wait is as long
        server.faults.fail(int(fault), kind="values.batchUpdate")
    result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None, minute=5))
    assert not server.faults.pending and len(waits) == 1
    assert result.written and result.ok, result.failures
    got = records(server, key)
    assert [r["Order ID"] for r in got] == ["1005", "1004", "1003", "1002", "1001"]
    assert {r["Order ID"]: r["Status"] for r in got}["1001"] == "Refund due"
    assert_every_row_holds_its_own_values(server, key, tmp_path)



def test_a_failed_search_for_the_rows_before_a_value_write_goes_again_says_what_failed(server, tmp_path,
                                                                                      monkeypatch):
    # The rows are looked for again after a value write got no answer; that read failing too is Google's
    # trouble, not "the header row changed".
    from sheetreturns.errors import SheetReturnsError
    from sheetreturns.google_sheets import sheets_client
    from tests.helpers import STANDARD_HEADERS
    from tests.test_gsheet_race import KNOWN

    key = google_sheet(server, KNOWN)
    config = local_config(server, tmp_path)
    assert api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None)).written
    sheet = server.sheet(key, "Returns")
    sheet.set_value(1, STANDARD_HEADERS.index("Condition"), "Used")  # R-00001 arrives: its Status changes
    sheet.set_value(1, STANDARD_HEADERS.index("Received On"), 46350)
    monkeypatch.setattr(sheets_client, "sleep", lambda s: None)
    server.reset_counts()
    server.faults.fail(503, kind="values.batchUpdate")
    server.faults.fail(503, times=100, kind="values.batchGet",  # the search for the rows, after that 503
                       when=lambda call: any(c.kind == "values.batchUpdate" for c in server.api_calls()))
    with pytest.raises(SheetReturnsError) as caught:
        api.sync(f"gsheet:{key}", as_of=NOW.date(), config=config, now=NOW.replace(tzinfo=None, minute=5))
    kinds = [(c.kind, c.status) for c in server.api_calls()]
    assert ("values.batchUpdate", 503) in kinds and kinds[-1] == ("values.batchGet", 503), kinds
    assert "header row" not in str(caught.value) and "503" in str(caught.value), caught.value


def _sync_losing_the_second_value_write(server, tmp_path, monkeypatch, rows, fault):
    """A first sync (emails to an outbox) of a sheet of `rows`, its cells in many small value writes, the second
    of which applies but its answer is lost (`fault`): (sheet key, result)."""
    from sheetreturns.google_sheets import writer

    key = google_sheet(server, rows)
    monkeypatch.setattr(writer, "MAX_PAYLOAD", 1500)  # many small value writes
    server.reset_counts()
    second = lambda call: sum(c.kind == "values.batchUpdate" for c in server.calls) == 2  # noqa: E731
    if fault == "dropped":
        server.faults.drop("values.batchUpdate", applied=True, when=second)
    else:
        server.faults.fail(500, kind="values.batchUpdate", applied=True, when=second)
    result = api.sync(f"gsheet:{key}", as_of=NOW.date(), config=local_config(server, tmp_path),
                      now=NOW.replace(tzinfo=None), outbox=tmp_path / "outbox")
    assert not server.faults.pending
    return key, result


@pytest.mark.parametrize("fault", FAULTS)
def test_a_value_write_lost_after_a_chunk_that_filled_return_ids_still_places_every_rows_cells(
        server, tmp_path, monkeypatch, no_waiting, fault):
    # The cells go out in several value writes. The first fills the blank Return IDs this run assigned; the
    # answer of the second is lost (it applied), so the rows are found again before it goes again. The rows
    # whose Return ID was blank when read now hold this run's own: they are still found, and every cell
    # (the Contacted On of the customers just emailed among them) is written, none left for the next run.
    from tests.test_gsheet_race import assert_every_row_holds_its_own_values, records

    rows = [basic_row(**{"Return ID": "", "Order ID": f"80{i:02}", "Notified On": None, "Email": f"c{i}@example.com"})
            for i in range(30)]
    key, result = _sync_losing_the_second_value_write(server, tmp_path, monkeypatch, rows, fault)
    writes = [c for c in server.api_calls() if c.kind == "values.batchUpdate"]
    assert any(re.search(r"!A\d", r["range"]) for r in writes[0].body["data"])  # the first filled Return IDs
    assert result.written and result.ok, result.failures
    assert result.changes.get("rows_left_for_next_run", 0) == 0
    got = records(server, key)
    assert len({r["Return ID"] for r in got}) == len(rows) and all(r["Return ID"] for r in got)
    emailed = [e for e in result.emails if e.result == "outbox"]
    assert len(emailed) == len(rows)
    assert all(r["Status"] and r["Contacted On"] and r["Notified On"] for r in got), got
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_lost_value_write_still_finds_a_sellers_row_whose_return_a_new_line_joined(
        server, tmp_path, monkeypatch, no_waiting, fault):
    # A blank-ID line of an order that already has a return (R-00001) joins it: this run "assigns" R-00001,
    # which the seller's own row already holds. When a value write's answer is lost and the rows are found
    # again, only the rows the run gave an ID to count as the blank they were: the seller's R-00001 row is
    # still itself, and gets its cells. A new two-line return (both lines blank, one new ID) is found too.
    from tests.test_gsheet_race import assert_every_row_holds_its_own_values, records

    day = NOW.date().replace(day=20)
    rows = [basic_row(**{"Return ID": "R-00001", "Order ID": "8000", "SKU": "A", "Notified On": day,
                         "Email": "c0@example.com"}),
            basic_row(**{"Return ID": "", "Order ID": "8000", "SKU": "B", "Notified On": day,
                         "Email": "c0@example.com"}),
            basic_row(**{"Return ID": "", "Order ID": "8100", "SKU": "A", "Email": "c1@example.com"}),
            basic_row(**{"Return ID": "", "Order ID": "8100", "SKU": "B", "Email": "c1@example.com"})]
    rows += [basic_row(**{"Return ID": "", "Order ID": f"80{i:02}", "Notified On": None, "Email": f"c{i}@example.com"})
             for i in range(2, 28)]
    key, result = _sync_losing_the_second_value_write(server, tmp_path, monkeypatch, rows, fault)
    assert result.written and result.ok, result.failures
    assert result.changes.get("rows_left_for_next_run", 0) == 0
    got = records(server, key)
    assert [r["Return ID"] for r in got[:2]] == ["R-00001", "R-00001"]
    assert got[2]["Return ID"] and got[2]["Return ID"] == got[3]["Return ID"] != "R-00001"
    assert all(r["Status"] and r["Notified On"] for r in got), got
    assert_every_row_holds_its_own_values(server, key, tmp_path)

"""A Google sync whose emails go to the outbox: the files wait for the sheet write and appear after it, so
the write itself is the test of edit rights. Whatever happens to the write, no email appears twice, the
sheet never shows an email that did not appear, and no seller's edit is lost."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from sheetreturns import api
from sheetreturns.errors import SheetReturnsError
from tests.gsheet_support import by_id, cell_format, google_sheet, local_config, typed
from tests.helpers import AS_OF, STANDARD_HEADERS, basic_row
from tests.mail_server import MailServer

pytestmark = [pytest.mark.network, pytest.mark.slow]

NOW = datetime(2026, 11, 26, 9, 30)
ROWS = [basic_row(**{"Return ID": f"R-{i:05d}", "Order ID": str(7000 + i), "SKU": f"SKU-{i}",
                     "Email": f"buyer{i}@example.com"}) for i in range(1, 4)]


def run(server, key, tmp_path, minute: int = 30):
    return api.sync(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path),
                    now=NOW.replace(minute=minute))


def outbox_files(tmp_path) -> list[str]:
    """Every file in the outbox, the hidden ones (written aside) too."""
    folder = tmp_path / "outbox"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def records(server, key) -> list[dict]:
    rows = server.values(key, "Returns")
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(rows[0])} for r in rows[1:]]


def acknowledged(server, key) -> dict[str, str]:
    return {rid: row["Last Email"] for rid, row in by_id(server, key).items()}


def test_the_files_appear_after_the_write_and_the_sheet_records_them(server, tmp_path):
    key = google_sheet(server, ROWS)
    seen: list[list[str]] = []
    server.faults.before(lambda s: seen.append(outbox_files(tmp_path)), kind="batchUpdate")
    result = run(server, key, tmp_path)
    assert [e.result for e in result.emails] == ["outbox"] * 3 and result.written
    # At the write, nothing had appeared in the outbox yet (each file waits aside under a dot name).
    assert [n for n in seen[0] if not n.startswith(".")] == []
    assert outbox_files(tmp_path) == [f"R-0000{i}-acknowledgement.eml" for i in (1, 2, 3)]
    assert set(acknowledged(server, key).values()) == {"acknowledgement 2026-11-26 (outbox)"}
    log = server.values(key, "Email Log")
    assert len(log) == 4 and all(r[5].startswith("written to the outbox: ") for r in log[1:])
    # The next run finds the journal and the sheet agree: nothing to send, nothing to write.
    again = run(server, key, tmp_path, minute=45)
    assert again.emails == [] and again.unchanged


def test_a_write_google_refuses_makes_no_file_appear_and_the_next_run_sends_each_once(server, tmp_path):
    key = google_sheet(server, ROWS)
    server.faults.fail(400, kind="batchUpdate")  # a definite "no": nothing was applied
    with pytest.raises(SheetReturnsError, match="Google Sheets refused the request"):
        run(server, key, tmp_path)
    assert outbox_files(tmp_path) == [] and "Status" not in server.values(key, "Returns")[0]
    result = run(server, key, tmp_path, minute=45)
    assert [e.result for e in result.emails] == ["outbox"] * 3
    assert outbox_files(tmp_path) == [f"R-0000{i}-acknowledgement.eml" for i in (1, 2, 3)]
    assert set(acknowledged(server, key).values()) == {"acknowledgement 2026-11-26 (outbox)"}


@pytest.mark.parametrize("applied", [False, True], ids=["lost-request", "lost-answer"])
def test_a_connection_that_drops_at_the_write_never_makes_an_email_appear_twice(server, tmp_path, no_waiting,
                                                                                applied):
    key = google_sheet(server, ROWS)
    assert run(server, key, tmp_path).written  # the three acknowledgements are out
    late = basic_row(**{"Return ID": "R-00004", "Order ID": "7004", "SKU": "SKU-4", "Email": "late@example.com"})
    server.put_rows(key, "Returns", [[typed(late.get(h)) for h in STANDARD_HEADERS]], start_row=4,
                    option="USER_ENTERED")
    # Every try of the write loses its connection (with `applied`, Google carried out the first one).
    server.faults.drop("batchUpdate", applied=applied)
    server.faults.drop("batchUpdate", times=5)
    result = run(server, key, tmp_path, minute=45)
    assert [(e.return_id, e.result) for e in result.emails] == [("R-00004", "outbox")]
    if applied:
        # The run asks the sheet whether its write went through (its token is there), and finishes the write.
        assert result.written and not result.failures
    else:
        # Google may have taken one of the tries, so the file appears, and the run says the sheet was not saved.
        assert not result.written
        assert any("not saved" in f and "sends nothing twice" in f for f in result.failures)
    assert "R-00004-acknowledgement.eml" in outbox_files(tmp_path)
    log = server.values(key, "Email Log")
    assert any(r[1] == "R-00004" for r in log[1:]) == applied  # what the sheet shows is true either way
    # The next run writes it to the sheet (or finds it there already) and sends nothing again.
    after = run(server, key, tmp_path, minute=59)
    assert after.emails == [] and (after.unchanged if applied else after.written)
    assert acknowledged(server, key)["R-00004"] == "acknowledgement 2026-11-26 (outbox)"
    assert outbox_files(tmp_path) == [f"R-0000{i}-acknowledgement.eml" for i in (1, 2, 3, 4)]



def test_rows_sorted_just_before_the_write_still_get_their_own_values(server, tmp_path):
    rows = [*ROWS, basic_row(**{"Return ID": "", "Order ID": "7009", "SKU": "SKU-9", "Email": "new@example.com"})]
    key = google_sheet(server, rows)
    sort_by_order_id_before(server, key)
    result = run(server, key, tmp_path)
    assert not server.faults.pending and result.written
    got = by_id(server, key)
    # The row that had no Return ID got its own; every seller's ID is as typed.
    assert sorted(got) == ["R-00001", "R-00002", "R-00003", "R-00004"]
    assert got["R-00004"]["Order ID"] == "7009" and result.changes.get("rows_left_for_next_run", 0) == 0
    for rid, row in got.items():
        assert row["Last Email"] == "acknowledgement 2026-11-26 (outbox)", (rid, row)
        assert row["Status"] == "Awaiting item", (rid, row)
    assert outbox_files(tmp_path) == [f"R-0000{i}-acknowledgement.eml" for i in (1, 2, 3, 4)]


def sort_by_order_id_before(server, key, kind: str = "batchUpdate") -> None:
    """The seller sorts the rows by Order ID, Z to A, just before the next `kind` request."""
    order = STANDARD_HEADERS.index("Order ID")
    sheet_id = server.sheet(key, "Returns").sheet_id
    server.faults.before(lambda s: s.edit(key, [{"sortRange": {
        "range": {"sheetId": sheet_id, "startRowIndex": 1},
        "sortSpecs": [{"dimensionIndex": order, "sortOrder": "DESCENDING"}]}}]), kind=kind)


def test_a_first_run_over_smtp_that_holds_its_emails_finds_rows_sorted_just_before_its_write(server, tmp_path):
    rows = [*ROWS, basic_row(**{"Return ID": "", "Order ID": "7009", "SKU": "SKU-9", "Email": "new@example.com"})]
    key = google_sheet(server, rows)
    sort_by_order_id_before(server, key)
    with MailServer() as mail:
        config = replace(local_config(server, tmp_path), smtp={"host": "127.0.0.1", "port": mail.port,
                                                               "security": "none", "from": "shop@example.com"})
        result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW)
        assert {e.result for e in result.emails} == {"held"} and mail.received == []
    assert not server.faults.pending and result.written
    got = by_id(server, key)
    assert sorted(got) == ["R-00001", "R-00002", "R-00003", "R-00004"] and got["R-00004"]["Order ID"] == "7009"
    assert {row["Status"] for row in got.values()} == {"Awaiting item"}
    # Found again in the write's own answer: no request of its own.
    assert [c.kind for c in server.api_calls()][-4:] == ["metadata", "values.batchGet", "batchUpdate",
                                                         "values.batchUpdate"]


def test_a_date_written_in_a_row_sorted_just_before_the_write_is_shown_as_a_date(server, tmp_path):
    headers = [*STANDARD_HEADERS, "Status", "Contacted On", "Last Email"]  # the seller made the job's columns
    late = {"Notified On": datetime(2026, 10, 1).date()}  # noticed long ago: no acknowledgement now
    rows = [*ROWS[:2], *(basic_row(**{"Return ID": f"R-0000{i}", "Order ID": f"700{i}", "SKU": f"SKU-{i}", **late})
                         for i in (3, 4))]
    key = google_sheet(server, rows, headers)
    sort_by_order_id_before(server, key)
    result = run(server, key, tmp_path)
    assert not server.faults.pending and result.written and len(result.emails) == 2
    got = server.values(key, "Returns")
    contacted = headers.index("Contacted On")
    assert [r[headers.index("Order ID")] for r in got[1:]] == ["7004", "7003", "7002", "7001"]
    assert [bool(r[contacted]) for r in got[1:]] == [False, False, True, True]
    for number in (3, 4):  # the acknowledged rows, where they are now
        assert cell_format(server, key, "Returns", number, contacted).get("numberFormat", {}).get("type") == "DATE"
    # Every row has a Return ID of its own: the write's answer brings back the top rows and that column only.
    write = next(c for c in server.api_calls() if c.kind == "batchUpdate")
    letter = chr(ord("A") + headers.index("Return ID"))
    assert write.body["responseRanges"] == ["Returns!1:30", f"Returns!{letter}:{letter}"]


def test_the_lines_of_one_return_sorted_just_before_the_write_are_told_apart_by_their_sku(server, tmp_path):
    lines = [basic_row(**{"Order ID": "7001", "SKU": "MUG-01"}), basic_row(**{"Order ID": "7001", "SKU": "LAMP-02"}),
             basic_row(**{"Return ID": "R-00002", "Order ID": "7002", "SKU": "VASE-03", "Received On":
                          datetime(2026, 11, 24).date(), "Condition": "Like new"})]
    key = google_sheet(server, lines)
    sku = STANDARD_HEADERS.index("SKU")
    sheet_id = server.sheet(key, "Returns").sheet_id
    server.faults.before(lambda s: s.edit(key, [{"sortRange": {
        "range": {"sheetId": sheet_id, "startRowIndex": 1},
        "sortSpecs": [{"dimensionIndex": sku, "sortOrder": "DESCENDING"}]}}]), kind="batchUpdate")
    result = run(server, key, tmp_path)
    assert not server.faults.pending and result.written
    rows = records(server, key)
    assert [r["SKU"] for r in rows] == ["VASE-03", "MUG-01", "LAMP-02"]
    assert [r["Status"] for r in rows] == ["Refund due", "Awaiting item", "Awaiting item"]
    write = next(c for c in server.api_calls() if c.kind == "batchUpdate")
    assert len(write.body["responseRanges"]) == 3  # the top rows, Return ID and SKU

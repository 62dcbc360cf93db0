"""Sellers keep editing while the job runs: rows are matched by identity, never by position.

Each test lets the server make a seller's edit at the last moment: just before it answers the
adapter's re-read of the identity columns (or earlier, before the preflight check). The runs send their
emails over SMTP, which takes time, so the rows are found again before writing.
"""
from __future__ import annotations

import pytest
from dataclasses import replace
from datetime import date, datetime


from sheetreturns import api
from sheetreturns.google_sheets import writer
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import AS_OF, STANDARD_HEADERS, basic_row
from tests.mail_server import MailServer

NOW = datetime(2026, 11, 26, 9, 30)
ROWS = [
    basic_row(),  # Awaiting item
    basic_row(**{"Return ID": "R-00002", "Order ID": "1002", "SKU": "LAMP", "Received On": date(2026, 11, 24),
                 "Condition": "Like new"}),  # Refund due
    basic_row(**{"Return ID": "R-00003", "Order ID": "1003", "SKU": "VASE", "Received On": date(2026, 11, 22),
                 "Condition": "Unopened", "Refund Amount": 24.99, "Refunded On": date(2026, 11, 23)}),  # Done
    basic_row(**{"Return ID": "R-00004", "Order ID": "1004", "SKU": "RUG", "Received On": "next week"}),  # Needs info
    basic_row(**{"Return ID": "", "Order ID": "1005", "SKU": "CUP", "Notified On": None}),  # gets R-00005
]
EXPECTED = {"1001": "Awaiting item", "1002": "Refund due", "1003": "Done", "1004": "Needs info", "1005": "Awaiting item"}


def at_reread(call) -> bool:
    return any(r.endswith(("!1:30", "!1:6")) for r in call.query.get("ranges", []))


def grid(sheet_id: int, start: int, end: int, dimension: str = "ROWS") -> dict:
    return {"sheetId": sheet_id, "dimension": dimension, "startIndex": start, "endIndex": end}


# Seller's edits, each a function of the tab's sheet id giving the requests that make it.
def sort_by_order_descending(sid: int) -> list[dict]:
    return [{"sortRange": {"range": {"sheetId": sid, "startRowIndex": 1}, "sortSpecs": [
        {"dimensionIndex": STANDARD_HEADERS.index("Order ID"), "sortOrder": "DESCENDING"}]}}]


def insert_rows(start: int, end: int):
    return lambda sid: [{"insertDimension": {"range": grid(sid, start, end)}}]


def delete_row_2(sid: int) -> list[dict]:  # the second return (0-based row 2)
    return [{"deleteDimension": {"range": grid(sid, 2, 3)}}]


def insert_priority_column(sid: int) -> list[dict]:
    """A column inserted at A, headed Priority."""
    return [{"insertDimension": {"range": grid(sid, 0, 1, "COLUMNS")}},
            {"updateCells": {"rows": [{"values": [{"userEnteredValue": {"stringValue": "Priority"}}]}],
                             "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0}, "fields": "userEnteredValue"}}]


def records(server, key) -> list[dict]:
    rows = server.values(key, "Returns")
    return [{h: (r[i] if i < len(r) else "") for i, h in enumerate(rows[0])} for r in rows[1:]]


def assert_every_row_holds_its_own_values(server, key, tmp_path):
    """Each written Status/Next Step is what the rules give for that very row as it is now."""
    now = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    fresh = {line.row: o for line, o in zip(now.evaluation.lines, now.evaluation.outcomes)}
    for number, record in enumerate(records(server, key), start=2):
        if record.get("Status"):
            assert record["Status"] == fresh[number].status.value, record
            assert record["Next Step"] == fresh[number].next_step, record


def run_with_edit(server, key, tmp_path, requests, when=at_reread, kind="values.batchGet"):
    """A sync that sends its emails over SMTP (which takes time: the rows are found again before writing),
    with the seller's edit made just before the chosen request."""
    sheet_id = server.sheet(key, "Returns").sheet_id
    server.faults.before(lambda s: s.edit(key, requests(sheet_id)), kind=kind, when=when)
    with MailServer() as mail:
        config = replace(local_config(server, tmp_path),
                         smtp={"host": "127.0.0.1", "port": mail.port, "security": "none", "from": "shop@example.com"})
        result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW, send_backlog=True)
    assert not server.faults.pending, "the edit was not made"
    return result


@pytest.mark.network
@pytest.mark.slow
def test_rows_inserted_above_between_read_and_write_still_get_their_own_values(server, tmp_path):
    key = google_sheet(server, ROWS)
    new_row = {"userEnteredValue": {"stringValue": "9001"}}
    result = run_with_edit(server, key, tmp_path, lambda sid: [
        {"insertDimension": {"range": grid(sid, 1, 3)}},
        {"updateCells": {"rows": [{"values": [{}, new_row]}], "start": {"sheetId": sid, "rowIndex": 1, "columnIndex": 0},
                         "fields": "userEnteredValue"}},
    ])
    got = {r["Order ID"]: r for r in records(server, key) if r["Order ID"]}
    assert {o: got[o]["Status"] for o in EXPECTED} == EXPECTED
    assert (got["9001"]["Status"], got["9001"]["Return ID"]) == ("", "")  # the seller's new row is left alone
    assert got["1005"]["Return ID"] == "R-00005"
    assert result.changes.get("rows_left_for_next_run", 0) == 0
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
def test_a_row_deleted_between_read_and_write_takes_its_values_with_it(server, tmp_path):
    key = google_sheet(server, ROWS)
    run_with_edit(server, key, tmp_path, delete_row_2)
    got = {r["Order ID"]: r["Status"] for r in records(server, key) if r["Order ID"]}
    assert got == {o: s for o, s in EXPECTED.items() if o != "1002"}
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
def test_rows_sorted_between_read_and_write_get_their_own_values(server, tmp_path):
    key = google_sheet(server, ROWS)
    run_with_edit(server, key, tmp_path, sort_by_order_descending)
    got = records(server, key)
    assert [r["Order ID"] for r in got] == ["1005", "1004", "1003", "1002", "1001"]
    assert {r["Order ID"]: r["Status"] for r in got} == EXPECTED
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
def test_an_edit_before_the_preflight_check_is_handled_the_same_way(server, tmp_path):
    key = google_sheet(server, ROWS)
    # A first run's preflight check is the write that adds its columns, before the first email.
    run_with_edit(server, key, tmp_path, lambda sid: [{"insertDimension": {"range": grid(sid, 1, 4)}}],
                  when=None, kind="batchUpdate")
    assert {r["Order ID"]: r["Status"] for r in records(server, key) if r["Order ID"]} == EXPECTED
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("edit", ["sort", "insert-rows", "delete-row"])
def test_rows_moved_just_before_the_column_write_leave_no_cell_of_it_in_another_row(server, tmp_path, edit):
    # The write that adds the columns, before the first email, also holds the cells no email changes, placed
    # where the read found their rows. Rows moved just before it: its answer shows it, and those cells are
    # cleared again before any email; the write after the emails places them where their rows are.
    key = google_sheet(server, KNOWN)
    edits = {"sort": sort_by_order_descending, "insert-rows": insert_rows(2, 4), "delete-row": delete_row_2}
    result = run_with_edit(server, key, tmp_path, edits[edit], when=None, kind="batchUpdate")
    calls = [c for c in server.api_calls() if c.kind == "batchUpdate"]
    early = [r["updateCells"] for r in calls[0].body["requests"] if "updateCells" in r]
    assert any(len(u.get("rows", [])) > 1 for u in early)  # the column write held the rows' cells
    cleared = [c for c in server.api_calls() if c.kind == "values.batchUpdateByDataFilter"]
    assert len(cleared) == 1 and calls[1].kind == "batchUpdate"  # ... cleared again (by the columns' metadata)
    expected = {o: s for o, s in EXPECTED.items() if not (edit == "delete-row" and o == "1002")}
    got = {r["Order ID"]: r for r in records(server, key) if r["Order ID"]}
    assert {o: got[o]["Status"] for o in expected} == expected
    assert all(not r["Status"] for r in records(server, key) if not r["Order ID"])  # no cell in a blank row
    assert result.ok or edit == "delete-row"
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
def test_a_column_inserted_before_the_clear_of_moved_rows_cells_leaves_the_sellers_columns_alone(server, tmp_path):
    # Rows are sorted just before the column write (its early cells must be cleared again), then, within that
    # round trip, the seller inserts a column at A: the job's columns move one to the right, and the seller's
    # last column moves to where the first of them was. The clear follows the job's columns, not positions.
    key = google_sheet(server, [{**row, "Notes": f"note {row['Order ID']}"} for row in KNOWN])

    def sort_then_insert_after(sid):
        server.faults.before(lambda s: s.edit(key, insert_priority_column(sid)),
                             when=lambda call: call.method == "POST" and call.kind != "token")
        return sort_by_order_descending(sid)

    run_with_edit(server, key, tmp_path, sort_then_insert_after, when=None, kind="batchUpdate")
    assert [c.kind for c in server.api_calls()].count("values.batchUpdateByDataFilter") == 1  # the clear
    got = records(server, key)
    assert {r["Order ID"]: r["Notes"] for r in got} == {r["Order ID"]: f"note {r['Order ID']}" for r in KNOWN}
    assert {r["Order ID"]: r["Status"] for r in got} == EXPECTED
    headers = server.values(key, "Returns")[0]
    assert headers[0] == "Priority" and headers.count("Status") == 1 and headers.count("Notes") == 1
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
def test_a_return_id_typed_by_the_seller_meanwhile_is_not_overwritten(server, tmp_path):
    key = google_sheet(server, ROWS)
    result = run_with_edit(server, key, tmp_path, lambda sid: [{"updateCells": {
        "rows": [{"values": [{"userEnteredValue": {"stringValue": "MY-7"}}]}],
        "start": {"sheetId": sid, "rowIndex": 5, "columnIndex": 0}, "fields": "userEnteredValue"}}])
    row = {r["Order ID"]: r for r in records(server, key)}["1005"]
    # Its Notified On is left for the next run; its Status went in with the columns, before the emails.
    assert (row["Return ID"], row["Notified On"], row["Status"]) == ("MY-7", "", "Awaiting item")
    assert result.changes["rows_left_for_next_run"] == 1
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path), now=NOW)
    row = {r["Order ID"]: r for r in records(server, key)}["1005"]
    assert (row["Return ID"], row["Status"]) == ("MY-7", "Awaiting item")


@pytest.mark.network
@pytest.mark.slow
def test_a_column_inserted_meanwhile_moves_the_writes_with_it(server, tmp_path, monkeypatch):
    key = google_sheet(server, ROWS)
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path), now=NOW)
    # This run sends no email: its rows are found again only because its read is taken for old (a slow run).
    monkeypatch.setattr(writer, "FRESH_SECONDS", -1.0)
    sheet = server.sheet(key, "Returns")
    sheet.set_value(1, STANDARD_HEADERS.index("Condition"), "Used")  # R-00001 arrives and is inspected
    sheet.set_value(1, STANDARD_HEADERS.index("Received On"), 46350)
    run_with_edit(server, key, tmp_path, insert_priority_column)
    got = {r["Order ID"]: r for r in records(server, key)}
    assert got["1001"]["Status"] == "Refund due" and got["1001"]["Priority"] == ""
    assert {o: got[o]["Status"] for o in EXPECTED if o != "1001"} == {o: s for o, s in EXPECTED.items() if o != "1001"}
    assert_every_row_holds_its_own_values(server, key, tmp_path)


# Every row has its Return ID and Notified On: a first run fills no seller cell, so after its emails the
# rows come back in the answer of the write of its tabs (its columns were added before the first email).
KNOWN = [{**row, "Return ID": row["Return ID"] or "R-00005", "Notified On": row["Notified On"] or date(2026, 11, 20)}
         for row in ROWS]


def at_tabs_write(call) -> bool:
    body = call.body or {}
    return bool(body.get("responseRanges")) and any("addSheet" in r for r in body.get("requests", []))


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("edit", ["sort", "insert-rows", "insert-column", "delete-row"])
def test_a_first_run_that_sends_finds_rows_edited_during_its_emails_in_the_answer_of_its_tabs_write(
        server, tmp_path, edit):
    key = google_sheet(server, KNOWN)
    edits = {"sort": sort_by_order_descending, "insert-rows": insert_rows(1, 3),
             "insert-column": insert_priority_column, "delete-row": delete_row_2}
    result = run_with_edit(server, key, tmp_path, edits[edit], when=at_tabs_write, kind="batchUpdate")
    kinds = [c.kind for c in server.api_calls()]
    # No Drive question, no second read: the column write before the emails, the tabs write after them.
    assert "drive.get" not in kinds and kinds.count("values.batchGet") == (2 if edit == "insert-column" else 1)
    expected = {o: s for o, s in EXPECTED.items() if not (edit == "delete-row" and o == "1002")}
    got = {r["Order ID"]: r for r in records(server, key) if r["Order ID"]}
    assert {o: got[o]["Status"] for o in expected} == expected
    by_id = {r["Return ID"]: r for r in got.values()}
    sent = [e for e in result.emails if e.result == "sent"]
    assert sent and all(by_id[e.return_id]["Last Email"] == f"{e.kind} 2026-11-26" for e in sent
                        if e.return_id in by_id)
    assert result.changes.get("rows_left_for_next_run", 0) == (edit == "delete-row")  # the row that is gone
    headers = server.values(key, "Returns")[0]
    assert headers.count("Status") == 1 and headers.count("Last Email") == 1
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("edit", ["delete", "rename"])
def test_a_column_the_run_added_deleted_or_renamed_during_its_emails_is_added_again(server, tmp_path, edit):
    # The run added Status and Next Step (with the cells no email changes) before its first email; during the
    # emails the seller deletes the Status column, or renames it. After the emails the run finds its columns
    # by their headers: the missing one is added again, with every row's value, and each email is recorded.
    key = google_sheet(server, KNOWN)

    def change(sid):
        col = server.values(key, "Returns")[0].index("Status")
        if edit == "delete":
            return [{"deleteDimension": {"range": grid(sid, col, col + 1, "COLUMNS")}}]
        return [{"updateCells": {"rows": [{"values": [{"userEnteredValue": {"stringValue": "My notes"}}]}],
                                 "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": col},
                                 "fields": "userEnteredValue"}}]

    result = run_with_edit(server, key, tmp_path, change, when=at_tabs_write, kind="batchUpdate")
    assert result.written and result.ok, result.failures
    headers = server.values(key, "Returns")[0]
    assert headers.count("Status") == 1 and headers.count("Next Step") == 1 and headers.count("Last Email") == 1
    got = {r["Order ID"]: r for r in records(server, key) if r["Order ID"]}
    assert {o: got[o]["Status"] for o in EXPECTED} == EXPECTED
    by_id = {r["Return ID"]: r for r in got.values()}
    sent = [e for e in result.emails if e.result == "sent"]
    assert sent and all(by_id[e.return_id]["Last Email"] == f"{e.kind} 2026-11-26" for e in sent)
    assert server.sheet(key, "Returns").column_count >= len(headers)
    assert_every_row_holds_its_own_values(server, key, tmp_path)
    again = api.sync(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path), now=NOW)
    assert again.ok and server.values(key, "Returns")[0] == headers  # the next run adds nothing more


@pytest.mark.network
@pytest.mark.slow
def test_a_column_inserted_just_before_the_column_write_loses_no_cell_of_the_sellers_last_column(server, tmp_path):
    # The run's columns go in at the right end of the table as read. A column the seller inserts just before
    # that write moves the last column of the table there: the run's columns are inserted, never written over it.
    key = google_sheet(server, [{**row, "Notes": f"note {row['Order ID']}"} for row in KNOWN])
    run_with_edit(server, key, tmp_path, insert_priority_column, when=None, kind="batchUpdate")
    got = records(server, key)
    assert {r["Order ID"]: r["Notes"] for r in got} == {r["Order ID"]: f"note {r['Order ID']}" for r in KNOWN}
    assert {r["Order ID"]: r["Status"] for r in got} == EXPECTED
    headers = server.values(key, "Returns")[0]
    assert headers.count("Status") == 1 and headers.count("Notes") == 1
    assert_every_row_holds_its_own_values(server, key, tmp_path)


def sheet_with_no_spare_column(server) -> str:
    """A sheet made by the API or trimmed by the seller: its grid ends at the table's last column (Google
    refuses to insert columns at the grid's end that would take their look from a column after them)."""
    key = google_sheet(server, KNOWN)
    sheet_id = server.sheet(key, "Returns").sheet_id
    server.edit(key, [{"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": {
        "columnCount": len(STANDARD_HEADERS)}}, "fields": "gridProperties(columnCount)"}}])
    return key


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("edit", ["a-note", "delete-last-column"])
def test_a_first_run_that_sends_adds_its_columns_to_a_grid_with_no_spare_column(server, tmp_path, edit):
    key = sheet_with_no_spare_column(server)
    last = len(STANDARD_HEADERS) - 1  # the seller's last column goes just before the job adds its own
    note = {"rows": [{"values": [{"userEnteredValue": {"stringValue": "call back"}}]}], "fields": "userEnteredValue"}
    edits = {"a-note": lambda sid: [{"updateCells": {**note, "start": {"sheetId": sid, "rowIndex": 1,
                                                                       "columnIndex": STANDARD_HEADERS.index("Notes")}}}],
             "delete-last-column": lambda sid: [{"deleteDimension": {"range": grid(sid, last, last + 1, "COLUMNS")}}]}
    result = run_with_edit(server, key, tmp_path, edits[edit], when=None, kind="batchUpdate")
    assert result.emails and all(e.result == "sent" for e in result.emails)
    assert all(c.status == 200 for c in server.api_calls()), [(c.kind, c.status) for c in server.api_calls()]
    assert result.written and {r["Order ID"]: r["Status"] for r in records(server, key)} == EXPECTED
    assert_every_row_holds_its_own_values(server, key, tmp_path)


@pytest.mark.network
@pytest.mark.slow
def test_a_column_added_again_on_a_grid_with_seller_data_right_of_a_blank_gap_fits_the_grid(server, tmp_path):
    # The seller keeps a figure in a column right of the table, past blank columns, with no header, and the
    # grid ends there. The run adds its columns right of that figure; during its emails the seller deletes the
    # Status column: it is added again at the right end, once, and its cells fit the grid.
    key = sheet_with_no_spare_column(server)
    sid = server.sheet(key, "Returns").sheet_id
    width = len(STANDARD_HEADERS)
    server.edit(key, [{"appendDimension": {"sheetId": sid, "dimension": "COLUMNS", "length": 5}},
                      {"updateCells": {"rows": [{"values": [{"userEnteredValue": {"stringValue": "total 42"}}]}],
                                       "start": {"sheetId": sid, "rowIndex": 3, "columnIndex": width + 4},
                                       "fields": "userEnteredValue"}}])

    def delete_status(sid):
        col = server.values(key, "Returns")[0].index("Status")
        return [{"deleteDimension": {"range": grid(sid, col, col + 1, "COLUMNS")}}]

    result = run_with_edit(server, key, tmp_path, delete_status, when=at_tabs_write, kind="batchUpdate")
    assert all(c.status == 200 for c in server.api_calls()), [(c.kind, c.status) for c in server.api_calls()]
    assert result.written and result.ok, result.failures
    rows = server.values(key, "Returns")
    headers = rows[0]
    assert headers.count("Status") == 1 and headers.count("Next Step") == 1
    assert rows[3][width + 4] == "total 42" and headers.index("Status") > width + 4
    assert server.sheet(key, "Returns").column_count - len(headers) <= 2  # no blank columns left between
    assert {r["Order ID"]: r["Status"] for r in records(server, key)} == EXPECTED
    assert_every_row_holds_its_own_values(server, key, tmp_path)

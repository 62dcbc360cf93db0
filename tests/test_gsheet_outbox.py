"""A Google sync whose emails go to the outbox: the files wait for the sheet write and appear after it, so
the write itself is the test of edit rights. Whatever happens to the write, no email appears twice, the
sheet never shows an email that did not appear, and no seller's edit is lost."""
from __future__ import annotations

from datetime import datetime

import pytest

from sheetreturns import api
from sheetreturns.errors import SheetReturnsError
from tests.gsheet_support import by_id, google_sheet, local_config, typed
from tests.helpers import AS_OF, STANDARD_HEADERS, basic_row

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
    # Google may have taken the write, so the file appears, and the run says the sheet was not saved.
    assert [(e.return_id, e.result) for e in result.emails] == [("R-00004", "outbox")] and not result.written
    assert any("not saved" in f and "sends nothing twice" in f for f in result.failures)
    assert "R-00004-acknowledgement.eml" in outbox_files(tmp_path)
    log = server.values(key, "Email Log")
    assert any(r[1] == "R-00004" for r in log[1:]) == applied  # what the sheet shows is true either way
    # The next run writes it to the sheet and sends nothing again.
    after = run(server, key, tmp_path, minute=59)
    assert after.emails == [] and after.written
    assert acknowledged(server, key)["R-00004"] == "acknowledgement 2026-11-26 (outbox)"
    assert outbox_files(tmp_path) == [f"R-0000{i}-acknowledgement.eml" for i in (1, 2, 3, 4)]


"""The email journal's files: records survive a run that never closed them, a torn line is ignored, and
reading (dry runs, previews) changes nothing."""
import sqlite3

from sheetreturns.emails.journal import IN_FLIGHT, SCHEMA_VERSION, SENT, Journal

from .mail_support import NOW


def left_by_a_killed_run(path):
    """Two messages recorded and never folded: the journal is not closed, as when the process is killed."""
    journal = Journal(path)
    journal.queue([("R-1", "reminder", "smtp", "a@example.com", "<1@x>"),
                   ("R-2", "reminder", "smtp", "b@example.com", "<2@x>")], NOW)
    for rid in ("R-1", "R-2"):
        journal.begin(rid, "reminder", channel="smtp", recipient="a@example.com", subject="s", message_id="<x>",
                      now=NOW)
    journal.finish("R-1", "reminder", SENT, NOW, "250 ok")
    return journal


def states_in_database(path):
    with sqlite3.connect(path) as db:
        return dict(((r, k), s) for r, k, s in db.execute("SELECT return_id, kind, state FROM messages"))


def test_records_of_a_run_that_never_closed_the_journal_are_kept_by_the_next_one(tmp_path):
    path = tmp_path / "j.emails.sqlite"
    left_by_a_killed_run(path)
    assert states_in_database(path) == {}  # everything is still in the log
    with Journal(path) as journal:
        assert journal.get("R-1", "reminder").state == SENT and journal.get("R-2", "reminder").state == IN_FLIGHT
        assert [(e.return_id, e.outcome) for e in journal.events()] == [("R-1", "sent")]
    assert states_in_database(path) == {("R-1", "reminder"): SENT, ("R-2", "reminder"): IN_FLIGHT}
    assert path.with_suffix(".log").read_bytes() == b""


def test_a_line_torn_by_a_crash_is_ignored(tmp_path):
    path = tmp_path / "j.emails.sqlite"
    left_by_a_killed_run(path)
    log = path.with_suffix(".log")
    whole = log.read_bytes()
    log.write_bytes(whole + whole.splitlines(keepends=True)[0][:40])  # the start of a record, cut short
    with Journal(path) as journal:
        assert journal.get("R-1", "reminder").state == SENT
        assert len(journal.events()) == 1


def test_reading_the_journal_sees_unfolded_records_and_changes_no_file(tmp_path):
    path = tmp_path / "j.emails.sqlite"
    left_by_a_killed_run(path)
    files = [path, path.with_suffix(".log")]  # (SQLite's own -shm index is shared memory, not content)
    before = [p.read_bytes() for p in files]
    with Journal(path, readonly=True) as journal:
        assert journal.is_done("R-1", "reminder") and not journal.is_done("R-2", "reminder")
        assert [e.outcome for e in journal.events()] == ["sent"]
    assert [p.read_bytes() for p in files] == before


def test_folding_twice_logs_each_event_once(tmp_path):
    path = tmp_path / "j.emails.sqlite"
    left_by_a_killed_run(path)
    saved = path.with_suffix(".log").read_bytes()
    Journal(path).close()
    path.with_suffix(".log").write_bytes(saved)  # a crash after the fold's commit, before the log was emptied
    with Journal(path) as journal:
        assert [(e.return_id, e.outcome) for e in journal.events()] == [("R-1", "sent")]


def test_a_run_that_records_nothing_leaves_the_journal_files_as_they_were(tmp_path):
    # An unchanged run opens the journal to read it; only a record is written (and synced to disk).
    path = tmp_path / "shop.emails.sqlite"
    with Journal(path) as journal:
        journal.queue([("R-00001", "acknowledgement", "smtp", "jo@example.com", "<m1@example.com>")], NOW)
        journal.finish("R-00001", "acknowledgement", SENT, NOW)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    with Journal(path) as journal:
        assert journal.is_done("R-00001", "acknowledgement") and len(journal.events()) == 1
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before
    with Journal(tmp_path / "new.emails.sqlite") as journal:  # a new journal gets its tables
        journal.queue([("R-00002", "acknowledgement", "smtp", "al@example.com", "<m2@example.com>")], NOW)
    assert states_in_database(tmp_path / "new.emails.sqlite") == {("R-00002", "acknowledgement"): "queued"}


def test_an_older_journal_gets_the_tables_it_lacks_and_keeps_its_records(tmp_path):
    # A journal saved before the events table and the schema version (user_version 0): opened to write, it is
    # brought up to date, and what it recorded is still there.
    path = tmp_path / "shop.emails.sqlite"
    with Journal(path) as journal:
        journal.queue([("R-00001", "acknowledgement", "smtp", "jo@example.com", "<m1@example.com>")], NOW)
        journal.finish("R-00001", "acknowledgement", SENT, NOW)
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE events; PRAGMA user_version = 0;")
    db.close()
    with Journal(path) as journal:
        assert journal.is_done("R-00001", "acknowledgement")
        journal.queue([("R-00002", "acknowledgement", "smtp", "al@example.com", "<m2@example.com>")], NOW)
        journal.finish("R-00002", "acknowledgement", SENT, NOW)
    with Journal(path) as journal:
        assert [(e.return_id, e.outcome) for e in journal.events()] == [("R-00002", "sent")]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_a_journal_from_a_newer_version_keeps_its_version(tmp_path):
    # Running the schema script again would stamp it back to this version's number: it is run only for older ones.
    path = tmp_path / "shop.emails.sqlite"
    with Journal(path) as journal:
        journal.queue([("R-00001", "acknowledgement", "smtp", "jo@example.com", "<m1@example.com>")], NOW)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with Journal(path) as journal:
        journal.finish("R-00001", "acknowledgement", SENT, NOW)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    db.close()

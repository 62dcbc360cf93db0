"""What intake remembers: the journal file and the Intake Log tab, each able to rebuild the other."""
from __future__ import annotations

from datetime import datetime

from sheetreturns.intake.journal import (
    PARTIAL, RECORDED, SKIPPED, UNPARSED, Journal, NoticeRecord, intake_log_tab, records_on_tab,
)
from sheetreturns.sheet.tab_model import value_of

READ = datetime(2026, 11, 26, 12, 0)
RECORDS = [
    NoticeRecord("<a@x>", datetime(2026, 11, 24, 9, 15), "Jo <jo@example.com>", "Return", RECORDED, "Email", "1001",
                 ["MUG-01"], 1, "", READ),
    NoticeRecord("<b@x>", datetime(2026, 11, 25, 10, 0), "Amazon", "Fwd: Return", PARTIAL, "Amazon", "203-1",
                 ["A-1", "B-2"], 2, 'Qty "two" is not a whole number', READ),
    NoticeRecord("no-id:abc", None, "", "", SKIPPED, None, None, [], 0, "not an email message", READ),
    NoticeRecord("<c@x>", datetime(2026, 11, 23, 8, 0), "Dee", "Returning my mug", UNPARSED, "Email", None, [], 0,
                 "no Order ID found", READ),
]


def cells(tab) -> list[list[object]]:
    return [[value_of(c) for c in row] for row in tab.rows]


def test_the_intake_log_tab_reads_back_as_the_records_it_shows():
    back = records_on_tab(cells(intake_log_tab(RECORDS, "eml:mail")))
    assert sorted(back, key=lambda r: r.key) == sorted(RECORDS, key=lambda r: r.key)


def test_dates_read_back_as_spreadsheet_serial_numbers_are_dates_again():
    rows = cells(intake_log_tab(RECORDS[:1], "eml:mail"))
    rows[-1][0] = 46350.385416666664  # 2026-11-24 09:15, as Google Sheets returns it unformatted
    assert records_on_tab(rows)[0].received == datetime(2026, 11, 24, 9, 15)


def test_messages_not_recorded_are_counted_in_the_subtitle_and_listed_newest_first():
    tab = intake_log_tab(RECORDS, "eml:mail")
    assert "2 not recorded" in value_of(tab.rows[1][0])
    subjects = [row[2] for row in cells(tab)[4:]]
    assert subjects == ["", "Fwd: Return", "Return", "Returning my mug"]  # undated (read today) first


def test_the_journal_keeps_the_latest_outcome_and_survives_a_line_cut_short(tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    journal.save(RECORDS)
    journal.save([NoticeRecord("<c@x>", None, "Dee", "Returning my mug", RECORDED, "Email", "77", ["A-1"], 1, "", READ)])
    with open(journal.path, "a", encoding="utf-8") as handle:
        handle.write('{"key": "<d@x>", "result": "rec')  # a crash mid-write
    again = Journal.load(journal.path)
    assert set(again.records) == {"<a@x>", "<b@x>", "no-id:abc", "<c@x>"}
    assert again.is_final("<c@x>") and not again.is_final("no-id:abc")

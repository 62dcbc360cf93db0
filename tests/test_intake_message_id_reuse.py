"""A Message-ID reused by a different message never suppresses it: both messages are read, each gets its row
and its Intake Log line, in the same run or in a later one."""
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.settings.config_file import Config
from tests.helpers import basic_row, write_workbook
from tests.intake_corpus import NOW, good_notice, write_eml

SHARED_ID = "<reused@mail.example.com>"


def intake_log_ids(book):
    sheet = load_workbook(book, read_only=True)["Intake Log"]
    return [cell for row in sheet.iter_rows(values_only=True) for cell in row
            if isinstance(cell, str) and cell.startswith(SHARED_ID)]


def setup(tmp_path, mails):
    book = write_workbook(tmp_path / "returns.xlsx", [basic_row(**{"Order ID": "900", "SKU": "OLD-1"})])
    write_eml(tmp_path / "mail", mails)
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state",
                    intake={"mailbox": "eml:mail", "max_message_kb": 256})
    return book, config


def test_finding_3_two_different_messages_with_one_message_id_are_both_recorded(tmp_path):
    first, second = good_notice(1, message_id=SHARED_ID), good_notice(2, message_id=SHARED_ID)
    book, config = setup(tmp_path, [first, second])
    result = api.intake(book, config=config, now=NOW)
    assert result.failures == []
    assert len([n for n in result.notices if n.key.startswith(SHARED_ID)]) == 2
    assert sum(n.rows for n in result.notices) == len(first.lines) + len(second.lines)
    assert len(intake_log_ids(book)) == 2
    again = api.intake(book, config=config, now=NOW)  # and nothing is added twice
    assert sum(n.rows for n in again.notices) == 0


def test_finding_3_a_later_message_reusing_an_earlier_message_id_is_recorded(tmp_path):
    first, second = good_notice(1, message_id=SHARED_ID), good_notice(2, message_id=SHARED_ID)
    book, config = setup(tmp_path, [first])
    assert sum(n.rows for n in api.intake(book, config=config, now=NOW).notices) == len(first.lines)
    write_eml(tmp_path / "mail", [second])
    later = api.intake(book, config=config, now=NOW)
    assert sum(n.rows for n in later.notices) == len(second.lines)
    assert len(intake_log_ids(book)) == 2

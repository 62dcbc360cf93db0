"""The .xlsx reader on files written by other programs (tests/data/hostile, from other readers' test suites)."""
from datetime import date, datetime
from pathlib import Path

import pytest

from sheetreturns.engine.values import CellError, parse_date
from sheetreturns.excel.reader import XlsxWorkbook

HOSTILE = Path(__file__).parent / "data" / "hostile"


def rows_of(name, tab=None):
    with XlsxWorkbook(HOSTILE / name) as book:
        return book.rows(tab or book.titles[0])


@pytest.mark.parametrize("name", ["sheetjs__1904_epoch_1904.xlsx", "sheetjs__1904_epoch_1900_twin.xlsx"])
def test_date_cells_equal_their_text_in_both_date_systems(name):
    rows = rows_of(name)
    assert len(rows) == 5
    for row in rows:
        assert row[1] == date.fromisoformat(row[2])


def test_1904_workbook_is_known_as_such():
    with XlsxWorkbook(HOSTILE / "sheetjs__1904_epoch_1904.xlsx") as book:
        assert book.date1904 is True
        rows = book.rows(book.titles[0])
    # a bare serial in a 1904 workbook is read in the 1904 system
    assert parse_date(rows[0][0] + 44000, date1904=True) == parse_date(rows[0][0] + 44000 + 1462)


def test_cached_error_values_are_read_as_errors():
    column_a = [row[0] for row in rows_of("calamine__errors_formula_error_values.xlsx")][:7]
    assert column_a == [CellError(code) for code in ("#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A")]


def test_rich_text_runs_read_as_one_string():
    rows = rows_of("sheetjs__rich_text_stress.xlsx")
    assert rows[1] == ["bold", "this text is bold, sure enough"]


def test_header_below_a_stray_note_keeps_its_row_number():
    rows = rows_of("calamine__header-row_offset_header.xlsx")
    assert rows[2][2] == "Note 1"
    assert rows[8] == ["Columns", "Column A", "Column B", "Column C"]


def test_rows_and_cells_without_references():
    rows = rows_of("calamine__issue_261_spreadsheetgear_no_cell_refs.xlsx")
    assert rows[6][:2] == ["String Value 29", date(2023, 3, 15)]
    rows = rows_of("poi__59746_NoRowNums.xlsx")
    assert rows[0][:3] == ["Checked", "Ion", "Charge"]


def test_google_sheets_export_without_docprops():
    rows = rows_of("sheetjs__DataTypesFormats_googlesheets.xlsx")
    assert rows[0] == ["Date", date(2020, 7, 23)]
    assert rows[1] == ["Date Time", datetime(2020, 7, 23, 9, 0)]


def test_strict_ooxml_workbook_has_its_sheets():
    with XlsxWorkbook(HOSTILE / "sheetjs__sheet_visibility_strict_ooxml.xlsx") as book:
        assert book.titles == ["Visible", "Hidden", "VeryHidden"]
        assert book.strict is True
        assert book.rows("Visible")[0] == list("visible")

"""Cells are named as spreadsheets name them: the letters of the first columns are worked out once, the rest spelled."""
from openpyxl.utils import get_column_letter

from sheetreturns.engine.columns import cell_address, column_letter


def test_every_column_is_named_as_spreadsheets_name_it():
    assert [column_letter(index) for index in range(18278)] == [get_column_letter(n) for n in range(1, 18279)]


def test_a_cell_is_its_column_letters_and_row_number():
    assert cell_address(0, 2) == "A2"
    assert cell_address(701, 10) == "ZZ10"
    assert cell_address(702, 1048576) == "AAA1048576"

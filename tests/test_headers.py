"""Finding the header row and matching column names the way sellers write them."""
import pytest

from sheetreturns import check
from sheetreturns.engine.columns import find_header
from sheetreturns.errors import SheetReturnsError

from .helpers import AS_OF, basic_row, write_workbook


def test_headers_match_case_space_and_punctuation_insensitively_with_aliases():
    header = find_header([["return id", "ORDER #", "E-mail", "Stock Code", "Quantity", "Date received", "Misc"]], "Returns")
    assert header.columns == {"return_id": 0, "order_id": 1, "email": 2, "sku": 3, "qty": 4, "received_on": 5}


def test_header_found_below_title_rows():
    rows = [["Returns log 2026"], [], ["Order ID", "SKU", "Email"], ["1", "A", "a@example.com"]]
    assert find_header(rows, "Returns").row_number == 3


def test_missing_required_column_names_it_and_lists_headers_found():
    with pytest.raises(SheetReturnsError) as info:
        find_header([["Order ID", "Customer", "Email"]], "Returns")
    assert str(info.value) == (
        "the 'Returns' tab has no SKU column (headers found on row 1: Order ID, Customer, Email): "
        "add a SKU column, or name yours under [columns] in sheetreturns.toml (SKU = \"your header\")"
    )


def test_unknown_columns_are_kept_and_do_not_disturb(tmp_path):
    headers = ["Warehouse Bin", "Order ID", "SKU", "Email", "Notified On", "Packed by"]
    row = {"Warehouse Bin": "B7", "Order ID": "1", "SKU": "A", "Email": "a@example.com",
           "Notified On": basic_row()["Notified On"], "Packed by": "Sam"}
    path = write_workbook(tmp_path / "r.xlsx", [row], headers, title_rows=["My returns", ""])
    result = check(path, as_of=AS_OF)
    assert result.counts == {"Awaiting item": 1}
    assert result.problems == []


def test_first_tab_that_looks_like_returns_is_used_when_none_is_named_returns(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()], tab="Sheet1")
    assert check(path, as_of=AS_OF).tab == "Sheet1"

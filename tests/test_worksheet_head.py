"""The worksheet's root element and its <sheetData>, found by the one pattern the pieced reader and the writer
share: any namespace prefix the reader (calamine) takes, which is anything up to a name's first colon."""
import pytest

from sheetreturns.excel.worksheet_head import SHEET_DATA, prefix_of


@pytest.mark.parametrize("prefix", [b"", b"x:", b"main:", b"s.1:", b"my-ns:", b"_a:", "é:".encode(), b"1:"])
def test_the_roots_prefix_and_the_rows_start_are_found_with_any_prefix(prefix):
    head = (b'<?xml version="1.0"?><' + prefix + b'worksheet xmlns' + (b":" + prefix[:-1] if prefix else b"")
            + b'="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><' + prefix + b'sheetData>')
    assert prefix_of(head) == prefix
    found = SHEET_DATA.search(head)
    assert found is not None and found.group(1) == prefix and found.end() == len(head)


def test_no_root_found_is_no_prefix():
    assert prefix_of(b"<row/>") == b""

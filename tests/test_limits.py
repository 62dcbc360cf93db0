"""Limits before work: a tab's extent and a part's inflated size are checked before the reader allocates
anything, and a file over either limit stops with one `Error:` line that names the limit (settable)."""
import os
import subprocess
import sys
import zipfile

import pytest
from openpyxl import Workbook

from .mail_support import ROOT, example_copy

RUN_CLI = "import sys; from sheetreturns.cli import main; sys.argv[0] = 'sheetreturns'; main()"


def cli(folder, *args):
    return subprocess.run([sys.executable, "-c", RUN_CLI, *args], cwd=folder, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def corners(path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Returns"
    sheet["A1"] = "Return ID"
    sheet["XFD1048576"] = "far away"
    book.save(path)
    return path


def test_finding_7_a_tab_spanning_the_whole_grid_is_refused_with_an_error_line_not_a_crash(tmp_path):
    path = corners(tmp_path / "returns.xlsx")
    assert path.stat().st_size < 10_000
    for command in (["check", "returns.xlsx"], ["sync", "returns.xlsx", "--outbox", "outbox"]):
        done = cli(tmp_path, *command)
        assert done.returncode == 2, done.stderr[-2000:]
        assert done.stderr.startswith("Error: returns.xlsx: the 'Returns' tab spans 1,048,576 rows x 16,384 columns")
        assert "over the limit of 50,000,000 cells" in done.stderr and "[limits] cells" in done.stderr
        assert "panicked" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_the_cell_limit_is_settable(tmp_path):
    example_copy(tmp_path)
    (tmp_path / "sheetreturns.toml").write_text('source = "returns.xlsx"\n[limits]\ncells = 100\n')
    done = cli(tmp_path, "check")
    assert done.returncode == 2 and "over the limit of 100 cells" in done.stderr
    (tmp_path / "sheetreturns.toml").write_text('source = "returns.xlsx"\n[limits]\ncells = -1\n')
    done = cli(tmp_path, "check")
    assert done.stderr.startswith("Error: sheetreturns.toml [limits] cells must be a whole number above 0")


def padded(source, target, megabytes):
    """`source` with its Returns tab's XML grown by a comment of `megabytes` MB (compresses to almost nothing)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<!--" + b" " * (megabytes << 20) + b"--><sheetData>", 1)
            new.writestr(item, data)
    return target


def test_finding_8_a_part_that_inflates_past_the_limit_is_refused_before_reading(tmp_path):
    source = example_copy(tmp_path)
    bomb = padded(source, tmp_path / "bomb.xlsx", 3)
    assert bomb.stat().st_size < source.stat().st_size + 100_000
    (tmp_path / "sheetreturns.toml").write_text('[limits]\nsheet_mb = 2\n')
    done = cli(tmp_path, "check", "bomb.xlsx")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: bomb.xlsx: its part xl/worksheets/sheet1.xml inflates to 3 MB, over the "
                                  "limit of 2 MB (a possible decompression bomb)")
    assert "[limits] sheet_mb" in done.stderr
    (tmp_path / "sheetreturns.toml").write_text('[limits]\nsheet_mb = 4\n')
    assert cli(tmp_path, "check", "bomb.xlsx").returncode in (0, 1)  # within the raised limit: read as usual


def _prefixed_sheet(path, prefix: bytes):
    """A Returns tab whose row and cell tags carry `prefix`: 40 cells without a reference in row 1 (placed by
    counting), then a cell at A100: 100 x 40 cells to the reader."""
    book = Workbook()
    book.active.title = "Returns"
    book.active["A1"] = "x"
    book.save(path.with_suffix(".base"))
    p = prefix
    cells = b"".join(b"<" + p + b'c t="inlineStr"><' + p + b"is><" + p + b"t>v</" + p + b"t></" + p + b"is></" + p
                     + b"c>" for _ in range(40))
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><sheetData><' + p + b'row r="1">' + cells + b"</" + p + b"row><" + p
           + b'row r="100"><' + p + b'c r="A100"><' + p + b"v>1</" + p + b"v></" + p + b"c></" + p
           + b"row></sheetData></worksheet>")
    with zipfile.ZipFile(path.with_suffix(".base")) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
    return path


@pytest.mark.parametrize("prefix", [b"x:", b"x.y:", "é:".encode(), "a·b:".encode(), b"1:", b":", b"a+b:", b"a<b:",
                                    b"a/b:", b"a\x0bb:", b"\x0c:"])
def test_cells_with_any_prefix_the_reader_takes_are_counted_by_the_size_check(tmp_path, prefix):
    # The reader (calamine) takes what follows an element name's first colon as its name: <é:c>, <1:c>, <:c>,
    # <a/b:c>, <a\x0bb:c> and even <a<b:c> are cells to it. The size check must count them, or a small crafted
    # file gets a grid of any size allocated (a 4.8 KB one asked for 550 GB). A name holding "<" is refused as damaged.
    import python_calamine

    from sheetreturns.errors import SourceUnreadable
    from sheetreturns.excel.limits import Limits, check_sheet_extent

    path = _prefixed_sheet(tmp_path / "returns.xlsx", prefix)
    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Returns")
    assert (grid.height, grid.width) == (100, 40)  # what the reader would allocate
    with zipfile.ZipFile(path) as package, pytest.raises(SourceUnreadable) as refused:
        check_sheet_extent(package, "xl/worksheets/sheet1.xml", "returns.xlsx", "Returns", Limits(cells=1000))
    if b"<" in prefix:
        assert "damaged (a tag's name holds a '<')" in str(refused.value)
    else:
        assert "spans 100 rows x 40 columns" in str(refused.value)

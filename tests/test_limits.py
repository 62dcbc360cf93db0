"""Limits before work: a tab's extent and a part's inflated size are checked before the reader allocates
anything, and a file over either limit stops with one `Error:` line that names the limit (settable)."""
import os
import subprocess
import sys
import zipfile

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

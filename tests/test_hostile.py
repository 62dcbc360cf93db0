"""Files that cannot be read give one `Error:` line and exit 2, and are left byte-for-byte as they were."""
import hashlib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetreturns.cli import main

from .helpers import basic_row, write_workbook

HOSTILE = Path(__file__).parent / "data" / "hostile"
CORPUS = sorted(HOSTILE.glob("*.xlsx"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_check(path: Path, *extra: str):
    return CliRunner().invoke(main, ["check", str(path), "--as-of", "2026-11-26", *extra])


def assert_refused(result, fragment: str | None = None):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    if fragment:
        assert fragment in lines[0]


def test_the_corpus_is_all_here():
    assert len(CORPUS) == 12


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_every_corpus_file_gets_a_result_or_one_error_line_and_is_untouched(path, tmp_path):
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    before = digest(copy)
    result = run_check(copy)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 2:
        assert_refused(result)
    else:
        assert result.exit_code in (0, 1)
    assert digest(copy) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_encrypted_workbook(tmp_path):
    copy = tmp_path / "locked.xlsx"
    copy.write_bytes((HOSTILE / "calamine__pass_protected_encrypted.xlsx").read_bytes())
    assert_refused(run_check(copy), "password-protected")


def test_billion_laughs_is_refused_not_expanded(tmp_path):
    copy = tmp_path / "bomb.xlsx"
    copy.write_bytes((HOSTILE / "poi__poc-xmlbomb_billion_laughs.xlsx").read_bytes())
    assert_refused(run_check(copy), "entity declarations")


def test_workbook_without_returns_tab(tmp_path):
    copy = tmp_path / "other.xlsx"
    copy.write_bytes((HOSTILE / "poi__DataValidations-49244.xlsx").read_bytes())
    assert_refused(run_check(copy), "no Returns tab found (tabs: 'Sheet1')")


def test_missing_file(tmp_path):
    assert_refused(run_check(tmp_path / "nope.xlsx"), "not found")


def test_not_a_zip(tmp_path):
    path = tmp_path / "returns.xlsx"
    path.write_text("Order ID,SKU\n1,A\n")
    assert_refused(run_check(path), "is not an Excel workbook")


def test_empty_file(tmp_path):
    path = tmp_path / "returns.xlsx"
    path.write_bytes(b"")
    assert_refused(run_check(path), "is empty")


def test_truncated_workbook(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", [basic_row()])
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    before = digest(path)
    assert_refused(run_check(path), "damaged or incomplete")
    assert digest(path) == before


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "returns.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert_refused(run_check(path), "not an Excel workbook")


def test_workbook_part_with_broken_xml(tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", [basic_row()])
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    assert_refused(run_check(path))


def test_returns_tab_without_sku_column(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [{"Order ID": "1"}], headers=["Order ID", "Customer"])
    assert_refused(run_check(path), "has no SKU column (headers found on row 1: Order ID, Customer)")


def test_csv_is_not_a_workbook(tmp_path):
    path = tmp_path / "returns.csv"
    path.write_text("Order ID,SKU\n")
    assert_refused(run_check(path), "is not an .xlsx or .xlsm workbook")


def test_json_mode_still_prints_one_object_on_failure(tmp_path):
    import json

    result = run_check(tmp_path / "nope.xlsx", "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False and "not found" in data["error"]

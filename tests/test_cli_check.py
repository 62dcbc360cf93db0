"""`sheetreturns check` through click's CliRunner: exact output shape and exit codes."""
import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from sheetreturns.cli import main
from sheetreturns.engine.model import Status

from .helpers import basic_row, write_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_clean_sheet_exits_0_and_counts_statuses(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    result = invoke("check", str(path), "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.stdout
    assert "Awaiting item" in result.stdout
    assert result.stdout.splitlines()[0] == "r.xlsx · Returns tab · 1 rows in 1 returns · as of 2026-11-26"


def test_problems_exit_1_and_are_listed_with_cell_and_return(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(Email="jo@")])
    result = invoke("check", str(path), "--as-of", "2026-11-26")
    assert result.exit_code == 1
    assert 'E2    R-00001  Email "jo@" is not an email address' in result.stdout


def test_json_prints_one_object_in_the_spec_shape(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(Email="jo@"), basic_row(**{"Return ID": "R-00002", "SKU": "B"})])
    result = invoke("check", str(path), "--as-of", "2026-11-26", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {"command", "ok", "as_of", "counts", "problems", "emails", "written"} <= set(data)
    assert data["command"] == "check" and data["ok"] is False and data["written"] is False
    assert data["as_of"] == "2026-11-26"
    assert data["counts"] == {"Awaiting item": 2}  # the bad address is a problem on its row, not a status
    assert data["problems"] == [{
        "return_id": "R-00001", "row": 2, "column": "Email", "cell": "E2", "code": "bad-email",
        "message": 'Email "jo@" is not an email address',
    }]


def test_check_writes_nothing(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(**{"Return ID": None, "Notified On": None})])
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    invoke("check", str(path), "--as-of", "2026-11-26")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_bad_as_of_is_a_usage_error(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    result = invoke("check", str(path), "--as-of", "26/11/2026")
    assert result.exit_code == 2
    assert "is not a date: use YYYY-MM-DD" in result.output


def test_source_from_config_file(tmp_path, monkeypatch):
    write_workbook(tmp_path / "shop.xlsx", [basic_row()])
    (tmp_path / "sheetreturns.toml").write_text('source = "shop.xlsx"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("shop.xlsx")


def test_no_source_anywhere_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    result = invoke("check")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no SOURCE given")


def test_unexpected_crash_is_one_line_without_debug_and_a_traceback_with_it(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("sheetreturns.loading.evaluate", boom)
    result = invoke("check", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: unexpected RuntimeError: disk on fire (run again with --debug for details)"
    result = invoke("check", str(path), "--debug")
    assert isinstance(result.exception, RuntimeError)


def test_the_example_shows_every_status():
    result = invoke("check", str(EXAMPLE), "--as-of", "2026-11-26", "--json")
    data = json.loads(result.stdout)
    assert set(data["counts"]) == {s.value for s in Status}
    assert result.exit_code == 1
    codes = {p["code"] for p in data["problems"]}
    assert {"bad-email", "missing-value", "bad-date", "duplicate-line", "future-date", "missing-email"} <= codes
    assert sum(data["counts"].values()) >= 40

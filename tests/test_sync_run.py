"""`sheetreturns sync` as a user sees it: the last line, the log in the state folder, --quiet, no bar off a terminal."""
from click.testing import CliRunner

from sheetreturns.cli import main


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_a_run_that_cannot_start_is_logged_with_its_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheetreturns.toml").write_text('source = "shop.xlsx"\nstate_dir = "state"\n')
    result = invoke("sync", "--quiet")
    assert result.exit_code == 2
    assert result.stdout == ""
    error = result.stderr.strip()
    assert error.startswith("Error: ") and "shop.xlsx" in error
    log = (tmp_path / "state" / "sheetreturns.log").read_text().splitlines()
    assert len(log) == 1
    assert log[0].endswith(f"  sync  shop.xlsx  error  {error.removeprefix('Error: ')}")

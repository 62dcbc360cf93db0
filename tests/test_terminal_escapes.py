"""Text from outside is inert in the terminal: escape sequences and line breaks in cells are shown as visible
escapes in problem tables and reports, and cannot clear the screen, fake output or break a table."""
from click.testing import CliRunner

from sheetreturns.cli import main
from sheetreturns.cli.render_text import one_line, visible

from .helpers import basic_row, write_workbook

CLEAR = "\x1b[2J\x1b[H"
CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
# How a file carries them: OOXML's _xHHHH_ escapes, which every reader turns back into the characters
IN_FILE = {"\x1b": "_x001B_", "\x07": "_x0007_", "\r": "_x000D_"}


def in_file(text):
    for char, escape in IN_FILE.items():
        text = text.replace(char, escape)
    return text


def test_finding_9_escape_sequences_and_line_breaks_in_cells_are_shown_not_obeyed(tmp_path):
    rows = [basic_row(**{"Return ID": in_file(f"R-1{CLEAR}"), "Order ID": in_file(f"1001{CLIPBOARD}"),
                         "Qty": in_file("two\r\nFAKE LINE"), "Email": in_file(f"not-an-address{CLEAR}")})]
    path = write_workbook(tmp_path / "returns.xlsx", rows)
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2026-11-26"])
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "\\x1b[2J" in out
    assert not any(line.startswith("FAKE LINE") for line in out.splitlines())
    problem_lines = [line for line in out.splitlines() if "\\x1b[2J" in line or "\\r\\n" in line]
    assert problem_lines and all(line.startswith("  ") for line in problem_lines)  # inside the table


def test_the_escaping_rules():
    assert visible(f"a{CLEAR}b\nc\td\u202e") == "a\\x1b[2J\\x1b[Hb\nc\\x09d\\u202e"
    assert one_line("two\r\nlines\x9b31m") == "two\\x0d\\x0alines\\x9b31m"

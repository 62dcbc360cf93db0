"""`sheetreturns init --google`: an existing Google Sheet set up with the same tabs as the Excel init."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sheetreturns import job
from sheetreturns.cli import main
from sheetreturns.columns import JOB_COLUMNS, SELLER_COLUMNS
from sheetreturns.errors import SheetReturnsError
from sheetreturns.gsheet.setup import init_google_sheet
from sheetreturns.policy import Policy, settings_rows
from sheetreturns.values import CHOICES
from tests.gsheet_support import cell_format, google_sheet, local_config, server  # noqa: F401 (fixture)
from tests.helpers import AS_OF, basic_row

HEADERS = [c.header for c in SELLER_COLUMNS + JOB_COLUMNS]


def test_init_turns_a_new_sheet_into_returns_settings_and_howto_tabs(server, tmp_path):
    key = server.create("Fern & Fig")  # as the seller made it: one empty "Sheet1"
    server.reset_counts()
    result = init_google_sheet(key, local_config(server, tmp_path))
    assert result.created == ["Returns", "Settings", "How-to"] and result.kept == []
    assert [s.title for s in server.book(key).sheets] == ["Returns", "Settings", "How-to"]
    assert server.values(key, "Returns") == [HEADERS]
    assert server.values(key, "Settings")[1:] == [list(r) if r[1] != "" else [r[0], "", r[2]]
                                                  for r in settings_rows(Policy())]
    assert "How to track returns" in server.values(key, "How-to")[0][0]
    assert [c.kind for c in server.api_calls()] == ["metadata", "values.batchGet", "batchUpdate"]


def test_the_returns_tab_has_dropdowns_formats_a_frozen_bold_header_and_status_colours(server, tmp_path):
    key = server.create("Fern & Fig")
    init_google_sheet(key, local_config(server, tmp_path))
    sheet = server.sheet(key, "Returns")
    assert sheet.props["gridProperties"]["frozenRowCount"] == 1
    assert cell_format(server, key, "Returns", 0, 0)["textFormat"]["bold"] is True
    for kind, options in CHOICES.items():
        col = next(i for i, c in enumerate(SELLER_COLUMNS) if c.kind == kind)
        rule = sheet.get_meta(5, col, "validation")
        assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == list(options)
        assert rule["condition"]["type"] == "ONE_OF_LIST" and rule["strict"] is True
    notified = HEADERS.index("Notified On")
    assert cell_format(server, key, "Returns", 9, notified)["numberFormat"]["type"] == "DATE"
    assert cell_format(server, key, "Returns", 9, HEADERS.index("Unit Price"))["numberFormat"]["pattern"] == '"£"#,##0.00'
    assert len(sheet.conditional_formats) == 12


def test_a_sheet_set_up_by_init_can_be_checked_and_synced(server, tmp_path):
    key = server.create("Fern & Fig")
    config = local_config(server, tmp_path)
    init_google_sheet(key, config)
    server.put_rows(key, "Returns", [["", "1001", "", "Jo", "jo@example.com", "MUG", "", 1, 24.99]], start_row=1)
    server.reset_counts()
    result = job.sync(f"gsheet:{key}", as_of=AS_OF, config=config)
    assert result.counts == {"Awaiting item": 1} and result.changes["columns_added"] == 0
    assert len(server.sheet(key, "Returns").conditional_formats) == 12  # sync did not add its own again


def test_init_never_overwrites_a_returns_tab_with_content(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    before = server.values(key, "Returns")
    with pytest.raises(SheetReturnsError, match="already has a 'Returns' tab with content: .* nothing was changed"):
        init_google_sheet(key, local_config(server, tmp_path))
    assert server.values(key, "Returns") == before and server.count("batchUpdate") == 0


def test_init_keeps_a_filled_settings_tab_and_adds_what_is_missing(server, tmp_path):
    key = server.create("Fern & Fig")
    server.put_rows(key, "Settings", [["Setting", "Value"], ["store_name", "Fern & Fig"]])
    result = init_google_sheet(key, local_config(server, tmp_path))
    assert (result.created, result.kept) == (["Returns", "How-to"], ["Settings"])
    assert server.values(key, "Settings") == [["Setting", "Value"], ["store_name", "Fern & Fig"]]
    assert server.values(key, "Returns") == [HEADERS]


def test_init_command_with_google_prints_what_it_set_up(server, tmp_path):
    key = server.create("Fern & Fig")
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'[google]\nendpoint = "{server.url}"\n')
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit"
    done = CliRunner().invoke(main, ["init", "--google", url, "--config", str(toml)])
    assert done.exit_code == 0, done.output
    assert done.output == f"Set up Returns, Settings, How-to in Fern & Fig ({url}).\n"
    again = CliRunner().invoke(main, ["init", "--google", f"gsheet:{key}", "--config", str(toml), "--json"])
    assert again.exit_code == 2 and json.loads(again.output.splitlines()[0])["ok"] is False
    assert again.output.splitlines()[-1].startswith("Error: the Google Sheet 'Fern & Fig' already has a 'Returns' tab")

"""`sheetreturns init --google`: an existing Google Sheet set up with the same tabs as the Excel init."""
from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from sheetreturns import api
from sheetreturns.sheet import starter_content
from sheetreturns.cli import main
from sheetreturns.errors import SheetReturnsError
from sheetreturns.google_sheets.new_sheet import init_google_sheet
from sheetreturns.excel.new_workbook import create_workbook
from sheetreturns.engine.policy import Policy
from tests.gsheet_support import cell_format, google_sheet, local_config
from tests.helpers import AS_OF, basic_row

HEADERS = [c.header for c in starter_content.columns()]
TODAY = date(2026, 11, 26)


def setup(server, key, tmp_path, **kwargs):
    return init_google_sheet(key, local_config(server, tmp_path), today=TODAY, **kwargs)


@pytest.mark.network
@pytest.mark.slow
def test_init_turns_a_new_sheet_into_the_returns_howto_and_settings_tabs(server, tmp_path):
    key = server.create("Fern & Fig")  # as the seller made it: one empty "Sheet1"
    server.reset_counts()
    result = setup(server, key, tmp_path)
    assert (result.created, result.kept, result.columns, result.example_rows) == (
        ["Returns", "How-to", "Settings"], [], len(HEADERS), len(starter_content.example_lines(TODAY, Policy())))
    assert [s.title for s in server.book(key).sheets] == ["Returns", "How-to", "Settings"]
    assert server.values(key, "Returns")[0] == HEADERS
    assert [row[0] for row in server.values(key, "Settings")[1:]] == [r[0] for r in starter_content.settings_table(Policy())]
    assert [c.kind for c in server.api_calls()] == ["metadata", "values.batchGet", "batchUpdate"]


@pytest.mark.network
@pytest.mark.slow
def test_the_google_sheet_and_the_xlsx_from_init_give_the_same_check(server, tmp_path):
    key = server.create("Fern & Fig")
    setup(server, key, tmp_path)
    xlsx = create_workbook(tmp_path / "returns.xlsx", today=TODAY).path
    google = api.check(f"gsheet:{key}", as_of=TODAY, config=local_config(server, tmp_path))
    excel = api.check(xlsx, as_of=TODAY, config=local_config(server, tmp_path))
    assert google.counts == excel.counts and google.rows == excel.rows == 4
    assert [p.as_dict() for p in google.problems] == [p.as_dict() for p in excel.problems]


@pytest.mark.network
def test_the_returns_tab_has_dropdowns_formats_a_frozen_header_with_notes_and_status_colours(server, tmp_path):
    key = server.create("Fern & Fig")
    setup(server, key, tmp_path)
    sheet = server.sheet(key, "Returns")
    grid = sheet.props["gridProperties"]
    assert (grid["frozenRowCount"], grid["frozenColumnCount"]) == (1, 2)
    assert cell_format(server, key, "Returns", 0, 0)["textFormat"]["bold"] is True
    assert sheet.get_meta(0, HEADERS.index("Order ID"), "note") == starter_content.COLUMN_HELP["order_id"]
    for col_key, (choices, _) in starter_content.DROPDOWNS.items():
        rule = sheet.get_meta(40, [c.key for c in starter_content.columns()].index(col_key), "validation")
        assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == list(choices)
    assert cell_format(server, key, "Returns", 9, HEADERS.index("Notified On"))["numberFormat"]["type"] == "DATE"
    assert cell_format(server, key, "Returns", 9, HEADERS.index("Unit Price"))["numberFormat"]["pattern"] == '"£"#,##0.00;-"£"#,##0.00'
    assert cell_format(server, key, "Returns", 9, HEADERS.index("Order ID"))["numberFormat"] == {"type": "TEXT"}
    assert len(sheet.conditional_formats) == 12


@pytest.mark.network
@pytest.mark.slow
def test_a_sheet_set_up_by_init_syncs_without_adding_columns_or_colours(server, tmp_path):
    key = server.create("Fern & Fig")
    config = local_config(server, tmp_path)
    setup(server, key, tmp_path)
    server.put_rows(key, "Returns", [["", "1001", "", "Jo", "jo@example.com", "MUG", "", 1, 24.99]], start_row=5)
    result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config)
    assert result.changes["columns_added"] == 0 and result.counts["Awaiting item"] == 1
    assert len(server.sheet(key, "Returns").conditional_formats) == 12


@pytest.mark.network
def test_init_never_overwrites_a_returns_tab_with_content(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    before = server.values(key, "Returns")
    with pytest.raises(SheetReturnsError, match="already has a 'Returns' tab with content: .* nothing was changed"):
        setup(server, key, tmp_path)
    assert server.values(key, "Returns") == before and server.count("batchUpdate") == 0


@pytest.mark.network
def test_init_keeps_a_filled_settings_tab_and_sets_up_the_rest(server, tmp_path):
    key = server.create("Fern & Fig")
    server.put_rows(key, "Settings", [["Setting", "Value"], ["store_name", "Fern & Fig"]])
    result = setup(server, key, tmp_path, policy=Policy(store_name="Ignored"))
    assert (result.created, result.kept) == (["Returns", "How-to"], ["Settings"])
    assert server.values(key, "Settings") == [["Setting", "Value"], ["store_name", "Fern & Fig"]]
    assert server.values(key, "Returns")[0] == HEADERS


@pytest.mark.network
def test_the_howto_tab_speaks_of_a_google_sheet(server, tmp_path):
    key = server.create("Fern & Fig")
    setup(server, key, tmp_path)
    text = " ".join(str(v) for row in server.values(key, "How-to") for v in row)
    assert "Status" in text and "Refund due" in text
    assert "Excel" not in text and "workbook" not in text and "Lists tab" not in text


@pytest.mark.network
@pytest.mark.slow
def test_init_command_with_google_prints_what_it_set_up(server, tmp_path):
    key = server.create("Fern & Fig")
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'[google]\nendpoint = "{server.url}"\n')
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit"
    done = CliRunner().invoke(main, ["init", "--google", url, "--config", str(toml), "--store-name", "Fern & Fig"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0] == (f"Set up Returns, How-to, Settings in Fern & Fig (a Returns tab with "
                                           f"{len(HEADERS)} columns and 4 example rows): {url}")
    assert ["store_name", "Fern & Fig"] == server.values(key, "Settings")[1][:2]
    again = CliRunner().invoke(main, ["init", "--google", f"gsheet:{key}", "--config", str(toml)])
    assert again.exit_code == 2
    assert again.output.strip().startswith("Error: the Google Sheet 'Fern & Fig' already has a 'Returns' tab")


@pytest.mark.network
@pytest.mark.slow
def test_excel_and_google_init_draw_with_one_palette_and_one_set_of_number_formats(server, tmp_path):
    from openpyxl import load_workbook

    from sheetreturns.sheet import palette

    key = server.create("Fern & Fig")
    setup(server, key, tmp_path)
    ws = load_workbook(create_workbook(tmp_path / "returns.xlsx", today=TODAY).path)["Returns"]

    def google_hex(colour: dict) -> str:
        return "".join(f"{round(colour.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))

    for header in ("Order ID", "Status"):  # a seller column and a job column
        column = HEADERS.index(header)
        google = cell_format(server, key, "Returns", 0, column)
        excel = ws.cell(1, column + 1)
        assert google_hex(google["backgroundColor"]) == excel.fill.fgColor.rgb[-6:]
        assert google_hex(google["textFormat"]["foregroundColor"]) == excel.font.color.rgb[-6:]
    for header in ("Notified On", "Unit Price", "Qty"):
        column = HEADERS.index(header)
        assert cell_format(server, key, "Returns", 9, column)["numberFormat"]["pattern"] == \
            ws.column_dimensions[ws.cell(1, column + 1).column_letter].number_format
    google_rules = {r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]: google_hex(r["booleanRule"]["format"]["backgroundColor"])
                    for r in server.sheet(key, "Returns").conditional_formats}
    excel_rules = {rule.formula[0].strip('"'): rule.dxf.fill.fgColor.rgb[-6:]
                   for ranges in ws.conditional_formatting for rule in ranges.rules}
    assert google_rules == excel_rules == palette.STATUS_COLOURS

"""`init` and `init --google` draw one description of the new sheet (starter_tabs.describe): the .xlsx read back
with openpyxl and the Google Sheet read back from the local Sheets API server carry the same tabs, header
cells, column formats, dropdowns, status colours, notes, widths and frozen panes as that description."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from sheetreturns import api
from sheetreturns.engine.policy import Policy
from sheetreturns.sheet import palette
from sheetreturns.sheet.starter_tabs import describe
from sheetreturns.sheet.tab_model import value_of
from tests.gsheet_support import local_config

pytestmark = [pytest.mark.network, pytest.mark.slow]

TODAY = date(2026, 11, 26)
POLICY = Policy(store_name="Fern & Fig", currency="EUR")
SHEET = describe(TODAY, POLICY)  # built once: both spreadsheets are checked against it
NUMBER_FORMATS = {"date": palette.DATE_FORMAT, "money": palette.money_format(POLICY.currency_symbol),
                  "count": palette.COUNT_FORMAT, "code": palette.TEXT_FORMAT}
FIRST_BLANK_ROW = 10  # a row below the examples, as a seller types it later
LATER_ROWS = (FIRST_BLANK_ROW, 1000)  # 1000: the last row of a new Google Sheet (Excel's reach to 1048576)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The .xlsx made by `init` and the Google Sheet made by `init --google`, with the same shop and currency."""
    from tests.sheets_api_server import SheetsServer

    folder = tmp_path_factory.mktemp("init")
    with SheetsServer() as server:
        key = server.create("Fern & Fig")
        api.create_sheet(google=f"gsheet:{key}", store_name="Fern & Fig", currency="EUR",
                         config=local_config(server, folder), today=TODAY)
        xlsx = api.create_sheet(folder / "returns.xlsx", store_name="Fern & Fig", currency="EUR", today=TODAY).path
        yield load_workbook(xlsx), server, key


def hex_of(colour: dict) -> str:
    return "".join(f"{round(colour.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


def excel_choices(wb, ws, row: int, column: int) -> tuple[list[str], bool]:
    """The choices of the validation covering a cell (inline or through a named range), and whether it warns."""
    coordinate = f"{get_column_letter(column)}{row}"
    (dv,) = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert dv.type == "list"
    if dv.formula1.startswith('"'):
        return dv.formula1.strip('"').split(","), bool(dv.showErrorMessage)
    tab, cells = wb.defined_names[dv.formula1].attr_text.split("!")
    return [c.value for line in wb[tab.strip("'")][cells.replace("$", "")] for c in line], bool(dv.showErrorMessage)


def test_the_same_tabs_in_the_same_order(made):
    wb, server, key = made
    assert wb.sheetnames == [t.title for t in SHEET.tabs]
    shown = [t.title for t in SHEET.tabs if not t.hidden]
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == shown
    # The hidden Lists tab is the .xlsx's alone (describe(google=True) leaves it out): Google keeps choices in the rule.
    assert [s.title for s in server.book(key).sheets] == shown
    assert wb.active.title == "Returns"


@pytest.mark.parametrize("title", ["Returns", "Settings"])
def test_the_same_header_cells_with_the_same_colours(made, title):
    wb, server, key = made
    tab, ws, sheet = SHEET.tab(title), wb[title], server.sheet(key, title)
    header = [value_of(cell) for cell in tab.rows[0]]
    assert [c.value for c in ws[1]] == server.values(key, title)[0] == header
    for column in range(1, len(header) + 1):
        google, excel = sheet.get_meta(0, column - 1, "format"), ws.cell(1, column)
        assert google["textFormat"]["bold"] is True and excel.font.bold is True
        assert hex_of(google["backgroundColor"]) == excel.fill.fgColor.rgb[-6:]
        text_colour = google["textFormat"].get("foregroundColor")
        assert (hex_of(text_colour) if text_colour else "000000") == (excel.font.color.rgb[-6:] if excel.font.color else "000000")


def test_the_settings_rows_are_the_same(made):
    wb, server, key = made
    rows = [[value_of(cell) for cell in row] for row in SHEET.tab("Settings").rows]
    excel = [[c.value for c in line] for line in wb["Settings"].iter_rows()]
    google = server.values(key, "Settings")
    assert excel == [[v if v != "" else None for v in row] for row in rows]
    assert google == [[v for v in row] for row in rows]
    assert ["store_name", "Fern & Fig"] == google[1][:2] and ["currency", "EUR"] == google[2][:2]


def test_the_same_number_formats_and_fills_on_rows_typed_later(made):
    wb, server, key = made
    tab, ws, sheet = SHEET.tab("Returns"), wb["Returns"], server.sheet(key, "Returns")
    assert {body.number for body in tab.bodies.values()} == set(NUMBER_FORMATS) | {None}
    for (column, body), row in ((item, row) for item in tab.bodies.items() for row in LATER_ROWS):
        google = sheet.get_meta(row - 1, column - 1, "format")
        excel = ws.column_dimensions[get_column_letter(column)]
        if body.number:
            assert excel.number_format == NUMBER_FORMATS[body.number]
            pattern = google["numberFormat"].get("pattern") or {"TEXT": "@"}[google["numberFormat"]["type"]]
            assert pattern == excel.number_format
            assert ws.cell(2, column).number_format == excel.number_format  # the example rows too
        if body.fill:
            assert hex_of(google["backgroundColor"]) == excel.fill.fgColor.rgb[-6:] == body.fill
        else:
            assert "backgroundColor" not in google and not excel.fill.fill_type


@pytest.mark.parametrize("title", ["Returns", "Settings"])
def test_the_same_dropdowns_with_the_same_choices(made, title):
    wb, server, key = made
    tab, ws, sheet = SHEET.tab(title), wb[title], server.sheet(key, title)
    assert tab.dropdowns
    for dropdown in tab.dropdowns:
        for row in {dropdown.first_row, *((dropdown.last_row,) if dropdown.last_row else LATER_ROWS)}:
            choices, warns = excel_choices(wb, ws, row, dropdown.column)
            rule = sheet.get_meta(row - 1, dropdown.column - 1, "validation")
            assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == choices == list(dropdown.choices)
            assert warns is dropdown.strict is ("inputMessage" in rule)
    covered = {r.min_col for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
    assert covered == {d.column for d in tab.dropdowns}


def test_the_same_status_colour_rules_on_the_same_column(made):
    wb, server, key = made
    column, first_row = SHEET.tab("Returns").status_colours
    letter = get_column_letter(column)
    excel = {}
    for ranges in wb["Returns"].conditional_formatting:
        assert str(ranges.sqref) == f"{letter}{first_row}:{letter}1048576"
        for rule in ranges.rules:
            excel[rule.formula[0].strip('"')] = rule.dxf.fill.fgColor.rgb[-6:]
    google = {}
    for rule in server.sheet(key, "Returns").conditional_formats:
        (grid,) = rule["ranges"]
        assert (grid["startColumnIndex"], grid["endColumnIndex"], grid["startRowIndex"]) == (column - 1, column, first_row - 1)
        google[rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"]] = hex_of(rule["booleanRule"]["format"]["backgroundColor"])
    assert excel == google == palette.STATUS_COLOURS


@pytest.mark.parametrize("title", ["Returns", "How-to", "Settings"])
def test_the_same_widths_and_frozen_panes(made, title):
    wb, server, key = made
    tab, ws, sheet = SHEET.tab(title), wb[title], server.sheet(key, title)
    for column, width in tab.widths.items():
        assert ws.column_dimensions[get_column_letter(column)].width == width
        assert sheet.column_meta[column - 1]["pixelSize"] == round(width * 7 + 5)
    grid = sheet.props["gridProperties"]
    assert (grid.get("frozenRowCount", 0), grid.get("frozenColumnCount", 0)) == (tab.freeze_rows, tab.freeze_columns)
    frozen = f"{get_column_letter(tab.freeze_columns + 1)}{tab.freeze_rows + 1}"
    assert ws.freeze_panes == (frozen if frozen != "A1" else None)


def test_each_column_header_carries_the_same_note(made):
    wb, server, key = made
    tab, ws, sheet = SHEET.tab("Returns"), wb["Returns"], server.sheet(key, "Returns")
    assert len(tab.notes) == len(tab.rows[0])
    for (row, column), text in tab.notes.items():
        assert ws.cell(row, column).comment.text == sheet.get_meta(row - 1, column - 1, "note") == text


def test_the_example_rows_hold_the_same_values(made):
    wb, server, key = made
    from openpyxl.utils.datetime import to_excel

    excel = [[to_excel(c.value) if hasattr(c.value, "year") else c.value for c in line]
             for line in wb["Returns"].iter_rows(min_row=2)]
    google = server.values(key, "Returns")[1:]
    assert len(excel) == len(google) == SHEET.example_rows
    for left, right in zip(excel, google):
        right = right + [""] * (len(left) - len(right))
        assert [v if v is not None else "" for v in left] == right


def excel_look(cell) -> dict:
    font, alignment = cell.font, cell.alignment
    colour = font.color.rgb[-6:] if font.color is not None and isinstance(font.color.rgb, str) else "000000"
    return {"bold": bool(font.b), "italic": bool(font.i), "size": font.sz if font.sz not in (None, 11) else None,
            "colour": colour, "fill": cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else None,
            "vertical": {"center": "MIDDLE", "top": "TOP"}.get(alignment.vertical), "wrap": bool(alignment.wrap_text)}


def google_look(fmt: dict, style: str) -> dict:
    text = fmt.get("textFormat", {})
    look = {"bold": bool(text.get("bold")), "italic": bool(text.get("italic")), "size": text.get("fontSize"),
            "colour": hex_of(text["foregroundColor"]) if text.get("foregroundColor") else "000000",
            "fill": hex_of(fmt["backgroundColor"]) if "backgroundColor" in fmt else None,
            "vertical": fmt.get("verticalAlignment"), "wrap": fmt.get("wrapStrategy") == "WRAP"}
    if style == "header":
        # A table header wraps, bottom-aligned, in Google; Excel's header (as on the Summary) does not wrap,
        # since Excel would not grow the row to fit.
        look.update(vertical=None, wrap=False)
    return look


def test_each_style_looks_the_same_in_both(made):
    """Every style used on the new sheet: font, size, colours, fill, alignment and wrapping alike."""
    wb, server, key = made
    google_sheet = describe(TODAY, POLICY, google=True)
    compared = set()
    for tab in SHEET.tabs:
        if tab.hidden:
            continue
        places = {}
        for described in (tab, google_sheet.tab(tab.title)):
            for r, row in enumerate(described.rows, start=1):
                for c, cell in enumerate(row, start=1):
                    style = getattr(cell, "style", None)
                    if style and value_of(cell) is not None and (style, described is tab) not in places:
                        places[(style, described is tab)] = (r, c)
        for (style, in_excel), (r, c) in places.items():
            if not in_excel:
                continue
            gr, gc = places[(style, False)]
            google = google_look(server.sheet(key, tab.title).get_meta(gr - 1, gc - 1, "format") or {}, style)
            assert excel_look(wb[tab.title].cell(r, c)) == google, (tab.title, style)
            compared.add(style)
    assert compared >= {"title", "heading", "header", "wrap", "seller_header", "job_header", "example"}

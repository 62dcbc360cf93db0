"""render_tab: a generated Tab drawn into a fresh openpyxl workbook, read back by openpyxl and by our reader."""
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.summary import summary_tab
from sheetreturns.sheet.tab_model import STATUS_COLOURS, ChartSpec, Series, Styled, Tab, value_of
from sheetreturns.excel.reader import XlsxWorkbook
from sheetreturns.excel.draw_tab import money_format, render_tab

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


def draw(tab: Tab, path: Path, symbol: str = "£") -> Path:
    wb = Workbook()
    render_tab(tab, wb.active, symbol)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def example_summary(tmp_path_factory):
    loaded = loading.load(str(EXAMPLE), date(2026, 11, 26), Config())
    loaded.workbook.close()
    tab = summary_tab(loaded.evaluation, loaded.policy, datetime(2026, 11, 26, 7, 30))
    return tab, draw(tab, tmp_path_factory.mktemp("summary") / "summary.xlsx")


@pytest.mark.slow
def test_values_read_back_by_our_reader_equal_the_tab(example_summary):
    tab, path = example_summary
    with XlsxWorkbook(path) as book:
        assert book.titles == ["Summary"]
        rows = list(book.iter_rows("Summary"))
    for number, cells in enumerate(tab.rows):
        for column, cell in enumerate(cells):
            want = value_of(cell)
            got = rows[number][column] if column < len(rows[number]) else None
            if want is None:
                assert got in (None, ""), (number + 1, column + 1)
            elif isinstance(want, float):
                assert got == pytest.approx(want, rel=1e-12), (number + 1, column + 1)
            else:
                assert got == want, (number + 1, column + 1)


@pytest.mark.slow
def test_styles_become_fonts_fills_and_number_formats(example_summary):
    tab, path = example_summary
    ws = load_workbook(path)["Summary"]
    assert ws["A1"].font.b and ws["A1"].font.sz == 16
    assert ws["A2"].font.i
    by_label = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    refund_due = by_label["Refund due"]
    assert ws.cell(refund_due, 1).fill.fgColor.rgb.endswith(STATUS_COLOURS["Refund due"])
    assert ws.cell(refund_due, 4).number_format == '"£"#,##0.00;-"£"#,##0.00'
    assert ws.cell(by_label["Need your action now"], 3).font.color.rgb.endswith("9C0006")  # alert, as in Google
    share = next(ws.cell(r, 4) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Changed mind")
    assert share.number_format == "0%"
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Figure")
    assert ws.cell(header, 1).font.b and ws.cell(header, 1).fill.fgColor.rgb.endswith("D9E1F2")
    assert ws.cell(header, 3).alignment.horizontal == "right"  # over a column of numbers


def test_widths_freeze_and_page_setup(example_summary):
    tab, path = example_summary
    ws = load_workbook(path)["Summary"]
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width == tab.widths[1]
    assert ws.column_dimensions["B"].width == tab.widths[2]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_charts_are_native_bar_and_line_charts_over_the_tab_cells(example_summary):
    tab, path = example_summary
    bar, line = tab.charts
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = [z.read(n).decode() for n in charts]
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert len(xml) == 2
    bar_xml = next(x for x in xml if re.search("<(c:)?barChart>", x))
    assert re.search('<(c:)?barDir val="bar"/>', bar_xml)
    assert f"'Summary'!$C${bar.first_row}:$C${bar.last_row}" in bar_xml
    assert f"'Summary'!$A${bar.first_row}:$A${bar.last_row}" in bar_xml
    line_xml = next(x for x in xml if re.search("<(c:)?lineChart>", x))
    assert f"'Summary'!$B${line.first_row}:$B${line.last_row}" in line_xml
    assert f"'Summary'!$C${line.first_row}:$C${line.last_row}" in line_xml
    assert len(re.findall(r"<(c:)?valAx>", line_xml)) == 2  # refunds on a second axis
    column = ord(bar.anchor[0]) - ord("A")
    anchor = re.search(r"<(?:xdr:)?from><(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?<(?:xdr:)?row>(\d+)</", drawing)
    assert (int(anchor[1]), int(anchor[2])) == (column, int(bar.anchor[1:]) - 1)


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+44 7700 900123", "-broken on arrival", "@home"])
def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path, text):
    tab = Tab("Summary")
    tab.add(text, Styled(text, "text"), Styled(text, "alert"))
    path = draw(tab, tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == [text] * 3
    assert all(c.data_type == "s" for c in ws[1])
    with XlsxWorkbook(path) as book:
        assert list(book.iter_rows("Summary"))[0] == [text] * 3


def test_money_uses_the_policy_currency_and_control_characters_are_dropped(tmp_path):
    tab = Tab("Summary")
    tab.add(Styled(12.5, "money"), "bad\x0bchars", Styled(float("nan"), "percent"))
    ws = load_workbook(draw(tab, tmp_path / "m.xlsx", "€")).active
    assert ws["A1"].number_format == '"€"#,##0.00;-"€"#,##0.00'
    assert ws["B1"].value == "badchars"
    assert ws["C1"].value is None
    assert money_format("A$") == '"A$"#,##0.00;-"A$"#,##0.00'


def test_a_single_series_chart_has_no_legend_and_a_two_axis_chart_has_one(tmp_path):
    tab = Tab("Summary")
    for month, n, money in [("2026-01", 3, 10.0), ("2026-02", 5, 20.0)]:
        tab.add(month, n, money)
    tab.charts.append(ChartSpec("bar", "Counts", 1, 1, 2, (Series("n", 2, 1, 2),), anchor="E1"))
    tab.charts.append(ChartSpec("line", "Both", 1, 1, 2, (Series("n", 2, 1, 2), Series("£", 3, 1, 2, axis="right")),
                                anchor="E20"))
    path = draw(tab, tmp_path / "c.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    assert not re.search("<(c:)?legend>", xml[0]) and re.search("<(c:)?legend>", xml[1])


def test_unstyled_dates_and_times_still_show_as_dates_and_decimals_as_numbers(tmp_path):
    from decimal import Decimal

    tab = Tab("Email Log")
    tab.add(datetime(2026, 11, 26, 7, 30), date(2026, 11, 26), Decimal("24.99"))
    ws = load_workbook(draw(tab, tmp_path / "d.xlsx")).active
    assert [c.number_format for c in ws[1][:2]] == ["yyyy-mm-dd hh:mm", "yyyy-mm-dd"]
    assert ws["A1"].value == datetime(2026, 11, 26, 7, 30) and ws["C1"].value == 24.99

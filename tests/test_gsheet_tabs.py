"""Generated tabs on a Google Sheet look like the Excel ones: bold frozen header, widths, status colours, charts."""
from __future__ import annotations

import pytest
from datetime import date, datetime
from decimal import Decimal

from sheetreturns import api, loading
from sheetreturns.sheet.write_plan import build_plan
from sheetreturns.sheet.tab_model import STATUS_COLOURS, ChartSpec, Series, Styled, Tab
from tests.gsheet_support import cell_format, google_sheet, local_config
from tests.helpers import AS_OF, basic_row

NOW = datetime(2026, 11, 26, 9, 30)


def hex_of(colour: dict) -> str:
    return "".join(f"{round(colour.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


def trend_tab(months: int = 3) -> Tab:
    tab = Tab("Summary", widths={1: 28, 2: 12}, freeze_rows=2)
    tab.add(Styled("Fern & Fig: returns summary", "title"))
    tab.add(Styled("As of 2026-11-26", "subtitle"))
    tab.add(Styled("Month", "header"), Styled("Returns", "header"), Styled("Refunded", "header"))
    first = len(tab.rows) + 1
    for m in range(months):
        tab.add(Styled(date(2026 + (8 + m) // 12, (8 + m) % 12 + 1, 1), "date"), Styled(10 + m, "int"), Styled(Decimal("24.99") * m, "money"))
    tab.add(Styled("Refund due", "status"), Styled("=not a formula", "text"), Styled(0.25, "percent"))
    tab.add(Styled("Defect in most returns: pull remaining stock and check", "alert"))
    last = first + months - 1
    tab.charts.append(ChartSpec("line", "Returns by month", 1, first, last, (Series("Returns", 2, first, last),),
                                anchor="E3", y_title="Returns"))
    return tab


def write_tabs(server, key, tmp_path, *tabs):
    config = local_config(server, tmp_path)
    loaded = loading.load(f"gsheet:{key}", AS_OF, config)
    plan = build_plan(loaded.tab, loaded.header, loaded.evaluation, tabs=list(tabs))
    report = loaded.workbook.apply(plan, dry_run=False)
    loaded.workbook.close()
    return report


@pytest.mark.network
def test_a_generated_tab_is_created_with_its_values_styles_widths_and_frozen_rows(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    server.reset_counts()
    write_tabs(server, key, tmp_path, trend_tab())
    sheet = server.sheet(key, "Summary")
    values = server.values(key, "Summary")
    assert values[0] == ["Fern & Fig: returns summary"]
    assert values[3] == [46266, 10, 0] and values[6] == ["Refund due", "=not a formula", 0.25]
    assert sheet.props["gridProperties"]["frozenRowCount"] == 2
    assert cell_format(server, key, "Summary", 0, 0)["textFormat"]["bold"] is True
    header = cell_format(server, key, "Summary", 2, 0)
    assert header["textFormat"]["bold"] is True and hex_of(header["backgroundColor"]) == "D9E1F2"
    assert cell_format(server, key, "Summary", 3, 0)["numberFormat"] == {"type": "DATE", "pattern": "yyyy-mm-dd"}
    assert cell_format(server, key, "Summary", 4, 2)["numberFormat"]["pattern"] == '"£"#,##0.00;-"£"#,##0.00'
    assert hex_of(cell_format(server, key, "Summary", 6, 0)["backgroundColor"]) == STATUS_COLOURS["Refund due"]
    assert sheet.get_meta(6, 1, "formula") is None
    assert sheet.column_meta[0]["pixelSize"] == 28 * 7 + 5
    assert server.count("batchUpdate") == 1


@pytest.mark.network
@pytest.mark.slow
def test_a_chart_is_drawn_from_the_tab_and_replaced_not_added_on_the_next_run(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    write_tabs(server, key, tmp_path, trend_tab())
    write_tabs(server, key, tmp_path, trend_tab())
    charts = server.sheet(key, "Summary").charts
    assert len(charts) == 1
    spec = charts[0]["spec"]["basicChart"]
    assert (charts[0]["spec"]["title"], spec["chartType"], spec["headerCount"]) == ("Returns by month", "LINE", 1)
    assert spec["series"][0]["series"]["sourceRange"]["sources"][0]["startColumnIndex"] == 1
    assert charts[0]["position"]["overlayPosition"]["anchorCell"]["columnIndex"] == 4


@pytest.mark.network
def test_a_regenerated_tab_leaves_nothing_of_its_old_content(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    write_tabs(server, key, tmp_path, trend_tab(months=12))
    write_tabs(server, key, tmp_path, trend_tab(months=1))
    values = server.values(key, "Summary")
    assert len(values) == 6 and values[-1] == ["Defect in most returns: pull remaining stock and check"]
    assert cell_format(server, key, "Summary", 8, 0) == {}


@pytest.mark.network
@pytest.mark.slow
def test_the_status_column_of_the_returns_tab_is_coloured_by_status_once(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    config = local_config(server, tmp_path)
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW)
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW)
    rules = server.sheet(key, "Returns").conditional_formats
    status_col = server.values(key, "Returns")[0].index("Status")
    colours = {r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]: hex_of(r["booleanRule"]["format"]["backgroundColor"])
               for r in rules}
    assert colours == STATUS_COLOURS and len(rules) == len(STATUS_COLOURS)
    assert all(r["ranges"][0]["startColumnIndex"] == status_col and r["ranges"][0]["startRowIndex"] == 1 for r in rules)


@pytest.mark.network
@pytest.mark.slow
def test_the_summary_tab_from_sync_holds_every_value_and_chart_of_the_summary(server, tmp_path):
    from sheetreturns.google_sheets.draw_tab import cell_value
    from sheetreturns.summary import summary_tab
    from sheetreturns.sheet.tab_model import value_of

    key = google_sheet(server, [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "1002",
                                                          "Received On": date(2026, 11, 24), "Condition": "Defective"})])
    config = local_config(server, tmp_path)
    api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=NOW)
    loaded = loading.load(f"gsheet:{key}", AS_OF, config)
    loaded.workbook.close()
    expected = summary_tab(loaded.evaluation, loaded.policy, NOW)
    got = server.values(key, "Summary")
    for r, row in enumerate(expected.rows):
        for c, cell in enumerate(row):
            want = cell_value(value_of(cell))
            have = got[r][c] if r < len(got) and c < len(got[r]) else ""
            assert have == next(iter(want.values()), ""), (r, c)
    assert len(server.sheet(key, "Summary").charts) == len(expected.charts) > 0


@pytest.mark.network
def test_a_tab_named_in_another_case_is_reused_not_duplicated(server, tmp_path):
    key = google_sheet(server, [basic_row()])
    server.put_rows(key, "summary", [["old notes"]])
    write_tabs(server, key, tmp_path, trend_tab())
    assert [s.title for s in server.book(key).sheets] == ["Returns", "Summary"]
    assert server.values(key, "Summary")[0] == ["Fern & Fig: returns summary"]

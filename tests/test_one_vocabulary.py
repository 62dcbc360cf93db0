"""Import and the sheet reader share one layout vocabulary: a marketplace download imported as a report, and the
same download opened as the sheet, say the same about each return."""
from __future__ import annotations

import csv
from datetime import date

import pytest

from sheetreturns import api
from sheetreturns.engine import layouts as sheet_layouts
from sheetreturns.imports import layouts as report_layouts
from sheetreturns.settings.config_file import Config
from tests import marketplace_sheets as sheets
from tests.helpers import write_workbook

AS_OF = date(2026, 11, 30)
SHARED = [
    ("amazon_fba_returns", sheets.AMAZON_FBA_RETURNS, "fba-returns.txt", "\t"),
    ("amazon_mfn_returns", sheets.AMAZON_MFN_RETURNS, "mfn-returns.csv", ","),
    ("shopify_orders", sheets.SHOPIFY_ORDERS, "orders_export.csv", ","),
]


def said(result) -> dict[tuple[str, str], tuple]:
    """(order, SKU) -> what the rows say: Reason, Condition, Damage By, Decision, the Reason Category, and the
    cells both read through the layout's one table of columns (product, quantity, customer, email, price)."""
    return {(line.order_id, line.sku): (line.reason, line.condition, line.damage_by, line.decision,
                                        outcome.reason_category, line.product, line.qty, line.customer, line.email,
                                        line.unit_price)
            for line, outcome in zip(result.evaluation.lines, result.evaluation.outcomes)}


def test_every_layout_a_sheet_can_be_is_recognised_by_import_as_the_sheet_reader_recognises_it():
    for name, table, _, _ in SHARED:
        header = sheets.table(table)[0]
        assert sheet_layouts.recognise(header).name == name
        found = report_layouts.recognise([[c or "" for c in header]])
        assert found is not None and found.layout.sheet_layout.name == name
    assert {layout.sheet_layout.name for layout in report_layouts.LAYOUTS if layout.sheet_layout} == \
        {name for name, *_ in SHARED}


@pytest.mark.parametrize("name,table,file_name,delimiter", SHARED, ids=[s[0] for s in SHARED])
def test_a_report_row_imported_says_what_the_same_row_read_as_a_sheet_says(tmp_path, name, table, file_name,
                                                                           delimiter):
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state")
    opened = sheets.write_sheet(tmp_path / "download.xlsx", table, numbers=False)
    as_sheet = api.check(opened, as_of=AS_OF, config=config)
    assert as_sheet.columns["layout"] == name

    report = tmp_path / file_name
    with report.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([[c or "" for c in row] for row in sheets.table(table)])
    ours = write_workbook(tmp_path / "returns.xlsx", [])
    imported = api.import_reports([report], ours, config=config)
    assert imported.rows_added and not any(f.not_understood for f in imported.files)
    as_imported = said(api.check(ours, as_of=AS_OF, config=config))

    on_sheet = said(as_sheet)
    assert as_imported and set(as_imported) <= set(on_sheet)
    for key, values in as_imported.items():
        assert values == on_sheet[key], key
    if name != "shopify_orders":  # Shopify's export has no reason or condition to compare
        assert any(values[0] for values in as_imported.values())

"""Sellers' sheets as they already are: each marketplace download is checked and synced with no renaming.

Every file is built from its marketplace's real header row (tests/marketplace_sheets.py). A sync writes
only the job's own columns: every cell the seller's file had is unchanged.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sheetreturns import api
from sheetreturns.errors import SheetReturnsError
from sheetreturns.settings.config_file import Config, load_config

from tests import marketplace_sheets as sheets

AS_OF = date(2026, 11, 30)


def config(tmp_path: Path, toml: str = "") -> Config:
    path = tmp_path / "sheetreturns.toml"
    path.write_text(f'state_dir = "state"\n{toml}', encoding="utf-8")
    return load_config(path)


def outcomes(result) -> dict[int, object]:
    return {line.row: outcome for line, outcome in zip(result.evaluation.lines, result.evaluation.outcomes)}


def synced_unchanged(tmp_path: Path, path: Path, cfg: Config):
    """Sync the file; assert every cell it had is still there, unchanged; return the result."""
    before = sheets.cells(path)
    result = api.sync(path, as_of=AS_OF, config=cfg, outbox=tmp_path / "outbox")
    assert result.written
    after = sheets.cells(path)
    for tab, values in before.items():
        changed = {cell: (value, after[tab].get(cell)) for cell, value in values.items() if after[tab].get(cell) != value}
        assert changed == {}, f"the seller's cells changed on {tab}"
    return result


@pytest.mark.slow
def test_amazon_fba_returns_are_received_with_their_condition_and_who_caused_them(tmp_path):
    path = sheets.write_sheet(tmp_path / "fba.xlsx", sheets.AMAZON_FBA_RETURNS, tab="amazon_fba_returns")
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    assert checked.columns["layout"] == "amazon_fba_returns"
    used = {c["header"]: c["for"] for c in checked.columns["used"]}
    assert used["return-date"].startswith("Notified On")
    assert "status" in used and "Status" not in used["status"]  # Amazon's status is read, never ours
    assert used["detailed-disposition"].startswith("Condition and Damage By")
    assert set(checked.columns["ignored"]) == {"asin", "fnsku", "fulfillment-center-id", "license-plate-number"}

    rows = outcomes(checked)
    statuses = {o.status.value for o in rows.values()}
    assert not statuses & {"Awaiting item", "Item overdue", "Needs info"}
    lines = {line.row: line for line in checked.evaluation.lines}
    assert all(line.received_on == line.notified_on for line in lines.values())
    assert lines[2].condition == "Like new" and lines[2].damage_by is None
    assert (lines[3].condition, lines[3].damage_by) == ("Damaged", "Customer")
    assert (lines[4].condition, lines[4].damage_by) == ("Defective", "Manufacturer")
    assert (lines[5].condition, lines[5].damage_by) == ("Damaged", "Carrier")
    assert (lines[7].condition, lines[7].damage_by) == ("Damaged", "Carrier")  # distributor damaged
    assert rows[2].reason_category == "Changed mind"  # ORDERED_WRONG_ITEM: the buyer's mistake
    assert rows[5].reason_category == "Damaged in transit"
    assert rows[7].reason_category == "Not as described"
    assert rows[3].inventory == "Write off" and rows[2].inventory == "Restock"
    assert checked.problems == []

    result = synced_unchanged(tmp_path, path, cfg)
    assert result.counts == {"Done": 6}
    after = sheets.cells(path)["amazon_fba_returns"]
    assert [after[f"K{r}"] for r in range(2, 8)][:2] == ["Unit returned to inventory"] * 2


def test_amazon_fba_unknown_disposition_and_reason_are_problems_on_their_row(tmp_path):
    text = sheets.AMAZON_FBA_RETURNS.replace("| DEFECTIVE | DEFECTIVE |", "| WAREHOUSE_LOST | TOO_NOISY |")
    path = sheets.write_sheet(tmp_path / "fba.xlsx", text)
    result = api.check(path, as_of=AS_OF, config=config(tmp_path))
    found = {(p.cell, p.code) for p in result.problems}
    assert found == {("I4", "unknown-value"), ("J4", "unknown-value")}
    assert outcomes(result)[4].status.value != "Needs info"


@pytest.mark.slow
def test_amazon_merchant_fulfilled_returns_read_resolution_refunds_and_delivery(tmp_path):
    path = sheets.write_sheet(tmp_path / "mfn.xlsx", sheets.AMAZON_MFN_RETURNS, tab="amazon_mfn_returns",
                              numbers=False)
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    assert checked.columns["layout"] == "amazon_mfn_returns"
    rows, lines = outcomes(checked), {line.row: line for line in checked.evaluation.lines}
    assert lines[2].decision == "Refund" and lines[2].refund_amount is None and lines[2].refunded_on is None
    assert rows[2].status.value == "Awaiting item"  # Refunded Amount 0.00 is no refund
    assert rows[3].status.value == "Done" and lines[3].refund_amount == 129
    assert lines[4].decision == "Exchange" and rows[4].status.value == "Done"
    assert rows[3].reason_category == "Defective" and rows[4].reason_category == "Changed mind"
    assert str(lines[2].unit_price) == "12.50"
    problems = [(p.cell, p.code) for p in checked.problems]
    assert problems == [("V5", "unknown-value")]  # PriceMatchRefund: shown, not an error
    assert rows[5].status.value == "Awaiting item"
    synced_unchanged(tmp_path, path, cfg)


@pytest.mark.slow
def test_shopify_refunded_orders_export(tmp_path):
    path = sheets.write_sheet(tmp_path / "orders_export.xlsx", sheets.SHOPIFY_ORDERS, numbers=False)
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    assert checked.columns["layout"] == "shopify_orders" and checked.sales_export is None
    lines = {line.row: line for line in checked.evaluation.lines}
    assert lines[2].order_id == "#1001" and lines[2].customer == "Ana Lima"  # Name is the order, not a person
    assert lines[3].email == "ana.lima@example.com" and lines[3].refunded_on is not None  # second line of #1001
    assert lines[2].refund_amount is None  # the order's total is not one line's refund
    assert lines[4].refund_amount == 60 and lines[4].refunded_on is not None
    synced_unchanged(tmp_path, path, cfg)


@pytest.mark.slow
def test_a_full_shopify_export_is_a_sales_file_nothing_written_until_confirmed(tmp_path):
    path = sheets.write_sheet(tmp_path / "orders_export.xlsx", sheets.SHOPIFY_SALES, numbers=False)
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    assert "Shopify orders export" in checked.sales_export and "this_is_a_returns_sheet = yes" in checked.sales_export
    assert not checked.ok
    before = path.read_bytes()
    with pytest.raises(SheetReturnsError, match="nothing is written and no email is sent"):
        api.sync(path, as_of=AS_OF, config=cfg, outbox=tmp_path / "outbox")
    assert path.read_bytes() == before
    assert not (tmp_path / "outbox").exists() or not list((tmp_path / "outbox").iterdir())

    confirmed = config(tmp_path, "[policy]\nthis_is_a_returns_sheet = true\n")
    assert api.check(path, as_of=AS_OF, config=confirmed).sales_export is None
    synced_unchanged(tmp_path, path, confirmed)


@pytest.mark.slow
def test_ebay_orders_report_padding_summary_and_footer_rows_are_left_alone(tmp_path):
    path = sheets.write_sheet(tmp_path / "ebay.xlsx", sheets.EBAY_ORDERS, numbers=False,
                              settings=[("this_is_a_returns_sheet", "yes")])
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    assert checked.columns["layout"] == "ebay_orders" and checked.columns["header_row"] == 2
    assert [line.row for line in checked.evaluation.lines] == [3, 5, 6]
    whys = dict(checked.left_alone)
    assert "order summary" in whys[4]
    assert "3 record(s) downloaded" in whys[8] and "Seller ID" in whys[9]
    lines = {line.row: line for line in checked.evaluation.lines}
    assert (lines[5].sku, lines[5].product, lines[5].qty, str(lines[5].unit_price)) == ("CANDLE-FIG", "Fig candle", 2, "12.50")
    assert lines[3].order_date == date(2026, 11, 3) and lines[3].email == "dana@example.com"
    result = synced_unchanged(tmp_path, path, cfg)
    assert dict(result.left_alone) == whys
    after = sheets.cells(path)["Sheet1"]
    assert {k for k in after if k.endswith(("8", "9")) and not k[1:].isdigit()} == set()  # nothing beside the footer


def test_ebay_orders_report_is_a_sales_file_until_confirmed(tmp_path):
    path = sheets.write_sheet(tmp_path / "ebay.xlsx", sheets.EBAY_ORDERS, numbers=False)
    assert "eBay orders report" in api.check(path, as_of=AS_OF, config=config(tmp_path)).sales_export


@pytest.mark.slow
def test_etsy_sold_items_sale_date_is_the_order_date(tmp_path):
    path = sheets.write_sheet(tmp_path / "EtsySoldOrderItems2026-11.xlsx", sheets.ETSY_SOLD_ITEMS, numbers=False,
                              settings=[("this_is_a_returns_sheet", "yes"), ("date_order", "month-day")])
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    lines = checked.evaluation.lines
    assert [line.order_date for line in lines] == [date(2026, 11, 3), date(2026, 11, 7)]
    assert [line.sku for line in lines] == ["MUG-HT-BLUE", "TOWEL-LIN"] and lines[1].qty == 2
    synced_unchanged(tmp_path, path, cfg)


@pytest.mark.slow
def test_google_forms_responses(tmp_path):
    path = sheets.write_sheet(tmp_path / "Returns form (Responses).xlsx", sheets.GOOGLE_FORM, tab="Form Responses 1",
                              settings=[("date_order", "month-day")])
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    assert checked.columns["layout"] == "google_forms"
    lines = checked.evaluation.lines
    assert [(l.order_id, l.email, l.customer, l.product, l.sku, l.qty, l.notified_on) for l in lines] == [
        ("5001", "hana@example.com", "Hana Hill", "Blue stoneware mug 12oz", "Blue stoneware mug 12oz", 1,
         date(2026, 11, 26)),
        ("5002", "ivo@example.com", "Ivo Ivanov", "Arc floor lamp", "Arc floor lamp", 1, date(2026, 11, 28)),
    ]
    assert lines[1].notes == "The shade is dented"
    assert {o.status.value for o in checked.evaluation.outcomes} == {"Awaiting item"}
    result = synced_unchanged(tmp_path, path, cfg)
    assert len(result.emails) == 2  # each customer acknowledged


@pytest.mark.slow
def test_credit_notes_negative_quantities_are_returned_quantities(tmp_path):
    path = sheets.write_sheet(tmp_path / "credit_notes.xlsx", sheets.credit_notes(12))
    cfg = config(tmp_path)
    checked = api.check(path, as_of=date(2011, 12, 10), config=cfg)
    assert checked.columns["layout"] == "credit_notes"
    lines = checked.evaluation.lines
    assert [line.qty for line in lines][:4] == [1, 1, 12, 24]
    assert not any(o.status.value == "Needs info" for o in checked.evaluation.outcomes)
    assert all(line.refunded_on == line.notified_on for line in lines)  # a credit note is a refund
    result = api.sync(path, as_of=date(2011, 12, 10), config=cfg, outbox=tmp_path / "outbox")
    assert result.written


@pytest.mark.slow
def test_a_sellers_own_log_is_named_under_columns_with_its_own_words(tmp_path):
    path = sheets.write_sheet(tmp_path / "log.xlsx", sheets.SHIPMENT_LOG, tab="Log")
    with pytest.raises(SheetReturnsError) as refused:
        api.check(path, as_of=AS_OF, config=config(tmp_path))
    message = str(refused.value)
    assert "\"Shipment ID\" looks like your Order ID column: add Order ID = \"Shipment ID\" under [columns]" in message

    cfg = config(tmp_path, '[columns]\n"Order ID" = "Shipment ID"\nSKU = "Product Number"\nQty = "Units"\n'
                           '[values.Condition]\n"As new" = "Like new"\n')
    checked = api.check(path, as_of=AS_OF, config=cfg)
    used = {c["header"]: c["for"] for c in checked.columns["used"]}
    assert used["Product Number"] == "SKU (named by you)"
    line = checked.evaluation.lines[0]
    assert (line.order_id, line.sku, line.qty, line.condition) == ("SH-7001", "P-100", 1, "Like new")
    synced_unchanged(tmp_path, path, cfg)


@pytest.mark.slow
def test_the_settings_tab_columns_and_values_sections(tmp_path):
    settings = [("Setting", "Value"), ("store_name", "Our shop"), (), ("Columns", None), ("Order ID", "Shipment ID"),
                ("SKU", "Product Number"), ("Refund Amount", None), (), ("Values for Condition", None),
                ("As new", "Like new")]
    path = sheets.write_sheet(tmp_path / "log.xlsx", sheets.SHIPMENT_LOG, tab="Returns", settings=settings)
    cfg = config(tmp_path)
    checked = api.check(path, as_of=AS_OF, config=cfg)
    line = checked.evaluation.lines[0]
    assert (line.order_id, line.sku, line.condition) == ("SH-7001", "P-100", "Like new")
    synced_unchanged(tmp_path, path, cfg)


def test_a_columns_line_naming_a_missing_header_says_so(tmp_path):
    path = sheets.write_sheet(tmp_path / "log.xlsx", sheets.SHIPMENT_LOG, tab="Returns")
    cfg = config(tmp_path, '[columns]\n"Order ID" = "Shipment ID"\nSKU = "Product No"\n')
    with pytest.raises(SheetReturnsError, match='SKU = "Product No", but the \'Returns\' tab has no such header'):
        api.check(path, as_of=AS_OF, config=cfg)


@pytest.mark.parametrize("toml, message", [
    ('[columns]\nStatus = "State"\n', '"Status" is written by sheetreturns, not read'),
    ('[columns]\nColour = "Color"\n', '"Colour" is not one of our columns'),
    ('[values.Condition]\n"As new" = "Shiny"\n', 'Condition "Shiny" is not one of'),
    ('[values.Reason]\n"Meh" = "Other"\n', "values can be given for Condition, Damage By and Decision"),
])
def test_bad_columns_and_values_lines_name_their_place(tmp_path, toml, message):
    path = sheets.write_sheet(tmp_path / "log.xlsx", sheets.SHIPMENT_LOG, tab="Returns")
    with pytest.raises(SheetReturnsError, match=message):
        api.check(path, as_of=AS_OF, config=config(tmp_path, toml))


def test_check_lists_the_headers_used_and_ignored_in_text_and_json(tmp_path):
    from click.testing import CliRunner

    from sheetreturns.cli import main

    path = sheets.write_sheet(tmp_path / "fba.xlsx", sheets.AMAZON_FBA_RETURNS)
    (tmp_path / "sheetreturns.toml").write_text('state_dir = "state"\n', encoding="utf-8")
    args = ["check", str(path), "--config", str(tmp_path / "sheetreturns.toml"), "--as-of", AS_OF.isoformat()]
    text = CliRunner().invoke(main, args).output
    assert "recognised as the Amazon FBA customer returns report" in text
    assert "Ignored: asin, fnsku, fulfillment-center-id, license-plate-number" in text
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert data["columns"]["layout"] == "amazon_fba_returns"
    assert {"header": "sku", "cell": "C1", "for": "SKU (Amazon FBA customer returns report)"} in data["columns"]["used"]


def test_init_explains_the_columns_section_and_a_seller_fills_it_in(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "returns.xlsx"
    api.create_sheet(path, today=AS_OF)
    wb = load_workbook(path)
    settings = wb["Settings"]
    keys = [row[0].value for row in settings.iter_rows()]
    columns_at = keys.index("Columns")
    assert "Product Number beside SKU" in settings.cell(columns_at + 1, 3).value
    assert "Values for Condition" in keys[columns_at:]
    sku_row = keys.index("SKU", columns_at) + 1
    settings.cell(sku_row, 2, "Product Number")
    returns = wb["Returns"]
    sku_cell = next(c for c in returns[1] if c.value == "SKU")
    sku_cell.value = "Product Number"
    wb.save(path)
    checked = api.check(path, as_of=AS_OF, config=config(tmp_path))
    used = {c["header"]: c["for"] for c in checked.columns["used"]}
    assert used["Product Number"] == "SKU (named by you)"
    assert checked.problems == []


def test_a_zero_refund_is_no_refund_and_a_date_without_an_amount_is_a_refund(tmp_path):
    from tests.helpers import basic_row, write_workbook

    path = write_workbook(tmp_path / "returns.xlsx", [
        basic_row(**{"Return ID": "R-1", "Order ID": "1", "Received On": date(2026, 11, 25), "Condition": "Like new",
                     "Refund Amount": 0, "Refunded On": date(2026, 11, 26)}),
        basic_row(**{"Return ID": "R-2", "Order ID": "2", "Received On": date(2026, 11, 25), "Condition": "Like new",
                     "Refunded On": date(2026, 11, 26)}),
    ], headers=["Return ID", "Order ID", "Email", "SKU", "Qty", "Unit Price", "Notified On", "Received On",
                "Condition", "Refund Amount", "Refunded On"])
    result = api.check(path, as_of=AS_OF, config=config(tmp_path))
    assert [o.status.value for o in result.evaluation.outcomes] == ["Refund due", "Done"]
    zero = result.evaluation.lines[0]
    assert (zero.refund_amount, zero.refunded_on) == (None, None)  # nothing went back
    assert result.evaluation.outcomes[0].next_step == "Issue a refund of £24.99"


def test_an_unknown_amazon_status_is_a_problem_and_the_unit_still_counts_as_back(tmp_path):
    text = sheets.AMAZON_FBA_RETURNS.replace("| Reimbursed |", "| Sent to liquidation |")
    path = sheets.write_sheet(tmp_path / "fba.xlsx", text)
    result = api.check(path, as_of=AS_OF, config=config(tmp_path))
    assert [(p.cell, p.code) for p in result.problems] == [("K5", "unknown-value")]
    assert "Sent to liquidation" in result.problems[0].message
    assert outcomes(result)[5].status.value == "Done"

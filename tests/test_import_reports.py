"""`sheetreturns import`: a month of Amazon downloads (FBA customer returns, payments transactions,
reimbursements), built from the reports' real header rows, imported into the bundled example."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.engine.model import Status
from sheetreturns.errors import SheetReturnsError
from sheetreturns.settings.config_file import Config
from tests import marketplace_reports as reports
from tests.workbooks import parts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "returns.xlsx"
AS_OF = date(2026, 11, 26)


@pytest.fixture
def shop(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state")
    files = reports.write_month(tmp_path / "downloads")
    return book, config, files


def rows_of(result, order: str, sku: str):
    found = [(line, outcome) for line, outcome in zip(result.evaluation.lines, result.evaluation.outcomes)
             if line.order_id == order and line.sku == sku]
    return found


@pytest.mark.slow
def test_a_month_of_fba_returns_refunds_and_reimbursements(shop):
    book, config, files = shop
    before = api.check(book, as_of=AS_OF, config=config)
    result = api.import_reports(files, book, config=config)
    by_name = {f.name: f for f in result.files}
    assert by_name[files[0].name].added == len(reports.FBA_RETURNS)
    assert by_name[files[0].name].layout == "Amazon FBA customer returns"
    assert by_name[files[1].name].layout == "Amazon payments transaction report"
    assert by_name[files[1].name].left_out == 4  # two orders, a transfer, a fee
    assert all(not f.not_understood for f in result.files), [f.not_understood for f in result.files]
    assert result.rows_added == len(reports.FBA_RETURNS) + 3  # three refunds without a return

    after = api.check(book, as_of=AS_OF, config=config)
    assert len(after.evaluation.lines) == len(before.evaluation.lines) + result.rows_added
    # the seller's own rows are as they were
    old = {line.row: line for line in before.evaluation.lines}
    for line in after.evaluation.lines:
        if line.row in old:
            assert line == old[line.row]

    # every refund is paired with its return, or shown as not back
    for when, kind, order, sku, *_ in reports.TRANSACTIONS:
        if kind != "Refund":
            continue
        [(line, outcome)] = rows_of(after, order, sku)
        assert line.refunded_on is not None and line.refund_amount is not None
        assert line.channel == "Amazon FBA"
        if line.received_on is None:
            assert outcome.status in (Status.REFUNDED_NOT_BACK, Status.REIMBURSEMENT_DUE, Status.DONE)
        else:
            assert outcome.status is not Status.REFUNDED_NOT_BACK

    # a returned unit takes its condition from the disposition
    [(line, outcome)] = rows_of(after, "202-1000001-0000001", "CND-SOY-L")
    assert (line.return_id, line.received_on, line.condition) == ("LPNRR1000000001", date(2026, 11, 2), "Like new")
    assert outcome.status is Status.DONE

    # refunded by Amazon, never returned, past the claim window: claim from Amazon, quoting the refund line
    [(line, outcome)] = rows_of(after, *reports.REFUNDED_NOT_RETURNED)
    assert outcome.status is Status.REIMBURSEMENT_DUE
    assert outcome.next_step.startswith("Claim £64.00 from Amazon")
    assert f"{files[1].name} line 12" in outcome.next_step
    assert "202-1000009-0000009" in outcome.next_step
    due = api.preview_emails(book, as_of=AS_OF, config=config).emails  # a check works out no emails: preview does
    assert not any(e.return_id == outcome.return_id for e in due)  # nothing is asked of the customer
    assert not outcome.problems

    [(line, outcome)] = rows_of(after, *reports.REFUNDED_RECENTLY)
    assert outcome.status is Status.REFUNDED_NOT_BACK
    assert "2027-01-17" in outcome.next_step  # 60 days after the refund of 2026-11-18

    [(line, outcome)] = rows_of(after, *reports.REIMBURSED)
    assert outcome.status is Status.DONE
    assert (line.reimbursed_on, line.reimbursed_amount) == (date(2026, 11, 15), Decimal("15.40"))


@pytest.mark.slow
def test_importing_the_same_three_files_again_changes_nothing(shop):
    book, config, files = shop
    api.import_reports(files, book, config=config)
    sheet_xml = parts(book)
    mtime = book.stat().st_mtime_ns
    again = api.import_reports(files, book, config=config)
    assert again.rows_added == again.rows_updated == 0
    assert not again.written
    assert all(f.added == f.updated == 0 for f in again.files)
    assert parts(book) == sheet_xml
    assert book.stat().st_mtime_ns == mtime
    # overlapping downloads (the same lines in a new file with another name) add nothing either
    overlap = files[0].with_name("fba-returns-week-47.txt")
    overlap.write_text(reports.fba_returns_text(reports.FBA_RETURNS[3:]), encoding="utf-8")
    week = api.import_reports([overlap], book, config=config)
    assert week.rows_added == week.rows_updated == 0
    assert week.files[0].already == len(reports.FBA_RETURNS) - 3


@pytest.mark.slow
def test_a_claim_waits_for_the_window_from_policy(shop):
    book, config, files = shop
    api.import_reports(files, book, config=config)
    config.policy_entries = [("amazon_claim_after_days", 90, "sheetreturns.toml [policy]")]
    result = api.check(book, as_of=AS_OF, config=config)
    [(line, outcome)] = rows_of(result, *reports.REFUNDED_NOT_RETURNED)
    assert outcome.status is Status.REFUNDED_NOT_BACK
    assert "2026-12-09" in outcome.next_step


@pytest.mark.slow
def test_a_seller_typed_value_is_kept_and_a_disagreement_is_a_problem(shop):
    book, config, files = shop
    api.import_reports(files[:1], book, config=config)
    wb = load_workbook(book)
    ws = wb["Returns"]
    headers = [c.value for c in ws[3]]
    target = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, headers.index("Order ID") + 1).value ==
                  "202-1000003-0000003")
    column = headers.index("Refund Amount") + 1
    ws.cell(target, column).value = 60
    wb.save(book)
    result = api.import_reports(files[1:2], book, config=config)
    assert any("kept the sheet's value" in reason for _, reason in result.files[0].not_understood)
    assert load_workbook(book)["Returns"].cell(target, column).value == 60
    checked = api.check(book, as_of=AS_OF, config=config)
    [(line, outcome)] = rows_of(checked, "202-1000003-0000003", "THR-WOOL")
    [problem] = [p for p in outcome.problems if p.code == "report-disagrees"]
    assert problem.cell.endswith(str(target))
    assert "64.00" in problem.message and files[1].name in problem.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_report_encodings(tmp_path, encoding):
    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    config = Config(state_dir=tmp_path / "state")
    rows = [("2026-11-02T09:14:31+00:00", "202-2000001-0000001", "CND-SOY-L", "Bougie parfumée, café", 1, "SELLABLE",
             "UNWANTED_ITEM", "Unit returned to inventory", "LPNRR2000000001")]
    report = tmp_path / "returns.txt"
    report.write_text(reports.fba_returns_text(rows), encoding=encoding, newline="")
    result = api.import_reports([report], book, config=config)
    assert result.rows_added == 1
    products = [c.value for c in load_workbook(book)["Returns"]["G"]]
    assert "Bougie parfumée, café" in products


def test_truncated_or_misencoded_files_change_nothing(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    config = Config(state_dir=tmp_path / "state")
    good = reports.fba_returns_text()
    before = parts(book)
    cut16 = tmp_path / "cut16.txt"
    cut16.write_bytes(good.encode("utf-16")[:-1])
    cut = tmp_path / "cut.txt"
    cut.write_text(good[: good.rindex("\t", 0, len(good) - 30)], encoding="utf-8")
    nobom = tmp_path / "nobom.txt"
    nobom.write_bytes(good.encode("utf-16-le"))
    for bad in (cut16, cut, nobom):
        with pytest.raises(SheetReturnsError) as caught:
            api.import_reports([reports_ok(tmp_path), bad], book, config=config)
        assert bad.name in str(caught.value)
    assert parts(book) == before
    assert not list((tmp_path / "state").glob("*.imports.json"))


def reports_ok(folder: Path) -> Path:
    path = folder / "ok.txt"
    path.write_text(reports.fba_returns_text(), encoding="utf-8")
    return path


def test_an_unknown_layout_names_the_closest_one_and_the_columns_that_differ(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    report = tmp_path / "renamed.txt"
    header = [("return-day" if h == "return-date" else h) for h in reports.FBA_RETURNS_HEADER] + ["my-notes"]
    report.write_text("\t".join(header) + "\n" + "\t".join(["x"] * len(header)) + "\n", encoding="utf-8")
    with pytest.raises(SheetReturnsError) as caught:
        api.import_reports([report], book, config=Config(state_dir=tmp_path / "state"))
    message = str(caught.value)
    assert "closest is Amazon FBA customer returns" in message
    assert "return-date" in message and "return-day" in message and "my-notes" in message


@pytest.mark.slow
def test_the_command_line(shop):
    book, config, files = shop
    env_root = str(ROOT)
    run = subprocess.run([sys.executable, "-m", "sheetreturns", "import", *map(str, files), "--into", str(book)],
                         capture_output=True, text=True, cwd=book.parent, env={"PYTHONPATH": env_root, "PATH": ""})
    assert run.returncode == 0, run.stderr
    assert "Amazon FBA customer returns" in run.stdout and "10 rows added" in run.stdout
    titles = load_workbook(book).sheetnames
    assert "Import Log" in titles
    log = load_workbook(book)["Import Log"]
    names = [c.value for c in log["A"]]
    assert all(f.name in names for f in files)
    bad = book.parent / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "sheetreturns", "import", str(bad), "--into", str(book)],
                         capture_output=True, text=True, cwd=book.parent, env={"PYTHONPATH": env_root, "PATH": ""})
    assert run.returncode == 2
    assert run.stderr.strip().startswith("Error:") and len(run.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_money_to_recover_on_the_summary(shop):
    book, config, files = shop
    before = api.report(book, as_of=AS_OF, config=config).figures.recover
    api.import_reports(files, book, config=config)
    summary = api.report(book, as_of=AS_OF, config=config)
    recover = summary.figures.recover
    claim = recover["claim_from_amazon"]
    assert (before["claim_from_amazon"].returns, claim.returns, claim.amount) == (0, 1, 64.0)
    # the example's own reimbursement due (a customer of the shop) stays the customer's to repay
    assert recover["due_from_customers"].returns == before["due_from_customers"].returns
    refunds = {k: v for k, v in summary.as_json()["summary"]["money_to_recover"].items()}
    assert set(refunds) == {"claim_from_amazon", "due_from_customers", "refunds_owed"}
    api.sync(book, as_of=AS_OF, config=config, outbox=book.parent / "outbox")
    cells = [c for row in load_workbook(book)["Summary"].iter_rows(values_only=True) for c in row if c is not None]
    at = cells.index("Claimable from Amazon")
    assert "Money to recover" in cells and cells[at + 2] == 1 and cells[at + 3] == 64


@pytest.mark.slow
def test_sync_imports_the_new_files_of_the_downloads_folder_first(tmp_path):
    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    (tmp_path / "sheetreturns.toml").write_text(
        'source = "returns.xlsx"\n[import]\nfolder = "downloads"\n', encoding="utf-8")
    files = reports.write_month(tmp_path / "downloads")
    config = tmp_path / "sheetreturns.toml"
    first = api.sync(as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert first.notes[0].startswith("import: 10 rows added")
    assert not first.failures
    [(line, outcome)] = rows_of(first, *reports.REFUNDED_NOT_RETURNED)
    assert outcome.status is Status.REIMBURSEMENT_DUE  # evaluated in the same run
    # a file already imported is recognised by its content, not its name
    shutil.copy(files[0], files[0].with_name("copy of returns.txt"))
    second = api.sync(as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert not any(n.startswith("import:") for n in second.notes)
    assert len(second.evaluation.lines) == len(first.evaluation.lines)
    # a new week's file is imported; a broken one is a named failure and the rest goes on
    week = tmp_path / "downloads" / "fba-returns-week-49.txt"
    week.write_text(reports.fba_returns_text([("2026-11-25T10:00:00+00:00", "202-1000010-0000010", "MUG-BLU",
                                               "Stoneware mug, blue", 1, "SELLABLE", "UNWANTED_ITEM",
                                               "Unit returned to inventory", "LPNRR1000000010")]), encoding="utf-8")
    (tmp_path / "downloads" / "broken.csv").write_bytes("a,b\n".encode("utf-16-le"))
    third = api.sync(as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert third.notes[0].startswith("import: 0 rows added, 1 updated")
    assert any("broken.csv" in failure for failure in third.failures)
    [(line, outcome)] = rows_of(third, *reports.REFUNDED_RECENTLY)
    assert line.received_on == date(2026, 11, 25) and outcome.status is Status.DONE


def _book(tmp_path) -> tuple[Path, Config]:
    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    return book, Config(state_dir=tmp_path / "state")


def test_the_settlement_report_refunds(tmp_path):
    book, config = _book(tmp_path)
    header = reports.SETTLEMENT_HEADER

    def line(kind, order, amount_type, description, amount, fulfilment="AFN", sku="THR-WOOL"):
        values = {"settlement-id": "11223344", "settlement-start-date": "2026-11-01T00:00:00+00:00",
                  "transaction-type": kind, "order-id": order, "adjustment-id": "ADJ" + order[-3:],
                  "marketplace-name": "Amazon.co.uk", "amount-type": amount_type, "amount-description": description,
                  "amount": amount, "fulfillment-id": fulfilment, "posted-date": "2026-11-10",
                  "posted-date-time": "2026-11-10 10:12:13 UTC", "sku": sku, "quantity-purchased": "1"}
        return [values.get(h, "") for h in header]

    report = tmp_path / "settlement.txt"
    rows = [header, ["11223344", "2026-11-01T00:00:00+00:00", "2026-11-15T00:00:00+00:00", "2026-11-17", "512.20",
                     "GBP"] + [""] * (len(header) - 6),
            line("Order", "202-3000001-0000001", "ItemPrice", "Principal", "64.00"),
            line("Refund", "202-3000002-0000002", "ItemPrice", "Principal", "-64.00"),
            line("Refund", "202-3000002-0000002", "ItemPrice", "Tax", "-10.67"),
            line("Refund", "202-3000002-0000002", "ItemFees", "Commission", "9.60"),
            line("Refund", "202-3000003-0000003", "ItemPrice", "Principal", "-12.50", "MFN", "MUG-BLU")]
    report.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    result = api.import_reports([report], book, config=config)
    assert result.files[0].layout == "Amazon settlement report"
    assert result.rows_added == 2 and not result.files[0].not_understood
    checked = api.check(book, as_of=AS_OF, config=config)
    [(line_, outcome)] = rows_of(checked, "202-3000002-0000002", "THR-WOOL")
    assert (line_.refund_amount, line_.refunded_on, line_.channel) == (Decimal("64.00"), date(2026, 11, 10), "Amazon FBA")
    assert outcome.status is Status.REFUNDED_NOT_BACK
    [(line_, outcome)] = rows_of(checked, "202-3000003-0000003", "MUG-BLU")
    assert line_.channel == "Amazon"


def test_merchant_fulfilled_returns_and_a_shopify_export(tmp_path):
    book, config = _book(tmp_path)
    mfn_header = ["Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
                  "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
                  "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name",
                  "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
                  "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id",
                  "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount",
                  "Refunded Amount"]
    mfn = {"Order ID": "203-4000001-0000001", "Order date": "02-Nov-2026", "Return request date": "12-Nov-2026",
           "Return request status": "Approved", "Amazon RMA ID": "DqJvkR8sRRMA", "Merchant SKU": "LMP-BRS",
           "Item Name": "Brass table lamp", "Return quantity": "1", "Return Reason": "CR-DEFECTIVE",
           "Resolution": "StandardRefund", "Return delivery date": "20-Nov-2026", "Order Amount": "89.00",
           "Refunded Amount": "0.00"}
    mfn_file = tmp_path / "mfn-returns.csv"
    mfn_file.write_text(",".join(mfn_header) + "\n" + ",".join(mfn.get(h, "") for h in mfn_header) + "\n",
                        encoding="utf-8")
    shopify = tmp_path / "orders_export.csv"
    lines = [reports.SHOPIFY_HEADER]

    def order(name, status, refunded, items):
        for n, (sku, qty, price) in enumerate(items):
            first = n == 0
            values = {"Name": name, "Email": "kim@example.com" if first else "", "Financial Status": status if first else "",
                      "Created at": "2026-11-03 10:12:44 +0000" if first else "", "Lineitem quantity": str(qty),
                      "Lineitem name": f"Item {sku}", "Lineitem price": price, "Lineitem sku": sku,
                      "Billing Name": "Kim Lee" if first else "", "Refunded Amount": refunded if first else ""}
            lines.append([values.get(h, "") for h in reports.SHOPIFY_HEADER])

    order("#1001", "paid", "0.00", [("MUG-BLU", 2, "12.50")])
    order("#1002", "refunded", "37.50", [("MUG-BLU", 1, "12.50"), ("CUP-SET", 1, "25.00")])
    order("#1003", "partially_refunded", "18.00", [("CND-SOY-L", 1, "18.00")])
    order("#1004", "partially_refunded", "10.00", [("MUG-BLU", 1, "12.50"), ("CUP-SET", 1, "25.00")])
    shopify.write_text("\n".join(",".join(r) for r in lines) + "\n", encoding="utf-8")

    result = api.import_reports([mfn_file, shopify], book, config=config)
    files = {f.name: f for f in result.files}
    assert files["mfn-returns.csv"].added == 1
    assert files["orders_export.csv"].added == 3 and files["orders_export.csv"].left_out == 1
    assert [line for line, _ in files["orders_export.csv"].not_understood] == [6, 7]
    checked = api.check(book, as_of=AS_OF, config=config)
    [(line, outcome)] = rows_of(checked, "203-4000001-0000001", "LMP-BRS")
    assert (line.return_id, line.received_on, line.notified_on, line.channel) == (
        "DqJvkR8sRRMA", date(2026, 11, 20), date(2026, 11, 12), "Amazon")
    assert line.refund_amount is None  # a refund of 0.00 is no refund
    [(line, outcome)] = rows_of(checked, "#1002", "CUP-SET")
    assert (line.refund_amount, line.email, line.channel) == (Decimal("25.00"), "kim@example.com", "Shopify")
    [(line, outcome)] = rows_of(checked, "#1003", "CND-SOY-L")
    assert line.refund_amount == Decimal("18.00")


def test_a_reimbursement_reversal_is_listed_for_the_seller(tmp_path):
    book, config = _book(tmp_path)
    report = tmp_path / "reimbursements.txt"
    rows = [("2026-11-20T08:00:00+00:00", "5550000009", "", "202-1000011-0000011", "Reimbursement_Reversal",
             "CND-SOY-L", "X000CND01", "B0CND00001", "Soy candle, large", "New", "GBP", "-15.40", "-15.40", "-1",
             "0", "-1", "5550000001", "CustomerServiceIssue")]
    report.write_text(reports.reimbursements_text(rows), encoding="cp1252")
    result = api.import_reports([report], book, config=config)
    [(line, reason)] = result.files[0].not_understood
    assert line == 2 and "reversed reimbursement 5550000001" in reason
    assert not result.ok


def test_an_imported_disposition_means_what_it_means_on_a_sheet(tmp_path):
    """Import and the sheet reader share one vocabulary: every Amazon disposition gives the same Condition and
    Damage By either way (they once disagreed: DAMAGED was 'Unknown' on import, 'Marketplace' on a sheet)."""
    from sheetreturns.engine import vocabularies

    book = tmp_path / "returns.xlsx"
    shutil.copy(EXAMPLE, book)
    config = Config(path=tmp_path / "sheetreturns.toml", state_dir=tmp_path / "state")
    rows = [(f"2026-11-{n + 2:02d}T09:00:00+00:00", f"202-2000000-{n:07d}", f"DSP-{n}", f"Item {n}", 1, d.code,
             "UNWANTED_ITEM", "Unit returned to inventory", f"LPNDSP{n:09d}")
            for n, d in enumerate(vocabularies.DISPOSITIONS)]
    report = tmp_path / "fba-returns.txt"
    report.write_text(reports.fba_returns_text(rows), encoding="utf-8")
    api.import_reports([report], book, config=config)
    after = api.check(book, as_of=AS_OF, config=config)
    for n, d in enumerate(vocabularies.DISPOSITIONS):
        [(line, _)] = rows_of(after, f"202-2000000-{n:07d}", f"DSP-{n}")
        assert (line.condition, line.damage_by) == (d.condition, d.damage_by), d.code


def test_every_report_layout_reads_its_lines_one_way_and_a_layout_without_a_reader_is_refused():
    from sheetreturns.imports import layouts

    for layout in layouts.LAYOUTS:
        assert (layout.read is None) != (layout.read_columns is None), layout.name
    with pytest.raises(ValueError, match="read or read_columns"):
        layouts.Layout("nothing", ("a", "b", "c"), ())

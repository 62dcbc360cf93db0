"""Marketplace report files for tests, built with the real header rows (as the marketplaces' help pages list
them) and invented values."""
from __future__ import annotations

import csv
import io
from pathlib import Path

FBA_RETURNS_HEADER = ["return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
                      "fulfillment-center-id", "detailed-disposition", "reason", "status", "license-plate-number",
                      "customer-comments"]
TRANSACTIONS_PREAMBLE = [
    ["Includes Amazon Marketplace, Fulfilment by Amazon (FBA), and Amazon Webstore transactions"],
    ["All amounts in GBP, unless specified"],
]
TRANSACTIONS_HEADER = ["date/time", "settlement id", "type", "order id", "sku", "description", "quantity",
                       "marketplace", "fulfilment", "order city", "order state", "order postal",
                       "tax collection model", "product sales", "product sales tax", "postage credits",
                       "shipping credits tax", "gift wrap credits", "giftwrap credits tax", "promotional rebates",
                       "promotional rebates tax", "marketplace withheld tax", "selling fees", "fba fees",
                       "other transaction fees", "other", "total"]
REIMBURSEMENTS_HEADER = ["approval-date", "reimbursement-id", "case-id", "amazon-order-id", "reason", "sku", "fnsku",
                         "asin", "product-name", "condition", "currency-unit", "amount-per-unit", "amount-total",
                         "quantity-reimbursed-cash", "quantity-reimbursed-inventory", "quantity-reimbursed-total",
                         "original-reimbursement-id", "original-reimbursement-type"]
SETTLEMENT_HEADER = ["settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
                     "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
                     "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id",
                     "posted-date", "posted-date-time", "order-item-code", "merchant-order-item-id",
                     "merchant-adjustment-item-id", "sku", "quantity-purchased", "promotion-id"]
SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
                  "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
                  "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
                  "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
                  "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Refunded Amount"]

# (return-date, order, sku, product, qty, disposition, reason, status, lpn)
FBA_RETURNS = [
    ("2026-11-02T09:14:31+00:00", "202-1000001-0000001", "CND-SOY-L", "Soy candle, large", 1, "SELLABLE",
     "UNWANTED_ITEM", "Unit returned to inventory", "LPNRR1000000001"),
    ("2026-11-04T11:02:10+00:00", "202-1000002-0000002", "MUG-BLU", "Stoneware mug, blue", 1, "DEFECTIVE",
     "DEFECTIVE", "Unit returned to inventory", "LPNRR1000000002"),
    ("2026-11-06T15:40:00+00:00", "202-1000003-0000003", "THR-WOOL", "Wool throw, grey", 1, "CUSTOMER_DAMAGED",
     "NOT_AS_DESCRIBED", "Unit returned to inventory", "LPNRR1000000003"),
    ("2026-11-09T08:00:12+00:00", "202-1000004-0000004", "LMP-BRS", "Brass table lamp", 1, "CARRIER_DAMAGED",
     "DAMAGED_BY_CARRIER", "Unit returned to inventory", "LPNRR1000000004"),
    ("2026-11-12T10:30:45+00:00", "202-1000005-0000005", "VAS-GRN", "Glass vase, green", 1, "SELLABLE",
     "ORDERED_WRONG_ITEM", "Repackaged Successfully", "LPNRR1000000005"),
    ("2026-11-16T13:12:01+00:00", "202-1000006-0000006", "CUP-SET", "Espresso cups, set of 4", 1, "SELLABLE",
     "FOUND_BETTER_PRICE", "Unit returned to inventory", "LPNRR1000000006"),
    ("2026-11-24T09:05:00+00:00", "202-1000007-0000007", "KTL-CPR", "Copper kettle 1.7L", 1, "DEFECTIVE",
     "DEFECTIVE", "Unit returned to inventory", "LPNRR1000000008"),
]

# (date/time, type, order, sku, description, qty, product sales, total)
TRANSACTIONS = [
    ("1 Oct 2026 10:12:44 GMT+1", "Order", "202-1000001-0000001", "CND-SOY-L", "Soy candle, large", 1, "18.00", "13.10"),
    ("28 Oct 2026 09:01:02 GMT", "Refund", "202-1000001-0000001", "CND-SOY-L", "Soy candle, large", 1, "-18.00", "-15.40"),
    ("30 Oct 2026 14:22:10 GMT", "Refund", "202-1000002-0000002", "MUG-BLU", "Stoneware mug, blue", 1, "-12.50", "-10.75"),
    ("2 Nov 2026 08:30:00 GMT", "Refund", "202-1000003-0000003", "THR-WOOL", "Wool throw, grey", 1, "-64.00", "-55.10"),
    ("3 Nov 2026 18:02:00 GMT", "Refund", "202-1000004-0000004", "LMP-BRS", "Brass table lamp", 1, "-89.00", "-76.65"),
    ("8 Nov 2026 12:00:00 GMT", "Refund", "202-1000005-0000005", "VAS-GRN", "Glass vase, green", 1, "-34.00", "-29.30"),
    ("10 Nov 2026 07:45:00 GMT", "Refund", "202-1000006-0000006", "CUP-SET", "Espresso cups, set of 4", 1, "-24.00", "-20.65"),
    ("20 Nov 2026 10:00:00 GMT", "Refund", "202-1000007-0000007", "KTL-CPR", "Copper kettle 1.7L", 1, "-49.00", "-42.20"),
    # refunded by Amazon, never returned: past the claim window on 2026-11-26
    ("10 Sep 2026 11:11:11 GMT+1", "Refund", "202-1000009-0000009", "THR-WOOL", "Wool throw, grey", 1, "-64.00", "-55.10"),
    # refunded recently, not back yet
    ("18 Nov 2026 16:20:00 GMT", "Refund", "202-1000010-0000010", "MUG-BLU", "Stoneware mug, blue", 1, "-12.50", "-10.75"),
    # refunded, not returned, and Amazon has reimbursed the seller
    ("5 Sep 2026 09:00:00 GMT+1", "Refund", "202-1000011-0000011", "CND-SOY-L", "Soy candle, large", 1, "-18.00", "-15.40"),
    ("6 Nov 2026 02:00:00 GMT", "Transfer", "", "", "To account ending in: 123", "", "0", "-850.00"),
    ("7 Nov 2026 02:00:00 GMT", "Service Fee", "", "", "Subscription", "", "0", "-25.00"),
    ("9 Nov 2026 13:00:00 GMT", "Order", "202-1000012-0000012", "VAS-GRN", "Glass vase, green", 1, "34.00", "27.90"),
]

REIMBURSEMENTS = [
    ("2026-11-15T08:00:00+00:00", "5550000001", "", "202-1000011-0000011", "CustomerServiceIssue", "CND-SOY-L",
     "X000CND01", "B0CND00001", "Soy candle, large", "New", "GBP", "15.40", "15.40", "1", "0", "1", "", ""),
    ("2026-11-19T08:00:00+00:00", "5550000002", "", "", "Lost_Warehouse", "LMP-BRS", "X000LMP01", "B0LMP00001",
     "Brass table lamp", "New", "GBP", "40.00", "40.00", "1", "0", "1", "", ""),
]

REFUNDED_NOT_RETURNED = ("202-1000009-0000009", "THR-WOOL")
REFUNDED_RECENTLY = ("202-1000010-0000010", "MUG-BLU")
REIMBURSED = ("202-1000011-0000011", "CND-SOY-L")


def _delimited(rows: list[list[object]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n",
                        quoting=csv.QUOTE_ALL if delimiter == "," else csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return out.getvalue()


def fba_returns_text(rows=FBA_RETURNS) -> str:
    lines = [FBA_RETURNS_HEADER]
    for returned, order, sku, product, qty, disposition, reason, status, lpn in rows:
        lines.append([returned, order, sku, "B0" + sku.replace("-", "")[:8], "X00" + sku.replace("-", "")[:7],
                      product, qty, "LTN4", disposition, reason, status, lpn, ""])
    return _delimited(lines, "\t")


def transactions_text(rows=TRANSACTIONS) -> str:
    lines: list[list[object]] = [*TRANSACTIONS_PREAMBLE, TRANSACTIONS_HEADER]
    for when, kind, order, sku, description, qty, sales, total in rows:
        fulfilment = "Amazon" if order else ""
        lines.append([when, "24680135790", kind, order, sku, description, qty, "amazon.co.uk" if order else "",
                      fulfilment, "London" if order else "", "", "SW1A 1AA" if order else "", "", sales, "0", "0",
                      "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", total])
    return _delimited(lines, ",")


def reimbursements_text(rows=REIMBURSEMENTS) -> str:
    return _delimited([REIMBURSEMENTS_HEADER, *[list(r) for r in rows]], "\t")


def write_month(folder: Path) -> list[Path]:
    """A month's three downloads: FBA customer returns (.txt), transactions (.csv, UTF-8 with BOM),
    reimbursements (.txt, Windows-1252)."""
    folder.mkdir(parents=True, exist_ok=True)
    returns = folder / "fba-customer-returns-2026-11.txt"
    returns.write_text(fba_returns_text(), encoding="utf-8", newline="")
    transactions = folder / "2026Nov1-2026Nov30CustomTransaction.csv"
    transactions.write_text(transactions_text(), encoding="utf-8-sig", newline="")
    reimbursements = folder / "reimbursements-2026-11.txt"
    reimbursements.write_text(reimbursements_text(), encoding="cp1252", newline="")
    return [returns, transactions, reimbursements]

"""Sellers' downloads as they come: each marketplace's real header row with a few invented lines.

Each table is written as text, one line per row, cells separated by " | " (a blank cell is empty), so a
reader sees the file as the seller does. `write_sheet` makes the .xlsx a seller gets by opening the
download in Excel and saving it.
"""
from __future__ import annotations

import gzip
import csv
from pathlib import Path

from openpyxl import Workbook, load_workbook

AMAZON_FBA_RETURNS = """
return-date | order-id | sku | asin | fnsku | product-name | quantity | fulfillment-center-id | detailed-disposition | reason | status | license-plate-number | customer-comments
2026-11-02T10:15:00+00:00 | 114-3941689-8772232 | MUG-BLUE-12 | B0C1XK2Q7F | X003ABC123 | Blue stoneware mug 12oz | 1 | LGB8 | SELLABLE | ORDERED_WRONG_ITEM | Unit returned to inventory | LPNRR123456789 | bought the wrong colour
2026-11-05T08:02:11+00:00 | 112-0079845-3348206 | LAMP-ARC | B0B8Y7L2MN | X002DEF456 | Arc floor lamp | 1 | ONT8 | CUSTOMER_DAMAGED | UNWANTED_ITEM | Unit returned to inventory | LPNRR223456789 |
2026-11-09T14:40:00+00:00 | 113-5520146-9021810 | KETTLE-STEEL | B09ZQ1W2E3 | X001GHI789 | Steel kettle 1.7L | 2 | PHX6 | DEFECTIVE | DEFECTIVE | Unit returned to inventory | LPNRR323456789 | stopped working after a week
2026-11-12T09:30:00+00:00 | 111-7781123-4455667 | LAMP-ARC | B0B8Y7L2MN | X002DEF456 | Arc floor lamp | 1 | LGB8 | CARRIER_DAMAGED | DAMAGED_BY_CARRIER | Reimbursed | LPNRR423456789 | box crushed
2026-11-20T11:00:00+00:00 | 114-2233445-5566778 | MUG-BLUE-12 | B0C1XK2Q7F | X003ABC123 | Blue stoneware mug 12oz | 1 | LGB8 | SELLABLE | APPAREL_STYLE | Repackaged Successfully | LPNRR523456789 |
2026-11-24T16:45:00+00:00 | 114-9988776-6554433 | KETTLE-STEEL | B09ZQ1W2E3 | X001GHI789 | Steel kettle 1.7L | 1 | PHX6 | DISTRIBUTOR_DAMAGED | NOT_AS_DESCRIBED | Unit returned to inventory | LPNRR623456789 |
"""

AMAZON_MFN_RETURNS = """
Order ID | Order date | Return request date | Return request status | Amazon RMA ID | Merchant RMA ID | Label type | Label cost | Currency code | Return carrier | Tracking ID | Label to be paid by | A-to-Z Claim | Is prime | ASIN | Merchant SKU | Item Name | Return quantity | Return Reason | In policy | Return type | Resolution | Invoice number | Return delivery date | Order Amount | Order quantity | SafeT Action reason | SafeT claim id | SafeT claim state | SafeT claim creation time | SafeT claim reimbursement amount | Refunded Amount
205-1234567-1234567 | 02-Nov-2026 | 10-Nov-2026 | Approved | DkQ7rBvRRMA | | AmazonPrePaidLabel | 4.20 | GBP | Royal Mail | RM123456789GB | Seller | N | N | B0C1XK2Q7F | MUG-BLUE-12 | Blue stoneware mug 12oz | 1 | CR-UNWANTED_ITEM | Y | C-Returns | StandardRefund | INV-1001 | | 12.50 | 1 | | | | | | 0.00
205-2345678-2345678 | 28-Oct-2026 | 04-Nov-2026 | Closed | DfG2hJkRRMA | | AmazonPrePaidLabel | 6.80 | GBP | Evri | H00A1234567890 | Seller | N | Y | B0B8Y7L2MN | LAMP-ARC | Arc floor lamp | 1 | CR-DEFECTIVE | Y | C-Returns | StandardRefund | INV-1002 | 11-Nov-2026 | 129.00 | 1 | | | | | | 129.00
205-3456789-3456789 | 01-Nov-2026 | 06-Nov-2026 | Approved | DpL9zXcRRMA | | AmazonPrePaidLabel | 4.20 | GBP | Royal Mail | RM223456789GB | Seller | N | N | B09ZQ1W2E3 | KETTLE-STEEL | Steel kettle 1.7L | 2 | CR-ORDERED_WRONG_ITEM | Y | C-Returns | Replacement | INV-1003 | 14-Nov-2026 | 59.98 | 2 | | | | | |
205-4567890-4567890 | 20-Nov-2026 | 25-Nov-2026 | Approved | DzT4mNbRRMA | | SelfShip | | GBP | | | Buyer | N | N | B0C1XK2Q7F | MUG-BLUE-12 | Blue stoneware mug 12oz | 1 | CR-FOUND_BETTER_PRICE | Y | C-Returns | PriceMatchRefund | INV-1004 | | 12.50 | 1 | | | | | |
"""

SHOPIFY_ORDERS = """
Name | Email | Financial Status | Paid at | Fulfillment Status | Fulfilled at | Accepts Marketing | Currency | Subtotal | Shipping | Taxes | Total | Discount Code | Discount Amount | Shipping Method | Created at | Lineitem quantity | Lineitem name | Lineitem price | Lineitem compare at price | Lineitem sku | Lineitem requires shipping | Lineitem taxable | Lineitem fulfillment status | Billing Name | Billing Street | Billing City | Billing Zip | Billing Country | Notes | Cancelled at | Payment Method | Refunded Amount | Vendor | Id | Tags | Risk Level | Source
#1001 | ana.lima@example.com | refunded | 2026-11-02 10:00:00 +0000 | fulfilled | 2026-11-03 09:00:00 +0000 | no | GBP | 37.50 | 3.95 | 6.25 | 41.45 | | 0.00 | Standard | 2026-11-02 10:00:00 +0000 | 1 | Blue stoneware mug 12oz | 12.50 | | MUG-BLUE-12 | true | true | fulfilled | Ana Lima | 1 High St | Leeds | LS1 1AA | GB | | | Shopify Payments | 41.45 | Our shop | 5601234567001 | | Low | web
#1001 | | | | | | | | | | | | | | | 2026-11-02 10:00:00 +0000 | 2 | Fig candle | 12.50 | | CANDLE-FIG | true | true | fulfilled | | | | | | | | | | Our shop | | | |
#1002 | ben.okafor@example.com | partially_refunded | 2026-11-05 12:30:00 +0000 | fulfilled | 2026-11-06 08:00:00 +0000 | yes | GBP | 129.00 | 0.00 | 21.50 | 129.00 | | 0.00 | Standard | 2026-11-05 12:30:00 +0000 | 1 | Arc floor lamp | 129.00 | | LAMP-ARC | true | true | fulfilled | Ben Okafor | 2 Mill Rd | York | YO1 2BB | GB | | | Shopify Payments | 60.00 | Our shop | 5601234567002 | | Low | web
#1003 | cara.nolan@example.com | refunded | 2026-11-08 16:10:00 +0000 | fulfilled | 2026-11-09 10:00:00 +0000 | no | GBP | 29.99 | 3.95 | 5.00 | 33.94 | | 0.00 | Standard | 2026-11-08 16:10:00 +0000 | 1 | Steel kettle 1.7L | 29.99 | | KETTLE-STEEL | true | true | fulfilled | Cara Nolan | 3 Bank St | Hull | HU1 3CC | GB | | | Shopify Payments | 33.94 | Our shop | 5601234567003 | | Low | web
"""

# A full export: mostly orders nobody returned (Refunded Amount 0.00).
SHOPIFY_SALES = SHOPIFY_ORDERS.rstrip("\n") + "\n" + "\n".join(
    f"#{1100 + n} | buyer{n}@example.com | paid | 2026-11-1{n} 09:00:00 +0000 | fulfilled | | no | GBP | 12.50 | 3.95 | "
    f"2.08 | 16.45 | | 0.00 | Standard | 2026-11-1{n} 09:00:00 +0000 | 1 | Blue stoneware mug 12oz | 12.50 | | "
    f"MUG-BLUE-12 | true | true | fulfilled | Buyer {n} | {n} Low St | Leeds | LS2 2AA | GB | | | Shopify Payments | "
    f"0.00 | Our shop | 56012345671{n:02d} | | Low | web"
    for n in range(8)
) + "\n"

EBAY_ORDERS = """

Sales Record Number | Order Number | Buyer Username | Buyer Name | Buyer Email | Buyer Note | Buyer Address 1 | Buyer City | Buyer Zip | Buyer Country | Ship To Name | Item Number | Item Title | Custom Label | Sold Via Promoted Listings | Quantity | Sold For | Shipping And Handling | Total Price | Payment Method | Sale Date | Paid On Date | Shipped On Date | Tracking Number | Transaction ID | Variation Details
1201 | 12-10234-56789 | dana_d | Dana Doyle | dana@example.com | | 4 Quay St | Bristol | BS1 4DD | United Kingdom | Dana Doyle | 204512345678 | Blue stoneware mug 12oz | MUG-BLUE-12 | No | 1 | £12.50 | £3.20 | £15.70 | PayPal | 03-Nov-26 | 03-Nov-26 | 04-Nov-26 | RM323456789GB | 2345678901001 |
1202 | 12-10234-56790 | eli_e | Eli Evans | eli@example.com | | 5 Dock Rd | Cardiff | CF10 5EE | United Kingdom | Eli Evans | | | | | 3 | | £4.00 | £63.00 | PayPal | 06-Nov-26 | 06-Nov-26 | 07-Nov-26 | RM423456789GB | |
1202 | 12-10234-56790 | eli_e | Eli Evans | eli@example.com | | | | | | | 204598765432 | Fig candle | CANDLE-FIG | No | 2 | £12.50 | | | | 06-Nov-26 | | | | 2345678901002 | Scent: Fig
1202 | 12-10234-56790 | eli_e | Eli Evans | eli@example.com | | | | | | | 204511112222 | Steel kettle 1.7L | KETTLE-STEEL | No | 1 | £34.00 | | | | 06-Nov-26 | | | | 2345678901003 |

3 record(s) downloaded
Seller ID : our_shop_uk
"""

ETSY_SOLD_ITEMS = """
Sale Date | Item Name | Buyer | Quantity | Price | Coupon Code | Coupon Details | Discount Amount | Shipping Discount | Order Shipping | Order Sales Tax | Item Total | Currency | Transaction ID | Listing ID | Date Paid | Date Shipped | Ship Name | Ship Address1 | Ship City | Ship State | Ship Zipcode | Ship Country | Order ID | Variations | Order Type | Listings Type | Payment Type | InPerson Discount | InPerson Location | VAT Paid by Buyer | SKU
11/03/26 | Hand-thrown mug, blue glaze | fiona_f | 1 | 24.00 | | | 0 | 0 | 4.50 | 0 | 24.00 | GBP | 3456789012 | 1234567890 | 11/03/26 | 11/04/26 | Fiona Fox | 6 Lane End | Bath | | BA1 6FF | United Kingdom | 2987654321 | Colour:Blue | online | listing | online_cc | | | 0 | MUG-HT-BLUE
11/07/26 | Linen tea towel | gus_g | 2 | 9.50 | | | 0 | 0 | 3.20 | 0 | 19.00 | GBP | 3456789013 | 1234567891 | 11/07/26 | 11/08/26 | Gus Gray | 7 Hill Top | Derby | | DE1 7GG | United Kingdom | 2987654322 | | online | listing | online_cc | | | 0 | TOWEL-LIN
"""

GOOGLE_FORM = """
Timestamp | Email Address | Your full name | What is your order number? | Which item are you returning? | How many? | Why are you returning it? | Anything else we should know?
11/26/2026 14:03:11 | hana@example.com | Hana Hill | 5001 | Blue stoneware mug 12oz | 1 | Too small | 
11/28/2026 09:12:45 | ivo@example.com | Ivo Ivanov | 5002 | Arc floor lamp | 1 | Arrived damaged | The shade is dented
"""

SHIPMENT_LOG = """
Shipment ID | Customer | Product Number | Description | Units | Date Received | Condition | Refund
SH-7001 | Jo Park | P-100 | Mug | 1 | 2026-11-10 | As new | 12.50
SH-7002 | Kit Lane | P-200 | Lamp | 1 | | |
"""


def table(text: str) -> list[list[str | None]]:
    """Rows of a table written as text: cells split on " | ", blank cells None, blank lines kept as empty rows."""
    lines = text.split("\n")[1:-1]
    return [[(c.strip() or None) for c in line.split("|")] if line.strip() else [] for line in lines]


def write_sheet(path: Path, text: str, *, tab: str = "Sheet1", numbers: bool = True,
                settings: list[tuple] | None = None) -> Path:
    """The .xlsx a seller saves from the download: text cells, numbers where Excel would see numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = tab
    for row in table(text):
        ws.append([_as_excel_reads(c) if numbers else c for c in row])
    if settings is not None:
        st = wb.create_sheet("Settings")
        for entry in settings:
            st.append(list(entry))
    wb.save(path)
    return path


def _as_excel_reads(cell: str | None) -> object:
    if cell is None:
        return None
    try:
        return int(cell) if cell.lstrip("-").isdigit() and len(cell) < 12 else float(cell) if "." in cell and cell.replace(".", "").lstrip("-").isdigit() else cell
    except ValueError:
        return cell


def credit_notes(count: int = 12) -> str:
    """The first credit-note lines of the real online retail cancellations, in the original file's columns."""
    path = Path(__file__).resolve().parent / "data" / "online-retail" / "cancellations.csv.gz"
    with gzip.open(path, "rt", newline="") as handle:
        rows = list(csv.reader(handle))[: count + 1]
    columns = 8  # InvoiceNo ... Country: the columns of the original file
    return "\n" + "\n".join(" | ".join(r[:columns]) for r in rows) + "\n"


def cells(path: Path) -> dict[str, dict[str, object]]:
    """Every cell value of every tab, by tab and cell address."""
    wb = load_workbook(path)
    try:
        return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
                for ws in wb.worksheets}
    finally:
        wb.close()

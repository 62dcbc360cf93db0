"""The one palette and the one set of number formats of every tab sheetreturns draws, in Excel and Google.

Colours are RGB hex; each adapter turns them into its own form (openpyxl colours, Sheets API rgb dicts).
Number formats are spreadsheet patterns that Excel, LibreOffice and Google Sheets all read alike.
"""
from __future__ import annotations

from ..engine.wording import money_format as amount_format

# The Returns tab made by `init`
SELLER_HEADER_FILL = "3B5B7A"  # columns the seller fills in
SELLER_HEADER_TEXT = "FFFFFF"
JOB_HEADER_FILL = "BFBFBF"  # columns the job fills in
JOB_HEADER_TEXT = "262626"
JOB_CELL_FILL = "F2F2F2"
EXAMPLE_TEXT = "7F7F7F"  # the example rows, in grey italics

# Generated tabs (Summary, Email Log, Intake Log) and the How-to and Settings tabs
HEADING_TEXT = "1F4E79"
HEADER_FILL = "D9E1F2"  # a table's header row
HEADER_BORDER = "8EA9DB"
NOTE_TEXT = "595959"
ALERT_TEXT = "9C0006"  # something the owner must act on: dark red on light red
ALERT_FILL = "FFC7CE"
GOOD_TEXT = "006100"  # all clear: dark green
TITLE_SIZE = 16  # points: a tab's title
HEADING_SIZE = 13  # points: a section heading

# Fill colours for status labels: the Status column of the Returns tab (as conditional formats that
# follow the cell's value) and status cells of the generated tabs.
STATUS_COLOURS = {
    "Needs info": "F8CBAD",
    "Awaiting item": "DDEBF7",
    "Item overdue": "F4B084",
    "Refunded, item not back": "FFE699",
    "Reimbursement due": "FF9999",
    "Awaiting inspection": "E2EFDA",
    "Partially received": "FFF2CC",
    "Customer damage": "F8CBAD",
    "Refund due": "C6E0B4",
    "Over-refunded": "FF9999",
    "Refused": "D9D9D9",
    "Done": "EDEDED",
}

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
INT_FORMAT = "#,##0"
COUNT_FORMAT = "0"  # a quantity in the Returns tab: no thousands separator
PERCENT_FORMAT = "0%"
TEXT_FORMAT = "@"  # codes typed by the seller stay text (no 0042 -> 42)


def money_format(currency_symbol: str) -> str:
    """Amounts: the symbol, thousands separated, the currency's decimals; negatives with a minus before the symbol."""
    symbol = '"' + currency_symbol.strip().replace('"', '""') + '"' if currency_symbol.strip() else ""
    number = amount_format(currency_symbol)  # the currency's own decimals: #,##0.00, or #,##0 for yen
    return f"{symbol}{number};-{symbol}{number}"


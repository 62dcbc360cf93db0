"""Build examples/returns.xlsx: a small homeware shop's returns log, as a seller would keep it.

Run `python examples/make_example.py` to rebuild it. It is meant to be evaluated as of 2026-11-26
(`--as-of 2026-11-26`); its rows then show every status, several problems, multi-line returns and
returns noticed in the last week (so acknowledgement emails are due).
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 11, 26)

HEADERS = [
    "Return ID", "Order ID", "Order Date", "Customer", "Email", "SKU", "Product", "Qty", "Unit Price",
    "Notified On", "Channel", "Reason", "Received On", "Received Qty", "Condition", "Damage By",
    "Refund Amount", "Refunded On", "Decision", "Notes", "Warehouse Bin",
]

PRODUCTS = {
    "KTL-CPR": ("Copper kettle 1.7L", 64.00),
    "MUG-BLU": ("Stoneware mug, blue", 12.50),
    "MUG-GRN": ("Stoneware mug, green", 12.50),
    "LMP-ARC": ("Arc floor lamp", 129.00),
    "CDL-LAV": ("Lavender candle", 18.00),
    "CDL-FIG": ("Fig candle", 18.00),
    "THR-GRY": ("Wool throw, grey", 79.00),
    "VAS-SML": ("Glass vase, small", 24.99),
    "TEA-SET": ("Porcelain tea set", 89.00),
    "CSH-OCH": ("Linen cushion, ochre", 32.00),
}


def d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# (return id, order, ordered, customer, email, sku, qty, notified, channel, reason,
#  received, received qty, condition, damage by, refund amount, refunded, decision, notes)
ROWS = [
    # Done: received, inspected, refunded in full
    ("R-00001", "WW-10412", "2026-09-02", "Amelia Hart", "amelia.hart@example.com", "MUG-BLU", 2, "2026-09-10", "Email", "Changed my mind", "2026-09-18", None, "Unopened", None, 25.00, "2026-09-19", None, None),
    ("R-00002", "WW-10433", "2026-09-05", "Oliver Brooks", "oliver.brooks@example.com", "KTL-CPR", 1, "2026-09-12", "Amazon", "Stopped working after two days", "2026-09-20", None, "Defective", "Manufacturer", 64.00, "2026-09-21", "Refund", None),
    ("R-00003", "WW-10450", "2026-09-20", "Isla Turner", "isla.turner@example.com", "KTL-CPR", 1, "2026-09-28", "Email", "Kettle leaks from the base", "2026-10-06", None, "Defective", "Manufacturer", 64.00, "2026-10-07", None, None),
    ("R-00004", "WW-10461", "2026-10-01", "Noah Patel", "noah.patel@example.com", "THR-GRY", 1, "2026-10-04", "Shopify", "Colour different from the picture", "2026-10-12", None, "Like new", None, None, None, "Exchange", "Sent the oatmeal one instead"),
    ("R-00005", "WW-10470", "2026-10-03", "Grace Allen", "grace.allen@example.com", "CDL-LAV", 1, "2026-10-06", "Email", "Arrived damaged, jar cracked", "2026-10-14", None, "Damaged", "Carrier", 18.00, "2026-10-15", None, "Claim filed with courier"),
    ("R-00005", "WW-10470", "2026-10-03", "Grace Allen", "grace.allen@example.com", "CDL-FIG", 1, "2026-10-06", "Email", "Arrived damaged, jar cracked", "2026-10-14", None, "Damaged", "Carrier", 18.00, "2026-10-15", None, None),
    ("R-00006", "WW-10488", "2026-10-08", "Jack Wilson", "jack.wilson@example.com", "CSH-OCH", 2, "2026-10-10", "eBay", "Not needed any more", "2026-10-20", None, "Unopened", None, None, None, "Store credit", None),
    # Refused by the seller
    ("R-00007", "WW-10495", "2026-08-01", "Harry Evans", "harry.evans@example.com", "LMP-ARC", 1, "2026-10-12", "Email", "Don't like it", None, None, None, None, None, None, "Refuse", "Asked 72 days after delivery"),
    # Reimbursement due: refunded early, item never came back, deadline passed
    ("R-00008", "WW-10502", "2026-09-25", "Sophia Green", "sophia.green@example.com", "TEA-SET", 1, "2026-10-13", "Amazon", "Not as described", None, None, None, None, 89.00, "2026-10-14", None, "Marketplace refunded automatically"),
    # Item overdue: never came back, not refunded
    ("R-00009", "WW-10510", "2026-10-02", "Leo Walker", "leo.walker@example.com", "VAS-SML", 1, "2026-10-09", "Email", "Too small", None, None, None, None, None, None, None, None),
    ("R-00010", "WW-10517", "2026-10-10", "Mia Hughes", "mia.hughes@example.com", "MUG-GRN", 4, "2026-10-18", "eBay", "Ordered by mistake", None, None, None, None, None, None, None, None),
    # Customer damage: inspected, damage caused by the customer, no decision yet
    ("R-00011", "WW-10523", "2026-10-12", "Ethan Wright", "ethan.wright@example.com", "LMP-ARC", 1, "2026-10-20", "Email", "Lamp is broken", "2026-10-29", None, "Damaged", "Customer", None, None, None, "Base dented, clearly dropped"),
    # Refund due: received, inspected, fine
    ("R-00012", "WW-10531", "2026-10-15", "Ava Robinson", "ava.robinson@example.com", "KTL-CPR", 1, "2026-10-22", "Email", "Faulty switch", "2026-11-02", None, "Defective", "Manufacturer", None, None, None, None),
    ("R-00013", "WW-10538", "2026-10-20", "Lucas Scott", "lucas.scott@example.com", "THR-GRY", 1, "2026-10-25", "Shopify", "Too big for the sofa", "2026-11-05", None, "Like new", None, None, None, None, None),
    ("R-00014", "WW-10540", "2026-10-21", "Ella Baker", "ella.baker@example.com", "KTL-CPR", 1, "2026-10-27", "Amazon", "Doesn't work", "2026-11-06", None, "Used", "Unknown", None, None, None, "Works fine on our bench"),
    # Over-refunded: refund bigger than what came back
    ("R-00015", "WW-10544", "2026-10-22", "Henry Adams", "henry.adams@example.com", "MUG-BLU", 2, "2026-10-28", "Email", "Wrong colour sent", "2026-11-07", 1, "Unopened", None, 25.00, "2026-11-08", "Refund", "Only one mug in the parcel"),
    # Partially received: 1 of 2 back, no refund yet
    ("R-00016", "WW-10549", "2026-10-25", "Chloe Mitchell", "chloe.mitchell@example.com", "CDL-FIG", 2, "2026-10-30", "Email", "Smell too strong", "2026-11-10", 1, "Unopened", None, None, None, None, None),
    # Refunded, item not back (within the deadline)
    ("R-00017", "WW-10553", "2026-11-01", "Freddie Clarke", "freddie.clarke@example.com", "TEA-SET", 1, "2026-11-04", "Amazon", "Arrived late, after the birthday", None, None, None, None, 89.00, "2026-11-05", None, None),
    # Awaiting inspection: back, not looked at yet
    ("R-00018", "WW-10560", "2026-11-03", "Poppy Lewis", "poppy.lewis@example.com", "VAS-SML", 1, "2026-11-06", "Email", "Not as pictured", "2026-11-24", None, None, None, None, None, None, None),
    ("R-00019", "WW-10566", "2026-11-04", "Arthur Young", "arthur.young@example.com", "KTL-CPR", 1, "2026-11-08", "Shopify", "Kettle won't turn on", "2026-11-25", None, None, None, None, None, None, None),
    # Awaiting item, noticed > 14 days ago: reminder due
    ("R-00020", "WW-10571", "2026-11-02", "Lily King", "lily.king@example.com", "MUG-GRN", 1, "2026-11-07", "Email", "Changed mind", None, None, None, None, None, None, None, None),
    ("R-00021", "WW-10574", "2026-11-03", "George Hill", "george.hill@example.com", "CSH-OCH", 1, "2026-11-09", "eBay", "Too small", None, None, None, None, None, None, None, None),
    # Awaiting item, multi-line return, noticed this week: acknowledgement due
    ("R-00022", "WW-10580", "2026-11-14", "Evie Ward", "evie.ward@example.com", "MUG-BLU", 2, "2026-11-20", "Email", "Wrong item sent", None, None, None, None, None, None, None, None),
    ("R-00022", "WW-10580", "2026-11-14", "Evie Ward", "evie.ward@example.com", "MUG-GRN", 1, "2026-11-20", "Email", "Wrong item sent", None, None, None, None, None, None, None, None),
    ("R-00023", "WW-10583", "2026-11-15", "Thomas Morris", "thomas.morris@example.com", "LMP-ARC", 1, "2026-11-21", "Amazon", "Bulb socket faulty", None, None, None, None, None, None, None, None),
    ("R-00024", "WW-10587", "2026-11-16", "Isabella Cooper", "isabella.cooper@example.com", "THR-GRY", 1, "2026-11-22", "Shopify", "Not what I ordered", None, None, None, None, None, None, None, None),
    ("R-00025", "WW-10590", "2026-11-18", "Oscar Reed", "oscar.reed@example.com", "CDL-LAV", 3, "2026-11-23", "Email", "Gift, not wanted", None, None, None, None, None, None, None, None),
    # New rows typed in this week without a Return ID (the job assigns one) or a notice date
    (None, "WW-10594", "2026-11-19", "Ruby Cox", "ruby.cox@example.com", "VAS-SML", 1, "2026-11-24", "Email", "Smashed in the box", None, None, None, None, None, None, None, None),
    (None, "WW-10594", "2026-11-19", "Ruby Cox", "ruby.cox@example.com", "CDL-FIG", 1, "2026-11-24", "Email", "Smashed in the box", None, None, None, None, None, None, None, None),
    (None, "WW-10598", "2026-11-20", "Alfie Bell", "alfie.bell@example.com", "TEA-SET", 1, None, "3PL", "Cup handle came off", None, None, None, None, None, None, None, "Forwarded by the warehouse"),
    # Needs info: problems the seller must fix
    ("R-00026", "WW-10601", "2026-11-10", "Jo Price", "jo@", "MUG-BLU", 1, "2026-11-18", "Email", "Too heavy", None, None, None, None, None, None, None, "Typo in the address"),
    ("R-00027", "WW-10604", "2026-11-11", "Max Foster", "max.foster@example.com", None, 1, "2026-11-19", "eBay", "Defective", None, None, None, None, None, None, None, "SKU missing"),
    ("R-00028", "WW-10607", "2026-11-12", "Daisy Gray", "daisy.gray@example.com", "CSH-OCH", 1, "2026-11-19", "Email", "Changed mind", "31/02/2026", None, None, None, None, None, None, "Impossible date"),
    # Problems that do not block the status
    ("R-00029", "WW-10611", "2026-11-12", "Sam Reid", None, "LMP-ARC", 1, "2026-11-21", "Phone", "Flickers", None, None, None, None, None, None, None, "Called in, no email"),
    ("R-00030", "WW-10531", "2026-10-15", "Ava Robinson", "ava.robinson@example.com", "KTL-CPR", 1, "2026-11-23", "Email", "Same kettle again?", None, None, None, None, None, None, None, "Looks like R-00012 typed twice"),
    ("R-00031", "WW-10615", "2026-11-13", "Zara Hunt", "zara.hunt@example.com", "MUG-GRN", 1, "2026-12-02", "Email", "Chipped rim", None, None, None, None, None, None, None, "Notice date typed wrong"),
    ("R-00032", "WW-10618", "2026-09-01", "Ben Carter", "ben.carter@example.com", "CDL-LAV", 1, "2026-11-16", "Email", "Changed my mind", None, None, None, None, None, None, None, "Asked long after delivery"),
    ("R-00033", "WW-10621", "2026-11-02", "Ruby Cox", "ruby.cox@example.com", "NEW-SKU", 1, "2026-11-15", "Email", "Too big", "2026-11-22", None, "Like new", None, None, None, None, "No price on file yet"),
    ("R-00034", "WW-10624", "2026-11-05", "Noah Patel", "noah.patel@example.com", "MUG-BLU", 1, "2026-11-12", "Email", "Colour not as shown", "2026-11-20", None, "Unopened", None, 12.50, None, None, "Refund typed before paying"),
    # Refunded this week: the refund confirmation is due
    ("R-00043", "WW-10576", "2026-11-01", "Jacob Lee", "jacob.lee@example.com", "CSH-OCH", 1, "2026-11-06", "Shopify", "Changed mind", "2026-11-21", None, "Unopened", None, 32.00, "2026-11-24", None, None),
    # More history, so the Summary has trends and repeated customers
    ("R-00035", "WW-10340", "2026-07-02", "Noah Patel", "noah.patel@example.com", "VAS-SML", 1, "2026-07-08", "Email", "Too small", "2026-07-15", None, "Like new", None, 24.99, "2026-07-16", None, None),
    ("R-00036", "WW-10352", "2026-07-10", "Leo Walker", "leo.walker@example.com", "KTL-CPR", 1, "2026-07-15", "Amazon", "Faulty thermostat", "2026-07-24", None, "Defective", "Manufacturer", 64.00, "2026-07-25", None, None),
    ("R-00037", "WW-10371", "2026-08-03", "Amelia Hart", "amelia.hart@example.com", "CSH-OCH", 1, "2026-08-06", "Shopify", "Changed my mind", "2026-08-13", None, "Used", None, 32.00, "2026-08-14", None, None),
    ("R-00038", "WW-10388", "2026-08-18", "Mia Hughes", "mia.hughes@example.com", "THR-GRY", 1, "2026-08-22", "eBay", "Too itchy", "2026-08-30", None, "Like new", None, 79.00, "2026-08-31", None, None),
    ("R-00039", "WW-10399", "2026-08-25", "Oliver Brooks", "oliver.brooks@example.com", "LMP-ARC", 1, "2026-08-29", "Email", "Arrived broken", "2026-09-06", None, "Damaged", "Carrier", 129.00, "2026-09-07", None, "Carrier claim paid"),
    ("R-00040", "WW-10405", "2026-08-30", "Grace Allen", "grace.allen@example.com", "MUG-BLU", 1, "2026-09-03", "Email", "Didn't like the glaze", "2026-09-10", None, "Unopened", None, 12.50, "2026-09-11", None, None),
    ("R-00041", "WW-10409", "2026-09-01", "Ethan Wright", "ethan.wright@example.com", "TEA-SET", 1, "2026-09-06", "Amazon", "Missing saucer", "2026-09-14", None, "Wrong item", None, 89.00, "2026-09-15", None, "Customer sent back a different set"),
    ("R-00042", "WW-10415", "2026-09-04", "Noah Patel", "noah.patel@example.com", "CDL-FIG", 1, "2026-09-09", "Email", "Changed mind", "2026-09-16", None, "Unopened", None, 18.00, "2026-09-17", None, None),
]


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws["A1"] = "Willow & Wick: returns log"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "One row per returned product. Grey columns on the right are filled in by sheetreturns."
    ws["A2"].font = Font(italic=True, color="666666")
    header_row = 3
    for col, name in enumerate(HEADERS, start=1):
        cell = ws.cell(header_row, col, name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="3B5B7A")
        cell.alignment = Alignment(vertical="center")

    for offset, row in enumerate(ROWS, start=1):
        (rid, order, ordered, customer, email, sku, qty, notified, channel, reason,
         received, received_qty, condition, damage_by, refund, refunded, decision, notes) = row
        product, price = PRODUCTS.get(sku, ("Sample candle holder", None)) if sku else ("Kettle", 64.00)
        received_value = d(received) if received and received[4] == "-" else received
        values = [rid, order, d(ordered), customer, email, sku, product, qty, price, d(notified), channel, reason,
                  received_value, received_qty, condition, damage_by, refund, d(refunded), decision, notes,
                  f"B{(offset * 7) % 23 + 1:02d}"]
        r = header_row + offset
        for col, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, col, value)
        for col in (3, 10, 13, 18):
            ws.cell(r, col).number_format = "yyyy-mm-dd"
        for col in (9, 17):
            ws.cell(r, col).number_format = '"£"#,##0.00'

    widths = [10, 11, 11, 16, 28, 10, 22, 5, 10, 11, 9, 30, 11, 8, 12, 12, 10, 11, 13, 28, 9]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(header_row, col).column_letter].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    last = header_row + len(ROWS)
    ws.auto_filter.ref = f"A{header_row}:{ws.cell(header_row, len(HEADERS)).column_letter}{last}"

    lists = wb.create_sheet("Lists")
    choices = {
        "Condition": ["Unopened", "Like new", "Used", "Damaged", "Defective", "Wrong item"],
        "Damage By": ["Customer", "Carrier", "Manufacturer", "Unknown"],
        "Decision": ["Refund", "Partial refund", "Refuse", "Exchange", "Store credit"],
        "Channel": ["Email", "Amazon", "eBay", "Shopify", "3PL", "Phone"],
    }
    for col, (name, options) in enumerate(choices.items(), start=1):
        lists.cell(1, col, name).font = Font(bold=True)
        for row, option in enumerate(options, start=2):
            lists.cell(row, col, option)
        letter = lists.cell(1, col).column_letter
        target = HEADERS.index(name) + 1
        target_letter = ws.cell(header_row, target).column_letter
        validation = DataValidation(
            type="list", formula1=f"Lists!${letter}$2:${letter}${len(options) + 1}", allow_blank=True,
            showErrorMessage=False,
        )
        validation.add(f"{target_letter}{header_row + 1}:{target_letter}2000")
        ws.add_data_validation(validation)

    settings = wb.create_sheet("Settings")
    settings.append(["Setting", "Value", "What it means"])
    for cell in settings[1]:
        cell.font = Font(bold=True)
    for row in (
        ("store_name", "Willow & Wick", "Shown in emails to customers."),
        ("currency", "GBP", "Currency of prices and refunds."),
        ("item_deadline_days", 30, "Days after the notice within which the item must come back."),
        ("reminder_after_days", 14, "Days after the notice before a reminder is sent."),
        ("defect_alert_min_returns", 3, "Inspected returns needed before the defect alert shows."),
    ):
        settings.append(list(row))
    settings.column_dimensions["A"].width = 26
    settings.column_dimensions["B"].width = 16
    settings.column_dimensions["C"].width = 60

    wb.properties.title = "Willow & Wick returns"
    wb.properties.creator = "Willow & Wick"
    wb.save(path)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "returns.xlsx"
    build(target)
    print(f"wrote {target} ({len(ROWS)} rows)")

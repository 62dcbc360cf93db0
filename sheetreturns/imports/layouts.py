"""The report layouts import understands: how each is recognised by its header row, and what each line says.

Each line of a report becomes a Record: a return (the item is back), a refund (money went to the
customer) or a reimbursement (Amazon paid the seller), with the values it gives for the Returns tab's
columns and the natural key that recognises it again in a later or overlapping report.

A layout the sheet reader also knows (Amazon's FBA and merchant-fulfilled returns, Shopify's orders
export) is recognised by that layout's signature in ``engine.layouts``, and its codes (reasons,
dispositions, request statuses, resolutions) mean what ``engine.vocabularies`` says, as on a sheet: a
report imported and the same download opened as the sheet give the same Reason, Condition, Damage By
and Decision. The payments, settlement and reimbursements reports are import's alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Callable

from ..engine import layouts as sheet_layouts
from ..engine import vocabularies
from ..engine.columns import normalise
from ..engine.layout_rows import unit_price
from ..engine.values import BadValue, parse_count, parse_date, parse_money

RETURN, REFUND, REIMBURSEMENT = "return", "refund", "reimbursement"
AMAZON_FBA, AMAZON, SHOPIFY = "Amazon FBA", "Amazon", "Shopify"


@dataclass(slots=True)
class Record:
    """What one report line says, in the Returns tab's terms."""

    kind: str  # RETURN, REFUND or REIMBURSEMENT
    line: int  # 1-based line of the file
    key: str  # natural key: the same line in another download has the same key
    order_id: str | None
    sku: str | None
    values: dict[str, object] = field(default_factory=dict)  # column key -> typed value
    return_ref: str | None = None  # the marketplace's own return identifier (license plate number, RMA ID)
    quote: str = ""  # the line's own words, for a claim


class NotUnderstood(Exception):
    """A line import cannot read as a return, refund or reimbursement; the message says why."""


class LeftOut(NotUnderstood):
    """A line understood and not about returns (an order, a fee, a transfer, a warehouse loss): counted, not listed."""


@dataclass(frozen=True)
class Layout:
    name: str
    header: tuple[str, ...]  # the real header row, as downloaded
    required: tuple[tuple[str, ...], ...]  # columns that identify a report-only layout, each with its alternatives
    # How its lines become records: one line at a time (`read`), or the whole file at once, column by column
    # (`read_columns`, for the reports that run to 100,000s of lines). A layout has one of the two.
    read: Callable[["Line"], list[Record]] | None = None
    channel: str = ""
    extra: tuple[str, ...] = ()  # other names some marketplaces give a column
    read_columns: Callable[[Callable[[str], list[str] | None], list[int]],
                           tuple[list[Record], list[tuple[int, str]]]] | None = None
    # The same download as the sheet reader knows it: recognised by its signature there, not `required`.
    sheet_layout: sheet_layouts.Layout | None = None

    def __post_init__(self) -> None:
        if (self.read is None) == (self.read_columns is None):
            raise ValueError(f"layout {self.name!r}: give it read or read_columns, one of the two")

    @property
    def fields(self) -> tuple[str, ...]:
        """Every header a line is read by: the report's own, and those the sheet reader's table names."""
        table = () if self.sheet_layout is None else tuple(
            h for _, headers in (*self.sheet_layout.columns, *self.sheet_layout.sources) for h in headers)
        return tuple(dict.fromkeys(self.header + self.extra + table))

    @property
    def names(self) -> set[str]:
        return {normalise(h) for h in self.header}

    @property
    def identifying(self) -> set[str]:
        """The normalised headers that identify the layout (its signature, or its required columns)."""
        if self.sheet_layout is not None:
            return {normalise(h) for h in self.sheet_layout.signature}
        return {normalise(n) for group in self.required for n in group}

    def matches(self, present: set[str]) -> bool:
        return all(any(normalise(name) in present for name in names) for names in self.required)


class Line:
    """One report line: its cells by the header names the layout knows ("" for a column the file lacks)."""

    __slots__ = ("values", "number")

    def __init__(self, values: dict[str, str], number: int) -> None:
        self.values, self.number = values, number

    def get(self, *names: str) -> str:
        for name in names:
            value = self.values.get(name)
            if value:
                return value.strip()
        return ""


# -- values as the reports write them ----------------------------------------

_TIME_OF_DAY = re.compile(
    r"[ t,]+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?\s*(?:[a-z]{1,5})?\s*(?:[+-]\d{1,2}(?::?\d{2})?)?$",
    re.IGNORECASE)


def report_date(text: str, what: str) -> date | None:
    """A report's date or date-time ("2026-11-03T10:12:44+00:00", "03-Nov-2026", "Nov 3, 2026 1:02:03 AM PST")."""
    text = text.strip()
    if not text:
        return None
    if _ISO_START.match(text):
        text = text[:10]  # the day, whatever the time and zone after it: one date per day to parse
    found = _date_of_text(text)
    if found is None:
        raise NotUnderstood(f'{what} "{text}" is not a date')
    return found


_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=4096)
def _date_of_text(text: str) -> date | None:
    try:
        if len(text) == 10 and _ISO_START.match(text):
            return parse_date(text)
        return parse_date(_TIME_OF_DAY.sub("", text), day_first=True)
    except BadValue:
        return None


def report_money(text: str, what: str) -> Decimal | None:
    """An amount, negative ones (refunds, charges) as their size: "-24.99" -> 24.99."""
    text = text.strip().replace("\u2212", "-").strip("()")
    if not text:
        return None
    if "-" in text[:2]:  # "-24.99", "£-24.99"
        text = text.replace("-", "", 1)
    try:
        amount = parse_money(text)
    except BadValue:
        raise NotUnderstood(f'{what} "{text}" is not an amount') from None
    return amount


def report_count(text: str, what: str) -> int | None:
    if text == "1":
        return 1
    text = text.strip().lstrip("-")
    if not text:
        return None
    try:
        return parse_count(text)
    except BadValue:
        raise NotUnderstood(f'{what} "{text}" is not a whole number') from None


# -- the columns a layout the sheet reader knows feeds --------------------------

def headers_for(layout: sheet_layouts.Layout, key: str) -> tuple[str, ...]:
    """The headers of LAYOUT that feed our column KEY (or its vocabulary source KEY), first present wins: the
    sheet reader's table, so a download imported and the same download opened as a sheet read the same cells."""
    for name, headers in (*layout.columns, *layout.sources):
        if name == key:
            return headers
    raise KeyError(f"{layout.name} has no column for {key}")


def _fed_by(layout: sheet_layouts.Layout, column: Callable[[str], list[str] | None], blank: list[str]):
    """key -> the cells of the first of LAYOUT's headers for it that the file has (else blanks)."""
    def cells(key: str) -> list[str]:
        for header in headers_for(layout, key):
            found = column(header)
            if found is not None:
                return found
        return blank

    return cells


# -- Amazon FBA customer returns ---------------------------------------------

@lru_cache(maxsize=256)
def _condition(disposition: str) -> tuple[str, str | None] | None:
    """detailed-disposition -> (Condition, Damage By), from the one vocabulary sheets and imports share."""
    found = vocabularies.disposition(disposition)
    return (found.condition, found.damage_by) if found else None


def _fba_returns_columns(column: Callable[[str], list[str] | None],
                         numbers: list[int]) -> tuple[list[Record], list[tuple[int, str]]]:
    """The FBA returns report, read column by column (it runs to 100,000s of lines). The columns are those the
    sheet reader reads for the layout (return-date is the day Amazon processed the unit back), plus the license
    plate number that recognises a unit again."""
    blank = [""] * len(numbers)
    fed = _fed_by(sheet_layouts.AMAZON_FBA_RETURNS, column, blank)
    orders, skus, dates, quantities = fed("order_id"), fed("sku"), fed("notified_on"), fed("qty")
    products, reasons, dispositions = fed("product"), fed("reason"), fed("disposition")
    plates = column("license-plate-number") or blank
    records: list[Record] = []
    bad: list[tuple[int, str]] = []
    days: dict[str, date | None] = {}
    counts: dict[str, int | None] = {"1": 1, "": None}
    append = records.append
    for number, order, sku, text, qty_text, lpn, product, reason, disposition in zip(
            numbers, orders, skus, dates, quantities, plates, products, reasons, dispositions):
        order = order.strip() or None
        sku = sku.strip() or None
        head = text[:10]
        returned = days.get(head, days) if len(text) >= 10 else days
        if returned is days:
            try:
                returned = days[head] = report_date(text, "return-date")
            except NotUnderstood as exc:
                bad.append((number, str(exc)))
                continue
        if returned is None:
            bad.append((number, "no return-date"))
            continue
        if order is None and sku is None:
            bad.append((number, "neither order-id nor sku"))
            continue
        qty = counts.get(qty_text, counts)
        if qty is counts:
            try:
                qty = counts[qty_text] = report_count(qty_text, "quantity")
            except NotUnderstood as exc:
                bad.append((number, str(exc)))
                continue
        qty = qty or 1
        lpn = lpn.strip() or None
        values: dict[str, object] = {
            "order_id": order, "sku": sku, "product": product.strip() or None, "qty": qty,
            "received_on": returned, "received_qty": qty, "channel": AMAZON_FBA,
        }
        reason = reason.strip()
        if reason:
            values["reason"] = reason
        found = _condition(disposition)
        if found:
            values["condition"] = found[0]
            if found[1]:
                values["damage_by"] = found[1]
        if lpn:
            append(Record(RETURN, number, "lpn:" + lpn.lower(), order, sku, values, lpn,
                          f"FBA return {lpn} of order {order}, SKU {sku}, processed {head}"))
        else:
            day = returned.isoformat()
            append(Record(RETURN, number, f"fba:{order}|{sku}|{day}".lower(), order, sku, values, None,
                          f"FBA return of order {order}, SKU {sku}, processed {day}"))
    return records, bad


# -- Amazon merchant-fulfilled returns ---------------------------------------

def _mfn_return(line: Line) -> list[Record]:
    def get(key: str) -> str:
        return line.get(*headers_for(sheet_layouts.AMAZON_MFN_RETURNS, key))

    order = get("order_id") or None
    sku = get("sku") or None
    rma = get("return_id") or None  # Amazon RMA ID
    if order is None:
        raise NotUnderstood("no Order ID")
    qty = report_count(get("qty"), "Return quantity") or 1
    values: dict[str, object] = {
        "order_id": order, "sku": sku, "product": get("product") or None, "qty": qty,
        "order_date": report_date(get("order_date"), "Order date"),
        "notified_on": report_date(get("notified_on"), "Return request date"),
        "channel": AMAZON,
    }
    reason = get("reason")
    if reason:
        values["reason"] = reason  # CR-UNWANTED_ITEM: the vocabulary reads the code with its prefix
    # Resolution (else a rejected request) gives Decision, as on a sheet.
    decision = vocabularies.resolution(get("decision"))
    if decision is None:
        status = vocabularies.request_status(get("request_status"))
        decision = status.decision if status is not None else None
    if decision is not None:
        values["decision"] = decision
    delivered = report_date(get("received_on"), "Return delivery date")
    if delivered is not None:
        values["received_on"] = delivered
    refunded = report_money(get("refund_amount"), "Refunded Amount")
    if refunded:
        values["refund_amount"] = refunded
    price = unit_price(get("order_amount"), get("order_quantity"))  # as a sheet works it out
    if price is not None:
        values["unit_price"] = price
    values = {k: v for k, v in values.items() if v is not None}
    key = f"rma:{rma}" if rma else f"mfn:{order}|{sku}"
    return [Record(RETURN, line.number, key.lower(), order, sku, values, rma,
                   f"Amazon return {rma or ''} of order {order}, SKU {sku}")]


# -- Amazon payments: date range transaction report --------------------------

def _transaction(line: Line) -> list[Record]:
    kind = line.get("type").strip().lower()
    if kind != "refund":
        raise LeftOut(f'type "{line.get("type")}"') if kind else NotUnderstood("no type")
    order = line.get("order id") or None
    sku = line.get("sku") or None
    if order is None or sku is None:
        raise NotUnderstood("a refund without an order id and sku")
    when = report_date(line.get("date/time"), "date/time")
    amount = report_money(line.get("product sales"), "product sales")
    if amount is None:
        amount = report_money(line.get("total"), "total")
    fulfilment = line.get("fulfillment", "fulfilment").lower()
    channel = AMAZON_FBA if fulfilment.startswith("amazon") or fulfilment in ("afn", "fba") else AMAZON
    qty = report_count(line.get("quantity"), "quantity") or 1
    values: dict[str, object] = {
        "order_id": order, "sku": sku, "product": line.get("description") or None, "qty": qty,
        "refunded_on": when, "refund_amount": amount, "notified_on": when, "channel": channel,
    }
    values = {k: v for k, v in values.items() if v is not None}
    key = f"refund:{line.get('date/time')}|{order}|{sku}|{line.get('total')}"
    quote = (f"Refund {line.get('date/time')}, settlement {line.get('settlement id')}, order {order}, SKU {sku}, "
             f"product sales {line.get('product sales')}")
    return [Record(REFUND, line.number, key.lower(), order, sku, values, None, quote)]


# -- Amazon settlement flat file (V2) -----------------------------------------

def _settlement(line: Line) -> list[Record]:
    kind = line.get("transaction-type").strip().lower()
    if kind != "refund":
        raise LeftOut(f'transaction-type "{line.get("transaction-type")}"')
    if line.get("amount-type").lower() != "itemprice" or line.get("amount-description").lower() != "principal":
        raise LeftOut("a refund's fee or tax line (only ItemPrice Principal is recorded)")
    order = line.get("order-id") or None
    sku = line.get("sku") or None
    if order is None or sku is None:
        raise NotUnderstood("a refund without an order-id and sku")
    when = report_date(line.get("posted-date-time", "posted-date"), "posted-date")
    amount = report_money(line.get("amount"), "amount")
    channel = AMAZON_FBA if line.get("fulfillment-id").upper() == "AFN" else AMAZON
    qty = report_count(line.get("quantity-purchased"), "quantity-purchased") or 1
    values = {k: v for k, v in {
        "order_id": order, "sku": sku, "qty": qty, "refunded_on": when, "refund_amount": amount,
        "notified_on": when, "channel": channel,
    }.items() if v is not None}
    key = f"settlement:{line.get('settlement-id')}|{order}|{sku}|{line.get('adjustment-id')}|{line.get('amount')}"
    quote = (f"Settlement {line.get('settlement-id')} refund posted {line.get('posted-date')}, order {order}, "
             f"SKU {sku}, adjustment {line.get('adjustment-id')}, amount {line.get('amount')}")
    return [Record(REFUND, line.number, key.lower(), order, sku, values, None, quote)]


# -- Amazon FBA Reimbursements report ------------------------------------------

CUSTOMER_REIMBURSEMENTS = {"customerreturn", "customerserviceissue", "refund", "customerreturnreimbursement",
                           "generaladjustment"}


def _reimbursement(line: Line) -> list[Record]:
    reason = line.get("reason")
    order = line.get("amazon-order-id") or None
    sku = line.get("sku") or None
    if normalise(reason) == "reimbursementreversal" and order is not None:
        raise NotUnderstood(f"Amazon reversed reimbursement {line.get('original-reimbursement-id') or ''} of order "
                            f"{order}, SKU {sku}: check that row's Reimbursed On and Amount by hand")
    if normalise(reason) not in CUSTOMER_REIMBURSEMENTS:
        raise LeftOut(f'reason "{reason}"') if reason else NotUnderstood("no reason")
    if order is None or sku is None:
        raise NotUnderstood("no amazon-order-id or sku")
    approved = report_date(line.get("approval-date"), "approval-date")
    amount = report_money(line.get("amount-total"), "amount-total")
    values = {k: v for k, v in {"reimbursed_on": approved, "reimbursed_amount": amount}.items() if v is not None}
    key = f"reimbursement:{line.get('reimbursement-id')}|{order}|{sku}"
    quote = f"Reimbursement {line.get('reimbursement-id')} approved {line.get('approval-date')}, order {order}, SKU {sku}"
    return [Record(REIMBURSEMENT, line.number, key.lower(), order, sku, values, None, quote)]


# -- Shopify orders export ---------------------------------------------------

def _shopify_columns(column: Callable[[str], list[str] | None],
                     numbers: list[int]) -> tuple[list[Record], list[tuple[int, str]]]:
    """The orders export: one line per line item, the order's own fields (Email, Financial Status, Refunded
    Amount) on its first line only. A refunded order's items are refunds; a partial refund over several items
    cannot be put on one of them, so it is listed for the seller."""
    blank = [""] * len(numbers)
    fed = _fed_by(sheet_layouts.SHOPIFY_ORDERS, column, blank)
    keys = ("order_id", "email", "financial_status", "refund_amount", "order_date", "customer", "qty", "product",
            "unit_price", "sku")
    columns = [fed(key) for key in keys]
    orders: dict[str, list[tuple[int, dict[str, str]]]] = {}
    bad: list[tuple[int, str]] = []
    for number, *cells in zip(numbers, *columns):
        line = {key: cell.strip() for key, cell in zip(keys, cells)}
        if not line["order_id"]:
            bad.append((number, "no order Name"))
            continue
        orders.setdefault(line["order_id"], []).append((number, line))
    records: list[Record] = []
    for name, items in orders.items():
        first = items[0][1]
        try:
            refunded = report_money(first["refund_amount"], "Refunded Amount")
        except NotUnderstood as exc:
            bad.append((items[0][0], str(exc)))
            continue
        if not refunded:
            continue  # a sale, not a return: left out
        status = first["financial_status"].lower()
        if status == "partially_refunded" and len(items) > 1:
            bad.extend((number, f"order {name} was partly refunded ({first['refund_amount']}) over "
                                f"{len(items)} items: record which one by hand") for number, _ in items)
            continue
        for number, line in items:
            try:
                qty = report_count(line["qty"], "Lineitem quantity") or 1
                price = report_money(line["unit_price"], "Lineitem price")
                created = report_date(first["order_date"], "Created at")
            except NotUnderstood as exc:
                bad.append((number, str(exc)))
                continue
            sku = line["sku"] or None
            amount = refunded if len(items) == 1 or status == "partially_refunded" else \
                (price * qty if price is not None else None)
            values = {k: v for k, v in {
                "order_id": name, "sku": sku, "product": line["product"] or None, "qty": qty,
                "unit_price": price, "email": first["email"] or None, "customer": first["customer"] or None,
                "order_date": created, "refund_amount": amount, "channel": SHOPIFY,
            }.items() if v is not None}
            records.append(Record(REFUND, number, f"shopify:{name}|{sku}|{line['product']}".lower(), name, sku,
                                  values, None, f"Shopify order {name}, {sku}, refunded {first['refund_amount']}"))
    return records, bad


# -- the layouts ---------------------------------------------------------------

LAYOUTS: tuple[Layout, ...] = (
    Layout("Amazon FBA customer returns",
           ("return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
            "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments"),
           (),  # recognised as the sheet reader recognises it
           channel=AMAZON_FBA, read_columns=_fba_returns_columns,
           sheet_layout=sheet_layouts.AMAZON_FBA_RETURNS),
    Layout("Amazon merchant-fulfilled returns",
           ("Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
            "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
            "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name",
            "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
            "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id",
            "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount"),
           (),  # recognised as the sheet reader recognises it
           _mfn_return, AMAZON, sheet_layout=sheet_layouts.AMAZON_MFN_RETURNS),
    Layout("Amazon payments transaction report",
           ("date/time", "settlement id", "type", "order id", "sku", "description", "quantity", "marketplace",
            "fulfillment", "order city", "order state", "order postal", "tax collection model", "product sales",
            "product sales tax", "shipping credits", "shipping credits tax", "gift wrap credits",
            "giftwrap credits tax", "promotional rebates", "promotional rebates tax", "marketplace withheld tax",
            "selling fees", "fba fees", "other transaction fees", "other", "total"),
           (("date/time",), ("settlement id",), ("type",), ("order id",), ("sku",), ("total",)),
           _transaction, AMAZON, extra=("fulfilment",)),
    Layout("Amazon settlement report",
           ("settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
            "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
            "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
            "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku",
            "quantity-purchased", "promotion-id"),
           (("settlement-id",), ("transaction-type",), ("amount-type",), ("amount",), ("order-id",)),
           _settlement, AMAZON),
    Layout("Amazon FBA reimbursements",
           ("approval-date", "reimbursement-id", "case-id", "amazon-order-id", "reason", "sku", "fnsku", "asin",
            "product-name", "condition", "currency-unit", "amount-per-unit", "amount-total",
            "quantity-reimbursed-cash", "quantity-reimbursed-inventory", "quantity-reimbursed-total",
            "original-reimbursement-id", "original-reimbursement-type"),
           (("approval-date",), ("reimbursement-id",), ("amount-total",), ("reason",)),
           _reimbursement, AMAZON_FBA),
    Layout("Shopify orders export",
           ("Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
            "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
            "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
            "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
            "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Refunded Amount"),
           (),  # recognised as the sheet reader recognises it
           channel=SHOPIFY, read_columns=_shopify_columns, sheet_layout=sheet_layouts.SHOPIFY_ORDERS),
)
BY_SHEET_LAYOUT = {layout.sheet_layout.name: layout for layout in LAYOUTS if layout.sheet_layout is not None}
REPORTS_ONLY = tuple(layout for layout in LAYOUTS if layout.sheet_layout is None)  # the sheet reader never sees these


@dataclass
class Recognised:
    layout: Layout
    header_index: int  # 0-based line of the header
    index: dict[str, int]  # normalised header -> position

    def reader(self) -> Callable[[list[str], int], list[Record]]:
        """Cells of a line -> its records: each known column's cell picked by position, once per file."""
        names = [n for n in self.layout.fields if normalise(n) in self.index]
        positions = [self.index[normalise(n)] for n in names]
        width = max(positions, default=0) + 1
        pick = itemgetter(*positions) if len(positions) > 1 else (lambda cells: (cells[positions[0]],))
        read = self.layout.read
        assert read is not None, "a layout read column by column has no line reader"

        def lines(cells: list[str], number: int) -> list[Record]:
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            return read(Line(dict(zip(names, pick(cells))), number))

        return lines


def recognise(lines: list[list[str]], search: int = 12) -> Recognised | None:
    """The layout whose header row appears among the first lines (Amazon's transaction report has notes above)."""
    for number, cells in enumerate(lines[:search]):
        present = {normalise(c) for c in cells if c}
        if len(present) < 3:
            continue
        on_sheet = sheet_layouts.recognise(cells)  # the layouts a sheet can be are recognised as there
        found = BY_SHEET_LAYOUT.get(on_sheet.name) if on_sheet is not None else None
        if found is None:
            found = next((layout for layout in REPORTS_ONLY if layout.matches(present)), None)
        if found is not None:
            index: dict[str, int] = {}
            for position, cell in enumerate(cells):
                index.setdefault(normalise(cell), position)
            return Recognised(found, number, index)
    return None


def closest(lines: list[list[str]], search: int = 12) -> tuple[Layout, list[str], list[str]] | None:
    """The known layout nearest to the file's likeliest header row: (layout, its columns the file lacks, the file's
    columns it does not have)."""
    best: tuple[float, Layout, list[str]] | None = None
    for cells in lines[:search]:
        names = [c for c in cells if c]
        if len(names) < 2:
            continue
        present = {normalise(c) for c in names}
        for layout in LAYOUTS:
            score = len(present & layout.names) / len(present | layout.names)
            if best is None or score > best[0]:
                best = (score, layout, names)
    if best is None or best[0] == 0:
        return None
    _, layout, names = best
    present = {normalise(c) for c in names}
    missing = [h for h in layout.header if normalise(h) not in present]
    required = layout.identifying
    missing.sort(key=lambda h: normalise(h) not in required)  # the identifying columns first
    extra = [c for c in names if normalise(c) not in layout.names]
    return layout, missing, extra

"""Known layouts of sellers' downloads: which of their columns feeds which of ours, recognised by the header row.

Pure data and functions (no I/O). Stable interface (other parts of the program build on these names):

- ``LAYOUTS``: every known ``Layout``.
- ``Layout``: ``name`` (a stable identifier such as ``"amazon_fba_returns"``), ``title`` (for people),
  ``channel`` (what goes in our Channel column), ``signature`` (headers that must all be present),
  ``columns`` (our column key -> the layout's header names, first present wins), ``sources``
  (vocabulary source name -> header: columns whose values feed several of ours through
  ``engine.vocabularies``), ``sales`` (the file lists orders, not returns) and the row rules below.
  ``columns_in(headers)`` and ``sources_in(headers)`` give 0-based indexes in one header row.
- ``recognise(headers) -> Layout | None``: the layout a header row belongs to (the most specific one
  whose signature is complete); header names are compared with ``normalise`` (case, spaces and
  punctuation do not matter).
- ``footer_text(cells) -> str | None``: the row is a report's footer or summary line ("3 record(s)
  downloaded", "Seller ID: ...", "Total"): the text to report it by.

Source names: ``fba_status`` (``engine.vocabularies.fba_status``), ``disposition``
(``vocabularies.disposition``), ``request_status`` (``vocabularies.request_status``), ``financial_status``
(``vocabularies.refund_state``), ``order_amount`` and ``order_quantity`` (an order's total and units: the
unit price when the layout has none).

Row rules (flags on a Layout): ``received_when_listed`` (every line of the report is a unit already back),
``refunded_by_marketplace`` (the marketplace refunds the buyer itself), ``refund_amount_means_refunded``
(an amount above zero means the money went out, on the latest date the row gives), ``document_is_refund``
(each line is a refund, dated by the row's own date), ``fill_down`` (our
columns that only the first line of an order carries), ``summary_rows`` (a line without a SKU whose
order has item lines is the order's summary), ``signed_quantity`` (a negative quantity is a returned
quantity; a positive one is a sale, not a return), ``sku_from_product`` (no SKU column: the product
named stands in for it), ``question_headers`` (headers are a form's questions, matched by keywords).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: object) -> str:
    """'Return-Date ' -> 'returndate' (the same rule as engine.columns.normalise)."""
    return _NON_ALNUM.sub("", str(text).lower())


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    channel: str
    signature: tuple[str, ...]
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    sources: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sales: bool = False
    received_when_listed: bool = False
    refunded_by_marketplace: bool = False
    refund_amount_means_refunded: bool = False
    document_is_refund: bool = False
    fill_down: tuple[str, ...] = ()
    summary_rows: bool = False
    signed_quantity: bool = False
    sku_from_product: bool = False
    question_headers: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)

    def matches(self, present: set[str]) -> bool:
        return all(normalise(h) in present for h in self.signature)

    def columns_in(self, headers: Sequence[object]) -> dict[str, int]:
        """Our column key -> index of the layout's header that feeds it, for the headers present."""
        return _indexes(self.columns, headers)

    def sources_in(self, headers: Sequence[object]) -> dict[str, int]:
        """Source name -> index, for the vocabulary columns present."""
        return _indexes(self.sources, headers)


def _indexes(table: tuple[tuple[str, tuple[str, ...]], ...], headers: Sequence[object]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, text in enumerate(headers):
        key = normalise(text) if text is not None else ""
        if key:
            where.setdefault(key, index)
    found: dict[str, int] = {}
    for name, candidates in table:
        for candidate in candidates:
            index = where.get(normalise(candidate))
            if index is not None:
                found[name] = index
                break
    return found


AMAZON_FBA_RETURNS = Layout(
    name="amazon_fba_returns",
    title="Amazon FBA customer returns report",
    channel="Amazon FBA",
    signature=("return-date", "sku", "fnsku", "detailed-disposition"),
    columns=(
        ("order_id", ("order-id", "amazon-order-id")),
        ("sku", ("sku",)),
        ("product", ("product-name",)),
        ("qty", ("quantity",)),
        ("notified_on", ("return-date",)),
        ("reason", ("reason",)),
        ("notes", ("customer-comments",)),
    ),
    sources=(("fba_status", ("status",)), ("disposition", ("detailed-disposition",))),
    received_when_listed=True,
    refunded_by_marketplace=True,
    notes=(
        "Every line of this report is a unit Amazon has already processed at a fulfilment centre: it counts "
        "as received on its return-date, and as refunded by Amazon (Amazon refunds FBA buyers itself).",
        "detailed-disposition gives Condition and Damage By; status is read for what Amazon did with the unit "
        "and is never written.",
    ),
)

AMAZON_MFN_RETURNS = Layout(
    name="amazon_mfn_returns",
    title="Amazon merchant-fulfilled returns report",
    channel="Amazon",
    signature=("Order ID", "Return request date", "Merchant SKU", "Return quantity"),
    columns=(
        ("return_id", ("Amazon RMA ID",)),
        ("order_id", ("Order ID",)),
        ("order_date", ("Order date",)),
        ("notified_on", ("Return request date",)),
        ("sku", ("Merchant SKU",)),
        ("product", ("Item Name",)),
        ("qty", ("Return quantity",)),
        ("reason", ("Return Reason",)),
        ("decision", ("Resolution",)),
        ("received_on", ("Return delivery date",)),
        ("refund_amount", ("Refunded Amount",)),
    ),
    sources=(
        ("request_status", ("Return request status",)),
        ("order_amount", ("Order Amount",)),
        ("order_quantity", ("Order quantity",)),
    ),
    refund_amount_means_refunded=True,
    notes=(
        "Resolution (StandardRefund, Replacement ...) gives Decision; a Refunded Amount above zero means "
        "refunded; Order Amount / Order quantity gives the Unit Price.",
    ),
)

SHOPIFY_ORDERS = Layout(
    name="shopify_orders",
    title="Shopify orders export",
    channel="Shopify",
    signature=("Name", "Financial Status", "Lineitem quantity", "Lineitem sku"),
    columns=(
        ("order_id", ("Name",)),
        ("email", ("Email",)),
        ("customer", ("Billing Name", "Shipping Name")),
        ("order_date", ("Created at", "Paid at")),
        ("sku", ("Lineitem sku",)),
        ("product", ("Lineitem name",)),
        ("qty", ("Lineitem quantity",)),
        ("unit_price", ("Lineitem price",)),
        ("refund_amount", ("Refunded Amount",)),
        ("notes", ("Notes",)),
    ),
    sources=(("financial_status", ("Financial Status",)),),
    sales=True,
    refund_amount_means_refunded=True,
    fill_down=("email", "customer", "order_date"),
    notes=(
        "Name is the order number, not a person. A full export lists sales: confirm with "
        "this_is_a_returns_sheet = yes when the file holds only returned orders.",
        "Financial Status refunded or partially_refunded, or a Refunded Amount above zero, means refunded; "
        "0.00 means nothing was refunded.",
    ),
)

EBAY_ORDERS = Layout(
    name="ebay_orders",
    title="eBay orders report",
    channel="eBay",
    signature=("Order Number", "Item Title", "Custom Label", "Sold For"),
    columns=(
        ("order_id", ("Order Number",)),
        ("customer", ("Buyer Name", "Ship To Name")),
        ("email", ("Buyer Email",)),
        ("sku", ("Custom Label",)),
        ("product", ("Item Title",)),
        ("qty", ("Quantity",)),
        ("unit_price", ("Sold For",)),
        ("order_date", ("Sale Date",)),
        ("notes", ("Buyer Note",)),
    ),
    sales=True,
    fill_down=("email", "customer", "order_date"),
    summary_rows=True,
    notes=(
        "The order summary line of a multi-item order, blank padding rows and the footer "
        "(\"N record(s) downloaded\") are left alone and reported. The report lists sales: confirm with "
        "this_is_a_returns_sheet = yes when the file holds only returned orders.",
    ),
)

ETSY_SOLD_ITEMS = Layout(
    name="etsy_sold_items",
    title="Etsy sold order items",
    channel="Etsy",
    signature=("Sale Date", "Item Name", "Listing ID", "Order ID"),
    columns=(
        ("order_id", ("Order ID",)),
        ("order_date", ("Sale Date",)),
        ("customer", ("Buyer", "Ship Name")),
        ("sku", ("SKU",)),
        ("product", ("Item Name",)),
        ("qty", ("Quantity",)),
        ("unit_price", ("Price",)),
    ),
    sales=True,
    notes=(
        "Etsy's file has no buyer email, so no emails go to customers. It lists sales: confirm with "
        "this_is_a_returns_sheet = yes when the file holds only returned items.",
    ),
)

GOOGLE_FORMS = Layout(
    name="google_forms",
    title="Google Forms responses",
    channel="Form",
    signature=("Timestamp",),
    columns=(("notified_on", ("Timestamp",)), ("email", ("Email Address", "Email address"))),
    sku_from_product=True,
    question_headers=True,
    notes=(
        "Timestamp is when the customer asked (Notified On). The questions are matched by their words: "
        "order number, email, name, product or item, SKU, how many / quantity, reason or why.",
    ),
)

CREDIT_NOTES = Layout(
    name="credit_notes",
    title="Credit notes (invoice lines with negative quantities)",
    channel="",
    signature=("InvoiceNo", "StockCode", "Quantity", "InvoiceDate"),
    columns=(
        ("order_id", ("InvoiceNo",)),
        ("sku", ("StockCode",)),
        ("product", ("Description",)),
        ("qty", ("Quantity",)),
        ("notified_on", ("InvoiceDate",)),
        ("unit_price", ("UnitPrice",)),
        ("customer", ("CustomerID",)),
    ),
    signed_quantity=True,
    document_is_refund=True,
    notes=(
        "A negative Quantity is the quantity returned; lines with a positive Quantity are sales and are left "
        "alone. A credit note is a refund: its InvoiceDate is Notified On and Refunded On.",
    ),
)

LAYOUTS: tuple[Layout, ...] = (
    AMAZON_FBA_RETURNS, AMAZON_MFN_RETURNS, SHOPIFY_ORDERS, EBAY_ORDERS, ETSY_SOLD_ITEMS, CREDIT_NOTES, GOOGLE_FORMS,
)


def recognise(headers: Sequence[object]) -> Layout | None:
    """The known layout of a header row: the one with the longest complete signature, else None."""
    present = {normalise(h) for h in headers if h is not None and str(h).strip()}
    best: Layout | None = None
    for layout in LAYOUTS:
        if layout.matches(present) and (best is None or len(layout.signature) > len(best.signature)):
            best = layout
    if best is GOOGLE_FORMS and normalise(headers[0] if headers else "") != "timestamp":
        return None  # a form's sheet starts with Timestamp; elsewhere the word means nothing special
    return best


# A form's questions -> our column, by the words they contain (checked in this order; first match wins).
QUESTION_WORDS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("email", (("email",), ("e", "mail"))),
    ("order_id", (("order", "number"), ("order", "no"), ("order", "id"), ("order", "ref"), ("order",))),
    ("sku", (("sku",), ("product", "code"), ("item", "code"), ("article",))),
    ("qty", (("how", "many"), ("quantity",), ("qty",), ("units",))),
    ("reason", (("reason",), ("why",))),
    ("product", (("product",), ("item",), ("what", "return"))),
    ("customer", (("name",),)),
    ("notes", (("comment",), ("anything", "else"), ("details",))),
)


def question_column(header: str) -> str | None:
    """Our column for a form question such as "What is your order number?" (None if no words match)."""
    words = set(re.findall(r"[a-z0-9]+", header.lower()))
    for key, alternatives in QUESTION_WORDS:
        if any(all(w in words for w in alternative) for alternative in alternatives):
            return key
    return None


_FOOTER = re.compile(
    r"^\s*(?:\d[\d,]*\s+record\(?s?\)?\s+downloaded|seller\s*id\b|total\b|totals\b|grand\s+total\b|subtotal\b"
    r"|report\s+(?:generated|created)|end\s+of\s+report|page\s+\d+\b)",
    re.IGNORECASE,
)


def footer_text(cells: Sequence[object]) -> str | None:
    """The text of a report footer or summary line ("3 record(s) downloaded"), else None."""
    filled = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not filled or len(filled) > 3:
        return None
    text = " ".join(filled)
    return text if _FOOTER.match(text) else None

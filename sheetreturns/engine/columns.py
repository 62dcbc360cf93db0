"""The Returns tab's columns: their names, aliases, and how a header row is recognised."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import SheetReturnsError


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the name the job writes when it adds the column
    kind: str  # text, date, money, int, email, or the name of a choice list
    aliases: tuple[str, ...] = ()
    job_owned: bool = False
    required: bool = False
    on_demand: bool = False  # added to a sheet only when the job has something to put in it (customer replies)


SELLER_COLUMNS: tuple[Column, ...] = (
    Column("return_id", "Return ID", "text", ("return", "return #", "rma", "rma number", "return number", "return no", "return ref")),
    Column("order_id", "Order ID", "text", ("order", "order number", "order no", "order ref", "invoice", "invoice no"), required=True),
    Column("order_date", "Order Date", "date", ("ordered on", "date ordered", "purchase date", "ordered")),
    Column("customer", "Customer", "text", ("customer name", "name", "buyer", "buyer name")),
    Column("email", "Email", "email", ("customer email", "e-mail", "email address", "buyer email", "mail")),
    Column("sku", "SKU", "text", ("item code", "product code", "stock code", "item sku", "article"), required=True),
    Column("product", "Product", "text", ("product name", "item", "item name", "description", "title")),
    Column("qty", "Qty", "int", ("quantity", "units", "qty returned", "quantity returned")),
    Column("unit_price", "Unit Price", "money", ("price", "item price", "price each", "unit cost")),
    Column("notified_on", "Notified On", "date", ("notified", "notice date", "date notified", "requested on", "request date", "return requested", "reported on")),
    Column("channel", "Channel", "text", ("source", "marketplace", "platform")),
    Column("reason", "Reason", "text", ("return reason", "reason for return", "customer reason")),
    Column("received_on", "Received On", "date", ("received", "date received", "received date", "item received")),
    Column("received_qty", "Received Qty", "int", ("received quantity", "qty received", "quantity received", "units received")),
    Column("condition", "Condition", "condition", ("item condition", "inspection", "inspection result", "condition on arrival")),
    Column("damage_by", "Damage By", "damage_by", ("damaged by", "damage cause", "cause of damage", "fault of")),
    Column("refund_amount", "Refund Amount", "money", ("refund", "refunded amount", "amount refunded", "refund value")),
    Column("refunded_on", "Refunded On", "date", ("refund date", "date refunded", "refunded")),
    Column("decision", "Decision", "decision", ("outcome", "resolution")),
    Column("notes", "Notes", "text", ("note", "comments", "comment")),
    Column("reply_handled_on", "Reply Handled On", "date", ("reply handled", "reply answered on", "answered on"),
           on_demand=True),
)

JOB_COLUMNS: tuple[Column, ...] = (
    Column("status", "Status", "text", job_owned=True),
    Column("next_step", "Next Step", "text", ("next action", "action"), job_owned=True),
    Column("problems", "Problems", "text", ("issues",), job_owned=True),
    Column("inventory", "Inventory", "text", ("inventory action", "stock action"), job_owned=True),
    Column("reason_category", "Reason Category", "text", ("reason group",), job_owned=True),
    Column("contacted_on", "Contacted On", "date", ("contacted",), job_owned=True),
    Column("last_email", "Last Email", "text", job_owned=True),
    Column("replied_on", "Replied On", "date", ("customer replied on",), job_owned=True, on_demand=True),
    Column("reply", "Reply", "text", ("customer reply",), job_owned=True, on_demand=True),
    Column("return_tracking", "Return Tracking", "text", ("return tracking number",), job_owned=True, on_demand=True),
)

# Filled in by `import` from a marketplace's reimbursements report (or typed in: a customer paid back a refund).
# Not in a new sheet: import adds them when it first has something to write there.
IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("reimbursed_on", "Reimbursed On", "date", ("reimbursement date", "date reimbursed", "reimbursed")),
    Column("reimbursed_amount", "Reimbursed Amount", "money", ("reimbursement", "reimbursement amount", "amount reimbursed")),
)

ALL_COLUMNS: tuple[Column, ...] = SELLER_COLUMNS + IMPORT_COLUMNS + JOB_COLUMNS
BY_KEY: dict[str, Column] = {c.key: c for c in ALL_COLUMNS}
REQUIRED: tuple[Column, ...] = tuple(c for c in ALL_COLUMNS if c.required)

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: object) -> str:
    """Header or choice text reduced to lowercase letters and digits: 'E-mail ' -> 'email'."""
    return _NON_ALNUM.sub("", str(text).lower())


def _build_alias_map() -> dict[str, str]:
    names: dict[str, str] = {}
    for col in ALL_COLUMNS:
        for name in (col.header, col.key, *col.aliases):
            names.setdefault(normalise(name), col.key)
    return names


ALIASES: dict[str, str] = _build_alias_map()


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_address(col_index: int, row_number: int) -> str:
    return f"{column_letter(col_index)}{row_number}"


@dataclass
class HeaderMap:
    """Where the header row is and which known column sits at which index (0-based)."""

    row_index: int  # 0-based index into the sheet's rows
    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)

    @property
    def row_number(self) -> int:
        return self.row_index + 1

    def label(self, key: str) -> str:
        """The column's name as the seller wrote it (or its standard name when the sheet lacks it)."""
        index = self.columns.get(key)
        return self.headers[index] if index is not None else BY_KEY[key].header

    def cell(self, key: str, row_number: int) -> str | None:
        index = self.columns.get(key)
        return cell_address(index, row_number) if index is not None else None

    def missing_required(self) -> list[Column]:
        return [c for c in REQUIRED if c.key not in self.columns]


def match_headers(cells: list[object]) -> HeaderMap:
    headers = ["" if v is None else str(v).strip() for v in cells]
    found: dict[str, int] = {}
    duplicates: list[str] = []
    for index, text in enumerate(headers):
        key = ALIASES.get(normalise(text)) if text else None
        if key is None:
            continue
        if key in found:
            duplicates.append(text)
            continue
        found[key] = index
    return HeaderMap(row_index=-1, headers=headers, columns=found, duplicates=duplicates)


HEADER_SEARCH_ROWS = 30


def find_header(rows: list[list[object]], sheet_title: str) -> HeaderMap:
    """The first row among the top ones that names the most known columns (title rows above are fine)."""
    best: HeaderMap | None = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        candidate = match_headers(cells)
        candidate.row_index = index
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
    if best is None or len(best.columns) == 0:
        raise SheetReturnsError(
            f"the {sheet_title!r} tab has no header row with the columns sheetreturns needs "
            f"({', '.join(c.header for c in REQUIRED)}): add a header row"
        )
    missing = best.missing_required()
    if missing:
        found = ", ".join(h for h in best.headers if h) or "none"
        names = " and ".join(c.header for c in missing)
        raise SheetReturnsError(
            f"the {sheet_title!r} tab has no {names} column (headers found on row {best.row_number}: {found}): "
            f"add {'it' if len(missing) == 1 else 'them'} or rename the column"
        )
    return best

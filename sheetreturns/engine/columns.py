"""The Returns tab's columns: their names, aliases, and how a header row is recognised."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from ..errors import SheetReturnsError
from .layouts import Layout, question_column, recognise


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
    Column("sku", "SKU", "text", ("item code", "product code", "stock code", "item sku", "article", "product id",
                               "product number", "part number", "seller sku", "merchant sku"), required=True),
    Column("product", "Product", "text", ("product name", "item", "item name", "description", "title", "item title",
                                          "lineitem name", "product title", "listing title")),
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
    if 0 <= index < _TWO_LETTERS:
        return _LETTERS[index]
    return _spelled(index)


def _spelled(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_TWO_LETTERS = 26 + 26 * 26  # A to ZZ, worked out once: problems name their cells by these
_LETTERS = [_spelled(index) for index in range(_TWO_LETTERS)]


def cell_address(col_index: int, row_number: int) -> str:
    return f"{column_letter(col_index)}{row_number}"


@dataclass
class HeaderMap:
    """Where the header row is and which known column sits at which index (0-based).

    `sources` holds the columns of a known layout whose values feed several of ours through a vocabulary
    (Amazon's `status`, `detailed-disposition` ...): source name -> index. `named` holds the keys the
    seller named under [columns]; `informative` the keys whose unknown values are shown as problems
    without stopping the row (a layout's coded columns).
    """

    row_index: int  # 0-based index into the sheet's rows
    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    # Job column keys whose name a seller's column already has (key -> that column's index): never written.
    foreign: dict[str, int] = field(default_factory=dict)
    layout: Layout | None = None
    sources: dict[str, int] = field(default_factory=dict)
    named: frozenset[str] = frozenset()
    informative: frozenset[str] = frozenset()

    @property
    def row_number(self) -> int:
        return self.row_index + 1

    def label(self, key: str) -> str:
        """The column's name as the seller wrote it (or its standard name when the sheet lacks it)."""
        if key.startswith("@"):
            return self.headers[self.sources[key[1:]]]
        index = self.columns.get(key)
        return self.headers[index] if index is not None else BY_KEY[key].header

    def cell(self, key: str, row_number: int) -> str | None:
        index = self.sources.get(key[1:]) if key.startswith("@") else self.columns.get(key)
        return cell_address(index, row_number) if index is not None else None

    def added_header(self, key: str) -> str:
        """The header the job writes for a column it adds ("Status (sheetreturns)" beside a seller's Status)."""
        return f"{BY_KEY[key].header} (sheetreturns)" if key in self.foreign else BY_KEY[key].header

    def missing_required(self) -> list[Column]:
        return [c for c in REQUIRED if c.key not in self.columns]

    def described(self) -> dict:
        """Which headers feed which of our columns, and which are ignored (for `check`)."""
        used: dict[int, list[str]] = {}
        for key, index in self.columns.items():
            how = "named by you" if key in self.named else (
                f"{self.layout.title}" if self.layout and key in self.layout.columns_in(self.headers) else "recognised")
            used.setdefault(index, []).append(f"{BY_KEY[key].header} ({how})")
        for name, index in self.sources.items():
            used.setdefault(index, []).append(SOURCE_PURPOSES.get(name, name))
        return {
            "header_row": self.row_number,
            "layout": self.layout.name if self.layout else None,
            "layout_title": self.layout.title if self.layout else None,
            "used": [{"header": self.headers[i], "cell": cell_address(i, self.row_number), "for": "; ".join(fors)}
                     for i, fors in sorted(used.items())],
            "ignored": [h for i, h in enumerate(self.headers) if h and i not in used],
        }


# What a layout's vocabulary column is read for (shown by `check`).
SOURCE_PURPOSES = {
    "fba_status": "read only: Amazon's status of the unit (every line of this report is a unit back at Amazon)",
    "disposition": "Condition and Damage By (Amazon's disposition)",
    "request_status": "read only: Amazon's return request status (Rejected means Decision Refuse)",
    "financial_status": "Refunded On (the payment's refund state)",
    "order_amount": "Unit Price (with the order quantity)",
    "order_quantity": "Unit Price (with the order amount)",
}


def resolve_column(name: object) -> str | None:
    """Our column key for a name the seller used for one of ours ("SKU", "sku", "Refund Amount" ...)."""
    return ALIASES.get(normalise(name))


def match_headers(cells: list[object], named: Sequence[tuple[str, str]] = ()) -> HeaderMap:
    """Which header is which column: the seller's [columns] first, then a known layout's, then our names."""
    headers = ["" if v is None else str(v).strip() for v in cells]
    found: dict[str, int] = {}
    claimed: set[int] = set()
    by_text: dict[str, int] = {}
    for index, text in enumerate(headers):
        if text:
            by_text.setdefault(normalise(text), index)
    named_keys = set()
    for key, header in named:
        index = by_text.get(normalise(header))
        if index is not None and key not in found:
            found[key] = index
            claimed.add(index)
            named_keys.add(key)
    layout = recognise(headers)
    sources: dict[str, int] = {}
    informative: frozenset[str] = frozenset()
    if layout is not None:
        for key, index in layout.columns_in(headers).items():
            if key not in found and index not in claimed:
                found[key] = index
            claimed.add(index)
        for name, index in layout.sources_in(headers).items():
            if index not in claimed:
                sources[name] = index
                claimed.add(index)
        if layout.question_headers:
            for index, text in enumerate(headers):
                key = question_column(text) if text and index not in claimed else None
                if key is not None and key not in found:
                    found[key] = index
                    claimed.add(index)
        if layout.sku_from_product and "sku" not in found and "product" in found:
            found["sku"] = found["product"]
        informative = frozenset({"decision", "condition", "damage_by", "reason"})
    duplicates: list[str] = []
    for index, text in enumerate(headers):
        if not text or index in claimed:
            continue
        key = ALIASES.get(normalise(text))
        if key is None:
            continue
        if key in found:
            if found[key] != index:
                duplicates.append(text)
            continue
        found[key] = index
    return HeaderMap(row_index=-1, headers=headers, columns=found, duplicates=duplicates, layout=layout,
                     sources=sources, named=frozenset(named_keys), informative=informative)


HEADER_SEARCH_ROWS = 30
MAX_LISTED = 12


class HeaderNotFound(SheetReturnsError):
    """A tab without the header row the job needs; `found` says how close it came (columns recognised)."""

    def __init__(self, message: str, found: int = 0) -> None:
        super().__init__(message)
        self.found = found


# Words that make a header a likely candidate for a required column, with their weight.
_CANDIDATE_WORDS = {
    "sku": (("sku", 4), ("code", 3), ("product", 2), ("item", 2), ("part", 2), ("article", 2), ("model", 1),
            ("style", 1), ("label", 1), ("stock", 2), ("number", 1), ("id", 1), ("no", 1), ("ref", 1)),
    "order_id": (("order", 4), ("invoice", 3), ("shipment", 3), ("transaction", 2), ("reference", 1), ("ref", 1),
                 ("receipt", 2), ("number", 1), ("id", 1), ("no", 1), ("sale", 1)),
}


def candidates(key: str, header: HeaderMap) -> list[str]:
    """Headers of the row, not used for anything, that most look like our column `key` (best first)."""
    taken = set(header.columns.values()) | set(header.sources.values())
    scored = []
    for index, text in enumerate(header.headers):
        if not text or index in taken:
            continue
        words = set(re.findall(r"[a-z0-9]+", text.lower().replace("_", " ")))
        words |= {w for w in re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())}
        score = sum(weight for word, weight in _CANDIDATE_WORDS.get(key, ()) if word in words)
        if score >= 2:
            scored.append((-score, index, text))
    return [text for _, _, text in sorted(scored)[:3]]


def _listed(headers: list[str]) -> str:
    shown = [h for h in headers if h]
    if not shown:
        return "none"
    more = f" and {len(shown) - MAX_LISTED} more" if len(shown) > MAX_LISTED else ""
    return ", ".join(shown[:MAX_LISTED]) + more


def find_header(rows: list[list[object]], sheet_title: str, named: Sequence[tuple[str, str]] = ()) -> HeaderMap:
    """The first row among the top ones that names the most known columns (padding and title rows above are fine).

    `named`: (our column key, the seller's header) pairs from [columns] or the Settings tab's Columns section.
    """
    best: HeaderMap | None = None
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        candidate = match_headers(cells, named)
        candidate.row_index = index
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
    if best is None or len(best.columns) == 0:
        raise HeaderNotFound(
            f"the {sheet_title!r} tab has no header row with the columns sheetreturns needs "
            f"({', '.join(c.header for c in REQUIRED)}): add a header row, or name your columns under [columns] "
            f"in sheetreturns.toml (for example SKU = \"Product Number\")"
        )
    absent = [(key, text) for key, text in named if key not in best.named]
    if absent:
        key, text = absent[0]
        raise HeaderNotFound(
            f"[columns] says {BY_KEY[key].header} = \"{text}\", but the {sheet_title!r} tab has no such header "
            f"(headers found on row {best.row_number}: {_listed(best.headers)}): correct the name", len(best.columns))
    missing = best.missing_required()
    if missing:
        names = " and ".join(c.header for c in missing)
        hints = []
        for column in missing:
            likely = candidates(column.key, best)
            if likely:
                hints.append(f"\"{likely[0]}\" looks like your {column.header} column: add "
                             f"{column.header} = \"{likely[0]}\" under [columns] in sheetreturns.toml "
                             f"(or in the Columns section of the Settings tab)")
            else:
                hints.append(f"add a {column.header} column, or name yours under [columns] in sheetreturns.toml "
                             f"({column.header} = \"your header\")")
        raise HeaderNotFound(
            f"the {sheet_title!r} tab has no {names} column (headers found on row {best.row_number}: "
            f"{_listed(best.headers)}): " + "; ".join(hints), len(best.columns)
        )
    return best

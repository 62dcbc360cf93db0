"""Reading a return notice: pick the rule that takes the message, then find its order and returned lines.

Returned lines come from a table in the message (a row per item, header cells named like the
Returns tab's columns) or from labelled values ("SKU: MUG-01"): a label seen again starts the next
item. A value that is found but cannot be read is kept as written, so the sheet flags it, and noted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..engine.columns import ALIASES, normalise
from ..engine.values import BadValue, parse_count, parse_date, parse_email, parse_money
from .message import Notice, Sender
from .rules import FIELDS, ITEM_FIELDS, ORDER_FIELDS, Rule

_QUOTE = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")
_TRAILING = re.compile(r"(?m)[ \t]+$")
_CELL_SPLIT = re.compile(r"[ \t]*(?:\||\t)[ \t]*")
_TABLE_RULE = re.compile(r"^[\s|:+=-]*$")  # blank, or a separator line: |---|:---|
_NO_REPLY = re.compile(r"(?i)^(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|notifications?|bounce)[^@]*@")
_FREE_TEXT = ("customer", "product", "reason")
LIMITS = {"customer": 100, "product": 200, "reason": 300, "order_id": 40, "sku": 40}


@dataclass
class Extracted:
    """A notice read by a rule: one dict of column values per returned line, and what was off."""

    rule: str
    lines: list[dict[str, object]]
    notes: list[str] = field(default_factory=list)  # values missing or unreadable: a partial parse

    @property
    def complete(self) -> bool:
        return not self.notes


@dataclass
class NotParsed:
    reason: str
    rule: str | None = None


def extract(notice: Notice, rules: list[Rule], day_first: bool = True) -> Extracted | NotParsed:
    """The notice's lines by the first rule that finds a complete notice (else the first that finds an order)."""
    taking = [rule for rule in rules if takes(rule, notice)]
    if not taking:
        return NotParsed(f"no rule takes mail from {str(notice.sender) or 'an unknown sender'} with this subject")
    partial: Extracted | None = None
    for rule in taking:
        for text in notice.texts():
            found = read_text(rule, notice, f"Subject: {notice.subject}\n\n{text}", day_first)
            if found is None:
                continue
            if found.complete:
                return found
            partial = partial or found
    if partial is not None:
        return partial
    return NotParsed("no Order ID found", taking[0].name)


def takes(rule: Rule, notice: Notice) -> bool:
    """True if every selector the rule has matches: from (any sender), subject, body (any text)."""
    if rule.sender is not None:
        senders = [notice.sender, *notice.forwarded]
        if not any(rule.sender.search(str(s)) for s in senders):
            return False
    if rule.subject is not None and not rule.subject.search(notice.subject):
        return False
    if rule.body is not None and not any(rule.body.search(t) for t in notice.texts()):
        return False
    return True


def read_text(rule: Rule, notice: Notice, text: str, day_first: bool) -> Extracted | None:
    """The lines one rule finds in one text, or None without an Order ID."""
    text = _TRAILING.sub("", _QUOTE.sub("", text))  # patterns end at "$": no trailing blanks to backtrack over
    order = {key: first_value(rule, key, text) for key in ORDER_FIELDS}
    if "sku" in rule.patterns:
        items = labelled_items(rule, text) or table_items(text)
    else:
        items = table_items(text) or labelled_items(rule, text)
    if not order["order_id"] and not any(item.get("order_id") for item in items):
        return None
    if rule.sender_is_customer:
        _customer_from_sender(order, notice.original_sender)
    notes: list[str] = []
    lines: list[dict[str, object]] = []
    for item in items or [{}]:
        raw = {**{k: v for k, v in order.items() if v}, **{k: v for k, v in item.items() if v}}
        raw.setdefault("reason", first_value(rule, "reason", text))
        lines.append(typed(raw, notes, day_first))
    if not any(line.get("sku") for line in lines):
        notes.insert(0, "no SKU found")
    when = notice.date
    for line in lines:
        if when is not None:
            line["notified_on"] = when.date()
        line["channel"] = rule.name
    return Extracted(rule.name, lines, _unique(notes))


def first_value(rule: Rule, key: str, text: str) -> str | None:
    for pattern in rule.field_patterns(key):
        match = pattern.search(text)
        if match:
            return _value_of(match)
    return None


def labelled_items(rule: Rule, text: str) -> list[dict[str, str]]:
    """Items from labelled values; a label seen again starts a new item. Items without a SKU are noise
    when others have one; repeats of a SKU (subject line, footer) merge into its first item."""
    found: list[tuple[int, str, str]] = []
    counts: dict[str, int] = {}
    for key in ITEM_FIELDS:
        for pattern in rule.field_patterns(key):
            matches = [(m.start(), key, _value_of(m)) for m in pattern.finditer(text)]
            if matches:
                found.extend(m for m in matches if m[2])
                counts[key] = len(matches)
                break
    found.sort()
    items: list[dict[str, str]] = []
    for _, key, value in found:
        if not items or key in items[-1]:
            items.append({})
        items[-1][key] = value
    with_sku = [item for item in items if item.get("sku")]
    if not with_sku:
        merged: dict[str, str] = {}
        for item in items:
            for key, value in item.items():
                merged.setdefault(key, value)
        return [merged] if merged else []
    by_sku: dict[str, dict[str, str]] = {}
    for item in with_sku:
        first = by_sku.setdefault(item["sku"].lower(), item)
        if first is not item:
            for key, value in item.items():
                first.setdefault(key, value)
    result = list(by_sku.values())
    if counts.get("reason") == 1:  # one reason for the whole notice: it is every line's
        reason = next(item["reason"] for item in items if "reason" in item)
        for item in result:
            item.setdefault("reason", reason)
    return result


def table_items(text: str) -> list[dict[str, str]]:
    """Items from the first table whose header names a SKU column (cells split by | or tabs)."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        cells = _cells(line)
        if len(cells) < 2:
            continue
        keys = [_column_key(cell) for cell in cells]
        if "sku" not in keys:
            continue
        items: list[dict[str, str]] = []
        for row in lines[index + 1:]:
            if _TABLE_RULE.match(row):  # a blank line or a |---|---| rule inside the table
                continue
            values = _cells(row)
            if len(values) < 2:
                break
            item = {key: value for key, value in zip(keys, values) if key and value}
            if item.get("sku"):
                items.append(item)
        if items:
            return items
    return []


def _cells(line: str) -> list[str]:
    if "|" not in line and "\t" not in line:
        return []
    cells = [c.strip() for c in _CELL_SPLIT.split(line.strip())]
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _column_key(cell: str) -> str | None:
    key = ALIASES.get(normalise(cell))
    return key if key in FIELDS else None


def _value_of(match: re.Match) -> str:
    if "value" in match.re.groupindex:
        value = match["value"]
    elif match.re.groups:
        value = next((g for g in match.groups() if g), "")
    else:
        value = match[0]
    return " ".join((value or "").split())


def _customer_from_sender(order: dict[str, str | None], sender: Sender) -> None:
    if not sender.address or _NO_REPLY.match(sender.address):
        return
    if not order["email"]:
        order["email"] = sender.address
        if not order["customer"] and sender.name and "@" not in sender.name:
            order["customer"] = sender.name


def typed(raw: dict[str, str | None], notes: list[str], day_first: bool) -> dict[str, object]:
    """Column values from found text: numbers, dates and addresses read; the unreadable kept as written."""
    line: dict[str, object] = {}
    for key, value in raw.items():
        if not value:
            continue
        value = value.strip()
        if key in ("order_id", "sku"):
            value = value.strip(".,;:)(").lstrip("#")
        if key in _FREE_TEXT:
            value = value.lstrip("=+-@*• \t").strip()  # text from mail is never a formula
        if key in LIMITS:
            value = value[: LIMITS[key]]
        if not value:
            continue
        try:
            line[key] = _read(key, value, day_first)
        except BadValue as exc:
            notes.append(f"{_LABELS[key]} {exc}")
            line[key] = value
    return line


_LABELS = {"qty": "Qty", "unit_price": "Unit Price", "order_date": "Order Date", "email": "Email"}


def _read(key: str, value: str, day_first: bool) -> object:
    if key == "qty":
        count = parse_count(value.rstrip(".,;:)"))
        if not count:
            raise BadValue(f'"{value}" is not a quantity of 1 or more')
        return count
    if key == "unit_price":
        amount = parse_money(value.rstrip(".,;"))
        return float(amount) if amount is not None else None
    if key == "order_date":
        found: date | None = parse_date(value.rstrip(".,;"), day_first=day_first)
        return found
    if key == "email":
        return parse_email(value.rstrip(".,;"))
    return value


def _unique(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))

"""Which columns of the Returns tab are the job's to write, and which only share a name with one of them.

The job writes a column only when it is its own:
- the workbook records it as the job's (a hidden defined name in an .xlsx, developer metadata on Google);
- or its header is the job's column name with " (sheetreturns)" after it;
- or its header names a job column and every filled cell holds a value the job writes there.

A seller's column with the same name and other content (Amazon's `status`: "Unit returned to inventory")
is never written: the job adds its own column, "Status (sheetreturns)", beside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator

from .columns import BY_KEY, JOB_COLUMNS, HeaderMap, column_letter, normalise
from .model import EmailKind, Status
from .reasons import CATEGORIES
from .values import BadValue, parse_date

SUFFIX = " (sheetreturns)"
JOB_KEYS = tuple(c.key for c in JOB_COLUMNS)
INVENTORY_ACTIONS = frozenset({"Restock", "Restock as open-box", "Carrier claim", "Remove from stock", "Write off"})
STATUSES = frozenset(s.value for s in Status)
_KINDS = "|".join(re.escape(k.value) for k in EmailKind)
_DAY = r"\d{4}-\d{2}-\d{2}"
_LAST_EMAIL = re.compile(rf"^(?:{_KINDS}) (?:{_DAY}(?: \((?:outbox|unconfirmed|held)\))?|failed {_DAY}: .*)$", re.S)
# Every form of Next Step the status, report and reply rules write (amounts, dates and counts vary);
# tests/test_column_ownership.py checks it against the steps the engine writes.
_NEXT_STEP = re.compile(
    r"^(?:Fix: .+|Refund refused|Nothing to do|Settled by .+"
    rf"|Refund already sent: make sure the item comes back by {_DAY}"
    r"|Ask the customer to return the item or repay .+"
    rf"|Wait for the item \(due {_DAY}\)"
    rf"|Item not returned by {_DAY}: .+"
    r"|Refund is .+ more than the items returned: check it"
    r"|Refunded .+ of .+: refund the remaining .+ or set Decision to Partial refund"
    r"|Only \d+ of \d+ received: .+"
    r"|Inspect the item yourself and record its Condition"
    r"|Damage caused by the customer: choose Refuse or Partial refund"
    r"|Issue (?:a|the) .+"
    r"|Claim .+ from Amazon .+"  # marketplace reports: an FBA unit refunded and not returned
    rf"|Reimbursed(?: .+)? on {_DAY}: nothing to do"
    rf"|Amazon refunded the customer on {_DAY}: if the item is not back at Amazon by {_DAY}, claim a reimbursement"
    rf"|Customer replied on {_DAY}: read it)"
    rf"(?:; customer replied on {_DAY}: read it)?$",  # a reply's step after an action step
    re.S,
)
# Problems start with the column they are about (as the sheet names it), or with these words.
_PROBLEM_STARTS = ("Return notice came ", "Order ")


def _is_date(value: object) -> bool:
    if isinstance(value, (date, datetime)):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return 1 <= value < 2958466  # a spreadsheet date serial
    if isinstance(value, str):
        try:
            return parse_date(value) is not None
        except BadValue:
            return False
    return False


def job_value(key: str, value: object, labels: tuple[str, ...], categories: frozenset[str]) -> bool:
    """Whether `value` (not blank) is something the job writes in its `key` column."""
    if key in ("contacted_on", "replied_on"):
        return _is_date(value)
    if key in ("reply", "return_tracking"):
        return isinstance(value, str)  # a customer's words and a tracking number: any text
    if not isinstance(value, str):
        return False
    text = value.strip()
    if key == "status":
        return text in STATUSES
    if key == "inventory":
        return text in INVENTORY_ACTIONS
    if key == "reason_category":
        return text in categories
    if key == "next_step":
        return _NEXT_STEP.match(text) is not None
    if key == "last_email":
        return _LAST_EMAIL.match(text) is not None
    if key == "problems":
        return all(part.startswith(labels) for part in text.split("; "))
    return False


# Kinds of cell value judged once per column (True == 1 == 1.0 in a set, so booleans are judged every time).
_JUDGED_ONCE = frozenset({str, float, int, date, datetime})


@dataclass
class Claim:
    """The job's claim on the header's job columns, settled once their cells have been seen."""

    header: HeaderMap
    to_check: dict[str, int]  # job key -> column index whose cells must all be the job's values
    categories: frozenset[str]
    foreign: dict[str, int] = field(default_factory=dict)

    def watch(self, rows: Iterable[list[object]]) -> Iterable[list[object]]:
        """Pass the rows through, noting any job column that holds a value the job never writes."""
        return self._watch(rows) if self.to_check else rows  # nothing to check: no step between reader and rows

    def _watch(self, rows: Iterable[list[object]]) -> Iterator[list[object]]:
        pending = dict(self.to_check)
        labels = (*(h for h in self.header.headers if h), *(c.header for c in BY_KEY.values()), *_PROBLEM_STARTS)
        # The job writes few distinct values down a column (statuses, steps with a date): each is judged once.
        judged: dict[str, set] = {key: set() for key in pending}
        for row in rows:
            if pending:
                for key, index in list(pending.items()):
                    if index < len(row):
                        value = row[index]
                        if value is None or value == "" or (value.__class__ is str and not value.strip()):
                            continue
                        judge = value.__class__ in _JUDGED_ONCE
                        if judge and value in judged[key]:
                            continue
                        if not job_value(key, value, labels, self.categories):
                            self.foreign[key] = index
                            del pending[key]
                        elif judge:
                            judged[key].add(value)
            yield row

    def settle(self) -> list[str]:
        """Drop the seller's columns from the header's job columns; returns their keys (in column order)."""
        for key, index in self.foreign.items():
            if self.header.columns.get(key) == index:
                del self.header.columns[key]
            self.header.foreign[key] = index
        return sorted(self.header.foreign, key=self.header.foreign.__getitem__)


def claim(header: HeaderMap, recorded: set[str] | None, categories: Iterable[str] = ()) -> Claim:
    """Sort the header's job columns into the job's own (recorded or suffixed), and those to check by content.

    `recorded`: the headers the workbook records as the job's columns (None when it records none).
    """
    recorded_names = {normalise(h) for h in recorded or ()}
    suffixed: dict[str, int] = {}
    for index, text in enumerate(header.headers):
        if text.lower().endswith(SUFFIX.strip().lower()):
            base = normalise(text[: -len(SUFFIX.strip())])
            for key in JOB_KEYS:
                if base == normalise(BY_KEY[key].header) and key not in suffixed:
                    suffixed[key] = index
    to_check: dict[str, int] = {}
    for key in JOB_KEYS:
        index = header.columns.get(key)
        if key in suffixed:
            if index is not None and index != suffixed[key]:
                header.foreign[key] = index
            header.columns[key] = suffixed[key]
            continue
        if index is None or normalise(header.headers[index]) in recorded_names:
            continue
        to_check[key] = index
    # A seller's column with the very name of a job column that is read as something else (Amazon's
    # `status` is the unit's status at Amazon) is theirs too: the job's own column gets a name of its own.
    for key in JOB_KEYS:
        name, mine = normalise(BY_KEY[key].header), header.columns.get(key)
        if key not in header.foreign and key not in to_check:
            theirs = next((i for i, text in enumerate(header.headers) if i != mine and normalise(text) == name), None)
            if theirs is not None:
                header.foreign[key] = theirs
    return Claim(header, to_check, frozenset(CATEGORIES) | frozenset(categories))


MARK = "sheetreturns_job_columns"  # where a workbook records the job's columns
_MARK_LIMIT = 250  # a spreadsheet string constant holds at most 255 characters


def mark_text(tab: str, headers: Iterable[str]) -> str | None:
    """How the job's columns on `tab` are recorded: "[Returns]Status|Next Step|..." (None if too long to record).

    Tab names cannot hold square brackets, so the tab name is unambiguous.
    """
    text = f"[{tab}]" + "|".join(headers)
    return text if len(text) <= _MARK_LIMIT else None


def read_mark(text: str | None, tab: str) -> set[str] | None:
    """The headers recorded as the job's columns on `tab`, or None when nothing is recorded for that tab."""
    if not text or not text.startswith("["):
        return None
    recorded_tab, _, rest = text[1:].partition("]")
    if recorded_tab != tab:
        return None
    return {h for h in rest.split("|") if h}


def owned_headers(header: HeaderMap, added: Iterable[str]) -> list[str]:
    """The headers of the job's columns once a plan adding the `added` keys is written, in key order."""
    added = set(added)
    names = []
    for key in JOB_KEYS:
        if key in header.columns:
            names.append(header.headers[header.columns[key]])
        elif key in added:
            names.append(header.added_header(key))
    return names


def keep_ownership(as_read: HeaderMap, now: HeaderMap) -> None:
    """Carry the job's columns, as settled when the sheet was read, onto the header found again before writing.

    Found again by header text: a job key goes only to a column with the same header as the job's column
    had when read; a seller's column that merely shares a job column's name never becomes the job's.
    """
    for key in JOB_KEYS:
        now.columns.pop(key, None)
        index = as_read.columns.get(key)
        if index is None:
            continue
        text = as_read.headers[index]
        where = [i for i, h in enumerate(now.headers) if h == text]
        if where:
            now.columns[key] = min(where, key=lambda i: abs(i - index))
    now.foreign = dict(as_read.foreign)


def column_notes(header: HeaderMap) -> list[str]:
    """One line for the seller's columns that share a name with one of the job's (left alone, the job's beside)."""
    if not header.foreign:
        return []

    keys = sorted(header.foreign, key=header.foreign.__getitem__)
    theirs = ", ".join(f"{header.headers[header.foreign[k]]!r} (column {column_letter(header.foreign[k])})" for k in keys)
    ours = ", ".join(repr(header.added_header(k)) for k in keys)
    one = len(keys) == 1
    return [
        f"Your column{'' if one else 's'} {theirs} {'is' if one else 'are'} yours, not sheetreturns': "
        f"never written. sheetreturns keeps its own in {ours} beside {'it' if one else 'them'}."
    ]

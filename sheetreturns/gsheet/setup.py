"""`sheetreturns init --google gsheet:KEY`: prepare an existing Google Sheet for tracking returns.

Sets up the same tabs as the Excel init: Returns (headers, dropdowns through data validation, date
and money formats, a frozen bold header, status colours), Settings (key / value / explanation from the
default policy) and How-to. Three requests: metadata, one read to make sure nothing is overwritten,
and one atomic batchUpdate. A tab that already holds anything is left alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..columns import JOB_COLUMNS, SELLER_COLUMNS, normalise
from ..config import Config
from ..errors import SheetReturnsError
from ..policy import Policy, settings_rows
from ..tabmodel import STATUS_COLOURS, Styled, Tab
from ..tabs import HOWTO_TAB, RETURNS_TAB, SETTINGS_TAB
from ..values import CHOICES
from .cells import quote_title
from .drawing import rgb, status_rules, style_format, tab_requests
from .workbook import GoogleWorkbook, open_google_sheet

JOB_FILL = rgb("EDEDED")
WIDTHS = {"text": 16, "email": 26, "date": 12, "money": 12, "int": 8}
WIDE = {"product": 24, "reason": 28, "notes": 30, "next_step": 48, "problems": 40, "last_email": 26}


@dataclass
class InitResult:
    name: str
    url: str
    created: list[str] = field(default_factory=list)  # tabs set up by this run
    kept: list[str] = field(default_factory=list)  # tabs that already had content and were left alone


def init_google_sheet(key: str, config: Config, policy: Policy | None = None) -> InitResult:
    """Set up the Returns, Settings and How-to tabs of the Google Sheet `key`; never overwrites content."""
    book = open_google_sheet(key, config)
    try:
        return _init(book, policy or Policy())
    finally:
        book.close()


def _init(book: GoogleWorkbook, policy: Policy) -> InitResult:
    result = InitResult(book.name, book.url)
    wanted = [RETURNS_TAB, SETTINGS_TAB, HOWTO_TAB]
    present = {normalise(t): t for t in book.titles}
    existing = [present[normalise(t)] for t in wanted if normalise(t) in present]
    reusable = _blank_default_tab(book) if normalise(RETURNS_TAB) not in present else None
    check = existing + ([reusable] if reusable else [])
    answers = book.api.batch_get([quote_title(t) for t in check]) if check else []
    filled = {t for t, a in zip(check, answers) if a.get("values")}
    returns_title = present.get(normalise(RETURNS_TAB))
    if returns_title in filled:
        raise SheetReturnsError(
            f"the Google Sheet {book.name!r} already has a {returns_title!r} tab with content: init only sets up "
            f"empty tabs, so nothing was changed (rename that tab to start afresh)")
    if reusable in filled:
        reusable = None
    requests_: list[dict] = []
    taken = {s["properties"]["sheetId"] for s in book.sheets.values()}
    for title, tab in ((RETURNS_TAB, None), (SETTINGS_TAB, settings_tab(policy)), (HOWTO_TAB, howto_tab())):
        current = present.get(normalise(title))
        if current in filled:
            result.kept.append(current)
            continue
        if title == RETURNS_TAB:
            requests_.extend(_returns_requests(book, current or reusable, taken, policy))
        else:
            requests_.extend(tab_requests(tab, book.sheets.get(current) if current else None, taken,
                                          policy.currency_symbol))
        result.created.append(title)
    if requests_:
        book.api.batch_update(requests_)
    return result


def _blank_default_tab(book: GoogleWorkbook) -> str | None:
    """A new spreadsheet's only tab ("Sheet1"), to become the Returns tab instead of sitting empty beside it."""
    if len(book.titles) == 1 and not book.sheets[book.titles[0]].get("charts"):
        return book.titles[0]
    return None


def _returns_requests(book: GoogleWorkbook, current: str | None, taken: set[int], policy: Policy) -> list[dict]:
    columns = list(SELLER_COLUMNS) + list(JOB_COLUMNS)
    header = [Styled(c.header, "header") for c in columns]
    widths = {i + 1: WIDE.get(c.key, WIDTHS.get(c.kind, 14)) for i, c in enumerate(columns)}
    tab = Tab(RETURNS_TAB, rows=[header], widths=widths, freeze_rows=1)
    existing = book.sheets.get(current) if current else None
    requests_ = tab_requests(tab, existing, taken, policy.currency_symbol)  # also renames a reused "Sheet1"
    sheet_id = existing["properties"]["sheetId"] if existing else requests_[0]["addSheet"]["properties"]["sheetId"]
    for index, column in enumerate(columns):
        body = {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": index, "endColumnIndex": index + 1}
        fmt = _column_format(column.kind, policy)
        if column.job_owned:
            fmt["backgroundColor"] = JOB_FILL
        if fmt:
            requests_.append({"repeatCell": {"range": body, "cell": {"userEnteredFormat": fmt},
                                             "fields": "userEnteredFormat(" + ",".join(sorted(fmt)) + ")"}})
        if column.kind in CHOICES:
            requests_.append({"setDataValidation": {"range": body, "rule": {
                "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in CHOICES[column.kind]]},
                "strict": True, "showCustomUi": True,
                "inputMessage": f"Choose the {column.header.lower()} from the list"}}})
    status = next(i for i, c in enumerate(columns) if c.key == "status")
    requests_.extend(status_rules({}, sheet_id, 1, status))
    return requests_


def _column_format(kind: str, policy: Policy) -> dict:
    if kind == "date":
        return style_format("date", None, "")
    if kind == "money":
        return style_format("money", None, policy.currency_symbol)
    if kind == "int":
        return {"numberFormat": {"type": "NUMBER", "pattern": "0"}}
    return {}


def settings_tab(policy: Policy) -> Tab:
    tab = Tab(SETTINGS_TAB, widths={1: 28, 2: 24, 3: 90}, freeze_rows=1)
    tab.add(Styled("Setting", "header"), Styled("Value", "header"), Styled("What it means", "header"))
    for key, value, explanation in settings_rows(policy):
        tab.add(key, value, Styled(explanation, "subtitle"))
    return tab


def howto_tab() -> Tab:
    tab = Tab(HOWTO_TAB, widths={1: 26, 2: 100})
    tab.add(Styled("How to track returns in this sheet", "title"))
    tab.blank()
    for step in HOWTO_STEPS:
        tab.add(Styled(step[0], "heading"), step[1])
    tab.blank()
    tab.add(Styled("Statuses", "heading"))
    tab.add(Styled("Status", "header"), Styled("What it means", "header"))
    for label, meaning in STATUS_MEANINGS.items():
        tab.add(Styled(label, "status"), meaning)
    return tab


HOWTO_STEPS = [
    ("1. Record the return", "Add a row on the Returns tab for each returned product as soon as the customer tells you: "
                             "Order ID, SKU, Email, Qty and Unit Price. Leave Return ID and Notified On blank: they are filled in."),
    ("2. When the item arrives", "Fill in Received On (and Received Qty if not everything came back)."),
    ("3. Inspect it yourself", "Choose its Condition; for Damaged or Defective items also choose who caused the damage (Damage By)."),
    ("4. Refund or refuse", "Fill in Refund Amount and Refunded On, or choose a Decision (Refuse, Exchange, Store credit ...)."),
    ("5. Let the job run", "Each run of `sheetreturns sync` writes Status, Next Step and Problems on every row, emails the "
                           "customers who are due an email and rebuilds the Summary tab. Grey columns are its own: do not edit them."),
    ("6. Settings", "Change your policy (deadlines, store name, which emails go out) on the Settings tab."),
]

STATUS_MEANINGS = {
    "Needs info": "A required value is missing or wrong: the Problems column says which.",
    "Awaiting item": "Noticed, the item is not back yet and the deadline has not passed.",
    "Item overdue": "The item did not come back in time: you may refuse the refund.",
    "Refunded, item not back": "You refunded before the item came back: make sure it does.",
    "Reimbursement due": "Refunded, and the item never came back: ask for the item or the money.",
    "Awaiting inspection": "The item is back: inspect it and record its Condition.",
    "Partially received": "Only part of the quantity came back.",
    "Customer damage": "The customer damaged the item: choose Refuse or Partial refund.",
    "Refund due": "Received and inspected: issue the refund.",
    "Over-refunded": "More was refunded than the value of what came back: check it.",
    "Refused": "You refused the refund.",
    "Done": "Nothing more to do.",
}
assert set(STATUS_MEANINGS) == set(STATUS_COLOURS)

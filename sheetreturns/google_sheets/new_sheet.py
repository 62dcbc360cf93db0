"""`sheetreturns init --google SOURCE`: the tabs of `sheetreturns init`, set up in an existing Google Sheet.

The tabs are starter_tabs.py's description, the same as for a new .xlsx (new_workbook.py), drawn by the
code that draws the generated tabs (draw_tab.py): the Returns tab (every column, dropdowns as data
validation, date and money formats, example rows, a frozen header with a note on each column, status
colours), a How-to tab and a Settings tab. Three requests: the metadata, one read to make sure nothing
is overwritten, one atomic batchUpdate. A tab that already holds anything is left alone; a new
spreadsheet's empty "Sheet1" becomes the Returns tab.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..engine.columns import normalise
from ..engine.policy import Policy
from ..errors import SheetReturnsError
from ..settings.config_file import Config
from ..sheet.starter_tabs import describe
from ..sheet.tab_names import RETURNS_TAB
from .cells import quote_title
from .draw_tab import tab_requests
from .workbook import GoogleWorkbook, open_google_sheet


@dataclass
class InitResult:
    name: str
    url: str
    key: str = ""
    columns: int = 0
    example_rows: int = 0
    created: list[str] = field(default_factory=list)  # tabs set up by this run, in order
    kept: list[str] = field(default_factory=list)  # tabs that already had content and were left alone


def init_google_sheet(key: str, config: Config, *, today: date | None = None, policy: Policy | None = None) -> InitResult:
    """Set up the Returns, How-to and Settings tabs of the Google Sheet `key`; never overwrites content."""
    book = open_google_sheet(key, config)
    try:
        return _init(book, today or date.today(), policy or Policy())
    finally:
        book.close()


def _init(book: GoogleWorkbook, today: date, policy: Policy) -> InitResult:
    result = InitResult(book.name, book.url, book.key)
    sheet = describe(today, policy, google=True)
    present = {normalise(t): t for t in book.titles}
    existing = [present[normalise(t.title)] for t in sheet.tabs if normalise(t.title) in present]
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
    taken = {s["properties"]["sheetId"] for s in book.sheets.values()}
    requests_: list[dict] = []
    for tab in sheet.tabs:
        current = present.get(normalise(tab.title))
        if current in filled:
            result.kept.append(current)
            continue
        existing_sheet = book.sheets.get(current or (reusable if tab.title == RETURNS_TAB else None) or "")
        requests_ += tab_requests(tab, existing_sheet, taken, policy.currency_symbol)
        if tab.title == RETURNS_TAB:
            result.columns, result.example_rows = sheet.columns, sheet.example_rows
        result.created.append(tab.title)
    if requests_:
        book.api.batch_update(requests_)
    return result


def _blank_default_tab(book: GoogleWorkbook) -> str | None:
    """A new spreadsheet's only tab ("Sheet1"), to become the Returns tab instead of sitting empty beside it."""
    if len(book.titles) == 1 and not book.sheets[book.titles[0]].get("charts"):
        return book.titles[0]
    return None


"""`sheetreturns init --google SOURCE`: the tabs of `sheetreturns init`, set up in an existing Google Sheet.

The content comes from starter_content.py, as for the .xlsx (init_workbook.py): the Returns tab (every column,
dropdowns as data validation, date and money formats, example rows, a frozen header with a note on
each column, status colours), a How-to tab and a Settings tab. Three requests: the metadata, one read
to make sure nothing is overwritten, one atomic batchUpdate. A tab that already holds anything is
left alone; a new spreadsheet's empty "Sheet1" becomes the Returns tab.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date

from ..sheet import palette, starter_content
from ..engine.columns import normalise
from ..settings.config_file import Config
from ..errors import SheetReturnsError
from ..engine.policy import Policy
from ..sheet.tab_model import Styled, Tab
from ..sheet.tab_names import HOWTO_TAB, RETURNS_TAB, SETTINGS_TAB
from .cells import quote_title
from .draw_tab import cell_data, rgb, status_rules, tab_requests
from .workbook import GoogleWorkbook, open_google_sheet

SELLER_HEADER = {"backgroundColor": rgb(palette.SELLER_HEADER_FILL),
                 "textFormat": {"bold": True, "foregroundColor": rgb(palette.SELLER_HEADER_TEXT)},
                 "verticalAlignment": "MIDDLE"}
JOB_HEADER = {"backgroundColor": rgb(palette.JOB_HEADER_FILL),
              "textFormat": {"bold": True, "foregroundColor": rgb(palette.JOB_HEADER_TEXT)}, "verticalAlignment": "MIDDLE"}
JOB_CELLS = rgb(palette.JOB_CELL_FILL)
EXAMPLE_TEXT = {"italic": True, "foregroundColor": rgb(palette.EXAMPLE_TEXT)}
HOWTO_LINE = 110
WRAP = {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}


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
    present = {normalise(t): t for t in book.titles}
    existing = [present[normalise(t)] for t in (RETURNS_TAB, HOWTO_TAB, SETTINGS_TAB) if normalise(t) in present]
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
    for title in (RETURNS_TAB, HOWTO_TAB, SETTINGS_TAB):
        current = present.get(normalise(title))
        if current in filled:
            result.kept.append(current)
            continue
        existing_sheet = book.sheets.get(current or (reusable if title == RETURNS_TAB else None) or "")
        if title == RETURNS_TAB:
            examples = starter_content.example_lines(today, policy)
            requests_ += returns_requests(existing_sheet, taken, policy, examples)
            result.columns, result.example_rows = len(starter_content.columns()), len(examples)
        elif title == HOWTO_TAB:
            requests_ += howto_requests(existing_sheet, taken, policy)
        else:
            requests_ += settings_requests(existing_sheet, taken, policy)
        result.created.append(title)
    if requests_:
        book.api.batch_update(requests_)
    return result


def _blank_default_tab(book: GoogleWorkbook) -> str | None:
    """A new spreadsheet's only tab ("Sheet1"), to become the Returns tab instead of sitting empty beside it."""
    if len(book.titles) == 1 and not book.sheets[book.titles[0]].get("charts"):
        return book.titles[0]
    return None


def _sheet_id(requests_: list[dict], existing: dict | None) -> int:
    if existing is not None:
        return existing["properties"]["sheetId"]
    return next(r["addSheet"]["properties"]["sheetId"] for r in requests_ if "addSheet" in r)


def _column(sheet_id: int, index: int, first_row: int = 1) -> dict:
    return {"sheetId": sheet_id, "startRowIndex": first_row, "startColumnIndex": index, "endColumnIndex": index + 1}


def _number_format(kind: str, key: str, policy: Policy) -> dict | None:
    pattern = palette.column_format(kind, policy.currency_symbol)
    if pattern is not None:
        return {"type": {"date": "DATE", "money": "CURRENCY"}.get(kind, "NUMBER"), "pattern": pattern}
    if key in starter_content.TEXT_KEYS:
        return {"type": "TEXT"}
    return None


def returns_requests(existing: dict | None, taken: set[int], policy: Policy, examples) -> list[dict]:
    cols = starter_content.columns()
    widths = {i + 1: starter_content.column_width(c, examples, policy) for i, c in enumerate(cols)}
    requests_ = tab_requests(Tab(RETURNS_TAB, widths=widths, freeze_rows=1), existing, taken, policy.currency_symbol)
    sheet_id = _sheet_id(requests_, existing)
    header = [{"userEnteredValue": {"stringValue": c.header}, "userEnteredFormat": JOB_HEADER if c.job_owned else SELLER_HEADER,
               "note": starter_content.COLUMN_HELP[c.key]} for c in cols]
    rows = [{"values": header}]
    for example in examples:
        cells = []
        for c in cols:
            cell = cell_data(example.values.get(c.key), policy.currency_symbol)
            fmt = dict(cell.get("userEnteredFormat") or {})
            fmt["textFormat"] = EXAMPLE_TEXT
            number = _number_format(c.kind, c.key, policy)
            if number:
                fmt["numberFormat"] = number
            if c.job_owned:
                fmt["backgroundColor"] = JOB_CELLS
            cell["userEnteredFormat"] = fmt
            cells.append(cell)
        rows.append({"values": cells})
    requests_.append({"updateCells": {"rows": rows, "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                                      "fields": "userEnteredValue,userEnteredFormat,note"}})
    first_blank = 1 + len(examples)
    requests_.append({"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": {
        "frozenRowCount": 1, "frozenColumnCount": 2}}, "fields": "gridProperties(frozenRowCount,frozenColumnCount)"}})
    for index, c in enumerate(cols):
        fmt = {}
        number = _number_format(c.kind, c.key, policy)
        if number:
            fmt["numberFormat"] = number
        if c.job_owned:
            fmt["backgroundColor"] = JOB_CELLS
        if fmt:  # new rows typed below the examples take the column's format
            requests_.append({"repeatCell": {"range": _column(sheet_id, index, first_blank),
                                             "cell": {"userEnteredFormat": fmt},
                                             "fields": "userEnteredFormat(" + ",".join(sorted(fmt)) + ")"}})
        dropdown = starter_content.DROPDOWNS.get(c.key)
        if dropdown:
            choices, strict = dropdown
            rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in choices]},
                    "showCustomUi": True, "strict": False}
            if strict:  # like the .xlsx: other values are allowed, with a warning (the job reports them)
                rule["inputMessage"] = f"sheetreturns understands: {', '.join(choices)}"
            requests_.append({"setDataValidation": {"range": _column(sheet_id, index), "rule": rule}})
    status = next(i for i, c in enumerate(cols) if c.key == "status")
    requests_ += status_rules({}, sheet_id, 1, status)
    return requests_


def settings_requests(existing: dict | None, taken: set[int], policy: Policy) -> list[dict]:
    rows = starter_content.settings_table(policy)
    tab = Tab(SETTINGS_TAB, widths={1: max(len(r[0]) for r in rows) + 3, 2: 30, 3: 80}, freeze_rows=1)
    tab.add(Styled("Setting", "header"), Styled("Value", "header"), Styled("What it means", "header"))
    for key, value, explanation in rows:
        tab.add(key, value, explanation)
    requests_ = tab_requests(tab, existing, taken, policy.currency_symbol)
    sheet_id = _sheet_id(requests_, existing)
    requests_.append(_wrap(sheet_id, 1, len(rows) + 1, 2, 3))
    for index, (key, _, _) in enumerate(rows, start=1):
        choices = starter_content.SETTING_CHOICES.get(key)
        if choices:
            requests_.append({"setDataValidation": {
                "range": {"sheetId": sheet_id, "startRowIndex": index, "endRowIndex": index + 1,
                          "startColumnIndex": 1, "endColumnIndex": 2},
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in choices]},
                         "showCustomUi": True, "strict": False}}})
    return requests_


def howto_requests(existing: dict | None, taken: set[int], policy: Policy) -> list[dict]:
    tab = Tab(HOWTO_TAB, widths={1: 24, 2: 50, 3: 50})
    tab.add(Styled("How to use this sheet", "title"))
    tables = []
    for heading, rows in starter_content.howto_sections(policy):
        rows = [tuple(_for_google(text) for text in row) for row in rows if not _excel_only(row)]
        tab.blank()
        tab.add(Styled(_for_google(heading), "heading"))
        for position, row in enumerate(rows):
            if len(row) == 1:
                for line in textwrap.wrap(row[0], HOWTO_LINE):
                    tab.add(line)
            elif position == 0:
                tab.add(*(Styled(text, "header") for text in row))
            else:
                tables.append(tab.add(*row))
    requests_ = tab_requests(tab, existing, taken, policy.currency_symbol)
    sheet_id = _sheet_id(requests_, existing)
    for row in tables:
        requests_.append(_wrap(sheet_id, row - 1, row, 1, 3))
    return requests_


def _wrap(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict:
    return {"repeatCell": {"range": {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1,
                                     "startColumnIndex": c0, "endColumnIndex": c1},
                           "cell": {"userEnteredFormat": WRAP}, "fields": "userEnteredFormat(wrapStrategy,verticalAlignment)"}}


def _excel_only(row: tuple) -> bool:
    return any("Excel" in text for text in row)


def _for_google(text: str) -> str:
    """How-to text written for the .xlsx, in a Google Sheet's words."""
    text = text.replace("To change the suggestions, unhide the Lists tab.",
                        "To change the suggestions, use Data > Data validation on the column.")
    return text.replace("this workbook", "this sheet").replace("workbook", "sheet")

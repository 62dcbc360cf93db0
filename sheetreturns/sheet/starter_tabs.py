"""A new tracking sheet as Tabs: what `init` draws, the same description for an .xlsx and a Google Sheet.

Built once from starter_content.py's words, the palette and the policy: every tab, cell, style,
column format, dropdown, status colour, column width, note and frozen header. Each adapter draws
these Tabs with the code that draws the generated tabs (excel/draw_tab.py, google_sheets/draw_tab.py).

Where a Google Sheet gets something else, it is decided here (`google=True`) or, for what a
spreadsheet program cannot draw, in that adapter's drawing code, with the reason beside it.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

from ..engine.policy import Policy
from . import palette, starter_content
from .tab_model import ColumnBody, Dropdown, Styled, Tab
from .tab_names import HOWTO_TAB, RETURNS_TAB, SETTINGS_TAB

HOWTO_LINE = 110  # characters per line of a How-to paragraph (each line its own row, spilling right)
HOWTO_WIDTHS = {1: 24, 2: 50, 3: 50}
LINE_HEIGHT = 15  # points per line of 11-point text
HEADER_HEIGHT = 20  # points: the Returns header row
NUMBER_STYLE = {"date": "date", "money": "money", "int": "count"}  # a Returns column's kind -> its number style


@dataclass
class NewSheet:
    """The tabs of a new sheet, in order; the first is the one a seller sees on opening it."""

    tabs: list[Tab]
    columns: int  # on the Returns tab
    example_rows: int

    def tab(self, title: str) -> Tab:
        return next(t for t in self.tabs if t.title == title)


def describe(today: date, policy: Policy, *, google: bool = False) -> NewSheet:
    """The new sheet for `policy`, its example rows dated around `today`; `google`: in a Google Sheet's words."""
    examples = starter_content.example_lines(today, policy)
    tabs = [returns_tab(examples, policy, listed=not google), howto_tab(policy, google), settings_tab(policy)]
    if not google:
        # An .xlsx lists the dropdown choices on a hidden Lists tab that a seller can unhide and edit, as the
        # How-to says. A Google Sheet keeps them in the validation rule (Data > Data validation edits them).
        tabs.append(lists_tab())
    return NewSheet(tabs, len(starter_content.columns()), len(examples))


def returns_tab(examples, policy: Policy, *, listed: bool = True) -> Tab:
    """The header, the example rows, and for each column its format, dropdown and width."""
    cols = starter_content.columns()
    tab = Tab(RETURNS_TAB, freeze_rows=1, freeze_columns=2, heights={1: HEADER_HEIGHT}, auto_filter=True,
              widths={i: starter_content.column_width(c, examples, policy) for i, c in enumerate(cols, start=1)})
    tab.add(*(Styled(c.header, "job_header" if c.job_owned else "seller_header") for c in cols))
    for example in examples:
        tab.add(*(Styled(example.values.get(c.key), "example") for c in cols))
    list_columns = {key: n for n, key in enumerate(starter_content.DROPDOWNS, start=1)}
    for index, col in enumerate(cols, start=1):
        tab.notes[(1, index)] = starter_content.COLUMN_HELP[col.key]
        number = NUMBER_STYLE.get(col.kind) or ("code" if col.key in starter_content.TEXT_KEYS else None)
        fill = palette.JOB_CELL_FILL if col.job_owned else None
        if number or fill:
            tab.bodies[index] = ColumnBody(2, number, fill)
        if col.key in starter_content.DROPDOWNS:
            choices, strict = starter_content.DROPDOWNS[col.key]
            name = range_ = ""
            if listed:
                letter = _letter(list_columns[col.key])
                name = col.header.replace(" ", "") + "Choices"
                range_ = f"'{starter_content.LISTS_TAB}'!${letter}$2:${letter}${len(choices) + 1}"
            tab.dropdowns.append(Dropdown(index, 2, choices, strict, col.header, list_name=name, list_range=range_))
        if col.key == "status":
            tab.status_colours = (index, 2)
    return tab


def lists_tab() -> Tab:
    """The dropdown choices, one column each under the column's header (hidden)."""
    headers = {c.key: c.header for c in starter_content.columns()}
    lists = list(starter_content.DROPDOWNS.items())
    tab = Tab(starter_content.LISTS_TAB, hidden=True)
    tab.add(*(Styled(headers[key], "header") for key, _ in lists))
    for row in range(max(len(choices) for _, (choices, _) in lists)):
        tab.add(*(choices[row] if row < len(choices) else None for _, (choices, _) in lists))
    tab.widths = {n: max(len(c) for c in (headers[key], *choices)) + 3
                  for n, (key, (choices, _)) in enumerate(lists, start=1)}
    return tab


def settings_tab(policy: Policy) -> Tab:
    rows = starter_content.settings_table(policy)
    tab = Tab(SETTINGS_TAB, widths={1: max(len(r[0]) for r in rows) + 3, 2: 30, 3: 80}, freeze_rows=1)
    tab.add(Styled("Setting", "header"), Styled("Value", "header"), Styled("What it means", "header"))
    for key, value, explanation in rows:
        row = tab.add(*(Styled(cell, "wrap") for cell in (key, value, explanation)))
        lines = max(_lines(str(text), tab.widths[column], spare=0) for column, text in enumerate((key, value, explanation), 1))
        if lines > 1:
            tab.heights[row] = LINE_HEIGHT * lines
        choices = starter_content.SETTING_CHOICES.get(key)
        if choices:
            tab.dropdowns.append(Dropdown(2, row, choices, last_row=row))
    return tab


def howto_tab(policy: Policy, google: bool = False) -> Tab:
    """The title, then each section: its heading, paragraphs (one short line per row) and tables."""
    words = _for_google if google else (lambda text: text)
    tab = Tab(HOWTO_TAB, widths=dict(HOWTO_WIDTHS))
    tab.add(Styled(words("How to use this workbook"), "title"))
    for heading, items in starter_content.howto_sections(policy):
        if google:
            items = [item for item in items if not any("Excel" in text for text in item)]
        tab.blank()
        tab.add(Styled(words(heading), "heading"))
        for position, item in enumerate(items):
            item = tuple(words(text) for text in item)
            if len(item) == 1:
                # A paragraph: one short line per row, spilling over the empty columns to its right.
                for line in textwrap.wrap(item[0], HOWTO_LINE):
                    tab.add(line)
            else:
                row = tab.add(*(Styled(text, "header" if position == 0 else "wrap") for text in item))
                tab.heights[row] = LINE_HEIGHT * max(_lines(text, HOWTO_WIDTHS[i]) for i, text in enumerate(item, start=1))
    return tab


def _lines(text: str, width: float, spare: int = 4) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide, less `spare` to be safe.

    A width counts characters as wide as a digit; most letters are narrower, so a line of `width` fits.
    """
    return len(textwrap.wrap(text, int(width) - spare)) or 1


def _for_google(text: str) -> str:
    """How-to text written for an .xlsx, in a Google Sheet's words."""
    text = text.replace("To change the suggestions, unhide the Lists tab.",
                        "To change the suggestions, use Data > Data validation on the column.")
    return text.replace("this workbook", "this sheet").replace("workbook", "sheet")


def _letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

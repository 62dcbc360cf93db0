"""Tabs as plain data, drawn alike in Excel and Google Sheets: the generated tabs (Summary, Email Log,
Intake Log) and the tabs of a new sheet (Returns, How-to, Settings: see starter_tabs.py).

A Tab is rows of cells; a cell is a plain value or a Styled value naming one of a few styles. Each
spreadsheet adapter turns styles into its own formatting, and ChartSpecs into native charts. A tab a
seller fills in also has column bodies (the format of rows typed later), dropdowns, status colours
and notes. Text that starts with = + - @ is always written as text, never as a formula.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Callable, Literal

from .palette import STATUS_COLOURS  # every colour lives in palette.py; re-exported for the adapters

__all__ = ["STATUS_COLOURS", "STYLES", "ChartSpec", "ColumnBody", "DeferredTab", "Dropdown", "Series", "Styled", "Tab"]

# The styles an adapter must know how to draw.
STYLES = frozenset({
    "title",      # large bold: the tab's title
    "subtitle",   # grey italic: "as of" line, explanations
    "heading",    # bold, coloured: a section heading
    "header",     # bold on a light fill with a bottom border: a table's header row
    "label",      # plain text in a key-figures table
    "text",       # plain text
    "int",        # whole number, thousands separated
    "money",      # amount in the policy currency, two decimals
    "percent",    # 0.25 shown as 25%
    "date",       # yyyy-mm-dd
    "datetime",   # yyyy-mm-dd hh:mm
    "alert",      # bold dark red: something the owner must act on
    "good",       # green text: all clear
    "status",     # coloured fill by the status label the cell holds (see STATUS_COLOURS)
    # The tabs of a new sheet:
    "seller_header",  # a Returns column header the seller fills in: bold white on dark blue
    "job_header",     # a Returns column header the job fills in: bold dark grey on grey
    "example",        # grey italics: an example row
    "wrap",           # text wrapped within its column, top-aligned
    "count",          # a whole number without thousands separator (a quantity)
    "code",           # text kept as typed (a code such as 0042 stays 0042)
})
NUMBER_STYLES = frozenset({"int", "money", "percent", "date", "datetime", "count", "code"})


@dataclass(frozen=True)
class Styled:
    value: object
    style: str

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}")


@dataclass(frozen=True)
class Series:
    name: str
    column: int  # 1-based column of the values in this tab
    first_row: int  # 1-based, inclusive
    last_row: int
    axis: Literal["left", "right"] = "left"  # "right": plotted against a second value axis (e.g. money beside counts)
    number_format: str = ""  # "" (plain), or a style of STYLES ("int", "money", "percent") for the axis labels


@dataclass(frozen=True)
class ChartSpec:
    kind: Literal["bar", "line"]
    title: str
    categories_column: int  # 1-based column holding the category labels
    first_row: int
    last_row: int
    series: tuple[Series, ...]
    anchor: str  # top-left cell of the chart, e.g. "H3"
    width_cm: float = 16.0
    height_cm: float = 7.5
    y_title: str = ""
    y2_title: str = ""  # title of the right-hand value axis, when a series uses axis="right"


@dataclass(frozen=True)
class ColumnBody:
    """How a column looks from `first_row` down, in the rows drawn and in the rows a seller types later."""

    first_row: int  # 1-based
    number: str | None = None  # a style of NUMBER_STYLES giving the number format
    fill: str | None = None  # a palette colour (RGB hex)

    def __post_init__(self) -> None:
        if self.number is not None and self.number not in NUMBER_STYLES:
            raise ValueError(f"not a number style: {self.number!r}")


@dataclass(frozen=True)
class Dropdown:
    """A list of choices offered in a column from `first_row` down (to `last_row`, or to the sheet's end)."""

    column: int  # 1-based
    first_row: int
    choices: tuple[str, ...]
    strict: bool = False  # other values get a warning (the job reports them); else the list only suggests
    what: str = ""  # what the column holds, for the warning: "Condition"
    last_row: int | None = None
    # The choices are also listed in the cells `list_range` (e.g. 'Lists'!$C$2:$C$7), named `list_name` in the
    # workbook. Only for a whole new workbook: a generated tab moved into a seller's workbook brings no names.
    list_name: str = ""
    list_range: str = ""


@dataclass
class Tab:
    title: str
    rows: list[list[object]] = field(default_factory=list)  # values or Styled
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column -> width in characters
    freeze_rows: int = 0
    charts: list[ChartSpec] = field(default_factory=list)
    stamp_row: int | None = None  # 1-based row saying when the tab was made: not part of its content
    # Mostly for the tabs a seller fills in (a new sheet's):
    freeze_columns: int = 0
    heights: dict[int, float] = field(default_factory=dict)  # 1-based row -> height in points, for wrapped text
    bodies: dict[int, ColumnBody] = field(default_factory=dict)  # 1-based column -> its format below the header
    dropdowns: list[Dropdown] = field(default_factory=list)
    status_colours: tuple[int, int] | None = None  # (column, first row): coloured by status label, rows typed later too
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 1-based -> a note on the cell
    auto_filter: bool = False  # filter buttons on the first row, over the rows drawn
    hidden: bool = False

    def digest(self) -> str:
        """A fingerprint of what the tab shows, leaving out its stamp row: equal digests, nothing to write."""
        rows = [row for number, row in enumerate(self.rows, start=1) if number != self.stamp_row]
        shown: tuple = (self.title, rows, sorted(self.widths.items()), self.freeze_rows, self.charts)
        extras = (self.freeze_columns, sorted(self.heights.items()), sorted(self.bodies.items()), self.dropdowns,
                  self.status_colours, sorted(self.notes.items()), self.auto_filter, self.hidden)
        if any(extras):  # generated tabs have none: their digests stay what earlier runs stored
            shown += extras
        text = repr(shown)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def shows(self, digest: str | None) -> bool:
        """Whether a tab whose digest is `digest` shows what this one shows (its stamp row aside)."""
        return digest is not None and digest == self.digest()

    def add(self, *cells: object) -> int:
        """Append a row; returns its 1-based row number."""
        self.rows.append(list(cells))
        return len(self.rows)

    def blank(self) -> int:
        return self.add()


class DeferredTab(Tab):
    """A tab made only when something asks what it holds (its rows, widths, charts ...).

    Its digest may be known beforehand (an earlier run made the same tab from the same inputs): a writer that
    finds that digest already stored leaves the tab alone, and the tab is never made.
    """

    def __init__(self, title: str, make: Callable[[], Tab], digest: str | None = None) -> None:
        vars(self).update(title=title, _make=make, _known=digest)

    def __getattribute__(self, name: str):
        if name in _MADE_FIELDS and name not in object.__getattribute__(self, "__dict__"):
            object.__getattribute__(self, "make")()
        return object.__getattribute__(self, name)

    @property
    def made(self) -> bool:
        return "rows" in vars(self)

    def make(self) -> "DeferredTab":
        if not self.made:
            tab = self._make()
            if tab.title != self.title:
                raise ValueError(f"a deferred tab {self.title!r} made a tab named {tab.title!r}")
            vars(self).update({f.name: getattr(tab, f.name) for f in fields(Tab)})
        return self

    def digest(self) -> str:
        if not self.made and self._known is not None:
            return self._known
        return super().digest()

    def shows(self, digest: str | None) -> bool:
        """The known digest settles it when it matches; otherwise the tab is made and compared, so that a
        wrong memory of a digest never causes a write."""
        if digest is None:
            return False
        if not self.made and self._known == digest:
            return True
        return digest == self.make().digest()


_MADE_FIELDS = frozenset(f.name for f in fields(Tab)) - {"title"}


def value_of(cell: object) -> object:
    return cell.value if isinstance(cell, Styled) else cell


def style_of(cell: object) -> str | None:
    return cell.style if isinstance(cell, Styled) else None


FORMULA_START = ("=", "+", "-", "@")


def needs_text_guard(value: object) -> bool:
    """True for text a spreadsheet would otherwise take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)

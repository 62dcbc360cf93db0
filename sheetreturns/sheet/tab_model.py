"""Generated tabs (Summary, Email Log, Intake Log) as plain data, drawn alike in Excel and Google Sheets.

A Tab is rows of cells; a cell is a plain value or a Styled value naming one of a few styles. Each
spreadsheet adapter turns styles into its own formatting, and ChartSpecs into native charts. Text
that starts with = + - @ is always written as text, never as a formula.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from .palette import STATUS_COLOURS  # every colour lives in palette.py; re-exported for the adapters

__all__ = ["STATUS_COLOURS", "STYLES", "ChartSpec", "Series", "Styled", "Tab"]

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
})


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


@dataclass
class Tab:
    title: str
    rows: list[list[object]] = field(default_factory=list)  # values or Styled
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column -> width in characters
    freeze_rows: int = 0
    charts: list[ChartSpec] = field(default_factory=list)
    stamp_row: int | None = None  # 1-based row saying when the tab was made: not part of its content

    def digest(self) -> str:
        """A fingerprint of what the tab shows, leaving out its stamp row: equal digests, nothing to write."""
        rows = [row for number, row in enumerate(self.rows, start=1) if number != self.stamp_row]
        text = repr((self.title, rows, sorted(self.widths.items()), self.freeze_rows, self.charts))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def add(self, *cells: object) -> int:
        """Append a row; returns its 1-based row number."""
        self.rows.append(list(cells))
        return len(self.rows)

    def blank(self) -> int:
        return self.add()


def value_of(cell: object) -> object:
    return cell.value if isinstance(cell, Styled) else cell


def style_of(cell: object) -> str | None:
    return cell.style if isinstance(cell, Styled) else None


FORMULA_START = ("=", "+", "-", "@")


def needs_text_guard(value: object) -> bool:
    """True for text a spreadsheet would otherwise take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)

"""The spreadsheets the local server holds: sheets of cell values with formats, formulas and rules.

A sheet keeps its effective values as rows of plain Python values (None = empty), so reading
50,000 rows is a slice per row; formulas, formats, notes and validation rules live beside them in
a parallel list of per-row dicts, so inserting or deleting rows moves everything together.
"""
from __future__ import annotations

import copy
import itertools
import random
import string
import time
from dataclasses import dataclass, field

from .a1 import Span, bad_range, parse_cells, quote_title, split_range
from .errors import ApiError

DEFAULT_FORMAT = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10, "bold": False,
        "italic": False, "strikethrough": False, "underline": False, "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

THEME = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": "TEXT", "color": {"rgbColor": {}}},
        {"colorType": "BACKGROUND", "color": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}},
        {"colorType": "ACCENT1", "color": {"rgbColor": {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}}},
        {"colorType": "ACCENT2", "color": {"rgbColor": {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}}},
        {"colorType": "ACCENT3", "color": {"rgbColor": {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}}},
        {"colorType": "ACCENT4", "color": {"rgbColor": {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}}},
        {"colorType": "ACCENT5", "color": {"rgbColor": {"red": 1, "green": 0.42745098, "blue": 0.003921569}}},
        {"colorType": "ACCENT6", "color": {"rgbColor": {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}}},
        {"colorType": "LINK", "color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}}},
    ],
}

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26
MAX_CELLS = 10_000_000


def colour_component(value: float) -> float | int:
    """Google keeps colours as 8-bit channels and answers with float32 digits: 0.5 -> 0.49803922."""
    import struct

    level = int(max(0.0, min(1.0, float(value))) * 255)
    single = struct.unpack("f", struct.pack("f", level / 255))[0]
    number = float(f"{single:.8g}")
    return int(number) if number.is_integer() else number


def clean(value: object) -> object:
    """Stored resources as Google returns them: colours quantised, zero channels and empty objects dropped."""
    if isinstance(value, dict):
        if value and set(value) <= {"red", "green", "blue", "alpha"} and all(isinstance(v, (int, float)) for v in value.values()):
            out = {k: colour_component(v) for k, v in value.items() if k == "alpha" or v}
            return {k: v for k, v in out.items() if v or k != "alpha"}
        out = {}
        for key, item in value.items():
            item = clean(item)
            if item == {} and key not in ("rgbColor", "foregroundColor"):
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


class ErrorValue(str):
    """A formula error (#DIV/0!, #NAME? ...): rendered as its text, but not a string value."""


def new_key() -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "1" + "".join(random.choice(alphabet) for _ in range(43))


def rfc3339(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


@dataclass
class Sheet:
    props: dict
    rows: list[list] = field(default_factory=list)  # effective values, None = empty
    meta: list[dict | None] = field(default_factory=list)  # per row: {col: {"formula", "format", "note", "validation", "entered"}}
    charts: list[dict] = field(default_factory=list)
    conditional_formats: list[dict] = field(default_factory=list)
    merges: list[dict] = field(default_factory=list)
    row_meta: dict[int, dict] = field(default_factory=dict)  # row -> {"pixelSize", "hiddenByUser"}
    column_meta: dict[int, dict] = field(default_factory=dict)
    # Developer metadata located on rows or columns (location.dimensionRange): it moves with them, and goes
    # when they are deleted, as Google documents.
    dimension_metadata: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # protectedRanges, basicFilter, rowGroups ... as Google returns them

    # -- geometry -------------------------------------------------------------

    @property
    def sheet_id(self) -> int:
        return self.props["sheetId"]

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def grid(self) -> dict:
        return self.props.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        return self.grid.get("rowCount", 0)

    @property
    def column_count(self) -> int:
        return self.grid.get("columnCount", 0)

    def clamp(self, span: Span, label: str) -> tuple[int, int, int, int]:
        """A span bounded by the grid; a span that starts or ends outside it is an error, as at Google."""
        r1 = self.row_count if span.r1 is None else span.r1
        c1 = self.column_count if span.c1 is None else span.c1
        if span.r0 >= self.row_count or span.c0 >= self.column_count or r1 > self.row_count or c1 > self.column_count:
            raise ApiError(400, f"Range ({label}) exceeds grid limits. Max rows: {self.row_count}, "
                                f"max columns: {self.column_count}")
        return span.r0, span.c0, max(r1, span.r0 + 1), max(c1, span.c0 + 1)

    # -- cells ----------------------------------------------------------------

    def value(self, r: int, c: int) -> object:
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return None

    def cell_meta(self, r: int, c: int) -> dict | None:
        if r < len(self.meta):
            row = self.meta[r]
            if row:
                return row.get(c)
        return None

    def _grow(self, r: int) -> None:
        if r >= len(self.rows):
            extra = r + 1 - len(self.rows)
            self.rows.extend([] for _ in range(extra))
            self.meta.extend(None for _ in range(extra))

    def set_value(self, r: int, c: int, value: object, formula: str | None = None) -> None:
        self._grow(r)
        row = self.rows[r]
        if c >= len(row):
            if value is None:
                self._set_meta(r, c, "formula", None)
                return
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value
        self._set_meta(r, c, "formula", formula)

    def _set_meta(self, r: int, c: int, key: str, value: object) -> None:
        if value is None:
            if r < len(self.meta) and self.meta[r] and c in self.meta[r]:
                self.meta[r][c].pop(key, None)
                if not self.meta[r][c]:
                    del self.meta[r][c]
            return
        self._grow(r)
        if self.meta[r] is None:
            self.meta[r] = {}
        self.meta[r].setdefault(c, {})[key] = value

    def set_meta(self, r: int, c: int, key: str, value: object) -> None:
        self._set_meta(r, c, key, value)

    def get_meta(self, r: int, c: int, key: str) -> object:
        cell = self.cell_meta(r, c)
        return cell.get(key) if cell else None

    def clear(self, r0: int, c0: int, r1: int, c1: int, keys: tuple[str, ...] = ("value",)) -> None:
        """Clear values (and/or meta keys such as "format") in a bounded span."""
        for r in range(r0, min(r1, len(self.rows))):
            row = self.rows[r]
            if "value" in keys and c0 < len(row):
                for c in range(c0, min(c1, len(row))):
                    row[c] = None
                while row and row[-1] is None:
                    row.pop()
            metas = self.meta[r]
            if metas:
                for c in [c for c in metas if c0 <= c < c1]:
                    for key in keys:
                        metas[c].pop("formula" if key == "value" else key, None)
                    if not metas[c]:
                        del metas[c]

    def insert_rows(self, at: int, count: int) -> None:
        if at < len(self.rows):
            self.rows[at:at] = [[] for _ in range(count)]
            self.meta[at:at] = [None] * count
        self.grid["rowCount"] = self.row_count + count
        self._shift_metadata("ROWS", at, count)

    def delete_rows(self, start: int, end: int) -> None:
        del self.rows[start:end]
        del self.meta[start:end]
        self.grid["rowCount"] = self.row_count - (end - start)
        self._cut_metadata("ROWS", start, end)

    def insert_columns(self, at: int, count: int) -> None:
        for row in self.rows:
            if at < len(row):
                row[at:at] = [None] * count
        for i, metas in enumerate(self.meta):
            if metas:
                self.meta[i] = {(c + count if c >= at else c): v for c, v in metas.items()}
        self.grid["columnCount"] = self.column_count + count
        self._shift_metadata("COLUMNS", at, count)

    def delete_columns(self, start: int, end: int) -> None:
        for row in self.rows:
            del row[start:end]
        width = end - start
        for i, metas in enumerate(self.meta):
            if metas:
                self.meta[i] = {(c - width if c >= end else c): v for c, v in metas.items() if not start <= c < end}
        self.grid["columnCount"] = self.column_count - width
        self._cut_metadata("COLUMNS", start, end)

    def _shift_metadata(self, dimension: str, at: int, count: int) -> None:
        """Rows or columns inserted at `at`: metadata on those after them moves along; a range they go
        inside grows."""
        for item in self.dimension_metadata:
            span = item["location"]["dimensionRange"]
            if span["dimension"] != dimension:
                continue
            if at <= span["startIndex"]:
                span["startIndex"] += count
                span["endIndex"] += count
            elif at < span["endIndex"]:
                span["endIndex"] += count

    def _cut_metadata(self, dimension: str, start: int, end: int) -> None:
        """Rows or columns [start, end) deleted: their metadata goes with them, ranges after them move back."""
        kept = []
        for item in self.dimension_metadata:
            span = item["location"]["dimensionRange"]
            if span["dimension"] == dimension:
                s, e = span["startIndex"], span["endIndex"]
                length = e - s - max(0, min(e, end) - max(s, start))
                if length == 0:
                    continue
                span["startIndex"] = s if s < start else max(start, s - (end - start))
                span["endIndex"] = span["startIndex"] + length
            kept.append(item)
        self.dimension_metadata = kept

    def trim(self) -> None:
        """Drop values outside the grid (after the grid shrank)."""
        del self.rows[self.row_count:]
        del self.meta[self.row_count:]
        for row in self.rows:
            del row[self.column_count:]
        for i, metas in enumerate(self.meta):
            if metas:
                self.meta[i] = {c: v for c, v in metas.items() if c < self.column_count} or None
        sizes = {"ROWS": self.row_count, "COLUMNS": self.column_count}
        for item in self.dimension_metadata:
            span = item["location"]["dimensionRange"]
            span["endIndex"] = min(span["endIndex"], sizes[span["dimension"]])
        self.dimension_metadata = [i for i in self.dimension_metadata
                                   if i["location"]["dimensionRange"]["startIndex"] < i["location"]["dimensionRange"]["endIndex"]]

    def used_extent(self) -> tuple[int, int]:
        """(rows, columns) up to the last non-empty value."""
        last_row, last_col = 0, 0
        for r, row in enumerate(self.rows):
            width = len(row)
            while width and row[width - 1] is None:
                width -= 1
            if width:
                last_row = r + 1
                last_col = max(last_col, width)
        return last_row, last_col

    def clone(self) -> "Sheet":
        twin = Sheet(copy.deepcopy(self.props))
        twin.rows = [list(row) for row in self.rows]
        # Per-cell dicts are copied; the values inside (format dicts ...) are replaced, never changed in place.
        twin.meta = [{c: dict(v) for c, v in m.items()} if m else None for m in self.meta]
        twin.charts = copy.deepcopy(self.charts)
        twin.conditional_formats = copy.deepcopy(self.conditional_formats)
        twin.merges = copy.deepcopy(self.merges)
        twin.row_meta = copy.deepcopy(self.row_meta)
        twin.column_meta = copy.deepcopy(self.column_meta)
        twin.dimension_metadata = copy.deepcopy(self.dimension_metadata)
        twin.extra = copy.deepcopy(self.extra)
        return twin


_ids = itertools.count(1)


@dataclass
class Spreadsheet:
    key: str
    properties: dict
    sheets: list[Sheet]
    owner: str = "owner"
    permissions: dict[str, str] = field(default_factory=dict)  # email -> role (owner, writer, reader)
    named_ranges: list[dict] = field(default_factory=list)
    developer_metadata: list[dict] = field(default_factory=list)  # located on the spreadsheet itself
    created: float = field(default_factory=time.time)
    modified: float = field(default_factory=time.time)
    revision: int = 0

    @classmethod
    def new(cls, title: str, owner: str = "owner", key: str | None = None) -> "Spreadsheet":
        properties = {
            "title": title, "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT",
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT), "spreadsheetTheme": copy.deepcopy(THEME),
        }
        sheet = Sheet(new_sheet_props(0, "Sheet1", 0))
        book = cls(key or new_key(), properties, [sheet], owner=owner)
        book.permissions[owner] = "owner"
        return book

    def sheet_by_id(self, sheet_id: int) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        lowered = title.lower()
        return next((s for s in self.sheets if s.title.lower() == lowered), None)

    def resolve(self, text: str) -> tuple[Sheet, Span]:
        """An A1 range -> its sheet and span (not yet clamped to the grid)."""
        title, cells = split_range(text)
        if title is None:
            sheet = self.sheet_by_title(cells)
            if sheet is not None:
                return sheet, Span(0, 0, None, None)
            named = next((n for n in self.named_ranges if n["name"] == cells), None)
            if named is not None:
                grid = named["range"]
                sheet = self.sheet_by_id(grid.get("sheetId", 0))
                return sheet, Span(grid.get("startRowIndex", 0), grid.get("startColumnIndex", 0),
                                   grid.get("endRowIndex"), grid.get("endColumnIndex"))
            sheet = self.sheets[0]
        else:
            sheet = self.sheet_by_title(title)
            if sheet is None:
                raise bad_range(text)
        span = parse_cells(cells)
        if span is None:
            raise bad_range(text)
        return sheet, span

    def label(self, sheet: Sheet, cells: str) -> str:
        return f"{quote_title(sheet.title)}!{cells}" if cells else quote_title(sheet.title)

    def touch(self) -> None:
        self.modified = time.time()
        self.revision += 1

    def next_sheet_id(self) -> int:
        taken = {s.sheet_id for s in self.sheets}
        while True:
            candidate = random.randint(1, 2**31 - 1)
            if candidate not in taken:
                return candidate

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet.props["index"] = index


def new_sheet_props(sheet_id: int, title: str, index: int, rows: int = DEFAULT_ROWS, columns: int = DEFAULT_COLUMNS) -> dict:
    return {
        "sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
        "gridProperties": {"rowCount": rows, "columnCount": columns},
    }

"""`sheetreturns init`: a new, ready-to-use tracking workbook (.xlsx) drawn from starter_content.py's content."""
from __future__ import annotations

import io
import os
import textwrap
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..sheet import palette, starter_content
from ..errors import SheetReturnsError
from ..engine.policy import Policy
from ..sheet.tab_names import HOWTO_TAB, RETURNS_TAB, SETTINGS_TAB

SELLER_FILL = PatternFill("solid", fgColor=palette.SELLER_HEADER_FILL)
JOB_FILL = PatternFill("solid", fgColor=palette.JOB_HEADER_FILL)
JOB_CELL_FILL = PatternFill("solid", fgColor=palette.JOB_CELL_FILL)
HEADER_FONT = Font(bold=True, color=palette.SELLER_HEADER_TEXT)
JOB_HEADER_FONT = Font(bold=True, color=palette.JOB_HEADER_TEXT)
EXAMPLE_FONT = Font(italic=True, color=palette.EXAMPLE_TEXT)
BOLD = Font(bold=True)
UNDERLINE = Border(bottom=Side(style="thin", color=palette.HEADER_BORDER))
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
LAST_ROW = 1048576  # dropdowns cover the whole column, however long the sheet grows
HOWTO_LINE = 110  # characters per line of a How-to paragraph (each line its own row, spilling right)


@dataclass
class Created:
    """What `init` made, for the CLI to describe."""

    path: Path
    columns: int
    example_rows: int
    tabs: list[str]


def number_format(kind: str, policy: Policy) -> str | None:
    return palette.column_format(kind, policy.currency_symbol)


def create_workbook(path: str | os.PathLike[str], *, today: date, policy: Policy | None = None) -> Created:
    """Write a new tracking workbook at `path`; never replaces an existing file."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise SheetReturnsError(f"{path.name}: the new workbook's name must end in .xlsx, e.g. returns.xlsx")
    if path.exists():
        raise SheetReturnsError(f"{path} already exists: choose another name (init never overwrites a file)")
    if not path.parent.is_dir():
        raise SheetReturnsError(f"folder {path.parent} does not exist: create it first or choose another place")
    policy = policy or Policy()
    wb = build_workbook(today, policy)
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_new(path, buffer.getvalue())
    return Created(path, len(starter_content.columns()), len(starter_content.example_lines(today, policy)), wb.sheetnames)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` exclusively (a file that appeared meanwhile is not overwritten); no half file on failure."""
    try:
        handle = open(path, "xb")
    except FileExistsError:
        raise SheetReturnsError(f"{path} already exists: choose another name (init never overwrites a file)") from None
    except OSError as exc:
        raise SheetReturnsError(f"cannot create {path}: {exc.strerror or exc}") from None
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise SheetReturnsError(f"cannot write {path}: {exc.strerror or exc}") from None


def build_workbook(today: date, policy: Policy) -> Workbook:
    wb = Workbook()
    returns = wb.active
    returns.title = RETURNS_TAB
    lists = wb.create_sheet(starter_content.LISTS_TAB)
    _draw_returns(returns, today, policy)
    _draw_lists(wb, lists, returns)
    _draw_howto(wb.create_sheet(HOWTO_TAB, 1), policy)
    _draw_settings(wb.create_sheet(SETTINGS_TAB, 2), policy)
    lists.sheet_state = "hidden"
    for ws in (returns, wb[HOWTO_TAB], wb[SETTINGS_TAB]):
        _print_to_page_width(ws)
    wb.active = 0
    wb.properties.title = "Returns"
    wb.properties.creator = "sheetreturns"
    return wb


def _print_to_page_width(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _draw_returns(ws: Worksheet, today: date, policy: Policy) -> None:
    cols = starter_content.columns()
    examples = starter_content.example_lines(today, policy)
    for index, col in enumerate(cols, start=1):
        cell = ws.cell(1, index, col.header)
        cell.font = JOB_HEADER_FONT if col.job_owned else HEADER_FONT
        cell.fill = JOB_FILL if col.job_owned else SELLER_FILL
        cell.alignment = Alignment(vertical="center")
        letter = get_column_letter(index)
        dim = ws.column_dimensions[letter]
        fmt = number_format(col.kind, policy) or (palette.TEXT_FORMAT if col.key in starter_content.TEXT_KEYS else None)
        if fmt:
            dim.number_format = fmt  # new rows typed below take the format from their column
        if col.job_owned:
            dim.fill = JOB_CELL_FILL
    for row, example in enumerate(examples, start=2):
        for index, col in enumerate(cols, start=1):
            value = example.values.get(col.key)
            if isinstance(value, Decimal):
                value = float(value)
            cell = ws.cell(row, index, value)
            cell.font = EXAMPLE_FONT
            fmt = number_format(col.kind, policy)
            if fmt:
                cell.number_format = fmt
            if col.job_owned:
                cell.fill = JOB_CELL_FILL
    for index, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(index)].width = starter_content.column_width(col, examples, policy)
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 20
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{1 + len(examples)}"
    _status_colours(ws, next(i for i, c in enumerate(cols, start=1) if c.key == "status"))


def _status_colours(ws: Worksheet, column: int) -> None:
    """The Status column coloured by its label, as conditional formats that follow each cell's value (as in Google)."""
    letter = get_column_letter(column)
    for label, colour in palette.STATUS_COLOURS.items():
        text = '"' + label.replace('"', '""') + '"'
        ws.conditional_formatting.add(f"{letter}2:{letter}{LAST_ROW}", CellIsRule(
            operator="equal", formula=[text], fill=PatternFill("solid", fgColor=colour, bgColor=colour)))


def _draw_lists(wb: Workbook, lists: Worksheet, returns: Worksheet) -> None:
    """Dropdown choices on the hidden Lists tab, named, and a validation per column pointing at them."""
    keys = [c.key for c in starter_content.columns()]
    for list_col, (key, (choices, strict)) in enumerate(starter_content.DROPDOWNS.items(), start=1):
        header = starter_content.columns()[keys.index(key)].header
        lists.cell(1, list_col, header).font = BOLD
        for row, choice in enumerate(choices, start=2):
            lists.cell(row, list_col, choice)
        letter = get_column_letter(list_col)
        name = header.replace(" ", "") + "Choices"
        ref = f"{quote_sheetname(starter_content.LISTS_TAB)}!${letter}$2:${letter}${len(choices) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
        target = get_column_letter(keys.index(key) + 1)
        validation = DataValidation(type="list", formula1=name, allow_blank=True)
        if strict:
            validation.showErrorMessage = True
            validation.errorStyle = "warning"
            validation.errorTitle = f"Not a {header} the job knows"
            validation.error = f"sheetreturns understands: {', '.join(choices)}. Keep this value anyway?"
        else:
            validation.showErrorMessage = False  # a suggestion list: any text is fine
        validation.add(f"{target}2:{target}{LAST_ROW}")
        returns.add_data_validation(validation)
        lists.column_dimensions[letter].width = max(len(c) for c in (header, *choices)) + 3


def _draw_settings(ws: Worksheet, policy: Policy) -> None:
    ws.append(["Setting", "Value", "What it means"])
    for cell in ws[1]:
        cell.font = BOLD
        cell.border = UNDERLINE
    rows = starter_content.settings_table(policy)
    for row, (key, value, explanation) in enumerate(rows, start=2):
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
        ws.cell(row, 3, explanation).alignment = WRAP_TOP
        if isinstance(value, float):
            ws.cell(row, 2).number_format = "0.00"
        choices = starter_content.SETTING_CHOICES.get(key)
        if choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            validation.add(f"B{row}")
            ws.add_data_validation(validation)
    ws.column_dimensions["A"].width = max(len(r[0]) for r in rows) + 3
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 80
    ws.freeze_panes = "A2"


HOWTO_WIDTHS = {1: 24, 2: 50, 3: 50}
LINE_HEIGHT = 15  # points per line of 11-point text


def _draw_howto(ws: Worksheet, policy: Policy) -> None:
    for index, width in HOWTO_WIDTHS.items():
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.cell(1, 1, "How to use this workbook").font = Font(bold=True, size=14)
    row = 3
    for heading, items in starter_content.howto_sections(policy):
        ws.cell(row, 1, heading).font = Font(bold=True, size=12, color=palette.HEADING_TEXT)
        row += 1
        table_header = True
        for item in items:
            if len(item) == 1:
                # A paragraph: one short line per row, spilling over the empty columns to its right.
                for text in textwrap.wrap(item[0], HOWTO_LINE):
                    ws.cell(row, 1, text)
                    row += 1
                continue
            lines = 1
            for index, text in enumerate(item, start=1):
                cell = ws.cell(row, index, text)
                cell.alignment = WRAP_TOP
                if table_header:
                    cell.font = BOLD
                    cell.border = UNDERLINE
                lines = max(lines, len(textwrap.wrap(text, HOWTO_WIDTHS[index] - 4)) or 1)
            # Spreadsheet programs do not all grow a row to fit wrapped text on opening: set the height.
            ws.row_dimensions[row].height = LINE_HEIGHT * lines
            table_header = False
            row += 1
        row += 1

"""`sheetreturns init`: a new, ready-to-use tracking workbook (.xlsx), drawn from starter_tabs.py's description
by the code that draws the generated tabs (draw_tab.py)."""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from ..engine.policy import Policy
from ..errors import SheetReturnsError
from ..sheet.starter_tabs import NewSheet, describe
from .draw_tab import render_tab


@dataclass
class Created:
    """What `init` made, for the CLI to describe."""

    path: Path
    columns: int
    example_rows: int
    tabs: list[str]


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
    sheet = describe(today, policy)
    wb = build_workbook(sheet, policy.currency_symbol)
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_new(path, buffer.getvalue())
    return Created(path, sheet.columns, sheet.example_rows, wb.sheetnames)


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


def build_workbook(sheet: NewSheet, currency_symbol: str) -> Workbook:
    """The described tabs drawn into a new openpyxl Workbook; the first is the one shown on opening."""
    wb = Workbook()
    wb.remove(wb.active)
    for tab in sheet.tabs:
        render_tab(tab, wb.create_sheet(tab.title), currency_symbol)
    wb.active = 0
    wb.properties.title = "Returns"
    wb.properties.creator = "sheetreturns"
    return wb

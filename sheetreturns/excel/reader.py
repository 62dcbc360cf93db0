"""Reading a seller's .xlsx/.xlsm: python-calamine for speed, our own package checks for safety."""
from __future__ import annotations

from typing import Callable, Sequence

import os
from pathlib import Path
from typing import Iterator

import python_calamine as calamine

from ..engine.columns import HEADER_SEARCH_ROWS, HeaderMap, find_header
from ..engine.ownership import MARK, read_mark
from ..errors import ConfigError, SheetReturnsError, SourceUnreadable
from ..sheet.tab_names import SETTINGS_TAB, pick_returns_tab, settings_entries
from .package import ErrorCells, Package, by_row, error_cells, finish_error_cells, first_line, overlay, tab_unreadable
from .limits import Limits, check_part_sizes, check_sheet_extent
from .pieces import PiecedSheet, pieced_sheet
from .safe_save import DEFAULT_BACKUP_DAYS, Fingerprint, refuse_if_open, refuse_if_read_only

Row = list[object]


class XlsxWorkbook:
    """An opened workbook: its tabs, its date system, and rows of cell values per tab."""

    kind = "xlsx"
    stages_outbox = False  # outbox files are written before the save, which asks preflight() first

    def __init__(self, path: str | os.PathLike[str], backup_dir: Path | None = None,
                 backup_days: int = DEFAULT_BACKUP_DAYS, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.backup_days = backup_days
        self.name = self.path.name
        if backup_dir is None:
            from ..state import backup_folder, user_state_dir

            backup_dir = backup_folder(user_state_dir(), str(self.path))
        self.backup_dir = backup_dir
        self.package = Package(self.path)
        self.limits = limits or Limits()
        try:
            check_part_sizes(self.package.zip, self.name, self.limits)  # before calamine inflates anything
        except BaseException:
            self.package.close()
            raise
        self.fingerprint = Fingerprint.of(self.path)  # taken before reading: a later save by someone else shows
        try:
            self.book = calamine.CalamineWorkbook.from_path(str(self.path))
        except calamine.PasswordError:
            self.package.close()
            raise SourceUnreadable(f"{self.name} is password-protected: save it without a password") from None
        except Exception as exc:  # calamine's XmlError, ZipError, CalamineError ...
            self.package.close()
            raise SourceUnreadable(f"{self.name} could not be read ({first_line(exc)}): open it in Excel and save it again") from None
        worksheets = {m.name for m in self.book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet}
        self.parts = {s.name: s.part for s in self.package.info.sheets}
        self.titles = [name for name in self.book.sheet_names if name in worksheets]
        self.date1904 = self.package.info.date1904
        self.strict = self.package.info.strict
        self._sheets: dict[str, object] = {}
        self._error_cache: dict[str, dict[int, dict[int, str]]] = {}
        self._widths: dict[str, int] = {}

    def close(self) -> None:
        self._let_go()
        self.book.close()
        self.package.close()

    def __enter__(self) -> "XlsxWorkbook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rows ----------------------------------------------------------------

    def iter_rows(self, title: str) -> Iterator[Row]:
        """Every row of a tab from row 1 and column A, error cells as CellError values."""
        sheet = self._sheet(title)
        if isinstance(sheet, PiecedSheet):
            return sheet.iter_rows()  # checked as it is read, error cells put back
        start = sheet.start
        pad = [""] * start[1] if start and start[1] else None
        errors = self._errors(title)
        if pad is None and not errors:
            return iter(sheet.iter_rows())  # calamine's rows as they are: no step in between
        return self._adjusted(sheet, pad, errors)

    @staticmethod
    def _adjusted(sheet, pad: Row | None, errors: dict[int, dict[int, str]]) -> Iterator[Row]:
        for index, row in enumerate(sheet.iter_rows()):
            if pad is not None:
                row = pad + row
            if errors:
                row = overlay(row, index, errors)
            yield row

    def rows(self, title: str, limit: int | None = None) -> list[Row]:
        result = []
        for row in self.iter_rows(title):
            result.append(row)
            if limit is not None and len(result) >= limit:
                break
        return result

    def _sheet(self, title: str):
        """The tab parsed once by calamine and kept: the header search and the full read share it."""
        if title not in self._sheets:
            part = self.parts.get(title)
            if part is not None and self.package.has(part):
                # A big tab is read in pieces, each checked before calamine reads it (pieces.py), also when it is
                # read again after done_reading.
                pieced = pieced_sheet(self.package, part, title, self.limits)
                if pieced is not None:
                    self._sheets[title] = pieced
                    return pieced
                if title not in self._error_cache:
                    # One inflate of the tab's XML checks the rectangle calamine would allocate (before it does)
                    # and finds the error cells calamine reads as blanks.
                    errors = ErrorCells()
                    check_sheet_extent(self.package.zip, self.package._names[part], self.name, title, self.limits,
                                       feed=errors.feed)
                    self._error_cache[title] = by_row(finish_error_cells(errors, self.package, part))
            try:
                self._sheets[title] = self.book.get_sheet_by_name(title)
            except Exception as exc:
                raise tab_unreadable(self.name, title, exc) from None
        return self._sheets[title]

    def _errors(self, title: str) -> dict[int, dict[int, str]]:
        if title not in self._error_cache:
            part = self.parts.get(title)
            self._error_cache[title] = by_row(error_cells(self.package, part)) if part is not None else {}
        return self._error_cache[title]

    def used_width(self, title: str) -> int:
        """Columns in use on a tab (the job adds its columns to the right of them)."""
        if title not in self._widths:
            end = self._sheet(title).end
            self._widths[title] = end[1] + 1 if end else 0
        return self._widths[title]

    def done_reading(self) -> None:
        for title in self._sheets:
            self.used_width(title)
        self._let_go()  # calamine's copy of a big sheet is the largest thing in memory

    def _let_go(self) -> None:
        for sheet in self._sheets.values():
            if isinstance(sheet, PiecedSheet):
                sheet.close()  # its worker thread ends, its temporary files go
        self._sheets.clear()

    # -- writing ---------------------------------------------------------------

    def preflight(self, plan=None) -> None:
        """Raise if the file cannot be saved now. `plan` is never called: the file is written in one step, at apply."""
        refuse_if_open(self.path)
        refuse_if_read_only(self.path)
        from ..sheet.tab_names import EMAIL_LOG_TAB, SUMMARY_TAB
        from .generated_tabs import refuse_foreign_tabs

        refuse_foreign_tabs(self.package.parse(self.package._workbook_part()), self.titles,
                            (SUMMARY_TAB, EMAIL_LOG_TAB))
        if self.strict:
            raise SheetReturnsError(
                f"{self.name} is saved as 'Strict Open XML', which sheetreturns cannot write without losing "
                f"formatting: save it as a normal 'Excel Workbook (.xlsx)' and run again"
            )

    def may_have_written(self) -> bool:
        """Never: a save replaces the file in one step, so a save that failed left the old file as it was."""
        return False

    def apply(self, plan, *, dry_run: bool, backups: int):
        from ..sheet.workbook import WriteReport
        from ..sheet.write_plan import filled_counts
        from .writer import write_workbook

        first_free = max(self.used_width(plan.tab), len(plan.header.headers))
        self.done_reading()
        outcome = write_workbook(
            self.path, plan, fingerprint=self.fingerprint, date1904=self.date1904, first_free_column=first_free,
            currency_symbol=plan.currency_symbol, backups=backups, backup_dir=self.backup_dir, dry_run=dry_run,
            before_write=self.preflight, backup_days=self.backup_days,
        )
        stats = outcome.stats
        filled = filled_counts(plan)
        changes = {
            "cells": stats.cells_changed,
            "rows": stats.rows_changed,
            "ids_assigned": filled["return_id"],
            "dates_filled": filled["notified_on"],
            "columns_added": len(outcome.columns_added),
            "rows_appended": outcome.rows_appended,
            "tabs": len(outcome.tabs),
        }
        if not outcome.saved:
            return WriteReport(written=False, changes=changes, unchanged=True)
        return WriteReport(written=not dry_run, changes=changes, saved_to=str(self.path))

    # -- the tabs sheetreturns reads ----------------------------------------------

    def returns_tab(self, columns: Callable[[], Sequence[tuple[str, str]]] | None = None) -> tuple[str, HeaderMap]:
        return pick_returns_tab(self.titles,
            lambda t: find_header(self.rows(t, HEADER_SEARCH_ROWS), t, columns() if columns else ()))

    def job_columns(self, title: str) -> set[str] | None:
        return read_mark(self.package.info.marks.get(MARK), title)

    def settings(self) -> list[tuple[object, object, str]]:
        title = next((t for t in self.titles if t.strip().lower() == SETTINGS_TAB.lower()), None)
        if title is None:
            return []
        entries = settings_entries(self.rows(title), title)
        uncalculated = self._uncalculated_formulas(title)
        for _, _, location in entries:
            cell = location.rpartition("!")[2]
            if cell in uncalculated:
                raise ConfigError(
                    f"{location}: this setting is a formula with no saved result (the file was last saved by a "
                    f"program that does not calculate formulas), so its value cannot be read: open and save the "
                    f"file in Excel or LibreOffice, or type the value in")
        return entries

    def _uncalculated_formulas(self, title: str) -> set[str]:
        """Cells of a (small) tab holding a formula but no saved result: they would read as blank."""
        part = self.parts.get(title)
        if part is None or not self.package.has(part):
            return set()
        main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        found = set()
        for cell in self.package.parse(part).iter(f"{main}c"):
            formula, value = cell.find(f"{main}f"), cell.find(f"{main}v")
            if formula is not None and (value is None or not (value.text or "")) and cell.get("t") != "inlineStr":
                found.add(cell.get("r", ""))
        return found


"""SOURCE strings -> an opened workbook (an .xlsx file now; a Google Sheet through its own adapter)."""
from __future__ import annotations

import re
from pathlib import Path
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, Sequence

from ..engine.columns import HeaderMap
from ..settings.config_file import Config
from ..errors import SheetReturnsError

if TYPE_CHECKING:
    from .write_plan import WritePlan

_GSHEET_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")


class Workbook(Protocol):
    """What the job needs from any spreadsheet: its tabs, rows of values, and its Settings tab."""

    kind: str
    name: str
    titles: list[str]
    date1904: bool
    # Outbox files wait for the write (True): the write itself shows the sheet can be edited, so no
    # preflight question is asked, and may_have_written() decides whether a failed write withdraws them.
    stages_outbox: bool

    def iter_rows(self, title: str) -> Iterator[list[object]]: ...

    def returns_tab(self, columns: Callable[[], Sequence[tuple[str, str]]] | None = None) -> tuple[str, HeaderMap]:
        """The Returns tab and its header; `columns()` gives the seller's [columns] once the first rows are read."""

    def settings(self) -> list[tuple[object, object, str]]: ...

    def job_columns(self, title: str) -> set[str] | None:
        """Headers of the columns on tab `title` that the workbook records as made by the job (None: no record)."""

    def done_reading(self) -> None:
        """The rows have been read: let go of whatever the reader holds in memory."""

    def preflight(self, plan: Callable[[], WritePlan] | None = None) -> None:
        """Raise SheetReturnsError if the sheet cannot be written now (open in Excel, read-only ...).
        `plan()` makes the write as known before the emails (without what they change): a workbook may
        begin writing it here, as its own test (a Google Sheet adds its columns). A workbook written in one
        step at apply (an .xlsx file) never calls it: it only checks. Also called with no plan."""

    def apply(self, plan: WritePlan, *, dry_run: bool, backups: int) -> WriteReport:
        """Write the plan (or, with dry_run, only count what would change)."""

    def may_have_written(self) -> bool:
        """After apply raised: whether it may have changed the sheet all the same."""

    def close(self) -> None: ...


@dataclass
class WriteReport:
    written: bool
    changes: dict[str, int] = field(default_factory=dict)  # cells, rows, ids_assigned, dates_filled, columns_added, tabs
    saved_to: str | None = None
    unchanged: bool = False  # the plan would change nothing: nothing was written (not even a backup)


def google_key(source: str) -> str | None:
    """The spreadsheet key of a Google Sheets URL or gsheet:KEY, else None."""
    if source.startswith("gsheet:"):
        return source[len("gsheet:"):].strip() or None
    match = _GSHEET_URL.match(source.strip())
    return match[1] if match else None


def resolve_source(source: str | None, config: Config) -> str:
    chosen = source or config.source
    if not chosen:
        raise SheetReturnsError("no SOURCE given: pass the workbook path (or set source in sheetreturns.toml)")
    return chosen


def open_workbook(source: str, config: Config) -> Workbook:
    key = google_key(source)
    if key is not None:
        try:
            from ..google_sheets.workbook import open_google_sheet
        except ImportError:
            raise SheetReturnsError("Google Sheets support is not available in this installation") from None
        return open_google_sheet(key, config)
    path = Path(source).expanduser()
    if path.suffix.lower() not in (".xlsx", ".xlsm") and path.exists() and not path.is_dir():
        raise SheetReturnsError(
            f"{path.name} is not an .xlsx or .xlsm workbook: save it from Excel or LibreOffice as .xlsx"
        )
    from ..excel.reader import XlsxWorkbook

    from ..state import backup_folder

    from ..excel.limits import Limits

    return XlsxWorkbook(path, backup_dir=backup_folder(config.state_dir, source), backup_days=config.backup_days,
                        limits=Limits.from_config(config.limits))

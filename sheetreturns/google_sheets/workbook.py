"""A Google Sheet as a Workbook: one metadata call, then batched value reads, then one planned write."""
from __future__ import annotations

from typing import Callable, Sequence

import time
from dataclasses import dataclass
from typing import Iterator

from ..engine.columns import HEADER_SEARCH_ROWS, HeaderMap, find_header, normalise
from ..engine.ownership import MARK, read_mark
from ..settings.config_file import Config
from ..errors import SheetReturnsError
from ..sheet.workbook import WriteReport
from ..sheet.write_plan import WritePlan
from ..sheet.tab_names import SETTINGS_TAB, pick_returns_tab, settings_entries
from .sheets_client import Api
from .cells import from_api, quote_title
from .connect import Connection, connect

SHEET_URL = "https://docs.google.com/spreadsheets/d/%s/edit"
KEPT_KEYS = ("return_id", "order_id", "sku", "email", "notified_on", "status", "next_step", "problems", "inventory",
             "reason_category", "contacted_on", "last_email")  # what the writer compares and matches on


@dataclass
class Kept:
    """What writing needs of the Returns tab as first read: its size and a few columns (as the API sent them)."""

    height: int
    width: int
    columns: dict[int, list]  # 0-based column -> values by 0-based row, full height

    def value(self, col: int, row: int) -> object:
        column = self.columns.get(col)
        return column[row] if column is not None else None


def keep(rows: list[list], header: HeaderMap) -> Kept:
    wanted = sorted({header.columns[k] for k in KEPT_KEYS if k in header.columns})
    columns = {c: [row[c] if c < len(row) else None for row in rows] for c in wanted}
    return Kept(len(rows), max([len(header.headers)] + [len(r) for r in rows]), columns)


def job_columns_metadata(sheet: dict) -> dict:
    """The developer metadata item on a tab that records the job's columns ({} when there is none)."""
    return next((m for m in sheet.get("developerMetadata", []) if m.get("metadataKey") == MARK), {})


def open_google_sheet(key: str, config: Config, connection: Connection | None = None) -> "GoogleWorkbook":
    """Open the Google Sheet `key` with the credentials (or local endpoint) configured in `config`."""
    return GoogleWorkbook(key, config, connection or connect(config))


class GoogleWorkbook:
    """The Workbook protocol over the Sheets API: tabs, rows of values, Settings, and applying a WritePlan."""

    kind = "gsheet"
    date1904 = False
    # Outbox files appear only after the write: a write Google refuses (a view-only share) stops the run
    # before any email appears, with no separate question to Drive first.
    stages_outbox = True

    def __init__(self, key: str, config: Config, connection: Connection) -> None:
        self.key = key
        self.config = config
        self.connection = connection
        self.api = Api(connection, key)
        self.meta = self.api.metadata()
        self.name = self.meta.get("properties", {}).get("title") or key
        self.url = SHEET_URL % key
        grid = [s for s in self.meta.get("sheets", []) if s["properties"].get("sheetType", "GRID") == "GRID"]
        self.sheets = {s["properties"]["title"]: s for s in grid}
        self.titles = list(self.sheets)
        self._values: dict[str, list[list]] = {}
        self._returns: tuple[str, HeaderMap] | None = None
        self._kept: dict[str, Kept] = {}
        self._read_at = time.monotonic()
        self.prepared: tuple | None = None  # (tab, added columns, width) written by preflight, before the emails
        self.early = None  # the cells written by preflight too (early_cells.Early), kept where they went

    # -- reading ----------------------------------------------------------------

    def raw_rows(self, title: str) -> list[list]:
        """A tab's rows exactly as the API returned them (read once, with Settings in the same request)."""
        if title not in self._values:
            if title not in self.sheets:
                raise SheetReturnsError(f"the Google Sheet {self.name!r} has no tab named {title!r}")
            wanted = [title]
            settings = self._settings_title()
            if settings and settings not in self._values and settings != title:
                wanted.append(settings)
            answers = self.api.batch_get([quote_title(t) for t in wanted])
            self._read_at = time.monotonic()
            for t, answer in zip(wanted, answers):
                self._values[t] = answer.get("values", [])
        return self._values[title]

    def read_age(self) -> float:
        """Seconds since the tabs were read."""
        return time.monotonic() - self._read_at

    def iter_rows(self, title: str) -> Iterator[list[object]]:
        for row in self.raw_rows(title):
            yield from_api(row)

    def rows(self, title: str, limit: int | None = None) -> list[list[object]]:
        raw = self.raw_rows(title)
        return [from_api(r) for r in (raw if limit is None else raw[:limit])]

    def returns_tab(self, columns: Callable[[], Sequence[tuple[str, str]]] | None = None) -> tuple[str, HeaderMap]:
        self._returns = pick_returns_tab(self.titles,
            lambda t: find_header(self.rows(t, HEADER_SEARCH_ROWS), t, columns() if columns else ()))
        return self._returns

    def done_reading(self) -> None:
        """Keep only the Returns tab's columns that writing compares and matches on; drop the other cells."""
        if self._returns is not None:
            title, header = self._returns
            if title in self._values:
                self._kept[title] = keep(self._values.pop(title), header)

    def kept(self, title: str, header: HeaderMap) -> Kept:
        if title not in self._kept:
            self._kept[title] = keep(self.raw_rows(title), header)
        return self._kept[title]

    def job_columns(self, title: str) -> set[str] | None:
        """The job's columns as recorded in the tab's developer metadata (None when nothing is recorded)."""
        return read_mark(job_columns_metadata(self.sheets.get(title, {})).get("metadataValue"), title)

    def settings(self) -> list[tuple[object, object, str]]:
        title = self._settings_title()
        if title is None:
            return []
        return settings_entries(self.rows(title), title)

    def _settings_title(self) -> str | None:
        return next((t for t in self.titles if normalise(t) == normalise(SETTINGS_TAB)), None)

    # -- writing ----------------------------------------------------------------

    def preflight(self, plan: Callable[[], "WritePlan"] | None = None) -> None:
        """Stop before any email goes out if the sheet is only shared for viewing. Given `plan()`, the write
        as known before the emails, a run with columns to add adds them now: that write is the test (see
        writer.prepare); otherwise Drive is asked."""
        from .writer import prepare

        if plan is not None and prepare(self, plan()):
            return
        if self.api.can_edit() is False:
            raise SheetReturnsError(self.api._not_shared("check"))

    def may_have_written(self) -> bool:
        """Whether a write of this run may have changed the sheet: Google accepted one, or one got no clear
        answer (a failed apply may have changed part of it)."""
        return self.api.writes > 0 or self.api.unsure

    def apply(self, plan, *, dry_run: bool, backups: int = 0) -> WriteReport:
        """Write the plan (Google keeps the sheet's version history, so `backups` does not apply)."""
        from .writer import apply_plan

        return apply_plan(self, plan, dry_run=dry_run)

    def close(self) -> None:
        self._values.clear()
        session = getattr(self.connection.http, "session", None)
        if session is not None:
            session.close()

    def __enter__(self) -> "GoogleWorkbook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

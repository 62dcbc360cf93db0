"""Writing a sync's results into the seller's .xlsx without disturbing anything the job does not own.

Only three kinds of part change: the Returns sheet (its job-owned cells, filled-in IDs and dates,
appended rows), the generated tabs, and the package bookkeeping needed to add a tab (workbook.xml,
its rels, [Content_Types].xml, styles.xml appended to). Everything else is copied unchanged.
The new file is written beside the old one and swapped in atomically.
"""
from __future__ import annotations

import io
from collections.abc import Mapping
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lxml import etree

from ..errors import SheetReturnsError
from ..sheet.write_plan import JOB_KEYS, JobRows, WritePlan, returns_unchanged
from .cells import SharedStrings
from .package_editor import MAIN_NS, PackageEditor
from .generated_tabs import record_name, unchanged_tabs, write_generated
from ..engine.ownership import MARK, mark_text, owned_headers
from .package import Package
from .safe_save import DEFAULT_BACKUP_DAYS, Fingerprint, atomic_replace, refuse_if_open
from .worksheet_stream import RewriteStats, SheetEdits, rewrite_sheet
from .styles import StyleBook

STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
WIDTHS = {
    "return_id": 11, "notified_on": 12, "status": 22, "next_step": 52, "problems": 44, "inventory": 18,
    "reason_category": 18, "contacted_on": 13, "last_email": 30, "replied_on": 12, "reply": 60,
    "return_tracking": 28, "reply_handled_on": 16,
}


@dataclass
class WriteOutcome:
    stats: RewriteStats
    columns_added: list[str]
    tabs: list[str]
    rows_appended: int
    saved: bool = True


class _PlanRows(Mapping):
    """The plan's rows as sheet edits (column index -> value), converted one row at a time when needed.

    A big sheet's plan holds a dict per row already; converting lazily avoids a second copy of it.
    """

    def __init__(self, plan_rows: dict[int, dict[str, object]], positions: dict[str, int],
                 extra: dict[int, dict[int, object]]) -> None:
        self.plan_rows, self.positions, self.extra = plan_rows, positions, extra

    def __getitem__(self, row: int) -> dict[int, object]:
        values = self.plan_rows.get(row)
        converted = {} if values is None else {
            self.positions[key]: value for key, value in values.items() if key in self.positions
        }
        if row in self.extra:
            converted.update(self.extra[row])
        if values is None and row not in self.extra:
            raise KeyError(row)
        return converted

    def get(self, row: int, default=None):
        if row in self.plan_rows or row in self.extra:
            return self[row]
        return default

    def __iter__(self):
        return iter(self.plan_rows.keys() | self.extra.keys())

    def __len__(self) -> int:
        return len(self.plan_rows.keys() | self.extra.keys())


class _ColumnRows(Mapping):
    """A plan whose rows are still held as columns (JobRows), as sheet edits: each row's values are one tuple,
    made for all rows at once at C speed, and a row's dict (column index -> value, listed left to right:
    SheetEdits.ordered) is made only when the writer reaches it."""

    def __init__(self, line_rows: list[int], columns: dict[str, list], positions: dict[str, int],
                 extra: dict[int, dict[int, object]]) -> None:
        keys = sorted((k for k in columns if k in positions), key=positions.__getitem__)
        self.positions = tuple(positions[k] for k in keys)
        self.values = dict(zip(line_rows, zip(*(columns[k] for k in keys)))) if keys else dict.fromkeys(line_rows, ())
        self.extra = extra

    def get(self, row: int, default=None):
        values = self.values.get(row)
        if values is None:
            extra = self.extra.get(row)
            return default if extra is None else dict(sorted(extra.items()))
        converted = dict(zip(self.positions, values))
        extra = self.extra.get(row)
        if extra is not None:
            converted.update(extra)
            return dict(sorted(converted.items()))
        return converted

    def __getitem__(self, row: int) -> dict[int, object]:
        found = self.get(row)
        if found is None:
            raise KeyError(row)
        return found

    def __iter__(self):
        return iter(self.values.keys() | self.extra.keys())

    def __len__(self) -> int:
        return len(self.values.keys() | self.extra.keys())


def sheet_edits(plan: WritePlan, first_free_column: int) -> tuple[SheetEdits, dict[str, int]]:
    """The cell edits a plan makes on the Returns sheet, and where each written column sits (0-based)."""
    header = plan.header
    positions = dict(header.columns)
    next_column = first_free_column
    for key in plan.add_columns:
        positions[key] = next_column
        next_column += 1
    extra: dict[int, dict[int, object]] = {}
    if plan.add_columns:
        extra[header.row_number] = {positions[key]: header.added_header(key) for key in plan.add_columns}
    last = plan.append_after if plan.append_after is not None else \
        max([header.row_number, *plan.rows], default=header.row_number)
    for offset, values in enumerate(plan.append, start=1):
        extra[last + offset] = {positions[key]: value for key, value in values.items() if key in positions}
    job_columns = frozenset(positions[k] for k in JOB_KEYS if k in positions)
    columns = plan.rows.as_columns if isinstance(plan.rows, JobRows) else None
    existing = [i for i, text in enumerate(header.headers) if text]
    written = set(plan.column_keys()) | {k for values in plan.append for k in values if k in positions}
    edits = SheetEdits(
        rows=_ColumnRows(*columns, positions, extra) if columns is not None else _PlanRows(plan.rows, positions, extra),
        clear_columns=job_columns,
        clear_below=header.row_number,
        header_row=header.row_number,
        widths={positions[k]: WIDTHS.get(k, 14) for k in plan.add_columns},
        header_style_column=existing[-1] if existing and plan.add_columns else None,
        sheet_name=plan.tab,
        max_column=max((positions[k] for k in written if k in positions), default=-1),
        max_row=max([*plan.rows, *extra], default=0),
        ordered=columns is not None,
    )
    return edits, positions


def write_workbook(path: Path, plan: WritePlan, *, fingerprint: Fingerprint, date1904: bool, first_free_column: int,
                   currency_symbol: str, backups: int, backup_dir: Path, dry_run: bool,
                   before_write: Callable[[], None] | None = None, backup_days: int = DEFAULT_BACKUP_DAYS) -> WriteOutcome:
    """Apply `plan` to the workbook at `path` (or, with dry_run, only measure what would change).

    A plan that would change nothing leaves the file alone: not a byte written, no backup, no temp file.
    """
    with Package(path) as package:
        if package.info.strict:
            raise SheetReturnsError(
                f"{path.name} is saved as 'Strict Open XML', which sheetreturns cannot write without losing "
                f"formatting: save it as a normal 'Excel Workbook (.xlsx)' and run again"
            )
        sheet = next((s for s in package.info.sheets if s.name == plan.tab), None)
        if sheet is None:
            raise SheetReturnsError(f"the {plan.tab!r} tab disappeared from {path.name} while sheetreturns was working")
        editor = PackageEditor(package, package.workbook_part)
        if returns_unchanged(plan) and unchanged_tabs(editor, plan.tabs):
            return WriteOutcome(RewriteStats(), [], [], 0, saved=False)
        refuse_if_open(path)
        if before_write is not None and not dry_run:
            before_write()
        styles_part = _styles_part(editor)
        styles = StyleBook(package.read(styles_part) if package.has(styles_part) else None)
        shared = SharedStrings(lambda: _shared_strings(package, editor))
        # The Returns sheet is rewritten as a stream; dry runs stream it into nothing to count changes.
        stats = RewriteStats()

        def write_sheet(out) -> None:
            nonlocal stats
            with package.open(sheet.part) as source:
                stats = rewrite_sheet(source, out, edits, styles, shared, date1904)

        if dry_run:
            edits, _ = sheet_edits(plan, first_free_column)
            write_sheet(_Discard())
            tabs = [t.title for t in plan.tabs]
            return WriteOutcome(stats, list(plan.add_columns), tabs, len(plan.append))

        tabs = write_generated(editor, styles, plan.tabs, currency_symbol)
        # The edits (a tuple for every row) are made once the generated tabs are drawn: the Summary, computed
        # there, and the edits are never in memory together (at a million rows each is ~150-350 MB).
        edits, _ = sheet_edits(plan, first_free_column)
        mark = mark_text(plan.tab, owned_headers(plan.header, plan.add_columns))
        if mark is not None:
            record_name(editor, MARK, mark)
        editor.put(sheet.part, write_sheet)
        # styles.xml is produced when it is written, after the streamed sheet (which may add date formats).
        editor.put(styles_part, lambda out: out.write(styles.to_bytes()))
        if styles.created:
            editor.add_override(styles_part, STYLES_TYPE)
            editor.add_workbook_rel(STYLES_REL, styles_part)

        calc_chain = _calc_chain_part(editor)
        if calc_chain:
            # Formula cells the job replaced must leave the recalculation cache; filtered after the sheet is written.
            sheet_id = _sheet_id(editor, plan.tab)
            editor.put(calc_chain, lambda out: out.write(
                _without_cells(package.read(calc_chain), sheet_id, stats.formula_cells)))

        def save(out) -> None:
            editor.save(out, first=[sheet.part], last=[styles_part, *([calc_chain] if calc_chain else [])])

        atomic_replace(path, save, fingerprint=fingerprint, backups=backups, backup_dir=backup_dir,
                       backup_days=backup_days)
    return WriteOutcome(stats, list(plan.add_columns), tabs, len(plan.append))


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)


def _styles_part(editor: PackageEditor) -> str:
    for _, rel_type, target in editor.targets_of(editor.workbook_part):
        if rel_type.endswith("/styles"):
            return target
    return "xl/styles.xml"


def _shared_strings(package: Package, editor: PackageEditor) -> list[str]:
    part = next((t for _, rel_type, t in editor.targets_of(editor.workbook_part) if rel_type.endswith("/sharedStrings")), None)
    if part is None or not package.has(part):
        return []
    items: list[str] = []
    with package.open(part) as handle:
        for _, element in etree.iterparse(handle, events=("end",), tag=f"{{{MAIN_NS}}}si",
                                          resolve_entities=False, no_network=True):
            items.append("".join(t.text or "" for t in element.iter(f"{{{MAIN_NS}}}t")
                                 if etree.QName(t.getparent()).localname != "rPh"))
            element.clear()
    return items


def _calc_chain_part(editor: PackageEditor) -> str | None:
    for _, rel_type, target in editor.targets_of(editor.workbook_part):
        if rel_type.endswith("/calcChain") and editor.exists(target):
            return target
    return None


def _sheet_id(editor: PackageEditor, title: str) -> str:
    for sheet in editor.workbook.iter(f"{{{MAIN_NS}}}sheet"):
        if sheet.get("name") == title:
            return sheet.get("sheetId", "")
    return ""


_CALC_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)/>")


def _without_cells(data: bytes, sheet_id: str, refs: set[str]) -> bytes:
    """calcChain.xml without the entries of `refs` on sheet `sheet_id` (a recalculation cache, rebuilt by Excel).

    An entry may omit its sheet id and inherit the previous one, so every kept entry states its id.
    """
    if not refs:
        return data
    wanted = sheet_id.encode()
    current: list[bytes | None] = [None]

    def keep(match: re.Match) -> bytes:
        attrs = match.group(1)
        sheet = re.search(rb'\bi="(\d+)"', attrs)
        if sheet:
            current[0] = sheet.group(1)
        ref = re.search(rb'\br="([A-Z]+\d+)"', attrs)
        if current[0] == wanted and ref and ref.group(1).decode() in refs:
            return b""
        if sheet is None and current[0] is not None:
            return match.group(0)[:-2].rstrip() + b' i="' + current[0] + b'"/>'
        return match.group(0)

    return _CALC_CELL.sub(keep, data)

"""Importing report files into the Returns tab: new returns and refunds become rows, later reports fill blanks.

Order of work: every file is read and understood before the sheet is opened for writing, so a bad
file changes nothing. Rows are matched on the sheet itself (the marketplace's return identifier in
Return ID, else Order ID + SKU), which is what makes importing a file twice, or overlapping weekly
files, add nothing twice. Only blank cells are filled; where a report disagrees with a value already
there, the value stays and the disagreement is kept as a fact that the rules show as a problem.

`import` on its own writes a plan of just those rows, cells and the Import Log; a sync puts the same
into its one plan with the job's own changes (ImportBatch), and saves the journal after that write.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, islice
from pathlib import Path

from ..engine.columns import BY_KEY, HeaderMap, normalise
from ..engine.model import Line
from ..engine.report_facts import FactsIndex, ReportFact, same
from ..engine.typed_lines import build_lines
from ..errors import SheetReturnsError
from ..results import typed_failures
from ..settings.config_file import Config
from ..settings.policy_layers import SheetPolicy
from ..sheet.tab_model import Tab
from ..sheet.workbook import Workbook, WriteReport, open_workbook
from ..sheet.write_plan import WritePlan
from .files import REPORT_SUFFIXES, ReportFile, file_digest, read_report
from .journal import (
    IMPORT_LOG_TAB, FileRecord, ImportJournal, fact_json, fact_key, facts_index, hashes_on_tab, state_path,
)
from .layouts import REFUND, REIMBURSEMENT, RETURN, LeftOut, NotUnderstood, Record, closest, recognise

ADDABLE = ("channel", "reimbursed_on", "reimbursed_amount")  # columns import adds when the sheet lacks them
IDENTITY = frozenset({"order_id", "sku"})
FACT_COLUMNS = frozenset({"received_on", "received_qty", "condition", "refunded_on", "refund_amount",
                          "reimbursed_on", "reimbursed_amount"})
KIND_ORDER = {RETURN: 0, REFUND: 1, REIMBURSEMENT: 2}


@dataclass
class ParsedFile:
    report: ReportFile
    layout: str
    records: list[Record]
    not_understood: list[tuple[int, str]]
    lines: int
    left_out: int = 0


@dataclass
class ImportResult:
    source: str
    dry_run: bool = False
    files: list[FileRecord] = field(default_factory=list)
    rows_added: int = 0
    rows_updated: int = 0
    columns_added: list[str] = field(default_factory=list)
    written: bool = False
    changes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not any(f.not_understood for f in self.files)

    def as_json(self) -> dict:
        return {
            "command": "import", "ok": self.ok, "source": self.source, "dry_run": self.dry_run,
            "rows_added": self.rows_added, "rows_updated": self.rows_updated,
            "columns_added": [BY_KEY[k].header for k in self.columns_added],
            "files": [{**f.as_dict(), "not_understood": [{"line": n, "reason": r} for n, r in f.not_understood]}
                      for f in self.files],
            "written": self.written, "notes": self.notes, "failures": typed_failures(self.failures, [], kind="import"),
        }


# -- reading and understanding the files -----------------------------------------

def parse_file(path: str | Path) -> ParsedFile:
    """A report file's lines as records; raises SheetReturnsError for a bad file or an unknown layout."""
    enabled = gc.isenabled()
    gc.disable()  # many small acyclic objects: the cyclic collector would rescan them again and again
    try:
        return _parse_file(path)
    finally:
        if enabled:
            gc.enable()


def _parse_file(path: str | Path) -> ParsedFile:
    report = read_report(path)
    found = recognise(report.lines)
    if found is None:
        raise SheetReturnsError(unknown_layout_message(report))
    records: list[Record] = []
    not_understood: list[tuple[int, str]] = []
    left_out = 0
    width = len(report.lines[found.header_index])
    start = found.header_index + 2
    body = report.lines[found.header_index + 1:]
    # A line with at most one filled cell is a blank line, or a footer or note ("1,234 record(s) downloaded").
    real = [len(c) - c.count("") > 1 for c in body] if width > 2 else [True] * len(body)
    if all(real):
        numbers, kept = list(range(start, start + len(body))), body
    else:
        numbers = [n for n, ok in zip(range(start, start + len(body)), real) if ok]
        kept = list(compress(body, real))
        for offset, cells, ok in zip(range(start, start + len(body)), body, real):
            texts = [c.strip() for c in cells if c.strip()] if not ok else []
            if texts:
                not_understood.append((offset, f'"{texts[0][:60]}" is not a report line'))
    count = len(kept) + len(not_understood)
    if found.layout.read_columns is not None:
        records, bad = found.layout.read_columns(_columns(kept, found.index), numbers)
        not_understood = sorted(not_understood + bad)
        used = {r.line for r in records} | {n for n, _ in bad}
        left_out = sum(1 for n in numbers if n not in used)
    else:
        read = found.reader()
        for offset, cells in zip(numbers, kept):
            try:
                records.extend(read(cells, offset))
            except LeftOut:
                left_out += 1
            except NotUnderstood as exc:
                not_understood.append((offset, str(exc)))
    return ParsedFile(report, found.layout.name, records, not_understood, count, left_out)


def _columns(rows: list[list[str]], index: dict[str, int]):
    """name -> that column's cells (None when the file lacks it), the rows turned into columns once."""
    width = max(index.values(), default=-1) + 1
    if rows and min(map(len, rows)) < width:
        rows = [r if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
    columns = list(zip(*rows)) if rows else [()] * width

    def column(name: str) -> list[str] | None:
        position = index.get(normalise(name))
        return None if position is None else columns[position]

    return column


def unknown_layout_message(report: ReportFile) -> str:
    near = closest(report.lines)
    if near is None:
        return f"{report.name} has no header row sheetreturns knows: import a report as the marketplace downloads it"
    layout, missing, extra = near
    parts = [f"{report.name} is not a report layout sheetreturns knows; the closest is {layout.name}"]
    if missing:
        parts.append(f"which has {_listed(missing)} that this file lacks")
    if extra:
        parts.append(f"and this file has {_listed(extra)} that it does not")
    return ", ".join(parts) + ": import the report as downloaded, with its header row unchanged"


def _listed(names: list[str], most: int = 6) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


# -- matching against the sheet ------------------------------------------------------

class Target:
    """A row a record may land on: one already on the sheet (typed Line) or one this import appends."""

    __slots__ = ("row", "line", "values", "fills", "new")

    def __init__(self, row: int | None, line: Line | None, values: dict[str, object] | None = None) -> None:
        self.row, self.line = row, line
        self.values = values if values is not None else {}
        self.fills: dict[str, object] = {}
        self.new = line is None

    def get(self, key: str) -> object:
        if key in self.fills:
            return self.fills[key]
        if self.line is not None:
            if key in self.line.bad:
                return self.line.bad[key][0]  # unreadable: not blank, never overwritten
            return getattr(self.line, key, None)
        return self.values.get(key)

    def fill(self, key: str, value: object) -> None:
        if self.new:
            self.values[key] = value
        else:
            self.fills[key] = value


class SheetIndex:
    def __init__(self) -> None:
        self.by_id: dict[str, Target] = {}
        self.by_pair: dict[tuple[str, str], list[Target]] = {}

    def add(self, target: Target) -> None:
        return_id, order, sku = target.get("return_id"), target.get("order_id"), target.get("sku")
        if return_id:
            self.by_id.setdefault(str(return_id).lower(), target)
        if order and sku:
            self.by_pair.setdefault((str(order).lower(), str(sku).lower()), []).append(target)

    def find(self, record: Record) -> Target | None:
        if record.return_ref and record.return_ref.lower() in self.by_id:
            return self.by_id[record.return_ref.lower()]
        if not record.order_id or not record.sku:
            return None
        candidates = self.by_pair.get((record.order_id.lower(), record.sku.lower()), [])
        probe = {RETURN: "received_on", REFUND: "refunded_on", REIMBURSEMENT: "reimbursed_on"}[record.kind]
        wanted = record.values.get(probe)
        for target in candidates:  # the row this line already filled in, else one still blank there
            if wanted is not None and same(target.get(probe), wanted):
                return target
        for target in candidates:
            if target.get(probe) is None:
                if record.kind == RETURN and record.return_ref and target.get("return_id") \
                        and str(target.get("return_id")).lower() in self.by_id and _marketplace_ref(target):
                    continue  # another unit's return, with its own license plate number
                return target
        if record.kind != RETURN and candidates:
            return candidates[0]  # a second refund of the same item: compared, never added twice
        return None


def _marketplace_ref(target: Target) -> bool:
    text = str(target.get("return_id") or "")
    return not text.upper().startswith("R-")


@dataclass
class Outcome:
    added: bool = False
    updated: bool = False
    waiting: bool = False


def apply_record(record: Record, index: SheetIndex, appended: list[Target], facts: dict[str, list[dict]],
                 ref: str) -> tuple[Outcome, list[str]]:
    """Land one record on its row (or a new one); returns what happened and any disagreements."""
    target = index.find(record)
    disagreements: list[str] = []
    if target is None:
        if record.kind == REIMBURSEMENT:
            return Outcome(waiting=True), []
        values = dict(record.values)
        if record.return_ref:
            values["return_id"] = record.return_ref
        target = Target(None, None, values)
        appended.append(target)
        index.add(target)
        _remember(record, facts, ref)
        return Outcome(added=True), []
    changed = False
    for key, value in record.values.items():
        if key in IDENTITY or value is None:
            continue
        current = target.get(key)
        if current is None or current == "":
            target.fill(key, value)
            changed = True
        elif not same(current, value) and key in FACT_COLUMNS:
            disagreements.append(f"{BY_KEY[key].header} is {current} on the sheet, {value} in the report")
    if record.return_ref and target.get("return_id") is None:
        target.fill("return_id", record.return_ref)
        changed = True
    _remember(record, facts, ref)
    return Outcome(updated=changed), disagreements


def _remember(record: Record, facts: dict[str, list[dict]], ref: str) -> None:
    key = ("id", record.return_ref.lower()) if record.return_ref else (
        (record.order_id or "").lower(), (record.sku or "").lower())
    items = facts.setdefault(fact_key(key), [])
    for column, value in record.values.items():
        if column not in FACT_COLUMNS or value is None:
            continue
        item = fact_json(ReportFact(column, value, ref, record.quote))
        if item not in items:
            items[:] = [i for i in items if not (i["column"] == column and i["ref"] == ref)]
            items.append(item)


# -- the import run ------------------------------------------------------------------

@dataclass
class ImportBatch:
    """Report lines matched against the sheet as read, waiting for the sheet write that records them.

    `rows`, `fills`, `add_columns` and `log_tab` go into a WritePlan; once the caller has applied it,
    `finish` saves the import journal (only then: a crash before it is caught by the rows on the sheet).
    """

    result: ImportResult
    rows: list[dict[str, object]] = field(default_factory=list)  # new rows: column key -> value
    fills: dict[int, dict[str, object]] = field(default_factory=dict)  # sheet row -> blank cells it fills
    add_columns: list[str] = field(default_factory=list)  # columns import adds (Channel, Reimbursed On ...)
    log_tab: Tab | None = None  # the Import Log, when it changes (or is missing)
    journal: ImportJournal | None = None  # what to remember once the sheet holds the rows (None: nothing new)
    facts: dict[str, list[dict]] = field(default_factory=dict)  # every report's facts, this run's included

    @property
    def sheet_change(self) -> bool:
        return bool(self.rows or self.fills or self.add_columns)

    def facts_index(self) -> FactsIndex:
        """The facts to evaluate the sheet with, as they will be once the journal is saved."""
        return facts_index(self.facts)

    def finish(self, recorded: bool) -> None:
        """After the sheet write (`recorded`: the sheet now holds this batch): save the journal (not on a dry run)."""
        if self.journal is not None and recorded and not self.result.dry_run:
            self.journal.save()


def import_files(source: str, paths: list[str | Path], config: Config, *, dry_run: bool = False,
                 now: datetime | None = None, skip_known: bool = False) -> ImportResult:
    """Import report files into SOURCE's Returns tab. The caller holds the run lock.

    With `skip_known`, files whose content was imported before (and left nothing waiting) are passed over.
    """
    parsed = [parse_file(p) for p in paths]  # every file understood before anything is written
    return import_parsed(source, parsed, config, dry_run=dry_run, now=now, skip_known=skip_known)


def import_parsed(source: str, parsed: list[ParsedFile], config: Config, *, dry_run: bool = False,
                  now: datetime | None = None, skip_known: bool = False) -> ImportResult:
    """`import` on its own: the new rows, filled cells and the Import Log, one write."""
    result = ImportResult(source, dry_run)
    workbook = open_workbook(source, config)
    try:
        resolved = SheetPolicy(config, workbook)
        tab, header = workbook.returns_tab(resolved.columns)  # the seller's [columns]
        policy = resolved()
        rows = list(islice(workbook.iter_rows(tab), header.row_index + 1, None))
        first = header.row_number + 1
        lines = build_lines(rows, first, header, policy, workbook.date1904)
        last = max((first + i for i, cells in enumerate(rows) if any(c is not None and c != "" for c in cells)),
                   default=header.row_number)
        batch = match_reports(workbook, source, config, parsed, lines, header, last, dry_run=dry_run, now=now,
                              skip_known=skip_known, result=result)
        workbook.done_reading()
        if batch.sheet_change or batch.log_tab is not None:
            plan_rows: dict[int, dict[str, object]] = {n: {} for n in range(header.row_number + 1, last + 1)}
            plan_rows.update(batch.fills)
            plan = WritePlan(tab, header, add_columns=list(batch.add_columns), rows=plan_rows,
                             append=batch.rows, tabs=[batch.log_tab] if batch.log_tab is not None else [],
                             currency_symbol=policy.currency_symbol)
            report: WriteReport = workbook.apply(plan, dry_run=dry_run, backups=config.backups)
            result.written, result.changes = report.written, dict(report.changes)
        batch.finish(True)
    finally:
        workbook.close()
    return result


def match_reports(workbook: Workbook, source: str, config: Config, parsed: list[ParsedFile], lines: list[Line],
                  header: HeaderMap, last: int, *, dry_run: bool, now: datetime | None = None,
                  skip_known: bool = False, result: ImportResult | None = None) -> ImportBatch:
    """Land every record of the parsed files on the sheet as read (`lines`, the last row holding anything
    at `last`): which rows they add, which blank cells they fill, and what the journal will remember.

    Reads the Import Log tab, so it runs while the sheet is open for reading. Writes nothing.
    """
    now = now or datetime.now().astimezone()
    journal = ImportJournal.load(state_path(config.state_dir, source))
    result = result or ImportResult(source, dry_run)
    seen: set[str] = set()
    unique = []
    for item in parsed:
        if item.report.sha256 not in seen:
            seen.add(item.report.sha256)
            unique.append(item)
    if skip_known:
        known = set(journal.files)
        if IMPORT_LOG_TAB in workbook.titles:
            known |= hashes_on_tab(workbook.iter_rows(IMPORT_LOG_TAB))  # the sheet remembers a lost state folder
        unique = [p for p in unique if not (p.report.sha256 in known and
                                            journal.files.get(p.report.sha256, FileRecord("", "", "")).final)]
    index = SheetIndex()
    targets = {line.row: Target(line.row, line) for line in lines}
    for target in targets.values():
        index.add(target)
    appended: list[Target] = []
    facts = {k: list(v) for k, v in journal.facts.items()}
    records = sorted(((KIND_ORDER[r.kind], n, r) for n, p in enumerate(unique) for r in p.records),
                     key=lambda item: (item[0], item[1], item[2].line))
    per_file = [FileRecord(p.report.sha256, p.report.name, p.layout, lines=p.lines, left_out=p.left_out,
                           not_understood=list(p.not_understood), imported_at=now.isoformat(timespec="seconds"))
                for p in unique]
    for _, number, record in records:
        item = per_file[number]
        ref = f"{item.name} line {record.line}"
        outcome, disagreements = apply_record(record, index, appended, facts, ref)
        if outcome.added:
            item.added += 1
        elif outcome.updated:
            item.updated += 1
        elif outcome.waiting:
            item.waiting += 1
            item.not_understood.append((record.line, f"no row for order {record.order_id}, SKU {record.sku} "
                                                     f"yet: import the refund (payments) report too"))
        else:
            item.already += 1
        for text in disagreements:
            item.not_understood.append((record.line, f"kept the sheet's value: {text}"))
    for item in per_file:
        item.not_understood.sort()

    used = {k for t in (*appended, *targets.values()) for k in (t.values if t.new else t.fills)}
    add_columns = [k for k in ADDABLE if k in used and k not in header.columns]
    missing = sorted(k for k in used if k not in header.columns and k not in add_columns)
    for key in missing:
        result.notes.append(f"the sheet has no {BY_KEY[key].header} column: add one to record it")
    writable = set(header.columns) | set(add_columns)
    new_rows = [{k: v for k, v in t.values.items() if k in writable and v is not None} for t in appended]
    fills = {row: kept for row, kept in ((t.row, {k: v for k, v in t.fills.items() if k in writable})
                                         for t in targets.values() if t.fills) if kept}

    changed_files = []
    for item in per_file:
        before = journal.files.get(item.sha256)
        result.files.append(item)
        if before is not None and item.added == item.updated == 0 and \
                (before.waiting, before.not_understood) == (item.waiting, item.not_understood):
            continue  # imported before and nothing new: the Import Log keeps its first entry
        changed_files.append(item)
    result.rows_added = len(new_rows)
    result.rows_updated = len(fills)
    result.columns_added = add_columns
    batch = ImportBatch(result, new_rows, fills, add_columns, facts=facts)
    tab_missing = IMPORT_LOG_TAB not in workbook.titles and bool(per_file or journal.files)
    if batch.sheet_change or changed_files or tab_missing:
        updated = ImportJournal(journal.path, [*journal.files.values()], facts)
        for item in changed_files:
            updated.files[item.sha256] = item
        batch.journal, batch.log_tab = updated, updated.log_tab()
    elif facts != journal.facts:
        journal.facts = facts
        batch.journal = journal  # only the facts changed: nothing to write on the sheet
    return batch


def report_files(folder: Path) -> list[Path]:
    """The report files in a downloads folder, oldest first (a week's file after the one before)."""
    if not folder.is_dir():
        raise SheetReturnsError(f"the import folder {folder} does not exist: create it or fix [import] folder")
    found = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES
             and not p.name.startswith((".", "~$"))]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def new_reports(config: Config, source: str, result: ImportResult) -> list[ParsedFile]:
    """For sync: the report files of [import] folder not imported before, read and understood (before the
    sheet is opened). A file imported before is recognised by its content, whatever its name. A bad file
    is a failure of this run, named in `result`, while the other files are imported."""
    folder = config.imports.get("folder")
    if not folder:
        return []
    parsed = []
    try:
        paths = report_files(Path(folder))
        journal = ImportJournal.load(state_path(config.state_dir, source))
    except SheetReturnsError as exc:
        result.failures.append(f"import: {exc}")
        return []
    for path in paths:
        try:
            known = journal.files.get(file_digest(path))
            if known is not None and known.final:
                continue
            parsed.append(parse_file(path))
        except SheetReturnsError as exc:
            result.failures.append(f"import: {exc}")
    return parsed


def imports_for_sync(workbook: Workbook, source: str, config: Config, parsed: list[ParsedFile], lines: list[Line],
                     header: HeaderMap, last: int, result: ImportResult, *, dry_run: bool,
                     now: datetime | None = None) -> ImportBatch | None:
    """For sync, while the sheet is open and read: the new report files' rows and fills, to be written with
    the job's own changes. A problem is a failure of this run, not a stop."""
    if not parsed:
        return None
    try:
        batch = match_reports(workbook, source, config, parsed, lines, header, last, dry_run=dry_run, now=now,
                              skip_known=True, result=result)
    except SheetReturnsError as exc:
        result.failures.append(f"import: {exc}")
        return None
    if result.files:
        folder = Path(str(config.imports.get("folder")))
        verb = "would add" if dry_run else "added"
        names = len(result.files)
        result.notes.insert(0, f"import: {result.rows_added} row{'s' if result.rows_added != 1 else ''} {verb}, "
                               f"{result.rows_updated} updated from {names} new report file{'s' if names != 1 else ''} "
                               f"in {folder.name}")
    return batch

"""What import remembers per sheet: every report file imported (by content hash) and what the reports said.

Kept in one JSON file in the state folder, written after the sheet. The Import Log tab shows the files;
the facts (each report's values for a row, and the report lines to quote) feed the rules when the sheet
is evaluated. A lost state folder costs only the facts: re-importing the reports adds nothing twice,
because rows are matched on the sheet itself.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable

from ..engine.columns import BY_KEY
from ..engine.report_facts import FactsIndex, ReportFact
from ..errors import SheetReturnsError
from ..sheet.tab_model import Styled, Tab
from ..sheet.tab_names import IMPORT_LOG_TAB
from ..state import ensure_dir, open_private, source_slug

COLUMNS = ("File", "Layout", "Lines", "Added", "Updated", "Already there", "Left out", "Not understood", "Details",
           "SHA-256", "Imported On")
DETAILS_SHOWN = 20  # not-understood lines named per file on the tab (all of them are in the journal)


@dataclass
class FileRecord:
    """One report file and what its lines became."""

    sha256: str
    name: str
    layout: str
    lines: int = 0
    added: int = 0
    updated: int = 0
    already: int = 0
    not_understood: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    waiting: int = 0  # lines that found no row yet (a reimbursement before its refund): tried again
    left_out: int = 0  # lines about other things (orders, fees, transfers, warehouse losses)
    imported_at: str = ""

    @property
    def final(self) -> bool:
        return self.waiting == 0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["not_understood"] = [list(item) for item in self.not_understood]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "FileRecord":
        values = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        values["not_understood"] = [(int(n), str(r)) for n, r in data.get("not_understood") or []]
        return cls(**values)


def state_path(state_dir: Path, source: str) -> Path:
    return state_dir / f"{source_slug(source)}.imports.json"


class ImportJournal:
    def __init__(self, path: Path, files: Iterable[FileRecord] = (), facts: dict | None = None) -> None:
        self.path = path
        self.files: dict[str, FileRecord] = {f.sha256: f for f in files}
        self.facts: dict[str, list[dict]] = facts or {}

    @classmethod
    def load(cls, path: Path) -> "ImportJournal":
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, [FileRecord.from_dict(f) for f in data.get("files", [])], data.get("facts") or {})
        except OSError as exc:
            raise SheetReturnsError(f"cannot read the import journal {path}: {exc.strerror or exc}") from None
        except (ValueError, TypeError, AttributeError):
            return cls(path)  # damaged: the sheet itself still stops rows being added twice

    def save(self) -> None:
        ensure_dir(self.path.parent)
        temp = self.path.with_suffix(".tmp")
        data = {"files": [f.as_dict() for f in self.files.values()], "facts": self.facts}
        try:
            with os.fdopen(open_private(temp), "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=0, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            raise SheetReturnsError(f"cannot write the import journal {self.path}: {exc.strerror or exc}") from None

    def log_tab(self) -> Tab:
        return import_log_tab(list(self.files.values()))


# -- facts ----------------------------------------------------------------------

def fact_key(key: tuple[str, str]) -> str:
    return "\t".join(key)


def fact_json(fact: ReportFact) -> dict:
    value = fact.value
    text = value.isoformat() if isinstance(value, date) else str(value)
    return {"column": fact.column, "value": text, "ref": fact.ref, "quote": fact.quote}


def _typed(column: str, text: str) -> object:
    kind = BY_KEY[column].kind
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "money":
        return Decimal(text)
    if kind == "int":
        return int(text)
    return text


def load_facts(state_dir: Path, source: str) -> FactsIndex:
    """The facts for evaluating SOURCE: {} when nothing was imported (or the journal cannot be read)."""
    path = state_path(state_dir, source)
    if not path.exists():
        return {}
    try:
        return facts_index(json.loads(path.read_text(encoding="utf-8")).get("facts") or {})
    except (OSError, ValueError, TypeError, KeyError, AttributeError, InvalidOperation):
        return {}


def facts_index(data: dict[str, list[dict]]) -> FactsIndex:
    """The journal's facts (as kept in its JSON) as the rules read them."""
    index: dict[tuple[str, str], tuple[ReportFact, ...]] = {}
    for key, items in data.items():
        first, _, second = key.partition("\t")
        index[(first, second)] = tuple(
            ReportFact(item["column"], _typed(item["column"], item["value"]), item["ref"], item.get("quote", ""))
            for item in items if item.get("column") in BY_KEY)
    return index


# -- the Import Log tab -------------------------------------------------------------

def import_log_tab(files: list[FileRecord]) -> Tab:
    ordered = sorted(files, key=lambda f: (f.imported_at, f.name), reverse=True)
    tab = Tab(IMPORT_LOG_TAB, freeze_rows=4)
    tab.add(Styled("Import Log", "title"))
    unread = sum(len(f.not_understood) for f in files)
    waiting = sum(f.waiting for f in files)
    notes = [f"{len(files)} report file{'s' if len(files) != 1 else ''} imported"]
    if unread:
        notes.append(f"{unread} line{'s' if unread != 1 else ''} not understood (see Details)")
    if waiting:
        notes.append(f"{waiting} waiting for their return or refund to be imported")
    notes.append("Left out: lines about other things (orders, fees, transfers)")
    tab.add(Styled(" · ".join(notes) + " · rebuilt on every import, do not edit", "subtitle"))
    tab.blank()
    tab.add(*(Styled(name, "header") for name in COLUMNS))
    for f in ordered:
        reasons = [f"line {n}: {r}" for n, r in f.not_understood[:DETAILS_SHOWN]]
        if len(f.not_understood) > DETAILS_SHOWN:
            reasons.append(f"and {len(f.not_understood) - DETAILS_SHOWN} more")
        when = _when(f.imported_at)
        tab.add(
            f.name, f.layout, Styled(f.lines, "int"), Styled(f.added, "int"), Styled(f.updated, "int"),
            Styled(f.already, "int"), Styled(f.left_out, "int"),
            Styled(len(f.not_understood), "alert" if f.not_understood else "int"),
            "; ".join(reasons) or None, f.sha256,
            Styled(when, "datetime") if when else None,
        )
    tab.widths = {1: 32, 2: 30, 3: 8, 4: 8, 5: 8, 6: 12, 7: 10, 8: 14, 9: 60, 10: 20, 11: 17}
    return tab


def _when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return when.astimezone().replace(tzinfo=None) if when.tzinfo else when


def hashes_on_tab(rows: Iterable[list[object]]) -> set[str]:
    """Content hashes listed on an Import Log tab (the sheet remembers what a lost state folder forgot)."""
    found: set[str] = set()
    column: int | None = None
    for cells in rows:
        texts = ["" if c is None else str(c).strip() for c in cells]
        if column is None:
            if "SHA-256" in texts:
                column = texts.index("SHA-256")
            continue
        if column < len(texts) and len(texts[column]) == 64:
            found.add(texts[column].lower())
    return found

"""Whether the Summary would show what it already shows, told without computing it (and without pandas).

The Summary tab is a pure function of what it is given: of each evaluated row the fields in LINE_FIELDS and
OUTCOME_FIELDS, the evaluation's as-of day and its replies from other people, the policy, the returns that were
not acknowledged, and the code that computes it. ``summary_key`` digests exactly these. The state folder
remembers, for the last few keys, the digest of the tab they gave (Tab.digest: what it shows, its stamp row
aside). A sync hands the writer a DeferredTab with that digest: a writer that finds it already in the sheet
leaves the Summary alone, and the Summary is never computed. Any other writer asks for the tab's rows, which
computes it then, and the new key's digest is remembered.

Nothing here can make the Summary stale so long as the key covers every input: the Summary reads no field
of a row that is not in LINE_FIELDS or OUTCOME_FIELDS (a test runs it on rows that record what is read), and
the "updated" stamp (the run's time) is not part of its digest.
"""
from __future__ import annotations

import array
import hashlib
import importlib
import io
import json
import pickle
import threading
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from importlib import metadata
from itertools import compress
from operator import attrgetter, itemgetter
from pathlib import Path

from ..engine.model import Evaluation, Line
from ..engine.policy import Policy
from ..sheet.tab_model import DeferredTab, Tab
from ..sheet.tab_names import SUMMARY_TAB
from ..state import ensure_dir, source_slug, write_private

# What the Summary reads of each row (tests/test_summary_known.py checks it reads nothing else), with the
# kind of value each field holds: it picks the quickest exact way to turn a column into bytes.
LINE_FIELDS = {"row": "", "customer": "", "email": "", "sku": "", "product": "", "qty": "",
               "unit_price": "money", "channel": "", "reason": "", "received_on": "date", "received_qty": "",
               "condition": "", "damage_by": "", "refund_amount": "money", "refunded_on": "date", "decision": "",
               "bad": "cells"}
OUTCOME_FIELDS = {"return_id": "", "status": "status", "notified_on": "date", "reason_category": "",
                  "inventory": "", "reply": ""}
KEPT = 8  # keys remembered per sheet: a few days' worth of changes


def summary_key(evaluation: Evaluation, policy: Policy, not_acknowledged: list[tuple[str, date]]) -> str:
    """A digest of everything the Summary of `evaluation` is computed from (not of when it was made)."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(_canonical((evaluation.as_of, _policy_values(policy), list(not_acknowledged),
                              list(evaluation.other_replies))).encode("utf-8", "surrogatepass"))
    lines, outcomes = evaluation.lines, evaluation.outcomes
    digest.update(b"\0%d\0%d\0" % (len(lines), len(outcomes)))
    for name, kind in LINE_FIELDS.items():  # a Line is a named tuple: its fields are read by position, quickest
        digest.update(name.encode() + b"\0")
        digest.update(_column_bytes(list(map(itemgetter(Line._fields.index(name)), lines)), kind))
    for name, kind in OUTCOME_FIELDS.items():
        digest.update(name.encode() + b"\0")
        digest.update(_column_bytes(list(map(attrgetter(name), outcomes)), kind))
    return digest.hexdigest()[:32]


def deferred_summary(evaluation: Evaluation, policy: Policy, generated_at: datetime,
                     not_acknowledged: list[tuple[str, date]] | None, state_dir: Path, source: str, *,
                     remember: bool = True) -> DeferredTab:
    """The Summary tab, computed only if a writer needs its rows; its digest known beforehand when an earlier
    run computed it from the same inputs. `remember`: keep the digest of a Summary computed now."""
    found = list(not_acknowledged or [])
    # Without its source files the code cannot be told from another version's: nothing is remembered then.
    key = summary_key(evaluation, policy, found) if code_version() else None
    path = _memo_path(state_dir, source)

    def make() -> Tab:
        from .tab import summary_tab  # pandas: imported only when the Summary is computed

        tab = summary_tab(evaluation, policy, generated_at, found)
        if remember and key is not None:
            remember_digest(path, key, tab.digest())
        return tab

    return DeferredTab(SUMMARY_TAB, make, known_digests(path).get(key) if key is not None else None)


def import_in_background(state_dir: Path, source: str, also: tuple[str, ...] = ()) -> threading.Thread | None:
    """When no Summary of this sheet was computed here before (a first sync: it will be computed), start
    importing, in a thread, the libraries it is computed and drawn with (pandas, numpy, openpyxl: ~0.4 s) and
    reading the code its key names. Started before the sheet is read: the reader lets other threads run while it
    reads a tab, so this costs the run no time of its own. `also`: modules the run's write needs whatever the
    Summary does (the .xlsx writer, ~0.05 s): a run that will likely leave the Summary alone imports only these,
    and reads the code the key names; without them it starts nothing (joining an import it never needed could
    only make it wait). Join the thread before the run ends. An import that fails here fails again, with its
    error, where the run imports it."""
    first = not known_digests(_memo_path(state_dir, source))
    if not first and not also:
        return None

    def load() -> None:
        try:
            for name in also:
                importlib.import_module(name)
            if first:
                import openpyxl  # noqa: F401
                import pandas  # noqa: F401

            code_version()  # the package's sources read and hashed, for the Summary's key
        except Exception:  # noqa: BLE001 - a failure happens again, and is said, where the run needs them
            pass

    thread = threading.Thread(target=load, name="sheetreturns-summary-imports", daemon=True)
    thread.start()
    return thread


# -- what the state folder remembers -------------------------------------------------------------------

def _memo_path(state_dir: Path, source: str) -> Path:
    return Path(state_dir) / f"{source_slug(source)}.summary.json"


def known_digests(path: Path) -> dict[str, str]:
    """Key -> digest of the Summary that key gave, oldest first; {} if none or unreadable."""
    try:
        known = json.loads(path.read_text(encoding="utf-8"))["digests"]
        return {str(k): str(v) for k, v in known.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def remember_digest(path: Path, key: str, digest: str) -> None:
    """Keep `key` -> `digest`, with the KEPT - 1 newest others. A failure to write only costs a later
    run the Summary's computing, so it is ignored."""
    known = known_digests(path)
    known.pop(key, None)
    known[key] = digest
    kept = dict(list(known.items())[-KEPT:])
    try:
        ensure_dir(path.parent)
        write_private(path, json.dumps({"digests": kept}, indent=0).encode())
    except OSError:
        pass


# -- the key's parts -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def code_version() -> str:
    """This package's code (every module, by content) and the pandas and numpy it computes with; "" when the
    package's source files cannot be read."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    sources = sorted(root.rglob("*.py"))
    if not sources:  # run from a zip or compiled files only: "" says the code is not known
        return ""
    for path in sources:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("pandas", "numpy"):
        digest.update(_installed(name).encode() + b"\0")
    return digest.hexdigest()


def _installed(name: str) -> str:
    """Which version of a library is installed, from its package metadata (without importing it)."""
    try:
        return f"{name} {metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name}: none"


def _policy_values(policy: Policy) -> list[tuple[str, object]]:
    return [(f.name, getattr(policy, f.name)) for f in fields(policy)]


def _column_bytes(column: list, kind: str = "") -> bytes:
    """One column of values as bytes that differ whenever a value differs (in type or in value), and are the
    same for equal values in any process. `kind` (see LINE_FIELDS) picks the quickest way; a column holding
    something else than its kind says still comes out exactly, only slower."""
    if kind == "date":  # each date's day number, 0 for a blank (day numbers start at 1)
        try:  # a value that is not exactly a date or None (a datetime, a text) becomes None: array() refuses it
            return b"D" + array.array("q", [day.toordinal() if day.__class__ is date else 0 if day is None else None
                                            for day in column]).tobytes()
        except TypeError:
            pass
    elif kind == "status":
        kinds = set(map(type, column))
        if len(kinds) == 1 and issubclass(next(iter(kinds)), Enum):
            return b"E" + next(iter(kinds)).__qualname__.encode() + _pickled(list(map(attrgetter("_value_"), column)))
    elif kind == "cells":  # the cells of a row that could not be read: mostly none
        try:
            rows = list(compress(range(len(column)), column))
            return b"M" + repr(rows).encode() + repr([sorted(column[row].items()) for row in rows]).encode(
                "utf-8", "surrogatepass")
        except (TypeError, ValueError):
            pass
    elif kind == "":  # text and whole numbers: pickled, which is exact and quick for them
        try:
            return b"P" + _pickled(column)
        except (pickle.PicklingError, TypeError, AttributeError):
            pass
    # Amounts (Decimal), and anything else: the repr names each value's type and its every digit.
    return b"R" + repr(column).encode("utf-8", "surrogatepass")


def _pickled(values: list) -> bytes:
    """Plain values pickled without pickle's memo, so that equal values give equal bytes however shared."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(values)
    return buffer.getvalue()


def _canonical(value: object) -> str:
    """Text that is the same for equal inputs in any process (sets sorted, no hash order), and differs
    for values of different types."""
    kind = value.__class__
    if value is None or kind in (str, int, bool, float, Decimal, date, datetime):
        return f"{kind.__name__}:{value!r}"
    if isinstance(value, Enum):
        return f"{kind.__name__}.{value.name}"
    if kind in (list, tuple):
        return f"{kind.__name__}[" + ",".join(map(_canonical, value)) + "]"
    if kind in (set, frozenset):
        return f"{kind.__name__}{{" + ",".join(sorted(map(_canonical, value))) + "}"
    if isinstance(value, dict):
        return "dict{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if hasattr(value, "__dataclass_fields__"):
        return f"{kind.__qualname__}(" + ",".join(
            f"{f.name}={_canonical(getattr(value, f.name))}" for f in fields(value)) + ")"
    if isinstance(value, tuple):  # a named tuple
        return f"{kind.__qualname__}" + _canonical(tuple(value))
    if hasattr(value, "items"):  # a read-only mapping
        return _canonical(dict(value.items()))
    raise TypeError(f"no canonical text for {kind.__name__}")

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
from itertools import compress, repeat
from operator import attrgetter, is_not
from pathlib import Path

from ..engine.model import NO_BAD_CELLS, Evaluation, Line
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
    for name, part in lines_digests(lines):
        digest.update(name.encode() + b"\0" + part)
    for name, kind in OUTCOME_FIELDS.items():
        field = _Field(kind)
        field.add(list(map(attrgetter(name), outcomes)), 0)
        digest.update(name.encode() + b"\0" + field.digest())
    return digest.hexdigest()[:32]


def lines_digests(lines: list[Line], run: int | None = None) -> list[tuple[str, bytes]]:
    """Each of the LINE_FIELDS of LINES digested: read a run of lines at a time (touching each line once: most
    of the cost is reaching them), then a column at a time. Each value turns into the same bytes whatever run
    it comes in (`run`: how many lines at a time, for tests), so the digests are those of whole columns."""
    run = run or _RUN
    fields = [(Line._fields.index(name), name, _Field(kind)) for name, kind in LINE_FIELDS.items()]
    for start in range(0, len(lines), run):
        columns = list(zip(*lines[start:start + run]))
        for position, _, field in fields:
            field.add(list(columns[position]), start)
    return [(name, field.digest()) for _, name, field in fields]


_RUN = 256  # values encoded together (any number gives the same bytes)


class _Field:
    """The digest of one column's values, fed a run of them at a time. A value of the kind the column holds
    (see LINE_FIELDS) is written the quick way; any other value is written as a placeholder, and told
    exactly (its position, its type and its repr) in a second digest. Values that differ in type or in
    value give different bytes; equal values give the same bytes in any process. The bytes of a value do
    not depend on the run it comes in (but for "status", always given whole), so a column fed in runs of
    any length has one digest."""

    __slots__ = ("kind", "main", "others", "_buffer", "_pickler")

    def __init__(self, kind: str) -> None:
        self.kind, self.main, self.others = kind, hashlib.sha256(), hashlib.sha256()
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, protocol=3)
        self._pickler.fast = True

    def digest(self) -> bytes:
        return self.main.digest() + self.others.digest()

    def add(self, values: list, start: int) -> None:
        """VALUES, the column's values of rows start, start + 1, ... (of the list of lines or outcomes)."""
        if len(values) > _RUN:
            for offset in range(0, len(values), _RUN):
                self.add(values[offset:offset + _RUN], start + offset)
            return
        if not values:
            return
        kind = self.kind
        if kind == "":  # text and whole numbers: pickled, which is exact and quick for them
            try:
                self.main.update(self._pickled(values))
                return
            except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
                pass
            for position, value in enumerate(values):
                try:
                    self.main.update(self._pickled([value]))
                except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
                    self.main.update(b"\xff")  # no pickle opcode
                    self._other(start + position, value)
        elif kind == "date":  # a date's day number (from 1), 0 for a blank, -1 for anything else (told apart)
            try:  # anything else makes a None, which array() refuses
                self.main.update(array.array("q", [day.toordinal() if day.__class__ is date else 0 if day is None
                                                   else None for day in values]).tobytes())
            except TypeError:
                for position, day in enumerate(values):
                    if day.__class__ is not date and day is not None:
                        self._other(start + position, day)
                self.main.update(array.array("q", [day.toordinal() if day.__class__ is date else 0 if day is None
                                                   else -1 for day in values]).tobytes())
        elif kind == "money":  # an amount's every digit (str; never empty), "" for a blank, each then a NUL;
            # anything else "?" (told apart)
            try:  # anything else makes a None, which join() refuses
                self.main.update(("\0".join([amount.__str__() if amount.__class__ is Decimal else "" if amount is None
                                             else None for amount in values]) + "\0").encode())
            except TypeError:
                for position, amount in enumerate(values):
                    if amount.__class__ is not Decimal and amount is not None:
                        self._other(start + position, amount)
                self.main.update(("\0".join([amount.__str__() if amount.__class__ is Decimal else "" if amount is None
                                             else "?" for amount in values]) + "\0").encode())
        elif kind == "cells":  # the cells of a row that could not be read: mostly none. Only the rows with
            # some are told, each by its position (and its cells pickled, or as text if they cannot be)
            rows = list(compress(range(len(values)), map(is_not, values, repeat(NO_BAD_CELLS))))
            if rows:
                try:
                    self.others.update(self._pickled([part for row in rows for part in (start + row, values[row])]))
                except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
                    for row in rows:
                        try:
                            self.others.update(self._pickled([start + row, values[row]]))
                        except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
                            self._other(start + row, values[row])
        elif kind == "status":  # one Enum's members: its name and their values
            kinds = set(map(type, values))
            member = next(iter(kinds)) if len(kinds) == 1 else None
            if member is not None and issubclass(member, Enum):
                try:
                    self.main.update(b"E" + member.__qualname__.encode() + b"\0"
                                     + self._pickled(list(map(attrgetter("_value_"), values))))
                    return
                except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
                    pass
            for position, value in enumerate(values):
                self.main.update(b"\xff")
                self._other(start + position, value)
        else:
            raise ValueError(f"no such kind of column: {kind!r}")

    def _pickled(self, values: list) -> bytes:
        """Each value pickled alone, one after the other: a list of at most 1,000 values pickled without
        pickle's memo (equal values give equal bytes however shared) and without protocol 4's frames is its
        header (PROTO 3, EMPTY_LIST, then MARK, or nothing for one value), its values, then APPENDS (or
        APPEND) and STOP."""
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._pickler.dump(values)
        data = buffer.getvalue()
        return data[3 if len(values) == 1 else 4:-2]

    def _other(self, index: int, value: object) -> None:
        """A value not of its column's kind: its position and its repr (a mapping's: its items, sorted)."""
        kind = value.__class__
        try:
            text = f"M{kind.__module__}.{kind.__qualname__}:{sorted(value.items())!r}"
        except (AttributeError, TypeError):
            text = f"R{kind.__module__}.{kind.__qualname__}:{value!r}"
        told = text.encode("utf-8", "surrogatepass")
        self.others.update(b"%d %d " % (index, len(told)) + told)


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

"""What a sync writes: the job-owned cells of every row, filled-in IDs and dates, appended rows, generated tabs.

A WritePlan is plain data. Each spreadsheet adapter (the .xlsx writer, the Google Sheets writer)
applies it its own way, touching nothing else.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

from ..engine.columns import JOB_COLUMNS, SELLER_COLUMNS, HeaderMap
from ..engine.model import Evaluation, problems_text
from .tab_model import Tab

JOB_KEYS: tuple[str, ...] = tuple(c.key for c in JOB_COLUMNS)
FILLABLE_KEYS = ("return_id", "notified_on")  # seller columns the job fills when blank
# Columns added only once the job has something for them (a customer's reply), with the seller's column
# for marking it handled.
ON_DEMAND_KEYS: tuple[str, ...] = tuple(c.key for c in JOB_COLUMNS if c.on_demand)
ON_DEMAND_SELLER_KEYS: tuple[str, ...] = tuple(c.key for c in SELLER_COLUMNS if c.on_demand)
_JOB_KEY_SET = frozenset(JOB_KEYS)
_row = attrgetter("row")


@dataclass
class WritePlan:
    tab: str
    header: HeaderMap
    # Job-owned columns the sheet lacks, to be added at the right end with a header, in this order.
    add_columns: list[str]
    # Sheet row -> {column key: value}. In a sync every job-owned key is present for every row
    # (None = blank); "return_id" / "notified_on" appear only where the job fills a blank seller cell.
    # A row listed with {} is left as it is. Rows below the header that are not listed are taken for
    # blank rows: their job-owned cells are emptied. Appended rows go below the last listed row.
    # (A sync's plan holds them as JobRows: made row by row only when a writer asks.)
    rows: Mapping[int, dict[str, object]]
    # New rows to add below the last row (from intake): column key -> value.
    append: list[dict[str, object]] = field(default_factory=list)
    # The sheet row appended rows go below (the last row holding anything), when known; else the last listed row.
    append_after: int | None = None
    # Generated tabs to create or replace.
    tabs: list[Tab] = field(default_factory=list)
    # How money is shown in generated tabs.
    currency_symbol: str = "£"
    # The job-owned cells as read (column key -> values from the first row below the header), when known:
    # lets an adapter see that the Returns tab would not change without reading it again.
    current: dict[str, list[object]] | None = None
    # Whether this run sent emails between reading the sheet and writing it (the seller had time to edit).
    emails_sent: bool = True

    def column_keys(self) -> list[str]:
        """Every column key the plan writes into, in sheet order (existing first, then added)."""
        present = [k for k in (*FILLABLE_KEYS, *JOB_KEYS) if k in self.header.columns]
        return present + [k for k in self.add_columns if k not in present]


# The job-owned values of each row, in the order a row's dict lists them.
_ROW_KEYS = ("status", "next_step", "problems", "inventory", "reason_category", "contacted_on", "last_email",
             "replied_on", "reply", "return_tracking")


def job_columns(evaluation: Evaluation, contacted_on: dict[str, date], last_email: dict[str, str],
                replies: list | None = None) -> dict[str, list]:
    """Column key -> the job-owned value of every evaluated line, in line order, a blank as "" (the form a blank
    cell is read in, so that a column that did not change compares equal to the cells as read at C speed).

    Made a column at a time: a list comprehension per column is much cheaper than a dict per row.
    `replies`: each outcome's reply, when the caller has them already.
    """
    lines, outcomes = evaluation.lines, evaluation.outcomes
    count = len(outcomes)
    if contacted_on:
        contacted = [contacted_on.get(o.return_id, line.contacted_on) or "" for line, o in zip(lines, outcomes)]
    else:
        contacted = [line.contacted_on or "" for line in lines]
    if last_email:
        last = [last_email.get(o.return_id, line.last_email) or "" for line, o in zip(lines, outcomes)]
    else:
        last = [line.last_email or "" for line in lines]
    if replies is None:
        replies = [o.reply for o in outcomes]
    if replies.count(None) != count:  # some reply (counted at C speed)
        replied_on = ["" if r is None else r.replied_on or "" for r in replies]
        preview = ["" if r is None else r.preview or "" for r in replies]
        tracking = ["" if r is None else r.tracking or "" for r in replies]
    else:
        replied_on, preview, tracking = [""] * count, [""] * count, [""] * count
    return {
        "status": [o.status._value_ for o in outcomes],  # _value_: the same, without Enum's property (4x faster)
        "next_step": [o.next_step for o in outcomes],
        # a tenth of rows have problems: the others need no call
        "problems": [problems_text(o.problems) if o.problems else "" for o in outcomes],
        "inventory": [o.inventory for o in outcomes],
        "reason_category": [o.reason_category for o in outcomes],
        "contacted_on": contacted,
        "last_email": last,
        "replied_on": replied_on,
        "reply": preview,
        "return_tracking": tracking,
    }


def _blank_as_none(values: list) -> list:
    return [None if value is None or value == "" else value for value in values]


class JobRows(Mapping):
    """Sheet row -> job-owned values, kept as columns until a writer asks for a row.

    A re-sync that changes nothing compares the columns with the cells as read (returns_unchanged) and never
    makes the hundred thousand per-row dicts. The first row asked for makes them all (then they may be edited).
    The columns given may hold a blank as "" or None; a writer is given None (`as_dict`, `as_columns`).
    """

    def __init__(self, rows: list[int], columns: dict[str, list]) -> None:
        self.line_rows, self.cells = rows, columns
        self._columns: dict[str, list] | None = None
        self._rows: dict[int, dict[str, object]] | None = None

    @property
    def columns(self) -> dict[str, list]:
        """The columns, a blank as None (made when a writer first asks)."""
        if self._columns is None:
            self._columns = {key: _blank_as_none(values) for key, values in self.cells.items()}
        return self._columns

    def as_dict(self) -> dict[int, dict[str, object]]:
        if self._rows is None:
            keys, columns = _ROW_KEYS, self.columns
            self._rows = {row: dict(zip(keys, values))
                          for row, values in zip(self.line_rows, zip(*(columns[k] for k in keys)))}
        return self._rows

    @property
    def as_columns(self) -> tuple[list[int], dict[str, list]] | None:
        """The rows and columns (a blank as None), while no row has been asked for (and perhaps edited)."""
        return (self.line_rows, self.columns) if self._rows is None else None

    @property
    def as_cells(self) -> tuple[list[int], dict[str, list]] | None:
        """The rows and columns as given (a blank as "" or None), while no row has been asked for."""
        return (self.line_rows, self.cells) if self._rows is None else None

    def __getitem__(self, row: int) -> dict[str, object]:
        return self.as_dict()[row]

    def get(self, row: int, default=None):
        return self.as_dict().get(row, default)

    def __contains__(self, row: object) -> bool:
        return row in self.as_dict()

    def __iter__(self) -> Iterator[int]:
        return iter(self.as_dict() if self._rows is not None else self.line_rows)

    def __len__(self) -> int:
        return len(self.as_dict() if self._rows is not None else self.line_rows)

    def keys(self):
        return self.as_dict().keys()

    def values(self):
        return self.as_dict().values()

    def items(self):
        return self.as_dict().items()


def build_plan(
    tab: str,
    header: HeaderMap,
    evaluation: Evaluation,
    contacted_on: dict[str, date] | None = None,
    last_email: dict[str, str] | None = None,
    tabs: list[Tab] | None = None,
    currency_symbol: str = "£",
    append: list[dict[str, object]] | None = None,
    append_after: int | None = None,
    *,
    fills: dict[int, dict[str, object]] | None = None,
    added_columns: list[str] | None = None,
    current: dict[str, list[object]] | None = None,
    emails_sent: bool = True,
) -> WritePlan:
    """The plan of a sync. `append`: new rows (import, intake), evaluated as sheet rows append_after + 1, + 2 ...:
    each goes below the sheet's last row with its own values and the job's. `fills`: blank seller cells of
    existing rows to fill (import), `added_columns`: the seller columns that needs added first.
    `current`: the job-owned cells as read (see WritePlan.current); `emails_sent`: whether emails went out
    between reading the sheet and this write."""
    replies = [outcome.reply for outcome in evaluation.outcomes]
    job_rows = JobRows(list(map(_row, evaluation.lines)),
                       job_columns(evaluation, contacted_on or {}, last_email or {}, replies))
    rows: Mapping[int, dict[str, object]] = job_rows
    if evaluation.assigned_ids or evaluation.filled_notified or fills or append:
        rows = job_rows.as_dict()
        for row, return_id in evaluation.assigned_ids.items():
            rows[row]["return_id"] = return_id
        for row, day in evaluation.filled_notified.items():
            rows[row]["notified_on"] = day
        for row, values in (fills or {}).items():
            rows.setdefault(row, {}).update(values)
    replied = replies.count(None) != len(replies)
    add_columns = [key for key in JOB_KEYS if key not in header.columns and (replied or key not in ON_DEMAND_KEYS)]
    if replied:
        add_columns += [key for key in ON_DEMAND_SELLER_KEYS if key not in header.columns]
    for key in FILLABLE_KEYS:
        filled = evaluation.assigned_ids if key == "return_id" else evaluation.filled_notified
        if filled and key not in header.columns:
            add_columns.insert(0, key)
    add_columns = [*(k for k in added_columns or () if k not in header.columns),
                   *(k for k in add_columns if k not in (added_columns or ()))]
    new_rows = []
    if append:
        for number, values in enumerate(append, start=append_after + 1):
            new_rows.append({**values, **{k: v for k, v in rows.pop(number, {}).items() if v is not None}})
    return WritePlan(tab, header, add_columns, rows, append=new_rows, append_after=append_after,
                     tabs=list(tabs or []), currency_symbol=currency_symbol, current=current, emails_sent=emails_sent)


def filled_counts(plan: WritePlan) -> dict[str, int]:
    """How many blank Return ID and Notified On cells the plan fills in."""
    if isinstance(plan.rows, JobRows) and plan.rows.as_cells is not None:
        return dict.fromkeys(FILLABLE_KEYS, 0)  # rows still held as columns hold job-owned values only
    return {key: sum(1 for values in plan.rows.values() if key in values) for key in FILLABLE_KEYS}


def returns_unchanged(plan: WritePlan) -> bool:
    """True when writing the plan would leave every cell of the Returns tab as it was read.

    False when unsure (the cells as read are not known). Compared column by column: a list comparison
    runs at C speed, and only a column that differs is looked at cell by cell.
    """
    current = plan.current
    if current is None or plan.add_columns or plan.append:
        return False
    first = plan.header.row_number + 1
    height = max((len(values) for values in current.values()), default=0)
    keys = [key for key in JOB_KEYS if key in plan.header.columns]
    columns = plan.rows.as_cells if isinstance(plan.rows, JobRows) else None
    if columns is not None:
        return _columns_unchanged(*columns, current, keys, first, height)
    if any(row < first or row >= first + height for row in plan.rows):
        return False
    job_keys = _JOB_KEY_SET
    if not all(job_keys.issuperset(values) for values in plan.rows.values()):
        return False  # a blank seller cell gets filled in (Return ID, Notified On, an imported report's value)
    for key in keys:
        have = current[key]
        wanted: list[object] = [""] * height
        for row, values in plan.rows.items():
            index = row - first
            if not values:  # a row the plan leaves as it is
                wanted[index] = have[index]
            else:
                value = values.get(key)
                wanted[index] = "" if value is None else value
        if wanted != have and any(not _same(w, _as_read(h)) for w, h in zip(wanted, have)):
            return False
    return True


def _columns_unchanged(rows: list[int], columns: dict[str, list], current: dict[str, list[object]], keys: list[str],
                       first: int, height: int) -> bool:
    """returns_unchanged for a plan still held as columns (every listed row gets only job-owned values).

    A column holding a blank as "" (as job_columns makes them) is, when unchanged, equal to the cells as read
    (a blank cell reads as ""): one list comparison at C speed, no copy."""
    in_order = rows == list(range(first, first + len(rows)))  # no blank row between two rows of returns
    if len(rows) > height if in_order else rows and (min(rows) < first or max(rows) >= first + height):
        return False  # a row the sheet as read did not reach
    for key in keys:
        have = current[key]
        values = columns[key]
        if in_order:
            wanted = values if len(values) == height else values + [""] * (height - len(values))
        else:
            wanted = [""] * height
            for row, value in zip(rows, values):
                wanted[row - first] = value
        if wanted != have and any(not _same(w, _as_read(h)) for w, h in zip(wanted, have)):
            return False
    return True


def _as_read(value: object) -> object:
    """A cell value as read, in the form the plan holds it: blank as None, a date-only time as a date."""
    if value is None or value == "":
        return None
    if value.__class__ is datetime and not (value.hour or value.minute or value.second or value.microsecond):
        return value.date()
    return value


def _same(wanted: object, have: object) -> bool:
    if wanted == "":
        wanted = None
    if wanted is None or have is None:
        return wanted is None and have is None
    return wanted.__class__ is have.__class__ and wanted == have

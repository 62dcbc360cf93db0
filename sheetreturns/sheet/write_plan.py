"""What a sync writes: the job-owned cells of every row, filled-in IDs and dates, appended rows, generated tabs.

A WritePlan is plain data. Each spreadsheet adapter (the .xlsx writer, the Google Sheets writer)
applies it its own way, touching nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..engine.columns import JOB_COLUMNS, SELLER_COLUMNS, HeaderMap
from ..engine.model import Evaluation
from .tab_model import Tab

JOB_KEYS: tuple[str, ...] = tuple(c.key for c in JOB_COLUMNS)
FILLABLE_KEYS = ("return_id", "notified_on")  # seller columns the job fills when blank
# Columns added only once the job has something for them (a customer's reply), with the seller's column
# for marking it handled.
ON_DEMAND_KEYS: tuple[str, ...] = tuple(c.key for c in JOB_COLUMNS if c.on_demand)
ON_DEMAND_SELLER_KEYS: tuple[str, ...] = tuple(c.key for c in SELLER_COLUMNS if c.on_demand)
_JOB_KEY_SET = frozenset(JOB_KEYS)


@dataclass(frozen=True, slots=True)
class RowIdentity:
    """How a row is recognised again if the sheet is edited (rows inserted, deleted, sorted) mid-run."""

    return_id: str | None  # as read from the sheet (None if the job is assigning it)
    order_id: str | None
    sku: str | None
    email: str | None


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
    rows: dict[int, dict[str, object]]
    # Sheet row -> identity as read, for adapters that must re-find rows before writing.
    identities: dict[int, RowIdentity]
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


def job_values(evaluation: Evaluation, contacted_on: dict[str, date], last_email: dict[str, str]) -> dict[int, dict[str, object]]:
    """Row -> job-owned values, from the evaluation and what the email journal knows."""
    result: dict[int, dict[str, object]] = {}
    for line, outcome in zip(evaluation.lines, evaluation.outcomes):
        rid = outcome.return_id
        reply = outcome.reply
        result[line.row] = {
            "status": outcome.status.value,
            "next_step": outcome.next_step,
            "problems": outcome.problems_text or None,
            "inventory": outcome.inventory or None,
            "reason_category": outcome.reason_category or None,
            "contacted_on": contacted_on.get(rid, line.contacted_on),
            "last_email": last_email.get(rid, line.last_email),
            "replied_on": reply.replied_on if reply is not None else None,
            "reply": reply.preview if reply is not None else None,
            "return_tracking": (reply.tracking or None) if reply is not None else None,
        }
    return result


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
    rows = job_values(evaluation, contacted_on or {}, last_email or {})
    for row, return_id in evaluation.assigned_ids.items():
        rows[row]["return_id"] = return_id
    for row, day in evaluation.filled_notified.items():
        rows[row]["notified_on"] = day
    for row, values in (fills or {}).items():
        rows.setdefault(row, {}).update(values)
    replied = any(outcome.reply is not None for outcome in evaluation.outcomes)
    add_columns = [key for key in JOB_KEYS if key not in header.columns and (replied or key not in ON_DEMAND_KEYS)]
    if replied:
        add_columns += [key for key in ON_DEMAND_SELLER_KEYS if key not in header.columns]
    for key in FILLABLE_KEYS:
        filled = evaluation.assigned_ids if key == "return_id" else evaluation.filled_notified
        if filled and key not in header.columns:
            add_columns.insert(0, key)
    add_columns = [*(k for k in added_columns or () if k not in header.columns),
                   *(k for k in add_columns if k not in (added_columns or ()))]
    identities = {
        line.row: RowIdentity(line.return_id, line.order_id, line.sku, line.email) for line in evaluation.lines
    }
    new_rows = []
    if append:
        for number, values in enumerate(append, start=append_after + 1):
            identities.pop(number, None)
            new_rows.append({**values, **{k: v for k, v in rows.pop(number, {}).items() if v is not None}})
    return WritePlan(tab, header, add_columns, rows, identities, append=new_rows, append_after=append_after,
                     tabs=list(tabs or []), currency_symbol=currency_symbol, current=current, emails_sent=emails_sent)


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
    if any(row < first or row >= first + height for row in plan.rows):
        return False
    keys = [key for key in JOB_KEYS if key in plan.header.columns]
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

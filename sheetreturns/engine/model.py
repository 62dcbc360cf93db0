"""The values the rules engine works on and produces: lines, returns, problems, outcomes."""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, TYPE_CHECKING
from datetime import date
from decimal import Decimal
from enum import Enum
from operator import attrgetter

if TYPE_CHECKING:  # for annotations only
    from .replies import ReplyShown


class Status(str, Enum):
    NEEDS_INFO = "Needs info"
    AWAITING_ITEM = "Awaiting item"
    ITEM_OVERDUE = "Item overdue"
    REFUNDED_NOT_BACK = "Refunded, item not back"
    REIMBURSEMENT_DUE = "Reimbursement due"
    AWAITING_INSPECTION = "Awaiting inspection"
    PARTIALLY_RECEIVED = "Partially received"
    CUSTOMER_DAMAGE = "Customer damage"
    REFUND_DUE = "Refund due"
    OVER_REFUNDED = "Over-refunded"
    REFUSED = "Refused"
    DONE = "Done"

    __hash__ = str.__hash__  # Enum's own __hash__ is Python code; hashing as the label is the same and fast

    def __str__(self) -> str:
        return self.value


SETTLED = frozenset({Status.DONE, Status.REFUSED})


class EmailKind(str, Enum):
    ACKNOWLEDGEMENT = "acknowledgement"
    REMINDER = "reminder"
    REFUND_CONFIRMATION = "refund-confirmation"
    REIMBURSEMENT_REQUEST = "reimbursement-request"
    REFUSAL = "refusal"

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one cell (or row), in words a seller can act on."""

    code: str
    return_id: str | None
    row: int
    column: str | None
    cell: str | None
    message: str
    blocking: bool = False  # makes the row "Needs info"

    def as_dict(self) -> dict:
        return {
            "return_id": self.return_id,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "code": self.code,
            "message": self.message,
        }


LINE_FIELDS = (
    "return_id", "order_id", "order_date", "customer", "email", "sku", "product",
    "qty", "unit_price", "notified_on", "channel", "reason", "received_on", "received_qty",
    "condition", "damage_by", "refund_amount", "refunded_on", "decision", "notes",
    "reimbursed_on", "reimbursed_amount", "contacted_on", "last_email", "reply_handled_on",
)
NO_BAD_CELLS: Mapping[str, tuple[object, str]] = MappingProxyType({})


class Line(namedtuple("_Line", ("row", *LINE_FIELDS, "bad"), defaults=(None,) * len(LINE_FIELDS) + (NO_BAD_CELLS,))):
    """One row of the Returns tab with its values typed (blank cells are None).

    `bad` maps a column key to (raw value, message) for each cell that could not be read. A tuple
    keeps a hundred thousand lines cheap to build and small in memory.
    """

    __slots__ = ()

    @property
    def units(self) -> int:
        return self.qty if self.qty else 1

    @property
    def units_received(self) -> int:
        if self.received_on is None:
            return 0
        return self.units if self.received_qty is None else self.received_qty


@dataclass(slots=True)
class Outcome:
    """What the job writes into the job-owned columns of one row."""

    return_id: str
    status: Status
    next_step: str
    problems: list[Problem] = field(default_factory=list)
    inventory: str = ""
    reason_category: str = ""
    notified_on: date | None = None
    deadline: date | None = None
    reply: "ReplyShown | None" = None  # the customer's latest reply, when intake recorded one (engine/replies.py)

    @property
    def problems_text(self) -> str:
        return problems_text(self.problems)


_MESSAGE = attrgetter("message")


def problems_text(problems: list[Problem]) -> str:
    """The Problems column's text of a row's problems (also called directly where a property call per row counts)."""
    return "; ".join(map(_MESSAGE, problems))


@dataclass
class EmailDue:
    """An email the rules say should go to a return's customer now (if never sent before)."""

    return_id: str
    kind: EmailKind
    to: str
    customer: str | None
    rows: list[int]
    amount: Decimal | None = None
    deadline: date | None = None


@dataclass
class Evaluation:
    """Everything the rules concluded about a sheet, as of one date."""

    as_of: date
    lines: list[Line]
    outcomes: list[Outcome]
    emails: list[EmailDue]
    assigned_ids: dict[int, str]  # sheet row -> Return ID the job assigned
    filled_notified: dict[int, date]  # sheet row -> Notified On the job filled in
    other_replies: list = field(default_factory=list)  # replies from someone not the customer (engine/replies.py)
    new_replies: int = 0  # replies this run recorded: the owner digest goes out for them

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in sheet order."""
        return sorted((p for o in self.outcomes for p in o.problems), key=lambda p: p.row)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for outcome in self.outcomes:
            counts[outcome.status.value] += 1
        return {k: v for k, v in counts.items() if v}

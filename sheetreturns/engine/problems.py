"""Problem rules: small functions that look at lines and yield Problems a seller can fix.

A blocking problem (a required value missing, or a date, quantity, amount or choice that cannot be read)
makes the row "Needs info"; the others, contact problems among them, are shown in the Problems column
next to the status the row's facts give.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from collections import Counter
from itertools import compress, count, repeat
from operator import gt
from typing import Iterator

from .columns import BY_KEY, HeaderMap
from .model import SETTLED, Line, Problem, Status
from .policy import Policy
from .values import CellError, describe

# Columns whose unreadable value does not stop the row from being evaluated: a bad Email is a contact
# problem (it stops emails to that return, not the row's status or the money it shows).
_INFORMATIVE = frozenset({"customer", "product", "channel", "notes", "reason", "order_date", "email"})
_KIND_CODES = {
    "date": "bad-date", "money": "bad-money", "int": "bad-number", "email": "bad-email",
    "condition": "bad-choice", "damage_by": "bad-choice", "decision": "bad-choice", "text": "cell-error",
}
NEEDS_PRICE = frozenset({Status.REFUND_DUE, Status.REIMBURSEMENT_DUE, Status.PARTIALLY_RECEIVED})


@dataclass(frozen=True)
class RowContext:
    header: HeaderMap
    policy: Policy
    as_of: date

    def problem(self, code: str, line: Line, key: str, return_id: str | None, message: str,
                blocking: bool = False) -> Problem:
        return Problem(code, return_id, line.row, self.header.label(key), self.header.cell(key, line.row),
                       message, blocking)


def value_problems(line: Line, ctx: RowContext, return_id: str | None) -> Iterator[Problem]:
    """Cells that could not be read, and required values that are missing."""
    informative = ctx.header.informative
    for key, (raw, message) in line.bad.items():
        if key.startswith("@"):  # a layout's coded column (Amazon's disposition, status ...)
            yield ctx.problem("unknown-value", line, key, return_id, f"{ctx.header.label(key)} {message}")
            continue
        column = BY_KEY[key]
        if column.job_owned:
            continue  # the job rewrites its own columns; nothing for the seller to fix
        code = "cell-error" if isinstance(raw, CellError) else _KIND_CODES[column.kind]
        if key in informative and code == "bad-choice":
            code = "unknown-value"
            message += f": say what it means under [values.{column.header}] in sheetreturns.toml"
        elif key in informative and not isinstance(raw, CellError):
            code = "unknown-value"
        yield ctx.problem(code, line, key, return_id, f"{ctx.header.label(key)} {message}",
                          blocking=key not in _INFORMATIVE and key not in informative)
    for key in ("order_id", "sku"):
        if getattr(line, key) is None and key not in line.bad:
            yield ctx.problem("missing-value", line, key, return_id,
                              f"{ctx.header.label(key)} is blank: fill it in", blocking=True)
    if line.qty == 0:
        yield ctx.problem("zero-quantity", line, "qty", return_id,
                          f"{ctx.header.label('qty')} is 0: enter how many units are coming back", blocking=True)
    if line.received_qty is not None and line.received_qty > line.units:
        yield ctx.problem(
            "received-more-than-sent", line, "received_qty", return_id,
            f"{ctx.header.label('received_qty')} {line.received_qty} is more than {ctx.header.label('qty')} "
            f"{line.units}: correct one of them", blocking=True,
        )


def date_problems(line: Line, ctx: RowContext, return_id: str | None) -> list[Problem]:
    """Dates in the future, before the order, or outside the return window.

    (evaluate calls this only for the rows where one may be, and for every row with an unreadable cell.)"""
    as_of, ordered = ctx.as_of, line.order_date
    found: list[Problem] = []
    dates = (("order_date", ordered), ("notified_on", line.notified_on), ("received_on", line.received_on),
             ("refunded_on", line.refunded_on))
    for key, value in dates:
        if value is not None and value > as_of:
            found.append(ctx.problem("future-date", line, key, return_id,
                                     f"{ctx.header.label(key)} {value.isoformat()} is in the future"))
    if ordered is None:
        return found
    for key, value in dates[1:]:
        if value is not None and value < ordered:
            found.append(ctx.problem(
                "before-order", line, key, return_id,
                f"{ctx.header.label(key)} {value.isoformat()} is before the {ctx.header.label('order_date')} "
                f"{ordered.isoformat()}",
            ))
    window = ctx.policy.return_window_days
    if line.notified_on is not None and (line.notified_on - ordered).days > window:
        found.append(ctx.problem(
            "outside-return-window", line, "notified_on", return_id,
            f"Return notice came {(line.notified_on - ordered).days} days after the order, "
            f"outside the {window}-day return window",
        ))
    return found


def money_problems(line: Line, ctx: RowContext, return_id: str, status: Status) -> Iterator[Problem]:
    """Refund records that contradict each other, and prices the refund needs."""
    label = ctx.header.label
    if line.refund_amount is not None and line.refunded_on is None and line.decision != "Refuse":
        yield ctx.problem("refund-date-missing", line, "refunded_on", return_id,
                          f"{label('refund_amount')} is filled but {label('refunded_on')} is blank: "
                          f"add the date once the refund is sent")
    if line.decision == "Refuse" and line.refunded_on is not None:
        yield ctx.problem("refused-but-refunded", line, "decision", return_id,
                          f"{label('decision')} is Refuse but a refund was sent on {line.refunded_on.isoformat()}: check it")
    if status in NEEDS_PRICE and line.unit_price is None and line.refund_amount is None and "unit_price" not in line.bad:
        yield ctx.problem("missing-price", line, "unit_price", return_id,
                          f"{label('unit_price')} is blank: add it so the refund amount can be worked out")


def contact_problems(line: Line, ctx: RowContext, return_id: str, status: Status) -> Iterator[Problem]:
    if (
        status not in SETTLED and status is not Status.NEEDS_INFO and line.email is None
        and "email" not in line.bad and "email" in ctx.header.columns
    ):
        yield ctx.problem("missing-email", line, "email", return_id,
                          f"{ctx.header.label('email')} is blank: the customer cannot be contacted")


def cross_row_problems_at(lines: list[Line], ids: list[str], ctx: RowContext) -> list[tuple[int, Problem]]:
    """Problems between rows (the same Order ID + SKU in two returns; two customers in one return), each with
    the index of its line in LINES."""
    first_line: dict[tuple[str, str], int] = {}  # the index of each Order ID + SKU's first line
    clashes: dict[tuple[str, str], dict[str, int]] = {}
    line_of = first_line.setdefault
    # SKUs and emails repeat down a sheet (the reader shares one object per value): each is lowered once
    lowered_texts: dict[str, str] = {}
    known, keep = lowered_texts.get, lowered_texts.setdefault
    for index, line, return_id in zip(count(), lines, ids):
        order, sku = line.order_id, line.sku
        if order is not None and sku is not None:
            key = (order.lower(), known(sku) or keep(sku, sku.lower()))
            seen = line_of(key, index)
            if seen != index and ids[seen] != return_id:
                clashes.setdefault(key, {ids[seen]: seen}).setdefault(return_id, index)
    duplicates: list[tuple[int, Problem]] = []
    for by_return in clashes.values():
        for return_id, index in by_return.items():
            line = lines[index]
            others = ", ".join(r for r in by_return if r != return_id)
            duplicates.append((index, ctx.problem(
                "duplicate-line", line, "sku", return_id,
                f"Order {line.order_id} / {ctx.header.label('sku')} {line.sku} is also in return {others}: "
                f"check it is not entered twice",
            )))
    # Two customers in one return: only returns of more than one line can have them.
    first_email: dict[str, str] = {}
    email_of = first_email.setdefault
    mixed: list[tuple[int, Problem]] = []
    returns = Counter(ids)
    # (the returns of more than one line, and their lines, are picked out in C: most returns are one line)
    shared = set(compress(returns, map(gt, returns.values(), repeat(1)))) if len(returns) < len(ids) else ()
    for index in compress(range(len(ids)), map(shared.__contains__, ids)) if shared else ():
        line, return_id = lines[index], ids[index]
        email = line.email
        if email is not None:
            lowered = known(email) or keep(email, email.lower())
            expected = email_of(return_id, lowered)
            if expected != lowered:
                mixed.append((index, ctx.problem(
                    "mixed-customers", line, "email", return_id,
                    f"{ctx.header.label('email')} {describe(email)} differs from the other lines of return "
                    f"{return_id} ({expected}): one return is one customer",
                )))
    return duplicates + mixed

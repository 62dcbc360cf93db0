"""What the server saw (Call) and the faults a test asks it to inject (Faults)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One request as the server saw it."""

    method: str
    kind: str  # metadata, values.get, values.batchGet, values.update, values.batchUpdate, values.append, batchUpdate, drive.* , token
    path: str
    query: dict
    body: object
    status: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


@dataclass
class Fault:
    when: Callable[[Call], bool]
    times: int
    status: int = 0
    body: bytes | None = None
    action: Callable[[Any], None] | None = None
    drop: str = ""  # "before": the connection closes unanswered; "after": the request is applied first
    applied: bool = False  # with a status: the request is carried out, then the error is the answer


@dataclass
class Faults:
    pending: list[Fault] = field(default_factory=list)

    def fail(self, status: int = 429, times: int = 1, kind: str | None = None, when: Callable[[Call], bool] | None = None,
             body: bytes | None = None, applied: bool = False) -> None:
        """Answer the next `times` matching requests with `status` (Google's JSON error, or `body` as is); with
        `applied`, after carrying the request out (a 5xx from a front end whose back end did the work)."""
        self.pending.append(Fault(_matcher(kind, when), times, status, body, applied=applied))

    def drop(self, kind: str | None = None, times: int = 1, applied: bool = False,
             when: Callable[[Call], bool] | None = None) -> None:
        """Close the connection of the next `times` matching requests without an answer (with `applied`, after
        carrying the request out: the client cannot know that it was)."""
        self.pending.append(Fault(_matcher(kind, when), times, drop="after" if applied else "before"))

    def before(self, action: Callable[[Any], None], kind: str | None = None,
               when: Callable[[Call], bool] | None = None) -> None:
        """Run `action(server)` once, just before handling the next matching request (a concurrent edit)."""
        self.pending.append(Fault(_matcher(kind, when), 1, action=action))

    def take(self, call: Call) -> Fault | None:
        for fault in self.pending:
            if fault.times > 0 and fault.when(call):
                fault.times -= 1
                if fault.times == 0:
                    self.pending.remove(fault)
                return fault
        return None


def _matcher(kind: str | None, when: Callable[[Call], bool] | None) -> Callable[[Call], bool]:
    return lambda call: (kind is None or call.kind == kind) and (when is None or when(call))

"""What a command returns: data the CLI renders as text or as one JSON object."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .model import Evaluation, Problem, Status

EXIT_OK = 0
EXIT_PROBLEMS = 1  # check: problems found; sync: done, with failures
EXIT_FAILED = 2  # could not run
# Statuses that ask nothing of the seller: waiting for the customer, or settled.
NOTHING_TO_DO = frozenset({Status.AWAITING_ITEM, Status.REFUNDED_NOT_BACK, Status.REFUSED, Status.DONE})


@dataclass
class EmailRecord:
    """One email the run sent, would send (dry run / preview), or failed to send."""

    return_id: str
    kind: str
    to: str
    result: str  # sent, outbox, would send, failed: ..., waiting (over the per-run cap)
    subject: str = ""

    def as_dict(self) -> dict:
        return {"return_id": self.return_id, "kind": self.kind, "to": self.to, "result": self.result}


@dataclass
class RunResult:
    command: str
    as_of: date
    source: str
    tab: str | None = None
    evaluation: Evaluation | None = None
    emails: list[EmailRecord] = field(default_factory=list)
    written: bool = False
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return self.evaluation.problems if self.evaluation else []

    @property
    def counts(self) -> dict[str, int]:
        return self.evaluation.counts() if self.evaluation else {}

    @property
    def rows(self) -> int:
        return len(self.evaluation.lines) if self.evaluation else 0

    @property
    def returns(self) -> int:
        return len({o.return_id for o in self.evaluation.outcomes}) if self.evaluation else 0

    @property
    def attention(self) -> int:
        """Returns that need the seller: a status that asks them to act, or a problem on any of their rows."""
        if not self.evaluation:
            return 0
        return len({o.return_id for o in self.evaluation.outcomes if o.problems or o.status not in NOTHING_TO_DO})

    @property
    def exit_code(self) -> int:
        if self.command == "check":
            return EXIT_PROBLEMS if self.problems else EXIT_OK
        return EXIT_PROBLEMS if self.failures else EXIT_OK

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    def as_json(self) -> dict:
        data = {
            "command": self.command,
            "ok": self.ok,
            "as_of": self.as_of.isoformat(),
            "source": self.source,
            "tab": self.tab,
            "rows": self.rows,
            "returns": self.returns,
            "attention": self.attention,
            "counts": self.counts,
            "problems": [p.as_dict() for p in self.problems],
            "emails": [e.as_dict() for e in self.emails],
            "written": self.written,
        }
        if self.changes:
            data["changes"] = self.changes
        if self.failures:
            data["failures"] = self.failures
        if self.notes:
            data["notes"] = self.notes
        return data


def error_json(command: str, as_of: date | None, message: str) -> dict:
    """The JSON object printed when a command could not run at all."""
    return {
        "command": command,
        "ok": False,
        "as_of": as_of.isoformat() if as_of else None,
        "error": message,
        "counts": {},
        "problems": [],
        "emails": [],
        "written": False,
    }

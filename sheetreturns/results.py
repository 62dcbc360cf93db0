"""What a command returns: data the CLI renders as text or as one JSON object."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .engine.model import Evaluation, Problem, Status

# An email's outcome in --json: sent (accepted by the mail server), outbox (written as an .eml file),
# would-send (dry run or preview), waiting (over the per-run cap: a later run sends it), failed (not sent:
# it is tried again next run while it is still news), unconfirmed (the server may have taken it: never resent).
OUTCOMES = ("sent", "outbox", "would-send", "waiting", "failed", "unconfirmed")
_FAILED = "failed: "
_NOT_CONFIRMED = "not confirmed"

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

    @property
    def outcome(self) -> tuple[str, str]:
        """(outcome, detail): one of OUTCOMES, and the reason when it did not go (else "")."""
        result = self.result
        if result.startswith(_FAILED):
            detail = result[len(_FAILED):]
            return ("unconfirmed" if detail.startswith(_NOT_CONFIRMED) else "failed"), detail
        if result.startswith("waiting"):
            return "waiting", result[len("waiting"):].strip(" ()")
        if result.startswith("would send"):
            return "would-send", ""
        return result, ""  # "sent" or "outbox"

    def as_dict(self) -> dict:
        outcome, detail = self.outcome
        return {"return_id": self.return_id, "kind": self.kind, "to": self.to, "outcome": outcome,
                "detail": detail, "result": self.result}

    def failure(self) -> dict:
        """This email as an entry of a result's "failures" (when its outcome is failed or unconfirmed)."""
        outcome, detail = self.outcome
        return {"kind": "email", "outcome": outcome, "detail": detail, "return_id": self.return_id or None,
                "email": self.kind, "to": self.to}


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
    unchanged: bool = False  # sync: nothing would change, so the sheet was left exactly as it was
    # check: which headers feed which of our columns and which are ignored (HeaderMap.described()).
    columns: dict | None = None
    # Rows that are not returns, left alone: (sheet row, why).
    left_alone: list[tuple[int, str]] = field(default_factory=list)
    # Why the sheet looks like a list of sales rather than of returns (then nothing is written or sent).
    sales_export: str | None = None

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
    def ok(self) -> bool:
        """check: no problems found; sync and report: nothing failed (every email and the write went through)."""
        return not (self.problems or self.sales_export if self.command == "check" else self.failures)

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
        if self.unchanged:
            data["unchanged"] = True
        if self.changes:
            data["changes"] = self.changes
        if self.failures:
            data["failures"] = typed_failures(self.failures, self.emails)
        if self.notes:
            data["notes"] = self.notes
        if self.columns is not None:
            data["columns"] = self.columns
        if self.left_alone:
            data["left_alone"] = [{"row": row, "why": why} for row, why in self.left_alone]
        if self.sales_export:
            data["sales_export"] = self.sales_export
        return data


def typed_failures(failures: list[str], emails: list[EmailRecord], kind: str = "run") -> list[dict]:
    """The failures of a run as typed entries: one per email that did not go (with its return, kind and
    address), and one of `kind` for each other failure (a write, reading mail), its sentence as detail."""
    failed = [e for e in emails if e.outcome[0] in ("failed", "unconfirmed")]
    said = {f"{e.return_id} {e.kind} to {e.to}: {e.outcome[1]}" if e.return_id else f"{e.kind} to {e.to}: {e.outcome[1]}"
            for e in failed}
    return [*(e.failure() for e in failed),
            *({"kind": kind, "outcome": "failed", "detail": text} for text in failures if text not in said)]


@dataclass
class BackupList:
    """The backups kept of one workbook (`sheetreturns backups`), oldest first."""

    workbook: str
    folder: str
    items: list  # excel.backups.Backup
    last: int  # retention: the newest N ...
    days: int  # ... and the first backup of each of the newest N days with a change

    def as_json(self) -> dict:
        return {"workbook": self.workbook, "folder": self.folder, "keeps": {"last": self.last, "days": self.days},
                "backups": [b.as_dict() for b in self.items]}


@dataclass
class Restored:
    """What `sheetreturns restore` did."""

    workbook: str
    restored: object  # excel.backups.Backup
    kept: str | None  # the backup made of the file it replaced

    def as_json(self) -> dict:
        return {"workbook": self.workbook, "restored": self.restored.as_dict(), "kept_as": self.kept}

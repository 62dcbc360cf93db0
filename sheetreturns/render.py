"""Results as text for a terminal: aligned tables a seller can read."""
from __future__ import annotations

from .model import Status
from .result import RunResult

MAX_PROBLEM_ROWS = 200


def table(headers: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> list[str]:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = [v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(values)]
        return "  " + "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)]


def problems_table(result: RunResult, limit: int = MAX_PROBLEM_ROWS) -> list[str]:
    problems = result.problems
    if not problems:
        return ["No problems found."]
    rows = [[p.cell or f"row {p.row}", p.return_id or "", p.message] for p in problems[:limit]]
    out = [f"Problems ({len(problems)})", *table(["Cell", "Return", "Problem"], rows)]
    if len(problems) > limit:
        out.append(f"  ... and {len(problems) - limit} more (use --json for all of them)")
    return out


def status_table(result: RunResult) -> list[str]:
    counts = result.counts
    rows = [[s.value, counts[s.value]] for s in Status if s.value in counts]
    return ["Rows by status", *table(["Status", "Rows"], rows, right={1})]


def check_report(result: RunResult) -> str:
    head = (
        f"{result.source} · {result.tab} tab · {result.rows} rows in {result.returns} returns · "
        f"as of {result.as_of.isoformat()}"
    )
    return "\n".join([head, "", *problems_table(result), "", *status_table(result)])


def sync_summary_line(result: RunResult) -> str:
    """The one line a seller reads after a run: '42 returns checked · 3 emails sent · 2 need your attention · saved x'."""
    attention = sum(
        n for label, n in result.counts.items() if label not in (Status.DONE.value, Status.AWAITING_ITEM.value)
    )
    sent = sum(1 for e in result.emails if e.result in ("sent", "outbox"))
    parts = [f"{result.returns} returns checked"]
    if result.emails:
        outboxed = sum(1 for e in result.emails if e.result == "outbox")
        verb = "written to the outbox" if sent and outboxed == sent else "sent"
        parts.append(f"{sent} email{'s' if sent != 1 else ''} {verb}")
    parts.append(f"{attention} need{'s' if attention == 1 else ''} your attention")
    if result.failures:
        parts.append(f"{len(result.failures)} failed")
    parts.append(f"saved {result.source}" if result.written else "nothing written")
    return " · ".join(parts)


def sync_report(result: RunResult, dry_run: bool) -> str:
    lines = []
    if result.problems:
        lines += [*problems_table(result, limit=50), ""]
    if result.emails:
        rows = [[e.return_id, e.kind, e.to, e.result] for e in result.emails]
        lines += [f"Emails ({len(result.emails)})", *table(["Return", "Email", "To", "Result"], rows), ""]
    if dry_run and result.changes:
        rows = [[k.replace("_", " "), v] for k, v in result.changes.items()]
        lines += ["Would change", *table(["What", "How many"], rows, right={1}), ""]
    for failure in result.failures:
        lines.append(f"Failed: {failure}")
    lines.append(sync_summary_line(result))
    return "\n".join(lines)

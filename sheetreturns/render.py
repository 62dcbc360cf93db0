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

"""Results as text for a terminal: aligned tables a seller can read."""
from __future__ import annotations

from ..engine.model import Status
from ..results import RunResult
from .render_text import one_line

MAX_PROBLEM_ROWS = 200


def table(headers: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> list[str]:
    cells = [[one_line(c) for c in row] for row in rows]
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
    lines = [head, ""]
    if result.sales_export:
        lines += [f"Not a returns sheet? {result.sales_export}", ""]
    lines += [*problems_table(result), "", *status_table(result)]
    if result.columns is not None:
        lines += ["", *columns_table(result.columns)]
    if result.left_alone:
        lines += ["", *left_alone_table(result.left_alone)]
    if result.notes:
        lines += ["", *result.notes]
    return "\n".join(lines)


def columns_table(columns: dict) -> list[str]:
    """Which of the sheet's headers the job reads, for what, and which it ignores."""
    title = f"Columns (header on row {columns['header_row']}"
    title += f", recognised as the {columns['layout_title']})" if columns.get("layout_title") else ")"
    rows = [[c["header"], c["cell"], c["for"]] for c in columns["used"]]
    out = [title, *table(["Header", "Cell", "Read as"], rows)]
    if columns["ignored"]:
        out.append("  Ignored: " + ", ".join(columns["ignored"]))
    return out


def left_alone_table(rows: list[tuple[int, str]], limit: int = 20) -> list[str]:
    out = [f"Rows left alone ({len(rows)}): not returns", *table(["Row", "Why"], [[r, w] for r, w in rows[:limit]])]
    if len(rows) > limit:
        out.append(f"  ... and {len(rows) - limit} more (use --json for all of them)")
    return out


def plural(n: int, noun: str, many: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (many or noun + 's')}"


def summary_line(data: dict, dry_run: bool = False) -> str:
    """The one line a seller reads after a run, from a sync's JSON object (so a scheduler can build it too).

    '42 returns checked · 3 emails sent · 2 need your attention · saved returns.xlsx'
    """
    outcomes = [e.get("outcome") for e in data.get("emails", [])]
    sent, outboxed, would = outcomes.count("sent"), outcomes.count("outbox"), outcomes.count("would-send")
    failed = outcomes.count("failed") + outcomes.count("unconfirmed")
    waiting = outcomes.count("waiting")
    held = outcomes.count("held")
    parts = [f"{plural(data.get('returns', 0), 'return')} checked"]
    if sent:
        parts.append(f"{plural(sent, 'email')} sent")
    if outboxed:
        parts.append(f"{plural(outboxed, 'email')} written to the outbox")
    if would:
        parts.append(f"{plural(would, 'email')} would be sent")
    if failed:
        parts.append(f"{plural(failed, 'email')} failed")
    if waiting:
        parts.append(f"{plural(waiting, 'email')} left for the next run")
    if held:
        parts.append(f"{plural(held, 'email')} held (sync --send-backlog sends them)")
    if not (sent or outboxed or would or failed or waiting or held):
        parts.append("no emails due")
    attention = data.get("attention", 0)
    parts.append(f"{attention} need{'s' if attention == 1 else ''} your attention" if attention
                 else "nothing needs your attention")
    other_failures = sum(1 for f in data.get("failures", []) if f.get("kind") != "email")
    if other_failures > 0:
        parts.append(f"{plural(other_failures, 'failure')} (see above)")
    if dry_run:
        parts.append("nothing written (dry run)")
    else:
        parts.append(f"saved {data.get('source')}" if data.get("written")
                     else "no changes: not saved" if data.get("unchanged") else "nothing written")
    return " · ".join(parts)


def sync_summary_line(result: RunResult, dry_run: bool = False) -> str:
    return summary_line(result.as_json(), dry_run)


def sync_report(result: RunResult, dry_run: bool) -> str:
    lines = []
    if result.problems:
        lines += [*problems_table(result, limit=50), ""]
    if result.counts:
        lines += [*status_table(result), ""]
    if result.emails:
        rows = [[e.return_id, e.kind, e.to, e.result] for e in result.emails]
        lines += [f"Emails ({len(result.emails)})", *table(["Return", "Email", "To", "Result"], rows), ""]
    if dry_run and result.changes:
        rows = [[k.replace("_", " "), v] for k, v in result.changes.items()]
        lines += ["Would change", *table(["What", "How many"], rows, right={1}), ""]
    if result.left_alone:
        lines += [*left_alone_table(result.left_alone, limit=10), ""]
    lines += [one_line(note) for note in result.notes]
    for failure in result.failures:
        lines.append(f"Failed: {one_line(failure)}")
    lines.append(sync_summary_line(result, dry_run))
    return "\n".join(lines)


def setup_report(report) -> str:
    """`config check`: one line per thing checked, then what to do."""
    width = max(len(i.name) for i in report.items)
    out = []
    for item in report.items:
        mark = {True: "ok", False: "FAIL", None: "-"}[item.ok]
        out.append(f"  {item.name.ljust(width)}  {mark.ljust(4)}  {item.message}")
    failed = len(report.failed)
    out.append("")
    out.append("All good. Nothing was sent or written." if not failed else
               f"{failed} check{'s' if failed != 1 else ''} failed: fix {'it' if failed == 1 else 'them'} and run "
               f"sheetreturns config check again. Nothing was sent or written.")
    return "\n".join(out)

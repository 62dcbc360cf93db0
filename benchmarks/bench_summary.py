"""The Summary on generated workbooks next to `check` of the same file (the read and evaluation it starts from).

Target: at 100k rows the Summary (figures, tab, and drawing it with openpyxl) adds less
than the time of `check` itself, so a sync with a Summary costs at most twice a check.
"+key": the digest of the Summary's inputs that every sync works out (an unchanged one skips the rest).
Usage: python benchmarks/bench_summary.py [ROWS ...]   (default: 10000 100000)
"""
from __future__ import annotations

import sys

from generate import build
from measure import compare

SETUP = """
from datetime import date, datetime
from sheetreturns import check
from sheetreturns.summary import compute, summary_tab
from openpyxl import Workbook
from sheetreturns.excel.draw_tab import render_tab
"""
CHECK = """
result = check(PATH, as_of=date(2026, 11, 26), config=None)
assert result.rows > 0
"""
KEY = CHECK + """
from sheetreturns.engine.policy import Policy
from sheetreturns.summary.known import summary_key
assert len(summary_key(result.evaluation, Policy(), [])) == 32
"""
FIGURES = CHECK + """
from sheetreturns.engine.policy import Policy
figures = compute(result.evaluation, Policy())
assert figures.rows > 0
"""
TAB = CHECK + """
from sheetreturns.engine.policy import Policy
tab = summary_tab(result.evaluation, Policy(), datetime(2026, 11, 26, 7, 0))
wb = Workbook()
render_tab(tab, wb.active, "£")
import io
wb.save(io.BytesIO())
"""


def main(sizes: list[int]) -> None:
    print(f"{'rows':>8}  {'check':>8}  {'+key':>7}  {'+figures':>9}  {'+tab+xlsx':>10}  {'added':>6}  {'check MB':>9}  "
          f"{'tab MB':>7}")
    for size in sizes:
        path = build(size)
        setup = f"PATH = {str(path)!r}\n" + SETUP
        runs = {"check": CHECK, "key": KEY, "figures": FIGURES, "tab": TAB}
        results = compare({name: (setup, body) for name, body in runs.items()}, repeat=3)
        check, key, figures, tab = results["check"], results["key"], results["figures"], results["tab"]
        added = (tab["seconds"] - check["seconds"]) / check["seconds"]
        print(f"{size:>8}  {check['seconds']:>7.2f}s  {key['seconds']:>6.2f}s  {figures['seconds']:>8.2f}s  "
              f"{tab['seconds']:>9.2f}s  {added:>5.0%}  {check['peak_mb']:>9.0f}  {tab['peak_mb']:>7.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10000, 100000])

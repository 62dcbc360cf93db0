"""`check` on generated workbooks next to a bare python-calamine read of the same file, in the same run.

Target: `check` of 100k rows within 1.5x the bare read time. The check's time includes the size check before
calamine reads (per 4 MB of the tab's XML: six regular-expression searches, each starting with a literal, and
a few finds of single characters; a search for every spelling of r= only in a chunk with a space or quote
around an "="; a walk of every row and cell only for a tab with cells written without a reference), which
the bare read does not do.
Usage: python benchmarks/bench_check.py [ROWS ...]   (default: 10000 100000)
"""
from __future__ import annotations

import sys

from generate import build
from measure import compare

BARE_SETUP = "import python_calamine"
BARE = """
book = python_calamine.CalamineWorkbook.from_path(PATH)
rows = book.get_sheet_by_name("Returns").to_python()
"""
CHECK_SETUP = "from datetime import date\nfrom sheetreturns import check"
CHECK = """
result = check(PATH, as_of=date(2026, 11, 26), config=None)
assert result.rows > 0
"""


def main(sizes: list[int]) -> None:
    print(f"{'rows':>8}  {'calamine read':>14}  {'check':>8}  {'ratio':>6}  {'read MB':>8}  {'check MB':>9}")
    for size in sizes:
        path = build(size)
        setup = f"PATH = {str(path)!r}"
        results = compare({
            "bare": (setup + "\n" + BARE_SETUP, BARE),
            "check": (setup + "\n" + CHECK_SETUP, CHECK),
        })
        bare, ours = results["bare"], results["check"]
        ratio = ours["seconds"] / bare["seconds"]
        print(f"{size:>8}  {bare['seconds']:>13.2f}s  {ours['seconds']:>7.2f}s  {ratio:>5.2f}x  "
              f"{bare['peak_mb']:>8.0f}  {ours['peak_mb']:>9.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10000, 100000])

"""Reading a sheet with a progress callback next to the same read without one, in the same run.

Target: the progress bar costs under 2% of the read + evaluate time at 100k rows.
Usage: python benchmarks/bench_progress.py [ROWS ...]   (default: 100000)
"""
from __future__ import annotations

import sys

from generate import build
from measure import compare

SETUP = """
from datetime import date
from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.progress import Reporter
updates = []
"""
PLAIN = """
loaded = loading.load(PATH, date(2026, 11, 26), Config())
assert loaded.evaluation.lines
"""
WITH_PROGRESS = """
loaded = loading.load(PATH, date(2026, 11, 26), Config(), Reporter(updates.append))
assert len(updates) > 2
"""


WRAPPER_SETUP = """
from sheetreturns.progress import Reporter
rows = [[1] * 20 for _ in range(ROWS)]
def consume(items):
    for _ in items:
        pass
"""
WRAPPER_PLAIN = """
for _ in range(20):
    consume(iter(rows))
"""
WRAPPER_COUNTED = """
for _ in range(20):
    consume(Reporter(lambda update: None).count(iter(rows), "Reading: {n} rows"))
"""


def main(sizes: list[int]) -> None:
    print(f"{'rows':>8}  {'no progress':>12}  {'progress':>9}  {'cost':>6}  {'MB':>5}  {'MB progress':>11}")
    for size in sizes:
        setup = f"PATH = {str(build(size))!r}" + SETUP
        results = compare({"plain": (setup, PLAIN), "progress": (setup, WITH_PROGRESS)}, repeat=7)
        plain, ours = results["plain"], results["progress"]
        cost = ours["seconds"] / plain["seconds"] - 1
        print(f"{size:>8}  {plain['seconds']:>11.3f}s  {ours['seconds']:>8.3f}s  {cost:>+6.1%}  "
              f"{plain['peak_mb']:>5.0f}  {ours['peak_mb']:>11.0f}")
        # On a busy machine the whole-read figures above swing by more than the bar costs; the row
        # counter alone, timed over the same number of rows, is the cost that matters.
        wrapper_setup = f"ROWS = {size}" + WRAPPER_SETUP
        alone = compare({"plain": (wrapper_setup, WRAPPER_PLAIN), "counted": (wrapper_setup, WRAPPER_COUNTED)})
        extra = (alone["counted"]["seconds"] - alone["plain"]["seconds"]) / 20
        print(f"{'':>8}  row counter alone: +{extra * 1000:.1f} ms per read of {size:,} rows "
              f"= {extra / plain['seconds']:.2%} of the read without progress")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100000])

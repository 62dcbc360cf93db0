"""The size check before calamine reads a tab (excel/limits.py, with the error-cell scan fed the same chunks), beside
a bare inflate of the same part, in the same run.

What it costs over the inflate is the price of the searches: per 4 MB of the tab's XML, six regular-expression
searches that start with a literal and a few C-speed finds of single characters. Figures are CPU seconds
(process_time) of fresh processes run interleaved, best of 7, so a busy shared machine moves them less than
wall time.
Usage: python benchmarks/bench_size_check.py [ROWS]   (default 100000)
"""
from __future__ import annotations

import json
import subprocess
import sys

from generate import build
from measure import ROOT

PART = "xl/worksheets/sheet1.xml"
CODE = """
import sys, time, json, zipfile
sys.path.insert(0, {root!r})
from sheetreturns.excel.limits import CHUNK, Limits, check_sheet_extent
from sheetreturns.excel.package import ErrorCells
book = zipfile.ZipFile({path!r})
start = time.process_time()
if {check}:
    errors = ErrorCells()
    check_sheet_extent(book, {part!r}, "book.xlsx", "Returns", Limits(), feed=errors.feed)
    errors.finish()
else:
    with book.open({part!r}) as handle:
        while handle.read(CHUNK):
            pass
print(json.dumps(time.process_time() - start))
"""


def best(path, check: bool, runs: list[float]) -> None:
    code = CODE.format(root=str(ROOT), path=str(path), part=PART, check=check)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    runs.append(json.loads(done.stdout.strip().splitlines()[-1]))


def main(size: int) -> None:
    path = build(size)
    inflate: list[float] = []
    check: list[float] = []
    for _ in range(7):
        best(path, False, inflate)
        best(path, True, check)
    bare, ours = min(inflate), min(check)
    print(f"{'rows':>8}  {'inflate':>8}  {'size check':>10}  {'searches':>8}  {'ratio':>6}")
    print(f"{size:>8}  {bare:>7.3f}s  {ours:>9.3f}s  {ours - bare:>7.3f}s  {ours / bare:>5.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100000)

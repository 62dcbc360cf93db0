"""The stages of a `check` (and of a sync's evaluation) beside a bare python-calamine read, in the same run.

Inside a real load, each as wall time and CPU time (CPU time is steadier on a shared machine):
  open, header search   opening the file, finding the Returns tab's header (a small tab is read whole here);
  read      the sheet's rows pulled from the reader (calamine, the size check, the pieces turned into Python
            values), all of them before any is typed;
  typing    build_lines on those rows (rows -> typed Lines);
  evaluate  with and without the emails due.
In a real run the read and the typing overlap (rows are typed as they arrive); here they are taken apart so
that each stage shows on its own. Measured on the plain generated workbook and on the varied one
(bench_unchanged.build_varied: text dates, blank cells, returns of several rows, 10% problems).
Best of 3 fresh processes, interleaved with the bare read.
Usage: python benchmarks/bench_stages.py [ROWS ...]   (default 100000)
"""
from __future__ import annotations

import json
import subprocess
import sys

from bench_unchanged import build_varied
from generate import build
from measure import ROOT

BARE = """
import json, time, python_calamine
wall, cpu = time.perf_counter(), time.process_time()
book = python_calamine.CalamineWorkbook.from_path(PATH)
rows = book.get_sheet_by_name("Returns").to_python()
print(json.dumps({"bare read": [time.perf_counter() - wall, time.process_time() - cpu]}))
"""
STAGES = """
import json, sys, time
sys.path.insert(0, ROOT)
from datetime import date
from sheetreturns import loading
from sheetreturns.api import _config
found = {}

def timed(name, work):
    def run(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return work(*args, **kwargs)
        finally:
            found[name + (" (emails due too)" if kwargs.get("emails") else "")] = [
                time.perf_counter() - wall, time.process_time() - cpu]
    return run

typing = timed("typing (build_lines)", loading.build_lines)


def build_lines(rows, *args, **kwargs):
    rows = timed("read (rows pulled)", list)(rows)
    return typing(rows, *args, **kwargs)


def open_workbook(*args, **kwargs):
    workbook = timed("open", loading_open)(*args, **kwargs)
    workbook.returns_tab = timed("header search", workbook.returns_tab)
    return workbook


loading_open = loading.open_workbook
loading.open_workbook = open_workbook
loading.build_lines = build_lines
loading.evaluate = timed("evaluate", loading.evaluate)
loaded = loading.load(PATH, date(2026, 11, 26), _config(None), emails=EMAILS)
loaded.workbook.close()
print(json.dumps(found))
"""


def _run(code: str) -> dict[str, list[float]]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(sizes: list[int], repeat: int = 3) -> None:
    for size in sizes:
        for kind, path in (("plain", build(size)), ("varied", build_varied(size))):
            setup = f"PATH = {str(path)!r}\nROOT = {str(ROOT)!r}\n"
            best: dict[str, list[float]] = {}
            for _ in range(repeat):
                for code in (setup + BARE, setup + "EMAILS = False\n" + STAGES, setup + "EMAILS = True\n" + STAGES):
                    for name, (wall, cpu) in _run(code).items():
                        old = best.setdefault(name, [wall, cpu])
                        old[0], old[1] = min(old[0], wall), min(old[1], cpu)
            bare = best.pop("bare read")
            print(f"{size} rows, {kind} workbook: bare calamine read {bare[0]:.2f} s wall, {bare[1]:.2f} s CPU")
            for name, (wall, cpu) in best.items():
                print(f"  {name:28} {wall:6.2f} s wall ({wall / bare[0]:.2f}x the read)  {cpu:6.2f} s CPU "
                      f"({cpu / bare[1]:.2f}x)")
            ours = best["typing (build_lines)"][1] + best["evaluate"][1]
            print(f"  typing + evaluate (check): {ours:.2f} s CPU, {ours / bare[1]:.2f}x the read's CPU")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100000])

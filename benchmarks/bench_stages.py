"""The Python stages of a `check` (and of a sync's evaluation) beside a bare python-calamine read, in the same run.

Times build_lines (rows -> typed Lines; calamine's rows are turned into Python values as it pulls them) and
evaluate (with and without the emails due) inside a real load of the generated workbook, each as wall time and
CPU time (CPU time is steadier on a shared machine). Best of 3 fresh processes, interleaved with the bare read.
Target: build_lines + evaluate of 100k rows a fraction of the bare read.
Usage: python benchmarks/bench_stages.py [ROWS ...]   (default 100000)
"""
from __future__ import annotations

import json
import subprocess
import sys

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

loading.build_lines = timed("build_lines", loading.build_lines)
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
        setup = f"PATH = {str(build(size))!r}\nROOT = {str(ROOT)!r}\n"
        best: dict[str, list[float]] = {}
        for _ in range(repeat):
            for code in (setup + BARE, setup + "EMAILS = False\n" + STAGES, setup + "EMAILS = True\n" + STAGES):
                for name, (wall, cpu) in _run(code).items():
                    old = best.setdefault(name, [wall, cpu])
                    old[0], old[1] = min(old[0], wall), min(old[1], cpu)
        bare = best.pop("bare read")
        print(f"{size} rows: bare calamine read {bare[0]:.2f} s wall, {bare[1]:.2f} s CPU")
        for name, (wall, cpu) in best.items():
            print(f"  {name:28} {wall:6.2f} s wall ({wall / bare[0]:.2f}x the read)  {cpu:6.2f} s CPU "
                  f"({cpu / bare[1]:.2f}x)")
        both = best["build_lines"][1] + best["evaluate"][1]
        print(f"  build_lines + evaluate (check): {both:.2f} s CPU, {both / bare[1]:.2f}x the read's CPU")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100000])

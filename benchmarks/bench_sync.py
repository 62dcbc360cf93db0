"""`sync` of generated workbooks next to a bare openpyxl load_workbook + save of the same file, same run.

Targets: at 100k rows, sync <= 0.15x the openpyxl round-trip time and <= 0.5x its peak memory; the
1,048,576-row workbook (Excel's maximum: a header and 1,048,575 returns) syncs within 1.5 GB.
Usage: python benchmarks/bench_sync.py [ROWS ...]      (default: 10000 100000)
       python benchmarks/bench_sync.py 1048575 --no-baseline   (sync only: openpyxl needs ~10 GB there)
"""
from __future__ import annotations

import sys

from generate import build
from measure import compare

SETUP = """
import shutil, tempfile, pathlib
work = pathlib.Path(tempfile.mkdtemp(prefix="bench-sync-"))
TARGET = str(shutil.copy({path!r}, work / "returns.xlsx"))
import atexit; atexit.register(shutil.rmtree, work, True)
"""
OPENPYXL = """
import openpyxl
book = openpyxl.load_workbook(TARGET)
book.save(TARGET)
"""
SYNC = """
from datetime import date
from pathlib import Path
from sheetreturns import api
from sheetreturns.settings.config_file import Config
# The default [limits]: a 1,048,575-row sheet of 25 columns (~1,070 MB of XML) is within them.
config = Config(state_dir=Path(TARGET).parent / "state", backups=0)
result = api.sync(TARGET, as_of=date(2026, 11, 26), config=config)
assert result.written
"""


def main(sizes: list[int], baseline: bool, repeat: int) -> None:
    print(f"{'rows':>9}  {'openpyxl':>9}  {'sync':>8}  {'time ratio':>10}  {'openpyxl MB':>11}  {'sync MB':>8}  {'memory ratio':>12}")
    for size in sizes:
        path = build(size)
        setup = SETUP.format(path=str(path))
        candidates = {"sync": (setup, SYNC)}
        if baseline:
            candidates = {"openpyxl": (setup, OPENPYXL), **candidates}
        results = compare(candidates, repeat=repeat)
        ours = results["sync"]
        if baseline:
            base = results["openpyxl"]
            print(f"{size:>9}  {base['seconds']:>8.1f}s  {ours['seconds']:>7.1f}s  {ours['seconds'] / base['seconds']:>9.2f}x"
                  f"  {base['peak_mb']:>11.0f}  {ours['peak_mb']:>8.0f}  {ours['peak_mb'] / base['peak_mb']:>11.2f}x")
        else:
            print(f"{size:>9}  {'-':>9}  {ours['seconds']:>7.1f}s  {'-':>10}  {'-':>11}  {ours['peak_mb']:>8.0f}  {'-':>12}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main([int(a) for a in args] or [10000, 100000], baseline="--no-baseline" not in sys.argv,
         repeat=1 if "--once" in sys.argv else 3)

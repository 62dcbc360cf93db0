"""Import speed: a report download of 100,000 lines, read and understood, against a bare `csv` read of it.

    python benchmarks/bench_import.py [--lines 100000]

1. The Amazon FBA customer returns report (tab-separated, the real header row, invented values):
   `sheetreturns import` reading it as it does before touching the sheet (decode, find the layout, turn
   every line into a record with its natural key, typed dates, conditions and reasons). Baseline, same
   run: `csv.reader` over the same file, only splitting it into cells. Target: within 3x.
2. For scale, the whole import of the same file into a copy of the bundled example workbook (every
   line a new row: read the sheet, match, append 100,000 rows, write the Import Log, save), shown with
   its ratio to the same baseline. No target: writing a workbook is the writer's cost, measured by
   bench_sync.py.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import compare  # noqa: E402

TARGET_RATIO = 3.0
DISPOSITIONS = ("SELLABLE", "DEFECTIVE", "CUSTOMER_DAMAGED", "CARRIER_DAMAGED", "DAMAGED", "SELLABLE")
REASONS = ("UNWANTED_ITEM", "DEFECTIVE", "NOT_AS_DESCRIBED", "ORDERED_WRONG_ITEM", "FOUND_BETTER_PRICE")


def build_report(path: Path, count: int) -> Path:
    from tests.marketplace_reports import fba_returns_text

    rows = []
    for n in range(count):
        day = f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}T{n % 24:02d}:{n % 60:02d}:{n % 59:02d}+00:00"
        rows.append((day, f"202-{n % 9_000_000 + 1_000_000:07d}-{n:07d}", f"SKU-{n % 700:04d}",
                     f"Product number {n % 700}", 1 + n % 3 // 2, DISPOSITIONS[n % 6], REASONS[n % 5],
                     "Unit returned to inventory", f"LPNRR{n:010d}"))
    path.write_text(fba_returns_text(rows), encoding="utf-8")
    return path


BASELINE = """
import csv
with open({path!r}, encoding="utf-8", newline="") as handle:
    rows = list(csv.reader(handle, delimiter="\\t"))
assert len(rows) == {lines} + 1
"""
READ = """
from sheetreturns.imports.record import parse_file
parsed = parse_file({path!r})
assert len(parsed.records) == {lines}
"""
IMPORT_SETUP = """
import shutil
from sheetreturns.imports.record import import_files
from sheetreturns.settings.config_file import Config
book = {folder!r} + "/returns-" + str(__import__("os").getpid()) + ".xlsx"
shutil.copy({example!r}, book)
config = Config(state_dir=__import__("pathlib").Path({folder!r}) / ("state-" + str(__import__("os").getpid())))
"""
IMPORT = """
result = import_files(book, [{path!r}], config)
assert result.rows_added == {lines}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-full", action="store_true", help="only the reading (part 1)")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as folder:
        path = str(build_report(Path(folder) / "fba-customer-returns.txt", args.lines))
        size = Path(path).stat().st_size / 1e6
        print(f"FBA customer returns report: {args.lines:,} lines, {size:.1f} MB")
        values = {"path": path, "lines": args.lines}
        got = compare({"csv": ("", BASELINE.format(**values)), "import": ("", READ.format(**values))}, args.repeat)
        base, ours = got["csv"]["seconds"], got["import"]["seconds"]
        ratio = ours / base
        print(f"  bare csv read          {base:7.2f} s   peak {got['csv']['peak_mb']:6.0f} MB")
        print(f"  import: read + records {ours:7.2f} s   peak {got['import']['peak_mb']:6.0f} MB   "
              f"{ratio:.2f}x csv (target <= {TARGET_RATIO:g}x) {'ok' if ratio <= TARGET_RATIO else 'MISSED'}")
        if not args.skip_full:
            setup = IMPORT_SETUP.format(folder=folder, example=str(root / "examples" / "returns.xlsx"))
            full = compare({"full": (setup, IMPORT.format(**values))}, 1)["full"]
            print(f"  whole import into the example workbook (appends {args.lines:,} rows and saves): "
                  f"{full['seconds']:.2f} s, peak {full['peak_mb']:.0f} MB, {full['seconds'] / base:.1f}x csv")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())

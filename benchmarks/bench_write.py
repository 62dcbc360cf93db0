"""The Excel writer's own stage, apart from reading, evaluating and the generated tabs: `write_workbook` applying
a real sync's plan to the Returns tab only, next to a bare zip round trip of the same workbook (every part
unzipped and zipped again, the sheet at the writer's level), in the same process.

Two plans: a first sync of the generated workbook (the job's columns added to every row), and a sync of the
synced file a fortnight later (every row's job cells compared, a few thousand changed).
Usage: python benchmarks/bench_write.py [ROWS] [REPEAT]      (default: 100000 3)
"""
from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

from generate import build

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheetreturns import api  # noqa: E402
from sheetreturns.excel import writer  # noqa: E402
from sheetreturns.excel.package_editor import STREAMED_LEVEL  # noqa: E402
from sheetreturns.excel.safe_save import Fingerprint  # noqa: E402
from sheetreturns.settings.config_file import Config  # noqa: E402
from sheetreturns.sheet.write_plan import JobRows  # noqa: E402


class _Captured(Exception):
    pass


def plan_of(workbook: Path, as_of: date, work: Path):
    """The plan and arguments a sync of `workbook` hands the writer (the sync stops there, nothing written)."""
    real, seen = writer.write_workbook, {}

    def capture(path, plan, **kwargs):
        seen.update(plan=plan, kwargs=kwargs)
        raise _Captured

    writer.write_workbook = capture
    try:
        api.sync(workbook, as_of=as_of, config=Config(state_dir=work / "state", backups=0))
    except _Captured:
        pass
    finally:
        writer.write_workbook = real
    return seen["plan"], seen["kwargs"]


def returns_only(plan):
    """The plan without generated tabs, its rows as the sync made them (a fresh JobRows each time)."""
    rows = plan.rows
    if isinstance(rows, JobRows) and rows.as_columns is not None:
        rows = JobRows(*rows.as_columns)
    return dataclasses.replace(plan, rows=rows, tabs=[])


def time_write(source: Path, plan, kwargs: dict, work: Path) -> tuple[float, float, Path]:
    target = shutil.copy(source, work / "target.xlsx")
    kwargs = dict(kwargs, fingerprint=Fingerprint.of(Path(target)), backups=0, before_write=None)
    start, cpu = time.perf_counter(), time.thread_time()
    writer.write_workbook(Path(target), returns_only(plan), **kwargs)
    return time.perf_counter() - start, time.thread_time() - cpu, Path(target)


def time_zip_round_trip(source: Path, work: Path) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(work / "copy.xlsx", "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            if info.file_size > 1 << 20:
                copy._compresslevel = STREAMED_LEVEL  # as the writer does for the sheet it streams
            with old.open(info) as src, new.open(copy, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
    return time.perf_counter() - start


def main(rows: int, repeat: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-write-"))
    try:
        first = build(rows)
        first_plan = plan_of(shutil.copy(first, work / "first.xlsx"), date(2026, 11, 26), work)
        _, _, synced = time_write(first, *first_plan, work)
        synced = shutil.copy(synced, work / "synced.xlsx")
        later_plan = plan_of(shutil.copy(synced, work / "later.xlsx"), date(2026, 12, 10), work)
        print(f"{'plan':>12}  {'zip round trip':>14}  {'write':>7}  {'main-thread CPU':>15}  {'ratio':>6}")
        for name, source, (plan, kwargs) in (("first sync", first, first_plan), ("a later one", synced, later_plan)):
            base = min(time_zip_round_trip(source, work) for _ in range(repeat))
            runs = [time_write(source, plan, kwargs, work)[:2] for _ in range(repeat)]
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            print(f"{name:>12}  {base:>13.2f}s  {wall:>6.2f}s  {cpu:>14.2f}s  {wall / base:>5.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 100000, args[1] if len(args) > 1 else 3)

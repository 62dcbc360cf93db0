"""check, sync and an unchanged re-sync on a varied generated workbook, each beside its baseline in the same run.

The workbook has what sellers' sheets have: dates typed as text, blank cells, returns of several rows,
and about 10% of rows with a problem. Ratios printed:
  check / bare python-calamine read          (target <= 1.5x)
  sync / openpyxl load + save                  (target <= 0.15x)
  unchanged re-sync / check of the same file   (target <= 1.2x)
and the seconds the re-sync takes beyond the check (its own work: what a faster check leaves it).
Emails are off (the sheet work is measured, as in the Google request-budget test).
Each reading figure is the best of REPEAT interleaved runs (bare, check, re-sync, bare, ...): the machine's
neighbours move single runs by +-15%, and the best run is the one they disturbed least.
Usage: python benchmarks/bench_unchanged.py [ROWS] [--repeat N]   (defaults 100000, 5)
"""
from __future__ import annotations

import random
import shutil
import sys
from datetime import date
from pathlib import Path

from generate import DATE_COLUMNS as DATES, OUT, rows, write_workbook
from measure import compare

OPTIONAL = {3, 6, 10, 11, 19, 20, 21, 22, 23, 24}


def varied_rows(count: int, seed: int = 11):
    rng = random.Random(seed)
    previous = None
    for values in rows(count, seed):
        values = list(values)
        if previous is not None and rng.random() < 0.15:  # a second product of the same return
            values[0], values[1], values[3], values[4] = previous[0], previous[1], previous[3], previous[4]
        for index in DATES:
            if isinstance(values[index], date) and rng.random() < 0.1:
                day = values[index]
                values[index] = day.strftime("%d/%m/%Y") if rng.random() < 0.5 else day.isoformat()
        for index in OPTIONAL:
            if rng.random() < 0.05:
                values[index] = None
        roll = rng.random()
        if roll < 0.03:
            values[4] = "no-at-sign.example.com"  # a bad address
        elif roll < 0.06:
            values[7] = 0  # a quantity of nought
        elif roll < 0.08:
            values[9] = "sometime"  # an unreadable date
        elif roll < 0.10 and values[12] is not None:
            values[13] = (values[13] or 1) + 5  # more received than returned
        previous = values
        yield values


def build_varied(count: int) -> Path:
    return write_workbook(OUT / f"varied_{count}.xlsx", varied_rows(count), (("emails_enabled", "none"),))


CONFIG = """
from datetime import date, datetime
from pathlib import Path
import shutil
from sheetreturns import api
from sheetreturns.settings.config_file import Config
config = Config(state_dir=Path(STATE), backups=0)
"""
BARE = """
book = python_calamine.CalamineWorkbook.from_path(PATH)
rows = book.get_sheet_by_name("Returns").to_python()
"""
CHECK = "result = api.check(PATH, as_of=date(2026, 11, 26), config=config)\nassert result.rows > 0\n"
SYNC = "result = api.sync(COPY, as_of=date(2026, 11, 26), config=config, now=datetime(2026, 11, 26, 9))\nassert result.written\n"
RESYNC = ("result = api.sync(SYNCED, as_of=date(2026, 11, 26), config=config, now=datetime(2026, 11, 26, 9, 15))\n"
          "assert result.unchanged, result.changes\n")
OPENPYXL = "book = openpyxl.load_workbook(COPY)\nbook.save(COPY)\n"


def main(count: int, repeat: int = 5) -> None:
    source = build_varied(count)
    work = OUT / f"varied_{count}_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    synced, state = work / "synced.xlsx", work / "state"
    shutil.copyfile(source, synced)
    setup = f"PATH, COPY, SYNCED, STATE = {str(synced)!r}, {str(work / 'copy.xlsx')!r}, {str(synced)!r}, {str(state)!r}"
    fresh = f"shutil.copyfile({str(source)!r}, {str(work / 'copy.xlsx')!r})"
    # The first sync of the copy that the check and the re-sync then read.
    compare({"prime": (setup + CONFIG, "api.sync(SYNCED, as_of=date(2026, 11, 26), config=config, now=datetime(2026, 11, 26, 9))")}, 1)
    reading = compare({
        "bare": (setup + "\nimport python_calamine", BARE),
        "check": (setup + CONFIG, CHECK),
        "resync": (setup + CONFIG, RESYNC),
    }, repeat=repeat)
    writing = compare({
        "openpyxl": (setup + "\nimport openpyxl, shutil\n" + fresh, OPENPYXL),
        "sync": (setup + CONFIG + fresh + f"\nshutil.rmtree({str(state / 'sync')!r}, ignore_errors=True)\n"
                 f"config = Config(state_dir=Path({str(state / 'sync')!r}), backups=0)", SYNC),
    }, repeat=1)
    shutil.rmtree(work, ignore_errors=True)
    bare, check, resync = (reading[k]["seconds"] for k in ("bare", "check", "resync"))
    slow, sync = writing["openpyxl"]["seconds"], writing["sync"]["seconds"]
    print(f"{count:,} rows (varied: text dates, blanks, multi-row returns, ~10% problems)")
    print(f"  bare calamine read   {bare:7.2f}s")
    print(f"  check                {check:7.2f}s   {check / bare:5.2f}x the bare read     (target <= 1.5x)")
    print(f"  openpyxl load+save   {slow:7.2f}s")
    print(f"  sync                 {sync:7.2f}s   {sync / slow:5.2f}x openpyxl load+save (target <= 0.15x)")
    print(f"  unchanged re-sync    {resync:7.2f}s   {resync / check:5.2f}x the check            (target <= 1.2x)")
    print(f"  re-sync beyond the check {resync - check:5.2f}s   (plan, Summary key, no-change test: what a faster "
          f"check leaves)")
    print(f"  peak MB: check {reading['check']['peak_mb']:.0f}, re-sync {reading['resync']['peak_mb']:.0f}, "
          f"sync {writing['sync']['peak_mb']:.0f}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    repeat = 5
    if "--repeat" in arguments:
        at = arguments.index("--repeat")
        repeat = int(arguments[at + 1])
        del arguments[at:at + 2]
    main(int(arguments[0]) if arguments else 100_000, repeat)

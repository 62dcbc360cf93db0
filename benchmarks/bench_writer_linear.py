"""The streaming sheet writer is linear in the size of the part it rewrites, however the bytes are laid out.

A Returns tab is padded to 1x, 4x and 16x a base size (default 16 MB inflated, so 16 / 64 / 256 MB) in two
ways a hostile or odd file can be: one long comment between two rows ("gap": nothing the writer looks for
appears for a long way), and one huge cell inside a row ("cell": the row's end is far away). Each is
rewritten by `rewrite_sheet` (the code `sync` runs, with one cell edited) into nothing, next to a bare
inflate of the same part in the same process (the floor: reading the part at all). Linear means the
writer's seconds per MB, and its ratio to the bare inflate, stay flat from 1x to 16x; the quadratic
search this replaces took 4x longer per MB at every 2x in size.

Usage: python benchmarks/bench_writer_linear.py [BASE_MB] [--sizes 1,4,16] [--layouts gap,cell]
       e.g. python benchmarks/bench_writer_linear.py 256 --sizes 1,4,16 --layouts gap   (256 MB, 1 GB, 4 GB)
       ("cell" holds the one huge row in memory, as editing a row must: give it the memory of its size)
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sheetreturns.excel.cells import SharedStrings  # noqa: E402
from sheetreturns.excel.styles import StyleBook  # noqa: E402
from sheetreturns.excel.worksheet_stream import SheetEdits, rewrite_sheet  # noqa: E402

EXAMPLE = ROOT / "examples" / "returns.xlsx"
SHEET = "xl/worksheets/sheet1.xml"
MB = 1 << 20


class Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)


def padded(target: Path, megabytes: int, how: str) -> Path:
    """The example workbook with its Returns tab grown by `megabytes` MB of padding, written as a stream."""
    with zipfile.ZipFile(EXAMPLE) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename != SHEET:
                new.writestr(item, data)
                continue
            # after the second row: a comment between rows, or a long inline-string cell at the end of a row
            cut = data.index(b"</row>", data.index(b"</row>") + 1) + len(b"</row>")
            if how == "gap":
                head, open_, close, tail = data[:cut], b"<!--", b"-->", data[cut:]
            else:
                row_end = cut - len(b"</row>")
                head, tail = data[:row_end], data[row_end:]
                open_, close = b'<c r="ZZ2" t="inlineStr"><is><t>', b"</t></is></c>"
            with new.open(zipfile.ZipInfo(SHEET, item.date_time), "w", force_zip64=True) as out:
                out.write(head + open_)
                block = b"x" * MB
                for _ in range(megabytes):
                    out.write(block)
                out.write(close + tail)
    return target


def bare_inflate(path: Path) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(path) as book, book.open(SHEET) as part:
        while part.read(1 << 22):
            pass
    return time.perf_counter() - start


def rewrite(path: Path) -> float:
    with zipfile.ZipFile(path) as book:
        styles = StyleBook(book.read("xl/styles.xml"))
        shared = SharedStrings(lambda: [])
        edits = SheetEdits(rows={3: {0: "R-EDITED"}}, max_column=0, max_row=3)
        start = time.perf_counter()
        with book.open(SHEET) as part:
            rewrite_sheet(part, Discard(), edits, styles, shared, False)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_mb", nargs="?", type=int, default=16)
    parser.add_argument("--sizes", default="1,4,16")
    parser.add_argument("--layouts", default="gap,cell")
    args = parser.parse_args()
    factors = [int(f) for f in args.sizes.split(",")]
    print(f"{'layout':>6} {'size':>6} {'inflated MB':>12} {'bare inflate':>13} {'writer':>9} {'ratio':>6} "
          f"{'writer s/GB':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for how in args.layouts.split(","):
            first = None
            for factor in factors:
                megabytes = args.base_mb * factor
                path = padded(Path(folder) / f"{how}-{factor}.xlsx", megabytes, how)
                bare = min(bare_inflate(path) for _ in range(2))
                ours = min(rewrite(path) for _ in range(2))
                per_gb = ours / megabytes * 1024
                first = first or per_gb
                print(f"{how:>6} {factor:>5}x {megabytes:>12,} {bare:>12.2f}s {ours:>8.2f}s {ours / bare:>5.2f}x "
                      f"{per_gb:>11.2f}s  ({per_gb / first:.2f}x the 1x rate)", flush=True)
                path.unlink()


if __name__ == "__main__":
    main()

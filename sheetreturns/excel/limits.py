"""Limits checked before a workbook is read: how big a part may inflate to, and how many cells a tab may span.

A 5 KB file with values in A1 and XFD1048576 makes a spreadsheet reader allocate the whole 16,384 x
1,048,576 grid; a 1 MB part can inflate to gigabytes. Both are refused with an `Error:` line naming
the limit, before the reader (calamine) sees the file. Both limits can be raised in sheetreturns.toml:

    [limits]
    sheet_mb = 1024        # the most one part of the .xlsx (a tab's XML, the shared strings) may inflate to
    cells = 50000000       # the most cells the rectangle a tab spans may hold (rows x columns)
"""
from __future__ import annotations

import re
import zipfile
from operator import itemgetter
from dataclasses import dataclass

from ..errors import ConfigError, SourceUnreadable

MB = 1 << 20
DEFAULT_PART_MB = 1024
DEFAULT_CELLS = 50_000_000
CHUNK = 1 << 20

# A cell's or a row's reference, or the dimension: <c r="XFD1048576" ...>, <row r="12" ...>, <dimension ref=...>
_REF = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension)\s[^>]*?\br(?:ef)?="\$?([A-Za-z]{0,3})\$?([0-9]{0,7})'
                  rb'(?::\$?([A-Za-z]{0,3})\$?([0-9]{0,7}))?"')


@dataclass(frozen=True)
class Limits:
    part_bytes: int = DEFAULT_PART_MB * MB
    cells: int = DEFAULT_CELLS

    @classmethod
    def from_config(cls, table: dict | None, where: str = "sheetreturns.toml") -> "Limits":
        table = dict(table or {})
        unknown = sorted(set(table) - {"sheet_mb", "cells"})
        if unknown:
            raise ConfigError(f"{where} [limits]: unknown key {unknown[0]!r} (known: cells, sheet_mb)")
        values = {}
        for key, default in (("sheet_mb", DEFAULT_PART_MB), ("cells", DEFAULT_CELLS)):
            value = table.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{where} [limits] {key} must be a whole number above 0, such as {default}")
            values[key] = value
        return cls(values["sheet_mb"] * MB, values["cells"])

    @property
    def part_mb(self) -> int:
        return self.part_bytes // MB


def column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def check_part_sizes(zip_file: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Every part's inflated size, as the zip declares it, within the limit (the zip's own directory: no reading)."""
    for info in zip_file.infolist():
        if info.file_size > limits.part_bytes:
            raise SourceUnreadable(
                f"{name}: its part {info.filename} inflates to {info.file_size / MB:,.0f} MB, over the limit of "
                f"{limits.part_mb:,} MB (a possible decompression bomb): if the file is genuine, raise "
                f"[limits] sheet_mb in sheetreturns.toml")


def check_sheet_extent(zip_file: zipfile.ZipFile, part: str, name: str, tab: str, limits: Limits) -> None:
    """The rectangle the tab's cells span, from its <dimension> and every cell and row reference, within the limit.

    Streams the part (never more than a chunk in memory) and counts the bytes it really inflates to, so a part
    whose zip entry understates its size is stopped too."""
    max_row = max_col = 0
    seen = 0
    tail = b""
    try:
        with zip_file.open(part) as handle:
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                if seen > limits.part_bytes:
                    raise SourceUnreadable(
                        f"{name}: the {tab!r} tab inflates to more than {limits.part_mb:,} MB, the limit (a possible "
                        f"decompression bomb): if the file is genuine, raise [limits] sheet_mb in sheetreturns.toml")
                data = tail + chunk
                cut = data.rfind(b"<")
                body, tail = (data[:cut], data[cut:]) if cut > 0 and len(data) - cut < 4096 else (data, b"")
                # findall and the sets run in C: one Python step per distinct column or row, not per cell
                found = _REF.findall(body)
                letters = set(map(itemgetter(1), found)) | set(map(itemgetter(3), found))
                digits = set(map(itemgetter(2), found)) | set(map(itemgetter(4), found))
                max_col = max(max_col, max((column_number(x) for x in letters if x), default=0))
                max_row = max(max_row, max((int(x) for x in digits if x), default=0))
                if (max_row or 1) * (max_col or 1) > limits.cells:
                    break
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise SourceUnreadable(f"{name} is damaged ({exc}): open it in Excel and save it again") from None
    area = (max_row or 1) * (max_col or 1)
    if area > limits.cells:
        raise SourceUnreadable(
            f"{name}: the {tab!r} tab spans {max_row:,} rows x {max_col:,} columns ({area:,} cells), over the "
            f"limit of {limits.cells:,} cells: delete what lies far outside your table (Ctrl+End in Excel goes to "
            f"the last cell in use), or raise [limits] cells in sheetreturns.toml")

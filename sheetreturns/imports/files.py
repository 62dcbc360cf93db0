"""Report files as the marketplaces deliver them: .txt/.tsv (tab-separated), .csv, .xlsx, in their encodings.

A file is read whole before anything is written, so a file that turns out truncated or mis-encoded
stops the import with one sentence and changes nothing.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import SheetReturnsError

REPORT_SUFFIXES = (".txt", ".tsv", ".csv", ".xlsx")
HEADER_SEARCH_LINES = 12  # description lines above the header (Amazon's transaction report has a few)


@dataclass
class ReportFile:
    """One downloaded report: its name, content hash and lines of text cells (line numbers are 1-based)."""

    path: Path
    sha256: str
    lines: list[list[str]]
    encoding: str

    @property
    def name(self) -> str:
        return self.path.name


def read_report(path: str | Path) -> ReportFile:
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SheetReturnsError(f"{path} not found: check the report file's name") from None
    except IsADirectoryError:
        raise SheetReturnsError(f"{path} is a folder: name the report files in it") from None
    except OSError as exc:
        raise SheetReturnsError(f"cannot read {path}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if path.suffix.lower() == ".xlsx" or raw[:4] == b"PK\x03\x04":
        return ReportFile(path, digest, _xlsx_lines(path), "xlsx")
    text, encoding = decode(raw, path.name)
    return ReportFile(path, digest, _text_lines(text, path.name), encoding)


def file_digest(path: Path) -> str:
    """The content hash by which a file imported before is recognised, whatever its name."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise SheetReturnsError(f"cannot read {path}: {exc.strerror or exc}") from None
    return digest.hexdigest()


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The file's text and the encoding it was in: a BOM decides, else UTF-8, else Windows-1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if len(raw) % 2:
            raise SheetReturnsError(
                f"{name} is cut short (a UTF-16 file with an odd number of bytes): download the report again")
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise SheetReturnsError(f"{name} is not valid UTF-16 text: download the report again") from None
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise SheetReturnsError(
                f"{name} says it is UTF-8 but byte {exc.start + 3} is not: download the report again") from None
    if b"\x00" in raw[:4096]:
        raise SheetReturnsError(
            f"{name} looks like UTF-16 text without its byte-order mark: open it in a spreadsheet program, "
            f"save it as CSV UTF-8 and import that")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason.startswith("unexpected end"):
            raise SheetReturnsError(f"{name} is cut short in the middle of a character: download the report again") from None
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise SheetReturnsError(
            f"{name} is in no encoding the marketplaces use (byte {exc.start} is neither UTF-8 nor Windows-1252): "
            f"download the report again") from None


def _text_lines(text: str, name: str) -> list[list[str]]:
    head = text[:8192]
    tabs, commas = head.count("\t"), head.count(",")
    if name.lower().endswith((".txt", ".tsv")):
        delimiter = "\t" if tabs else ","
    else:
        delimiter = "\t" if tabs > commas else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        lines = list(reader)  # cells are stripped when read, only those that are used
    except csv.Error as exc:
        raise SheetReturnsError(
            f"{name} cannot be read as a report (line {reader.line_num}: {exc}); it may be cut short: "
            f"download it again") from None
    if text and not text.endswith(("\n", "\r")) and len(lines) > 1:
        widths = [len(line) for line in lines[:-1] if len(line) > 1]
        expected = max(set(widths), key=widths.count) if widths else 0
        if 1 < len(lines[-1]) < expected:
            raise SheetReturnsError(
                f"{name} is cut short: its last line ({len(lines)}) has {len(lines[-1])} of {expected} columns and "
                f"no line end: download the report again")
    return lines


def _xlsx_lines(path: Path) -> list[list[str]]:
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for a damaged file
        raise SheetReturnsError(f"{path.name} is not a readable .xlsx file ({exc}): download the report again") from None
    return [[_cell_text(v) for v in row] for row in rows]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()

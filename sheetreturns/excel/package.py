"""The .xlsx package: opening it safely and finding its sheets, date system and error cells.

Everything here refuses a hostile file with a SourceUnreadable before any XML parser sees it.
"""
from __future__ import annotations

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..engine.values import CellError
from ..errors import SourceUnreadable

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_PROLOG_BYTES = 8192
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, never loads a DTD and never touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class SheetEntry:
    name: str
    rel_id: str
    part: str  # zip entry name, e.g. xl/worksheets/sheet1.xml
    state: str  # visible, hidden or veryHidden


@dataclass
class WorkbookInfo:
    sheets: list[SheetEntry]
    date1904: bool
    strict: bool
    marks: dict[str, str] = field(default_factory=dict)  # the job's hidden defined names: name -> text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Package:
    """A read-only view of an .xlsx/.xlsm zip, checked for the ways a file can be broken or hostile."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.zip = open_zip(self.path)
        self._names = {name.replace("\\", "/"): name for name in self.zip.namelist()}
        try:
            self._refuse_entity_declarations()
            self.info = self._read_workbook()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self._names

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(self._names[name])
        except KeyError:
            raise SourceUnreadable(f"{self.path.name} is damaged: its part {name} is missing") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # truncated, bad CRC
            raise SourceUnreadable(f"{self.path.name} is damaged ({first_line(exc)}): open it in Excel and save it again") from None

    def open(self, name: str):
        return self.zip.open(self._names[name])

    def parse(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.read(name), safe_parser())
        except etree.XMLSyntaxError as exc:
            raise SourceUnreadable(f"{self.path.name} is damaged: {name} is not valid XML ({first_line(exc)})") from None

    # -- checks ------------------------------------------------------------

    def _refuse_entity_declarations(self) -> None:
        """Entity declarations have no place in an .xlsx; they are how 'billion laughs' bombs work."""
        for name in self._names:
            if not name.lower().endswith(_XML_SUFFIXES):
                continue
            try:
                with self.zip.open(self._names[name]) as handle:
                    head = handle.read(_PROLOG_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise SourceUnreadable(
                    f"{self.path.name} is damaged or incomplete ({first_line(exc)}): open it in Excel and save it again"
                ) from None
            if _DTD.search(head):
                raise SourceUnreadable(
                    f"{self.path.name} contains XML entity declarations in {name}, which spreadsheets never need "
                    f"(a possible 'billion laughs' attack): refusing to read it"
                )

    def _read_workbook(self) -> WorkbookInfo:
        workbook_part = self.workbook_part = self._workbook_part()
        root = self.parse(workbook_part)
        strict = root.tag.startswith("{http://purl.oclc.org/ooxml/")
        rels = self.relationships(workbook_part)
        date1904 = False
        sheets: list[SheetEntry] = []
        marks: dict[str, str] = {}
        for element in root:
            tag = _local(element.tag)
            if tag == "workbookPr":
                date1904 = (element.get("date1904") or "").lower() in ("1", "true")
            elif tag == "sheets":
                for sheet in element:
                    if _local(sheet.tag) != "sheet":
                        continue
                    rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
                    target = rels.get(rel_id)
                    if target is None:
                        continue  # chart sheets and broken links have no worksheet part we can read
                    sheets.append(SheetEntry(sheet.get("name", ""), rel_id, target, sheet.get("state", "visible")))
            elif tag == "definedNames":
                for name in element:
                    if (name.get("name") or "").startswith("sheetreturns_") and name.text:
                        marks[name.get("name")] = name.text.strip().strip('"').replace('""', '"')
        return WorkbookInfo(sheets, date1904, strict, marks)

    def _workbook_part(self) -> str:
        if self.has("_rels/.rels"):
            for rel in self.parse("_rels/.rels"):
                if (rel.get("Type") or "").endswith("/officeDocument"):
                    target = (rel.get("Target") or "").lstrip("/")
                    if self.has(target):
                        return target
        if self.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise SourceUnreadable(f"{self.path.name} is not an Excel workbook: it has no workbook part")

    def relationships(self, part: str) -> dict[str, str]:
        """Relationship id -> target part name, for the relationships of `part`."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_name):
            return {}
        result: dict[str, str] = {}
        for rel in self.parse(rels_name):
            if rel.get("TargetMode") == "External":
                continue
            target = (rel.get("Target") or "").replace("\\", "/")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            if self.has(resolved):
                result[rel.get("Id", "")] = resolved
        return result


def open_zip(path: Path) -> zipfile.ZipFile:
    """The workbook's zip, or SourceUnreadable saying in words why it is not one."""
    name = path.name
    if not path.exists():
        raise SourceUnreadable(f"{path} not found: check the path")
    if path.is_dir():
        raise SourceUnreadable(f"{path} is a folder, not a workbook")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise SourceUnreadable(f"cannot open {path}: {exc.strerror or exc}") from None
    if head.startswith(OLE2_MAGIC):
        raise SourceUnreadable(
            f"{name} is password-protected (encrypted) or an old .xls file: save it as .xlsx without a password"
        )
    if not head:
        raise SourceUnreadable(f"{name} is empty (0 bytes): restore it from a backup")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        if head.startswith(b"PK"):
            raise SourceUnreadable(
                f"{name} is damaged or incomplete (the file may have been cut short while copying): "
                f"restore it or save it again from Excel"
            ) from None
        raise SourceUnreadable(f"{name} is not an Excel workbook (.xlsx): save it as .xlsx and try again") from None
    except OSError as exc:
        raise SourceUnreadable(f"cannot open {path}: {exc.strerror or exc}") from None


def first_line(exc: BaseException) -> str:
    """The first line of an error's text (a parser's or calamine's may run on), at most 120 characters."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= 120 else text[:117] + "..."


def tab_unreadable(name: str, title: str, exc: BaseException) -> SourceUnreadable:
    """calamine refused a tab (read whole, or a piece of it)."""
    return SourceUnreadable(f"the {title!r} tab of {name} could not be read ({first_line(exc)}): open it in Excel "
                            f"and save it again")


_ERROR_CELL = re.compile(rb'<c\b[^>]*\bt="e"[^>]*>')
_ERROR_TYPE = re.compile(rb't="e"')  # a literal search: quicker than `in` on a chunk of a sheet's XML
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_CHUNK = 1 << 24


def error_cells(package: Package, part: str) -> dict[tuple[int, int], str]:
    """(0-based row, 0-based column) -> cached error text (#N/A ...) for every error cell of a sheet.

    The fast reader reads error cells as blanks; this scan puts the error back so it can be reported.
    """
    scan = ErrorCells()
    with package.open(part) as handle:
        while chunk := handle.read(_CHUNK):
            if not scan.feed(chunk):
                break
    return finish_error_cells(scan, package, part)


def finish_error_cells(scan: "ErrorCells", package: Package, part: str) -> dict[tuple[int, int], str]:
    """What a scan fed every chunk of `part` found (walking the XML when its cells carry no references)."""
    found = scan.finish()
    return _error_cells_by_position(package, part) if found is None else found


class ErrorCells:
    """The error-cell scan fed a part's XML chunk by chunk, in order (so another pass can share one inflate)."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, int], str] = {}
        self.positional = False  # an error cell without a reference: only a walk of the XML places it
        self._tail = b""

    def feed(self, chunk: bytes) -> bool:
        """Scan the next chunk; False once the rest of the part need not be fed."""
        if self.positional:
            return False
        if _ERROR_TYPE.search(chunk) is None and b't="e"' not in self._tail + chunk[:4]:
            # no error cell here, nor one begun in the tail: keep the tail a cell may start in, copy nothing else
            self._tail = chunk[-256:] if len(chunk) >= 256 else (self._tail + chunk)[-256:]
            return True
        data = self._tail + chunk
        # Cut after the last complete cell so a cell split across chunks is seen whole next time.
        end = data.rfind(b"</c>")
        cut = end + 4 if end >= 0 else max(len(data) - 256, 0)
        self._scan(data[:cut])
        self._tail = data[cut:]
        return not self.positional

    def finish(self) -> dict[tuple[int, int], str] | None:
        """The error cells found; None when the XML must be walked instead (cells without references)."""
        if not self.positional and b't="e"' in self._tail:
            self._scan(self._tail)
        self._tail = b""
        return None if self.positional else self.found

    def _scan(self, window: bytes) -> None:
        for match in _ERROR_CELL.finditer(window):
            ref = _REF.search(match.group(0))
            if ref is None:
                self.positional = True
                return
            if match.group(0).endswith(b"/>"):
                continue
            close = window.find(b"</c>", match.end())
            value = _VALUE.search(window, match.end(), close if close >= 0 else len(window))
            if value is not None:
                self.found[(int(ref[2]) - 1, _column_index(ref[1]))] = value[1].decode("utf-8", "replace")


def by_row(cells: dict[tuple[int, int], str]) -> dict[int, dict[int, str]]:
    """Error cells as found, (row, column) -> text, by row: row -> column -> text."""
    rows: dict[int, dict[int, str]] = {}
    for (row, col), text in cells.items():
        rows.setdefault(row, {})[col] = text
    return rows


def overlay(row: list, index: int, errors: dict[int, dict[int, str]]) -> list:
    """`row` (the `index`th, 0-based) with the error cells found on it (`errors`, by_row's) put back as
    CellError values: calamine reads them as blanks."""
    cols = errors.get(index)
    if not cols:
        return row
    row = list(row)
    for col, text in cols.items():
        if col >= len(row):
            row.extend([""] * (col + 1 - len(row)))
        row[col] = CellError(text)
    return row


def _error_cells_by_position(package: Package, part: str) -> dict[tuple[int, int], str]:
    """Slow path for writers that omit cell references: walk the rows and cells in order."""
    found: dict[tuple[int, int], str] = {}
    row_index = -1
    with package.open(part) as handle:
        for _, element in etree.iterparse(handle, events=("end",), resolve_entities=False, no_network=True):
            tag = _local(element.tag)
            if tag == "c":
                continue
            if tag != "row":
                if tag == "sheetData":
                    break
                continue
            ref = element.get("r")
            row_index = int(ref) - 1 if ref and ref.isdigit() else row_index + 1
            col_index = -1
            for cell in element:
                if _local(cell.tag) != "c":
                    continue
                cref = cell.get("r")
                col_index = _column_index(re.match(r"[A-Z]+", cref)[0].encode()) if cref else col_index + 1
                if cell.get("t") == "e":
                    value = next((c.text for c in cell if _local(c.tag) == "v"), None)
                    if value:
                        found[(row_index, col_index)] = value
            element.clear()
    return found


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1

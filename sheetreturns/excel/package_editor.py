"""An .xlsx package being edited: which parts are replaced, added or removed, and the bookkeeping that ties them.

Parts nobody touches are copied into the new file as they are (same name, same uncompressed bytes).
"""
from __future__ import annotations

import posixpath
import queue
import shutil
import threading
import zipfile
from typing import BinaryIO, Callable

from lxml import etree

from .package import Package, safe_parser

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = DOC_REL_NS + "/worksheet"

Writer = Callable[[BinaryIO], None]
# Parts written as streams (a big Returns sheet: 100,000 rows are ~130 MB of XML) are compressed at zlib's
# fastest level: three times quicker than the default, for a file about a quarter bigger.
STREAMED_LEVEL = 1


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part))


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class PackageEditor:
    def __init__(self, package: Package, workbook_part: str) -> None:
        self.package = package
        self.workbook_part = workbook_part
        self.replaced: dict[str, bytes | Writer] = {}
        self.added: dict[str, bytes | Writer] = {}
        self.removed: set[str] = set()
        self.content_types = package.parse("[Content_Types].xml")
        self.workbook = package.parse(workbook_part)
        self.workbook_rels_part = rels_name(workbook_part)
        self.workbook_rels = (
            package.parse(self.workbook_rels_part) if package.has(self.workbook_rels_part)
            else etree.Element(f"{{{REL_NS}}}Relationships")
        )
        self._dirty_xml: set[str] = set()

    # -- names ---------------------------------------------------------------------

    def exists(self, name: str) -> bool:
        return (self.package.has(name) and name not in self.removed) or name in self.added

    def unused(self, pattern: str) -> str:
        """The first free name for pattern ("xl/drawings/drawing{}.xml")."""
        number = 1
        while self.exists(pattern.format(number)):
            number += 1
        return pattern.format(number)

    # -- parts ---------------------------------------------------------------------

    def read(self, name: str) -> bytes:
        if name in self.added and isinstance(self.added[name], bytes):
            return self.added[name]
        if name in self.replaced and isinstance(self.replaced[name], bytes):
            return self.replaced[name]
        return self.package.read(name)

    def put(self, name: str, data: bytes | Writer) -> None:
        if self.package.has(name) and name not in self.removed:
            self.replaced[name] = data
        else:
            self.removed.discard(name)
            self.added[name] = data

    def remove(self, name: str) -> None:
        self.added.pop(name, None)
        self.replaced.pop(name, None)
        if self.package.has(name):
            self.removed.add(name)
        self.remove_override(name)

    # -- content types ---------------------------------------------------------------

    def add_override(self, part: str, content_type: str) -> None:
        self.remove_override(part)
        element = etree.SubElement(self.content_types, f"{{{CT_NS}}}Override")
        element.set("PartName", "/" + part)
        element.set("ContentType", content_type)
        self._dirty_xml.add("[Content_Types].xml")

    def remove_override(self, part: str) -> None:
        for element in list(self.content_types):
            if element.get("PartName") == "/" + part:
                self.content_types.remove(element)
                self._dirty_xml.add("[Content_Types].xml")

    # -- relationships -----------------------------------------------------------------

    def rels_of(self, part: str) -> etree._Element | None:
        name = rels_name(part)
        if name in self.added or name in self.replaced:
            return etree.fromstring(self.read(name), safe_parser())
        if self.package.has(name) and name not in self.removed:
            return self.package.parse(name)
        return None

    def targets_of(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of each internal relationship of `part`."""
        rels = self.rels_of(part)
        if rels is None:
            return []
        folder = posixpath.dirname(part)
        found = []
        for rel in rels:
            if rel.get("TargetMode") == "External":
                continue
            target = (rel.get("Target") or "").replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found.append((rel.get("Id", ""), rel.get("Type", ""), path))
        return found

    def add_workbook_rel(self, rel_type: str, target_part: str) -> str:
        ids = {rel.get("Id") for rel in self.workbook_rels}
        number = 1
        while f"rId{number}" in ids:
            number += 1
        rel_id = f"rId{number}"
        rel = etree.SubElement(self.workbook_rels, f"{{{REL_NS}}}Relationship")
        rel.set("Id", rel_id)
        rel.set("Type", rel_type)
        rel.set("Target", relative(self.workbook_part, target_part))
        self._dirty_xml.add(self.workbook_rels_part)
        return rel_id

    def workbook_changed(self) -> None:
        self._dirty_xml.add(self.workbook_part)

    # -- saving ----------------------------------------------------------------------

    def _final_xml(self) -> dict[str, bytes]:
        trees = {
            "[Content_Types].xml": self.content_types,
            self.workbook_part: self.workbook,
            self.workbook_rels_part: self.workbook_rels,
        }
        return {name: _xml(trees[name]) for name in self._dirty_xml}

    def save(self, out: BinaryIO, first: list[str] = (), last: list[str] = ()) -> None:
        """Write the edited package as a zip to `out`: unchanged parts copied, edited ones replaced.

        Entries keep their order, except that `first` come right after [Content_Types].xml and `last`
        at the end: a part written as a stream can then finish before parts that depend on it.
        """
        final = self._final_xml()
        source = self.package.zip
        infos = {info.filename.replace("\\", "/"): info for info in source.infolist()}
        order = [n for n in infos if n not in first and n not in last]
        head = order.index("[Content_Types].xml") + 1 if "[Content_Types].xml" in order else 0
        order = order[:head] + [n for n in first if n in infos] + order[head:] + [n for n in last if n in infos]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
            written: set[str] = set()
            for name in order:
                info = infos[name]
                if name in self.removed or name in written:
                    continue
                written.add(name)
                replacement = final.get(name, self.replaced.get(name))
                new_info = zipfile.ZipInfo(info.filename, info.date_time)
                new_info.compress_type = zipfile.ZIP_DEFLATED
                new_info.external_attr = info.external_attr
                new_info.create_system = info.create_system
                if replacement is None:
                    with source.open(info) as src, target.open(new_info, "w", force_zip64=info.file_size > 1 << 30) as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                elif isinstance(replacement, bytes):
                    target.writestr(new_info, replacement)
                else:
                    new_info._compresslevel = STREAMED_LEVEL
                    with target.open(new_info, "w", force_zip64=True) as dst:
                        _write_behind(replacement, dst)
            extra = {**self.added, **{k: v for k, v in final.items() if k not in infos}}
            for name, data in extra.items():
                if name in written:
                    continue
                info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                if isinstance(data, bytes):
                    target.writestr(info, data)
                else:
                    with target.open(info, "w", force_zip64=True) as dst:
                        _write_behind(data, dst)


class _Behind:
    """A zip entry's writes done by a thread: zipfile's checksum and zlib's compression release the GIL, so
    the next piece of a streamed part is built while the last one is compressed. Pieces are written in order;
    at most `depth` wait (memory stays at a few pieces)."""

    def __init__(self, out: BinaryIO, depth: int = 4) -> None:
        self.out = out
        self.pieces: queue.Queue = queue.Queue(depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="sheetreturns-zip", daemon=True)
        self.thread.start()

    def write(self, data) -> int:
        if self.error is not None:
            raise self.error
        data = bytes(data)  # the caller may reuse its buffer once this returns
        self.pieces.put(data)
        return len(data)

    def _run(self) -> None:
        while True:
            data = self.pieces.get()
            if data is None:
                return
            if self.error is None:
                try:
                    self.out.write(data)
                except BaseException as exc:  # handed back to the writer: raised by its next write or at the end
                    self.error = exc

    def finish(self) -> None:
        self.pieces.put(None)
        self.thread.join()


def _write_behind(writer: Writer, out: BinaryIO) -> None:
    behind = _Behind(out)
    try:
        writer(behind)
    finally:
        behind.finish()
    if behind.error is not None:
        raise behind.error


def sheet_elements(workbook: etree._Element) -> list[etree._Element]:
    sheets = workbook.find(f"{{{MAIN_NS}}}sheets")
    return [] if sheets is None else [s for s in sheets if isinstance(s.tag, str)]


def rel_id_of(sheet: etree._Element) -> str:
    return next((v for k, v in sheet.attrib.items() if etree.QName(k).localname == "id"), "")


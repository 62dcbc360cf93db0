"""Generated tabs (Summary, Email Log ...) built with openpyxl and moved into the seller's workbook.

openpyxl draws each Tab into a fresh workbook; its sheet parts (with their drawings and charts)
are then copied into the seller's package under free names, their cell formats appended to the
seller's styles.xml. A generated tab from an earlier run is replaced in place: same sheet part,
same position, same sheet id, so references to it keep working.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree

from ..errors import SheetReturnsError
from ..sheet.tab_model import Tab
from .app_properties import APP_PART, with_tabs_added
from .package_editor import MAIN_NS, REL_NS, WORKSHEET_REL, WORKSHEET_TYPE, PackageEditor, rel_id_of, rels_name, relative, sheet_elements
from .package import safe_parser
from .styles import StyleBook

MARKER = "sheetreturns_generated_tabs"
DIGESTS = "sheetreturns_tab_digests"  # title=digest|... of what each generated tab showed when last written
_STYLE_ATTR = re.compile(rb'(<(?:\w+:)?(?:c|row)\b[^>]*?\bs=")(\d+)(")')
_COL_STYLE = re.compile(rb'(<(?:\w+:)?col\b[^>]*?\bstyle=")(\d+)(")')
_DXF = re.compile(rb'(\bdxfId=")(\d+)(")')


def build_temp(tabs: list[Tab], currency_symbol: str) -> bytes:
    """The tabs drawn by openpyxl into a fresh workbook, saved to bytes."""
    from openpyxl import Workbook  # openpyxl loads only when a tab is drawn: an unchanged run draws none

    from .draw_tab import render_tab

    book = Workbook()
    book.remove(book.active)
    for tab in tabs:
        render_tab(tab, book.create_sheet(tab.title), currency_symbol)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Temp:
    """The openpyxl-made package, read back."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self.types = {
            (o.get("PartName") or "").lstrip("/"): o.get("ContentType")
            for o in etree.fromstring(self.zip.read("[Content_Types].xml"), safe_parser())
            if etree.QName(o).localname == "Override"
        }
        workbook = etree.fromstring(self.zip.read("xl/workbook.xml"), safe_parser())
        rels = self.rels("xl/workbook.xml")
        self.sheets = {s.get("name"): rels[rel_id_of(s)] for s in sheet_elements(workbook)}
        self.styles = StyleBook(self.zip.read("xl/styles.xml"))

    def rels(self, part: str) -> dict[str, str]:
        name = rels_name(part)
        if name not in self.names:
            return {}
        folder = posixpath.dirname(part)
        found = {}
        for rel in etree.fromstring(self.zip.read(name), safe_parser()):
            target = rel.get("Target") or ""
            found[rel.get("Id")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
        return found


def _defined_text(editor: PackageEditor, marker: str) -> str:
    names = editor.workbook.find(f"{{{MAIN_NS}}}definedNames")
    if names is None:
        return ""
    for name in names:
        if name.get("name") == marker and name.text:
            return name.text.strip().strip('"')
    return ""


def refuse_foreign_tabs(workbook_root, titles: list[str], wanted: tuple[str, ...]) -> None:
    """Before anything is sent: stop if a tab the job writes exists but was not made by sheetreturns."""
    names = workbook_root.find(f"{{{MAIN_NS}}}definedNames")
    text = ""
    for name in (names if names is not None else []):
        if name.get("name") == MARKER and name.text:
            text = name.text.strip().strip('"')
    ours = {t for t in text.split("|") if t}
    for title in wanted:
        if title in titles and title not in ours:
            raise SheetReturnsError(
                f"the workbook already has a tab named {title!r} that sheetreturns did not make: rename that "
                f"tab (sheetreturns writes its own {title} tab) and run again"
            )


def generated_titles(editor: PackageEditor) -> set[str]:
    """Titles of the tabs an earlier run generated (recorded in a hidden defined name)."""
    return {t for t in _defined_text(editor, MARKER).split("|") if t}


def stored_digests(editor: PackageEditor) -> dict[str, str]:
    """Title -> digest of each generated tab as an earlier run wrote it (see Tab.digest)."""
    pairs = (item.rpartition("=") for item in _defined_text(editor, DIGESTS).split("|"))
    return {title: digest for title, _, digest in pairs if title and digest}


def unchanged_tabs(editor: PackageEditor, tabs: list[Tab]) -> bool:
    """True when every tab would show what it already shows (apart from its stamp row)."""
    stored = stored_digests(editor)
    ours = generated_titles(editor)
    present = {s.get("name") for s in sheet_elements(editor.workbook)}
    return all(t.title in ours and t.title in present and t.shows(stored.get(t.title)) for t in tabs)


def _defined_names(editor: PackageEditor):
    """The workbook's <definedNames>, added in its place in the schema when the workbook has none."""
    names = editor.workbook.find(f"{{{MAIN_NS}}}definedNames")
    if names is None:
        names = etree.Element(f"{{{MAIN_NS}}}definedNames")
        # definedNames follows sheets / functionGroups / externalReferences in the schema.
        anchor = None
        for tag in ("externalReferences", "functionGroups", "sheets"):
            anchor = editor.workbook.find(f"{{{MAIN_NS}}}{tag}")
            if anchor is not None:
                break
        anchor.addnext(names)
    return names


def _record_titles(editor: PackageEditor, titles: set[str], digests: dict[str, str]) -> None:
    names = _defined_names(editor)
    for name in list(names):
        if name.get("name") in (MARKER, DIGESTS):
            names.remove(name)
    for marker_name, text in ((MARKER, "|".join(sorted(titles))),
                              (DIGESTS, "|".join(f"{t}={d}" for t, d in sorted(digests.items()) if t in titles))):
        marker = etree.SubElement(names, f"{{{MAIN_NS}}}definedName")
        marker.set("name", marker_name)
        marker.set("hidden", "1")
        marker.text = '"' + text + '"'
    editor.workbook_changed()


def write_generated(editor: PackageEditor, styles: StyleBook, tabs: list[Tab], currency_symbol: str) -> list[str]:
    """Create or replace each tab; returns their titles. Refuses to overwrite a tab the seller made."""
    if not tabs:
        return []
    existing = {s.get("name"): s for s in sheet_elements(editor.workbook)}
    ours = generated_titles(editor)
    for tab in tabs:
        if tab.title in existing and tab.title not in ours:
            raise SheetReturnsError(
                f"the workbook already has a tab named {tab.title!r} that sheetreturns did not make: rename that "
                f"tab (sheetreturns writes its own {tab.title} tab) and run again"
            )
    temp = _Temp(build_temp(tabs, currency_symbol))
    sheet_parts = {rel_id: part for rel_id, _, part in editor.targets_of(editor.workbook_part)}
    for tab in tabs:
        source_part = temp.sheets[tab.title]
        sheet = existing.get(tab.title)
        if sheet is not None:
            part = sheet_parts.get(rel_id_of(sheet))
            if part is None:
                raise SheetReturnsError(f"the {tab.title!r} tab is damaged in this workbook: delete it and run again")
            _remove_dependents(editor, part)
        else:
            part = editor.unused("xl/worksheets/sheet{}.xml")
            rel_id = editor.add_workbook_rel(WORKSHEET_REL, part)
            _add_sheet_entry(editor, tab.title, rel_id)
        editor.add_override(part, WORKSHEET_TYPE)
        _copy_sheet(editor, temp, styles, source_part, part)
    _record_titles(editor, ours | {t.title for t in tabs}, stored_digests(editor) | {t.title: t.digest() for t in tabs})
    added = [t.title for t in tabs if t.title not in existing]
    if added and editor.exists(APP_PART):
        updated = with_tabs_added(editor.read(APP_PART), added)
        if updated is not None:
            editor.put(APP_PART, updated)
    return [t.title for t in tabs]


def _add_sheet_entry(editor: PackageEditor, title: str, rel_id: str) -> None:
    sheets = editor.workbook.find(f"{{{MAIN_NS}}}sheets")
    ids = [int(s.get("sheetId", "0")) for s in sheets if isinstance(s.tag, str) and s.get("sheetId", "").isdigit()]
    entry = etree.SubElement(sheets, f"{{{MAIN_NS}}}sheet")
    entry.set("name", title)
    entry.set("sheetId", str(max(ids, default=0) + 1))
    entry.set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", rel_id)
    editor.workbook_changed()


def _remove_dependents(editor: PackageEditor, part: str) -> None:
    """Remove the parts hanging off an old generated sheet (drawings, charts), and its rels."""
    stack = [target for _, _, target in editor.targets_of(part)]
    seen: set[str] = set()
    while stack:
        target = stack.pop()
        if target in seen or not editor.exists(target):
            continue
        seen.add(target)
        stack.extend(t for _, _, t in editor.targets_of(target))
        editor.remove(target)
        if editor.exists(rels_name(target)):
            editor.remove(rels_name(target))
    if editor.exists(rels_name(part)):
        editor.remove(rels_name(part))


def _copy_sheet(editor: PackageEditor, temp: _Temp, styles: StyleBook, source_part: str, part: str) -> None:
    xml = temp.zip.read(source_part)
    used = {int(m[2]) for m in _STYLE_ATTR.finditer(xml)} | {int(m[2]) for m in _COL_STYLE.finditer(xml)}
    mapping = styles.import_styles(temp.styles, used)
    dxf_mapping = styles.import_dxfs(temp.styles) if b"dxfId=" in xml else {}
    xml = _STYLE_ATTR.sub(lambda m: m[1] + str(mapping.get(int(m[2]), 0)).encode() + m[3], xml)
    xml = _COL_STYLE.sub(lambda m: m[1] + str(mapping.get(int(m[2]), 0)).encode() + m[3], xml)
    if dxf_mapping:
        xml = _DXF.sub(lambda m: m[1] + str(dxf_mapping.get(int(m[2]), 0)).encode() + m[3], xml)
    editor.put(part, xml)

    _copy_relationships(editor, temp, source_part, part)


def _copy_relationships(editor: PackageEditor, temp: _Temp, source: str, part: str) -> None:
    """Copy what `source` points at (drawings, charts ...) under free names and give `part` matching rels."""
    source_rels = temp.rels(source)
    if not source_rels:
        return
    rel_types = _rel_types(temp, source)
    rels = etree.Element(f"{{{REL_NS}}}Relationships")
    for rel_id, target in source_rels.items():
        new_target = _copy_dependent(editor, temp, target)
        rel = etree.SubElement(rels, f"{{{REL_NS}}}Relationship")
        rel.set("Id", rel_id)
        rel.set("Type", rel_types[rel_id])
        rel.set("Target", relative(part, new_target))
    editor.put(rels_name(part), etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True))


def _rel_types(temp: _Temp, part: str) -> dict[str, str]:
    return {r.get("Id"): r.get("Type") for r in etree.fromstring(temp.zip.read(rels_name(part)), safe_parser())}


_PATTERNS = {"drawings": "xl/drawings/drawing{}.xml", "charts": "xl/charts/chart{}.xml", "media": "xl/media/image{}.png"}


def _copy_dependent(editor: PackageEditor, temp: _Temp, source: str) -> str:
    """Copy a drawing or chart (and what it points at) under a free name; returns the new name."""
    folder = posixpath.basename(posixpath.dirname(source))
    pattern = _PATTERNS.get(folder, posixpath.dirname(source) + "/" + "part{}" + posixpath.splitext(source)[1])
    name = editor.unused(pattern)
    editor.put(name, b"")  # reserve the name before copying children
    data = temp.zip.read(source)
    content_type = temp.types.get(source)
    if content_type:
        editor.add_override(name, content_type)
    _copy_relationships(editor, temp, source, name)
    editor.put(name, data)
    return name


def record_name(editor: PackageEditor, marker: str, text: str) -> None:
    """Set the job's hidden defined name `marker` to the string `text` (what the job made in this workbook)."""
    names = _defined_names(editor)
    value = '"' + text.replace('"', '""') + '"'
    for name in list(names):
        if name.get("name") == marker:
            if name.text == value and name.get("hidden") == "1":
                return
            names.remove(name)
    entry = etree.SubElement(names, f"{{{MAIN_NS}}}definedName")
    entry.set("name", marker)
    entry.set("hidden", "1")
    entry.text = value
    editor.workbook_changed()

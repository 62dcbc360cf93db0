"""The workbook's styles.xml, extended append-only: cells elsewhere point at its entries by index.

Existing fonts, fills, borders, number formats and cell formats are never reordered or removed;
new ones are appended once and found again on later runs (same XML, same index), so repeated
syncs do not make the file grow.
"""
from __future__ import annotations

import copy
import re

from lxml import etree

from .package import safe_parser

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DATE_FORMAT = "yyyy-mm-dd"
# Built-in number formats that show dates (ECMA-376 18.8.30).
_BUILTIN_DATES = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_DATE_TOKENS = re.compile(r"[dmy]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
# Child order of <styleSheet> (the schema's sequence).
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
          "tableStyles", "colors", "extLst")


def _q(tag: str) -> str:
    return f"{{{MAIN_NS}}}{tag}"


def canonical(element: etree._Element) -> tuple:
    """A comparable form of an element: tag, attributes, text and children (whitespace and prefixes ignored)."""
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        (element.text or "").strip(),
        tuple(canonical(child) for child in element if isinstance(child.tag, str)),
    )


class StyleBook:
    def __init__(self, data: bytes | None) -> None:
        if data is None:
            data = (f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font/></fonts>'
                    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                    '<fill><patternFill patternType="gray125"/></fill></fills>'
                    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
                    '<cellXfs count="1"><xf xfId="0"/></cellXfs></styleSheet>').encode()
            self.created = True
        else:
            self.created = False
        self.original = data
        self.root = etree.fromstring(data, safe_parser())
        self.changed = self.created
        self._seen: dict[str, dict[tuple, int]] = {}  # list name -> canonical XML -> index

    # -- lists ------------------------------------------------------------------

    def _list(self, name: str) -> etree._Element:
        element = self.root.find(_q(name))
        if element is None:
            element = etree.Element(_q(name))
            element.set("count", "0")
            position = _ORDER.index(name)
            before = next(
                (child for child in self.root if etree.QName(child).localname in _ORDER[position + 1:]), None
            )
            if before is None:
                self.root.append(element)
            else:
                before.addprevious(element)
        return element

    def _append(self, list_name: str, element: etree._Element) -> int:
        """Index of an entry equal to `element`, appending it if there is none."""
        container = self._list(list_name)
        seen = self._seen.get(list_name)
        if seen is None:
            seen = {}
            for index, child in enumerate(c for c in container if isinstance(c.tag, str)):
                seen.setdefault(canonical(child), index)
            self._seen[list_name] = seen
        wanted = canonical(element)
        if wanted in seen:
            return seen[wanted]
        index = sum(1 for c in container if isinstance(c.tag, str))
        container.append(element)
        container.set("count", str(index + 1))
        seen[wanted] = index
        self.changed = True
        return index

    def xf(self, index: int) -> etree._Element | None:
        xfs = [c for c in self._list("cellXfs") if isinstance(c.tag, str)]
        return xfs[index] if 0 <= index < len(xfs) else None

    # -- number formats ------------------------------------------------------------

    def _format_codes(self) -> dict[int, str]:
        container = self.root.find(_q("numFmts"))
        if container is None:
            return {}
        return {int(n.get("numFmtId")): n.get("formatCode", "") for n in container if n.get("numFmtId", "").isdigit()}

    def number_format_id(self, code: str) -> int:
        codes = self._format_codes()
        for number, existing in codes.items():
            if existing == code:
                return number
        number = max([163, *codes]) + 1
        element = etree.Element(_q("numFmt"))
        element.set("numFmtId", str(number))
        element.set("formatCode", code)
        container = self._list("numFmts")
        container.append(element)
        container.set("count", str(len(codes) + 1))
        self.changed = True
        return number

    def is_date(self, style: int | None) -> bool:
        xf = self.xf(style or 0)
        if xf is None:
            return False
        number = int(xf.get("numFmtId", "0"))
        if number in _BUILTIN_DATES:
            return True
        code = self._format_codes().get(number)
        return bool(code) and bool(_DATE_TOKENS.search(_QUOTED.sub("", code)))

    def date_variant(self, style: int | None) -> int:
        """A cell format like `style` but showing dates as yyyy-mm-dd (`style` itself if it already shows dates)."""
        if self.is_date(style):
            return style or 0
        base = self.xf(style or 0)
        xf = copy.deepcopy(base) if base is not None else etree.Element(_q("xf"))
        xf.set("numFmtId", str(self.number_format_id(DATE_FORMAT)))
        xf.set("applyNumberFormat", "1")
        xf.set("xfId", xf.get("xfId", "0"))
        return self._append("cellXfs", xf)

    # -- bringing in styles from another workbook (an openpyxl-built generated sheet) ----

    def import_styles(self, other: "StyleBook", indices: set[int]) -> dict[int, int]:
        """Copy the cell formats `indices` of `other` (with their fonts, fills, borders, formats) into this book."""
        mapping: dict[int, int] = {}
        other_codes = other._format_codes()
        fonts = [c for c in other._list("fonts") if isinstance(c.tag, str)]
        fills = [c for c in other._list("fills") if isinstance(c.tag, str)]
        borders = [c for c in other._list("borders") if isinstance(c.tag, str)]
        for index in sorted(indices):
            source = other.xf(index)
            if source is None:
                mapping[index] = 0
                continue
            xf = copy.deepcopy(source)
            for attribute, items, list_name in (("fontId", fonts, "fonts"), ("fillId", fills, "fills"),
                                                ("borderId", borders, "borders")):
                position = int(xf.get(attribute, "0"))
                if 0 <= position < len(items):
                    xf.set(attribute, str(self._append(list_name, copy.deepcopy(items[position]))))
            number = int(xf.get("numFmtId", "0"))
            if number >= 164 and number in other_codes:
                xf.set("numFmtId", str(self.number_format_id(other_codes[number])))
            xf.set("xfId", "0")
            mapping[index] = self._append("cellXfs", xf)
        return mapping

    def import_dxfs(self, other: "StyleBook") -> dict[int, int]:
        """Differential formats (used by conditional formatting) of `other`, by index, appended here."""
        container = other.root.find(_q("dxfs"))
        if container is None:
            return {}
        return {
            index: self._append("dxfs", copy.deepcopy(child))
            for index, child in enumerate(c for c in container if isinstance(c.tag, str))
        }

    def to_bytes(self) -> bytes:
        if not self.changed:
            return self.original
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)

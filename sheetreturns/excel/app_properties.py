"""docProps/app.xml lists the workbook's tab names (Excel writes them; others often do not).

When the job adds a tab, the list is extended so the file's metadata stays consistent. An app.xml
in any shape other than the usual one is left exactly as it is.
"""
from __future__ import annotations

from lxml import etree

from .package import safe_parser

EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
APP_PART = "docProps/app.xml"
_WORKSHEET_HEADINGS = {"worksheets", "feuilles de calcul", "arbeitsblätter", "hojas de cálculo", "fogli di lavoro"}


def with_tabs_added(data: bytes, titles: list[str]) -> bytes | None:
    """app.xml with `titles` appended to its list of worksheets, or None to leave the part unchanged."""
    if not titles:
        return None
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return None
    pairs = root.find(f"{{{EP}}}HeadingPairs/{{{VT}}}vector")
    parts = root.find(f"{{{EP}}}TitlesOfParts/{{{VT}}}vector")
    if pairs is None or parts is None:
        return None
    variants = list(pairs)
    offset = 0
    for index in range(0, len(variants) - 1, 2):
        name = variants[index].find(f"{{{VT}}}lpstr")
        count = variants[index + 1].find(f"{{{VT}}}i4")
        if name is None or count is None or not (count.text or "").isdigit():
            return None
        if (name.text or "").strip().lower() in _WORKSHEET_HEADINGS:
            existing = [e.text for e in list(parts)[offset:offset + int(count.text)]]
            new = [t for t in titles if t not in existing]
            if not new:
                return None
            anchor = offset + int(count.text)
            for position, title in enumerate(new):
                element = etree.Element(f"{{{VT}}}lpstr")
                element.text = title
                parts.insert(anchor + position, element)
            count.text = str(int(count.text) + len(new))
            parts.set("size", str(len(parts)))
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        offset += int(count.text)
    return None

"""Single worksheet cells as XML bytes: reading the value an existing cell holds, writing a new one."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from .package import _column_index

EXCEL_1900 = date(1899, 12, 30)
EXCEL_1904 = date(1904, 1, 1)

_ATTR = {
    name: re.compile(rb'\b' + name.encode() + rb'="([^"]*)"')
    for name in ("r", "s", "t", "spans")
}
_REF = re.compile(rb"([A-Z]+)(\d+)")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LITERAL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
# Characters that make text need more than encoding: markup, control characters, "_x" look-alikes, new lines.
_SPECIAL = re.compile("[&<>_\n\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def attr(tag: bytes, name: str) -> bytes | None:
    match = _ATTR[name].search(tag)
    return match[1] if match else None


def cell_position(tag: bytes) -> tuple[int, int] | None:
    """(0-based column, 1-based row) from a cell's r attribute, or None when it has none."""
    ref = attr(tag, "r")
    if not ref:
        return None
    match = _REF.fullmatch(ref)
    if match is None:
        return None
    return _column_index(match[1]), int(match[2])


def serial(day: date, date1904: bool) -> int | float:
    if isinstance(day, datetime):
        base = datetime.combine(EXCEL_1904 if date1904 else EXCEL_1900, datetime.min.time())
        delta = day - base
        return delta.days + delta.seconds / 86400
    return (day - (EXCEL_1904 if date1904 else EXCEL_1900)).days


def text_xml(text: str) -> bytes:
    """Text for an inline string: XML-escaped, control characters in OOXML's _xHHHH_ form."""
    if _SPECIAL.search(text) is None and text == text.strip():  # most text: nothing to escape or keep
        return b"<t>" + text.encode("utf-8") + b"</t>"
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = _INVALID_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    body = _escape(text).encode("utf-8")
    space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
    return b"<t" + space + b">" + body + b"</t>"


def number_text(value: int | float | Decimal) -> bytes:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
        return text.encode()
    if isinstance(value, float):
        return repr(value).encode()
    return str(value).encode()


def cell_xml(prefix: bytes, ref: bytes, style: int | None, value: object, date1904: bool) -> bytes:
    """A complete <c> element holding `value` (None: an empty cell that keeps its style)."""
    p = prefix
    s = b' s="%d"' % style if style else b""
    if value is None or value == "":
        return b"<" + p + b'c r="' + ref + b'"' + s + b"/>"
    if isinstance(value, str):
        return b"<" + p + b'c r="' + ref + b'"' + s + _string_tail(p, value)
    if isinstance(value, bool):
        return b"<" + p + b'c r="' + ref + b'"' + s + b' t="b"><' + p + b"v>" + (b"1" if value else b"0") + b"</" + p + b"v></" + p + b"c>"
    if isinstance(value, date):
        number = number_text(serial(value, date1904))
    elif isinstance(value, (int, float, Decimal)):
        number = number_text(value)
    else:
        return cell_xml(prefix, ref, style, str(value), date1904)
    return b"<" + p + b'c r="' + ref + b'"' + s + b"><" + p + b"v>" + number + b"</" + p + b"v></" + p + b"c>"


def _string_tail(p: bytes, value: str) -> bytes:
    """A text cell's XML after its reference and style."""
    # Inline strings are never formulas, whatever the text starts with, and leave sharedStrings alone.
    body = text_xml(value)
    if p:
        body = body.replace(b"<t", b"<" + p + b"t", 1).replace(b"</t>", b"</" + p + b"t>")
    return b' t="inlineStr"><' + p + b"is>" + body + b"</" + p + b"is></" + p + b"c>"


class CellWriter:
    """cell_xml for one sheet, the XML of repeated text (statuses, next steps, problems) made only once."""

    LIMIT = 1 << 15  # texts remembered; the memory then starts again

    def __init__(self, prefix: bytes, date1904: bool) -> None:
        self.prefix, self.date1904 = prefix, date1904
        self._open = b"<" + prefix + b'c r="'
        self._tails: dict[str, bytes] = {}

    def __call__(self, ref: bytes, style: int | None, value: object) -> bytes:
        if value.__class__ is str and value:
            tail = self._tails.get(value)
            if tail is None:
                if len(self._tails) >= self.LIMIT:
                    self._tails.clear()
                tail = self._tails[value] = _string_tail(self.prefix, value)
            return self._open + ref + (b'" s="%d"' % style if style else b'"') + tail
        return cell_xml(self.prefix, ref, style, value, self.date1904)


_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_T = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
_F = re.compile(rb"<(?:\w+:)?f\b")


def has_formula(body: bytes | None) -> bool:
    return bool(body) and _F.search(body) is not None


def old_value(tag: bytes, body: bytes | None, shared: "SharedStrings") -> object:
    """What an existing cell shows, as text or number, for comparing with what the job would write."""
    if not body:
        return None
    kind = attr(tag, "t") or b"n"
    if kind == b"inlineStr":
        return _unescape(b"".join(m[1] for m in _T.finditer(body)))
    match = _V.search(body)
    if match is None:
        return None
    raw = match[1]
    if kind == b"s":
        return shared.get(int(raw))
    if kind in (b"str", b"e", b"d"):
        return _unescape(raw)
    if kind == b"b":
        return raw == b"1"
    try:
        return float(raw)
    except ValueError:
        return _unescape(raw)


def _escape(text: str) -> str:
    """XML-escaped text (as xml.sax.saxutils.escape, which would import urllib.request with it)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _unescape(raw: bytes) -> str:
    """The text of XML-escaped bytes (the five named entities; &amp; last, as xml.sax.saxutils.unescape)."""
    text = raw.decode("utf-8", "replace")
    if "&" not in text:
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def same_value(old: object, new: object, date1904: bool) -> bool:
    """Whether writing `new` would leave what the cell shows unchanged."""
    if new is None or new == "":
        return old is None or old == ""
    if isinstance(new, str):
        return isinstance(old, str) and old == new
    if isinstance(new, date):
        new = serial(new, date1904)
    if isinstance(old, (int, float)) and not isinstance(old, bool) and isinstance(new, (int, float, Decimal)):
        return abs(float(old) - float(new)) < 1e-9
    return False


class SharedStrings:
    """The workbook's shared strings, parsed only if an existing job-owned cell refers to one."""

    def __init__(self, loader) -> None:
        self._loader = loader
        self._items: list[str] | None = None

    def get(self, index: int) -> str | None:
        if self._items is None:
            self._items = self._loader()
        return self._items[index] if 0 <= index < len(self._items) else None

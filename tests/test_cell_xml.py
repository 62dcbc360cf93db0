"""Text cells as the streaming writer makes them: plain text takes a short cut that must match the careful path."""
from __future__ import annotations

from sheetreturns.excel.cells import CellWriter, cell_xml, text_xml

TEXTS = [
    "Awaiting item", "", "a", "Refund due: 12.50", " leading", "trailing ", "two\nlines", "tab\there", "cr\rhere",
    "R&D <b>", "snake_case", "_x0041_ literal", "bell\x07", "é ü 中文 😀", "\u00a0nbsp", "nbsp\u00a0", "\u2003em",
    "quote \" and '", "\x1f unit", "end\n",
]


def careful(text: str) -> bytes:
    """What text_xml gave before the short cut for plain text (every step taken)."""
    import re
    from xml.sax.saxutils import escape

    text = re.sub("_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)
    space = b' xml:space="preserve"' if text != text.strip() or "\n" in text else b""
    return b"<t" + space + b">" + escape(text).encode("utf-8") + b"</t>"


def test_text_is_written_exactly_as_the_careful_path_writes_it():
    for text in TEXTS:
        assert text_xml(text) == careful(text), text


def test_the_cell_writer_gives_the_same_cells_as_cell_xml_first_time_and_from_memory():
    for prefix in (b"", b"x:"):
        writer = CellWriter(prefix, False)
        for _ in range(2):  # the second time from its memory of each text
            for style in (None, 0, 7):
                for value in [*TEXTS, 3, 2.5, None, True]:
                    assert writer(b"B7", style, value) == cell_xml(prefix, b"B7", style, value, False), value


def test_the_cell_writer_forgets_when_full_and_stays_right(monkeypatch):
    monkeypatch.setattr(CellWriter, "LIMIT", 3)
    writer = CellWriter(b"", False)
    for number in range(10):
        text = f"text {number % 5}"
        assert writer(b"A1", 2, text) == cell_xml(b"", b"A1", 2, text, False)
    assert len(writer._tails) <= 3

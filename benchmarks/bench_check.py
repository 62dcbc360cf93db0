"""`check` on generated workbooks next to a bare python-calamine read of the same file, in the same run.

Target: `check` of 100k rows within 1.5x the bare read time. The check's time includes the size check before
calamine reads (per 4 MB of the tab's XML: six regular-expression searches, each starting with a literal, and
a few finds of single characters; a search for every spelling of r= only in a chunk with a space or quote
around an "="; a walk of every row and cell only for a tab with cells written without a reference), which
the bare read does not do.
A tab of more than 8 MB of XML is read in pieces, each checked, then read by calamine in a thread while the next
is checked and the rows before are typed (sheetreturns/excel/pieces.py). `--shared-strings` runs the same on a
copy of each workbook with its text in a shared-strings part, as Excel saves it (the generator writes inline
strings): calamine reads the shared strings again with every piece.
Usage: python benchmarks/bench_check.py [ROWS ...] [--shared-strings]   (default: 10000 100000)
"""
from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

from generate import build
from measure import compare

_INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: [^>]*)?>([^<]*)</t></is></c>')
_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(path: Path) -> Path:
    """(Once) a copy of `path` whose Returns tab's text cells point into a shared-strings part."""
    target = path.with_name(path.stem + "_shared.xlsx")
    if target.exists():
        return target
    table: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = table.setdefault(match[3], len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2], index)

    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target.with_suffix(".tmp"), "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = _INLINE.sub(shared, data)
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="%s"/>'
                                    b"</Types>" % _TYPE)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="%s" Target="sharedStrings.xml" '
                                    b'Id="rIdShared"/></Relationships>' % _RELS)
            out.writestr(info.filename, data)
        out.writestr("xl/sharedStrings.xml", b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (
            _MAIN, len(table), len(table), b"".join(b"<si><t>%s</t></si>" % text for text in table)))
    target.with_suffix(".tmp").rename(target)
    return target

BARE_SETUP = "import python_calamine"
BARE = """
book = python_calamine.CalamineWorkbook.from_path(PATH)
rows = book.get_sheet_by_name("Returns").to_python()
"""
CHECK_SETUP = "from datetime import date\nfrom sheetreturns import check"
CHECK = """
result = check(PATH, as_of=date(2026, 11, 26), config=None)
assert result.rows > 0
"""


def main(sizes: list[int], shared_strings: bool = False) -> None:
    print(f"{'rows':>8}  {'calamine read':>14}  {'check':>8}  {'ratio':>6}  {'read MB':>8}  {'check MB':>9}"
          + ("  (shared strings)" if shared_strings else ""))
    for size in sizes:
        path = build(size)
        if shared_strings:
            path = with_shared_strings(path)
        setup = f"PATH = {str(path)!r}"
        results = compare({
            "bare": (setup + "\n" + BARE_SETUP, BARE),
            "check": (setup + "\n" + CHECK_SETUP, CHECK),
        })
        bare, ours = results["bare"], results["check"]
        ratio = ours["seconds"] / bare["seconds"]
        print(f"{size:>8}  {bare['seconds']:>13.2f}s  {ours['seconds']:>7.2f}s  {ratio:>5.2f}x  "
              f"{bare['peak_mb']:>8.0f}  {ours['peak_mb']:>9.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:] if not a.startswith("--")] or [10000, 100000], "--shared-strings" in sys.argv)

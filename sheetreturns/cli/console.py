"""Output that never crashes on a console that cannot show every character.

A Windows console redirected to a file or a pipe, or an older one, encodes with cp1252 (or another
legacy code page): "£", "€" and "·" fit, "→", "≥", "…" and most customers' scripts do not. Printing
those would stop the command with UnicodeEncodeError. Here, a character the console cannot encode
becomes a plain look-alike ("->", ">=", "...") or "?" instead; the workbook and the JSON output are
unaffected (JSON is printed as ASCII).
"""
from __future__ import annotations

import codecs
import sys

ERRORS = "sheetreturns-console"
_LOOK_ALIKES = {"→": "->", "←": "<-", "≥": ">=", "≤": "<=", "…": "...", "–": "-", "—": "-", "·": "-",
                "×": "x", "“": '"', "”": '"', "‘": "'", "’": "'", "€": "EUR", "£": "GBP", "¥": "JPY",
                "₹": "INR"}


def _look_alike(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(_LOOK_ALIKES.get(char, "?") for char in text), error.end


codecs.register_error(ERRORS, _look_alike)


def make_output_safe(*streams) -> None:
    """Let stdout and stderr (or the given text streams) print any text, whatever their encoding."""
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding in ("utf8", "utf8sig") or reconfigure is None:
            continue  # UTF-8 shows everything; a stream we cannot reconfigure is left as it is
        try:
            reconfigure(errors=ERRORS)
        except (ValueError, OSError, AttributeError):
            pass

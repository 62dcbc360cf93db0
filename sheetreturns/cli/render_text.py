"""Text from outside (cells, email subjects, server replies) made inert before it reaches a terminal.

Control characters (ESC, BEL, CR, C1 codes such as CSI), DEL and the bidirectional overrides are shown as
visible escapes (``\\x1b``, ``\\u202e``), so a cell cannot clear the screen, fake output, retitle the window
or set the clipboard (OSC 52). Inside a table cell a line break is shown as ``\\n`` too, so it cannot break
the table; in a report, the line breaks the report itself is made of are kept.
"""
from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_CELL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Every control character shown as an escape, except the line breaks (a report's own lines)."""
    return _CONTROL.sub(_escape, text)


def one_line(text: object) -> str:
    """For a table cell or a one-line message: every control character shown, line breaks included."""
    return _CONTROL_IN_CELL.sub(_escape, str(text))

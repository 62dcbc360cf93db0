"""Reason Category: what the customer wrote, sorted into a few groups by keywords."""
from __future__ import annotations

import re
from functools import lru_cache

from .vocabularies import reason_code

CATEGORIES = (
    "Defective",
    "Damaged in transit",
    "Wrong item sent",
    "Not as described",
    "Size/fit",
    "Changed mind",
    "Arrived late",
    "Other",
)

# Checked in this order; the first category with a matching keyword wins, so the more specific
# phrases ("wrong size sent", "arrived broken") sit in categories checked before the general ones.
DEFAULT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Wrong item sent", (
        "wrong item", "wrong product", "wrong size sent", "wrong colour sent", "wrong color sent", "sent the wrong",
        "incorrect item", "not what i ordered", "different item", "wrong model", "wrong one", "received wrong",
        "wrong order", "sent wrong",
    )),
    ("Damaged in transit", (
        "damaged in transit", "arrived damaged", "damaged on arrival", "arrived broken", "broken on arrival",
        "damaged in the post", "damaged in post", "damaged during delivery", "damaged in delivery", "shipping damage",
        "crushed", "smashed", "dented", "dent", "cracked", "box damaged", "parcel damaged", "package damaged",
        "arrived cracked", "chipped", "transit", "courier",
    )),
    ("Defective", (
        "defective", "defect", "faulty", "fault", "broken", "not working", "doesn't work", "doesnt work",
        "does not work", "stopped working", "won't turn on", "wont turn on", "dead", "malfunction", "leaks",
        "leaking", "doa", "broke", "ripped", "torn", "tear", "came apart", "came off", "fell off", "flickers",
        "flickering", "poor quality", "quality",
    )),
    ("Not as described", (
        "not as described", "not as pictured", "not as shown", "different from picture", "different from the picture",
        "different from photo", "looks different", "misleading", "not as advertised", "description", "colour different",
        "color different", "not like the picture", "cheap looking", "fake",
    )),
    ("Size/fit", (
        "too small", "too big", "too large", "too tight", "too loose", "too short", "too long", "doesn't fit",
        "doesnt fit", "does not fit", "didn't fit", "didnt fit", "size", "sizing", "fit", "tight", "loose",
    )),
    ("Arrived late", (
        "arrived late", "too late", "late", "delayed", "delay", "took too long", "after the date", "missed the date",
    )),
    ("Changed mind", (
        "changed mind", "changed my mind", "change of mind", "no longer need", "no longer needed", "no longer wanted",
        "don't need", "dont need", "do not need", "not needed", "ordered by mistake", "ordered twice", "duplicate order",
        "didn't like", "didnt like", "did not like", "don't like", "dont like", "unwanted", "not wanted", "gift",
        "found cheaper", "cheaper elsewhere", "mistake",
    )),
)


def _normalise_text(text: str) -> str:
    return " " + " ".join(re.sub(r"[^0-9a-z'/]+", " ", text.lower()).split()) + " "


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted({_normalise_text(w).strip() for w in words if w.strip()}, key=len, reverse=True)
    return re.compile(r"(?<![0-9a-z'])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![0-9a-z'])")


@lru_cache(maxsize=32)
def keyword_map(extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled (category, pattern) pairs; a seller's extra keywords are checked before the defaults."""
    merged: list[tuple[str, tuple[str, ...]]] = [(c, w) for c, w in extra if w]
    merged += list(DEFAULT_KEYWORDS)
    return tuple((category, _pattern(words)) for category, words in merged)


@lru_cache(maxsize=65536)
def _categorise(reason: str, extra: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    text = _normalise_text(reason)
    exact = text.strip()
    for category in CATEGORIES:
        if exact == _normalise_text(category).strip():
            return category
    code = reason_code(reason)  # a marketplace's reason code or its own wording
    if code is not None:
        return code.category
    for category, pattern in keyword_map(extra):
        if pattern.search(text):
            return category
    return "Other"


def categorise(reason: str | None, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> str:
    """The Reason Category for a customer's reason; blank stays blank, unknown text is Other."""
    if not reason:
        return ""
    return _categorise(reason, extra)

"""Checks shared by every table of sheetreturns.toml: unknown keys (with a did-you-mean) and plain values."""
from __future__ import annotations

import difflib
import re

from ..errors import ConfigError


def check_known(data: dict, known: set[str] | frozenset[str], where: str) -> None:
    """A key the table does not know is an error naming it, and the known key it most looks like."""
    unknown = sorted(set(data) - set(known))
    if not unknown:
        return
    key = unknown[0]
    close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(known))}"
    raise ConfigError(f"{where}: unknown key {key!r} ({hint})")


def one_line(data: dict, key: str, where: str) -> str | None:
    """A text value on one line (None when absent); anything else is an error naming the key."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or re.search(r"[\r\n]", value):
        raise ConfigError(f"{where} {key} must be one line of text in quotes")
    return value.strip()


def number(data: dict, key: str, where: str, default: float, low: float, high: float) -> float:
    """A number from low to high (the default when absent); anything else is an error naming the key."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{where} {key} must be a number from {low:g} to {high:g}, not {value!r}")
    return value

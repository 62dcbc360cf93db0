"""Which tab is which: the Returns tab, the Settings tab, and the tabs the job generates."""
from __future__ import annotations

import re

from ..engine.columns import HeaderMap, cell_address, normalise, resolve_column
from ..errors import ConfigError, SheetReturnsError
from ..engine.policy import is_setting_key
from ..engine.values import CellError

RETURNS_TAB = "Returns"
SETTINGS_TAB = "Settings"
SUMMARY_TAB = "Summary"
EMAIL_LOG_TAB = "Email Log"
HOWTO_TAB = "How-to"
INTAKE_LOG_TAB = "Intake Log"
IMPORT_LOG_TAB = "Import Log"
NOT_RETURNS = {normalise(t) for t in (SETTINGS_TAB, SUMMARY_TAB, EMAIL_LOG_TAB, HOWTO_TAB, INTAKE_LOG_TAB, IMPORT_LOG_TAB)}
_RETURNS_NAMES = {"returns", "returnslog", "returnstracker", "returnlog", "returnstracking"}


def pick_returns_tab(titles: list[str], header_of) -> tuple[str, HeaderMap]:
    """The tab holding the returns and its header: a tab named Returns, else the first tab that looks like one.

    `header_of(title)` returns the tab's HeaderMap or raises SheetReturnsError. When no tab will do, the
    error of the tab that came closest says what is missing and what to add.
    """
    named = [t for t in titles if normalise(t) in _RETURNS_NAMES]
    if named:
        return named[0], header_of(named[0])
    closest: tuple[int, str, str] | None = None
    for title in titles:
        if normalise(title) in NOT_RETURNS:
            continue
        try:
            return title, header_of(title)
        except ConfigError:
            raise  # the seller's settings are wrong, whichever tab is read
        except SheetReturnsError as exc:
            found = getattr(exc, "found", 0)
            if closest is None or found > closest[0]:
                closest = (found, title, str(exc))
    listed = ", ".join(repr(t) for t in titles) or "none"
    if closest is not None and closest[0] > 0:
        raise SheetReturnsError(f"no Returns tab found (tabs: {listed}): {closest[2]}")
    raise SheetReturnsError(
        f"no Returns tab found (tabs: {listed}): name the tab that lists your returns \"Returns\""
        + (f" ({closest[2]})" if closest is not None else "")
    )


_VALUES_HEADING = re.compile(r"^\s*values\s*(?:for|of|:|-)?\s*(.+?)\s*:?\s*$", re.IGNORECASE)


def settings_entries(rows: list[list[object]], title: str = SETTINGS_TAB) -> list[tuple[object, object, str]]:
    """(key, value, cell address) for each filled row of a Settings tab (key in column A, value in B).

    A header row (Setting / Key, Value) is skipped wherever it is. Below a "Columns" heading, rows name
    the seller's header for one of our columns (key ("column", our column)); below a "Values for
    Condition" heading, rows give the seller's word for one of our values (key ("value", column, word)).
    A heading, or a row that is a setting, ends the section.
    """
    entries = []
    section: tuple[str, ...] = ()
    for index, cells in enumerate(rows):
        if not cells:
            continue
        key = cells[0] if len(cells) > 0 else None
        value = cells[1] if len(cells) > 1 else None
        if key is None or (isinstance(key, str) and not key.strip()):
            continue
        if isinstance(key, CellError):
            continue
        if normalise(key) in {"key", "setting", "settings", "name"} and normalise(value or "") in {"value", ""}:
            continue
        blank_value = value is None or (isinstance(value, str) and not value.strip())
        address = f"{_quote(title)}!{cell_address(1, index + 1)}"
        if isinstance(value, CellError):
            value = str(value)
        if blank_value and not is_setting_key(key):
            heading = _VALUES_HEADING.match(str(key))
            if normalise(key) in {"columns", "yourcolumns", "columnnames"}:
                section = ("column",)
            elif heading and normalise(heading[1]) and resolve_column(heading[1]) is not None:
                section = ("value", heading[1].strip())
            elif section == ("column",) and resolve_column(key) is not None:
                pass  # one of our columns, not named: nothing to record
            else:
                section = ()  # a title or a note, not a setting
            continue
        if section and not is_setting_key(key):
            if section[0] == "column":
                entries.append((("column", str(key).strip()), value, address))
            else:
                entries.append((("value", section[1], str(key).strip()), value, address))
            continue
        section = ()
        entries.append((key, value, address))
    return entries


def _quote(title: str) -> str:
    return title if title.replace("_", "").isalnum() else "'" + title.replace("'", "''") + "'"

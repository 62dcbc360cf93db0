"""batchUpdate requests on cells: updateCells, repeatCell, setDataValidation, copyPaste, sortRange."""
from __future__ import annotations

import copy

from . import fields
from .cells import enter, evaluate, extended
from .errors import ApiError
from .model import Sheet
from .requests_api import normal_format, request, _span


# -- cells --------------------------------------------------------------------------

def _cell_view(sheet: Sheet, r: int, c: int) -> dict:
    meta = sheet.cell_meta(r, c) or {}
    view: dict = {}
    value = sheet.value(r, c)
    if meta.get("formula"):
        view["userEnteredValue"] = {"formulaValue": meta["formula"]}
    elif value is not None:
        view["userEnteredValue"] = extended(value)
    if meta.get("format"):
        view["userEnteredFormat"] = copy.deepcopy(meta["format"])
    if meta.get("note"):
        view["note"] = meta["note"]
    if meta.get("validation"):
        view["dataValidation"] = copy.deepcopy(meta["validation"])
    return view


def _store_cell(sheet: Sheet, r: int, c: int, view: dict) -> None:
    entered = view.get("userEnteredValue")
    if not entered:
        sheet.set_value(r, c, None)
    elif "formulaValue" in entered:
        sheet.set_value(r, c, evaluate(entered["formulaValue"]), entered["formulaValue"])
    elif "stringValue" in entered:
        sheet.set_value(r, c, entered["stringValue"] if entered["stringValue"] != "" else None)
    elif "numberValue" in entered:
        sheet.set_value(r, c, enter(entered["numberValue"], "RAW")[0])
    elif "boolValue" in entered:
        sheet.set_value(r, c, bool(entered["boolValue"]))
    else:
        raise ApiError(400, "Invalid userEnteredValue")
    sheet.set_meta(r, c, "format", normal_format(view["userEnteredFormat"]) if view.get("userEnteredFormat") else None)
    sheet.set_meta(r, c, "note", view.get("note") or None)
    sheet.set_meta(r, c, "validation", copy.deepcopy(view["dataValidation"]) if view.get("dataValidation") else None)


@request("updateCells")
def update_cells(tx, payload: dict) -> dict:
    mask = payload.get("fields")
    if not mask:
        raise ApiError(400, "At least one field must be updated, but none were specified.")
    rows = payload.get("rows") or []
    if "start" in payload:
        start = payload["start"]
        sheet = tx.sheet(start.get("sheetId", 0))
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        height = len(rows)
        width = max((len(r.get("values") or []) for r in rows), default=0)
        sheet, r0, c0, r1, c1 = _span(tx, {"sheetId": sheet.sheet_id, "startRowIndex": r0, "startColumnIndex": c0,
                                           "endRowIndex": r0 + height, "endColumnIndex": c0 + width}, sheet)
        bounded = False
    else:
        sheet, r0, c0, r1, c1 = _span(tx, payload.get("range") or {})
        bounded = True
        clears = {"*": ("value", "format", "note", "validation"), "userEnteredValue": ("value",),
                  "userEnteredFormat": ("format",), "userEnteredValue,userEnteredFormat": ("value", "format")}
        if not rows and mask.replace(" ", "") in clears:
            sheet.clear(r0, c0, r1, c1, clears[mask.replace(" ", "")])  # fast path: clearing a range
            return {}
    last_row = r0 + len(rows) if not bounded else r1
    for r in range(r0, last_row):
        row = rows[r - r0] if r - r0 < len(rows) else {}
        values = row.get("values") or []
        last_col = c0 + len(values) if not bounded else c1
        for c in range(c0, last_col):
            source = values[c - c0] if c - c0 < len(values) else {}
            view = _cell_view(sheet, r, c)
            fields.copy_masked(view, source or {}, mask)
            _store_cell(sheet, r, c, view)
    return {}


@request("appendCells")
def append_cells(tx, payload: dict) -> dict:
    """Rows after the last row holding any value, from column A; the grid grows to fit."""
    mask = payload.get("fields")
    if not mask:
        raise ApiError(400, "At least one field must be updated, but none were specified.")
    sheet = tx.sheet(payload.get("sheetId", 0))
    rows = payload.get("rows") or []
    start = sheet.used_extent()[0]
    width = max((len(r.get("values") or []) for r in rows), default=0)
    sheet.grid["rowCount"] = max(sheet.row_count, start + len(rows))
    sheet.grid["columnCount"] = max(sheet.column_count, width)
    for offset, row in enumerate(rows):
        for c, source in enumerate(row.get("values") or []):
            view = _cell_view(sheet, start + offset, c)
            fields.copy_masked(view, source or {}, mask)
            _store_cell(sheet, start + offset, c, view)
    return {}


@request("repeatCell")
def repeat_cell(tx, payload: dict) -> dict:
    mask = payload.get("fields")
    if not mask:
        raise ApiError(400, "At least one field must be updated, but none were specified.")
    sheet, r0, c0, r1, c1 = _span(tx, payload.get("range") or {})
    source = payload.get("cell") or {}
    if all(path[0] == "userEnteredFormat" for path in fields.paths(fields.parse(mask))):
        _repeat_format(sheet, r0, c0, r1, c1, source, mask)
        return {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            view = _cell_view(sheet, r, c)
            fields.copy_masked(view, source, mask)
            _store_cell(sheet, r, c, view)
    return {}


def _repeat_format(sheet: Sheet, r0: int, c0: int, r1: int, c1: int, source: dict, mask: str) -> None:
    """repeatCell touching formats only: each distinct current format is worked out once."""
    results: dict[int, dict | None] = {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            current = sheet.get_meta(r, c, "format")
            ident = id(current) if current else 0
            if ident not in results:
                view = {"userEnteredFormat": copy.deepcopy(current)} if current else {}
                fields.copy_masked(view, source, mask)
                results[ident] = normal_format(view["userEnteredFormat"]) if view.get("userEnteredFormat") else None
            sheet.set_meta(r, c, "format", results[ident])


@request("setDataValidation")
def set_data_validation(tx, payload: dict) -> dict:
    sheet, r0, c0, r1, c1 = _span(tx, payload.get("range") or {})
    rule = payload.get("rule")
    for r in range(r0, r1):
        for c in range(c0, c1):
            sheet.set_meta(r, c, "validation", copy.deepcopy(rule) if rule else None)
    return {}


@request("copyPaste")
def copy_paste(tx, payload: dict) -> dict:
    src, sr0, sc0, sr1, sc1 = _span(tx, payload.get("source") or {})
    dst, dr0, dc0, dr1, dc1 = _span(tx, payload.get("destination") or {})
    paste = payload.get("pasteType", "PASTE_NORMAL")
    height, width = sr1 - sr0, sc1 - sc0
    views = [[_cell_view(src, sr0 + i, sc0 + j) for j in range(width)] for i in range(height)]
    for r in range(dr0, max(dr1, dr0 + height)):
        for c in range(dc0, max(dc1, dc0 + width)):
            source = views[(r - dr0) % height][(c - dc0) % width]
            view = _cell_view(dst, r, c)
            if paste == "PASTE_FORMAT":
                fields.copy_masked(view, source, "userEnteredFormat")
            elif paste == "PASTE_VALUES":
                fields.copy_masked(view, source, "userEnteredValue")
            else:
                view = copy.deepcopy(source)
            _store_cell(dst, r, c, view)
    return {}


@request("sortRange")
def sort_range(tx, payload: dict) -> dict:
    sheet, r0, c0, r1, c1 = _span(tx, payload.get("range") or {})
    specs = payload.get("sortSpecs") or []
    end = min(r1, len(sheet.rows))
    block = [(list(sheet.rows[r][c0:c1]), {c: m for c, m in (sheet.meta[r] or {}).items() if c0 <= c < c1})
             for r in range(r0, end)]

    def key(entry, spec):
        value = entry[0][spec.get("dimensionIndex", 0) - c0] if spec.get("dimensionIndex", 0) - c0 < len(entry[0]) else None
        if value is None:
            return (2, 0)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, value)
        return (1, str(value).lower())

    for spec in reversed(specs):
        descending = spec.get("sortOrder") == "DESCENDING"
        filled = [e for e in block if key(e, spec)[0] != 2]
        empty = [e for e in block if key(e, spec)[0] == 2]
        filled.sort(key=lambda e: key(e, spec), reverse=descending)
        block = filled + empty
    for offset, (values, metas) in enumerate(block):
        r = r0 + offset
        row = sheet.rows[r]
        for c in range(c0, c1):
            sheet.set_value(r, c, values[c - c0] if c - c0 < len(values) else None)
        rest = {c: m for c, m in (sheet.meta[r] or {}).items() if not c0 <= c < c1}
        rest.update(metas)
        sheet.meta[r] = rest or None
        while row and row[-1] is None:
            row.pop()
    return {}

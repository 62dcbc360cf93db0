"""spreadsheets.values: get, batchGet, update, batchUpdate, append, clear, batchClear."""
from __future__ import annotations

from .a1 import range_text
from .cells import enter, is_date_format, render
from .errors import ApiError, invalid_value
from .model import Sheet, Spreadsheet

VALUE_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
INPUT_OPTIONS = ("RAW", "USER_ENTERED")


def _option(params: dict, name: str, allowed: tuple[str, ...], default: str | None) -> str:
    value = params.get(name, default)
    if value is None:
        raise ApiError(400, f"'{name}' is required but not specified")
    if value not in allowed:
        raise ApiError(400, f"Invalid value at '{_snake(name)}' (type.googleapis.com/google.apps.sheets.v4.{name[0].upper() + name[1:]}), \"{value}\"")
    return value


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


# -- reading ----------------------------------------------------------------------

def read(book: Spreadsheet, text: str, params: dict) -> dict:
    value_option = _option(params, "valueRenderOption", VALUE_OPTIONS, "FORMATTED_VALUE")
    date_option = _option(params, "dateTimeRenderOption", DATE_OPTIONS, "SERIAL_NUMBER")
    major = _option(params, "majorDimension", ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED"), "ROWS")
    if major == "DIMENSION_UNSPECIFIED":
        major = "ROWS"
    sheet, span = book.resolve(text)
    r0, c0, r1, c1 = sheet.clamp(span, text)
    grid = _values(sheet, r0, c0, r1, c1, value_option, date_option)
    if major == "COLUMNS":
        grid = _transpose(grid)
    result = {"range": range_text(sheet.title, r0, c0, r1, c1), "majorDimension": major}
    if grid:
        result["values"] = grid
    return result


def _values(sheet: Sheet, r0: int, c0: int, r1: int, c1: int, value_option: str, date_option: str) -> list[list]:
    """Rows of rendered values, trailing empty cells and rows trimmed, interior empties as ""."""
    out: list[list] = []
    plain = value_option == "UNFORMATTED_VALUE" and date_option == "SERIAL_NUMBER"
    rows, metas = sheet.rows, sheet.meta
    for r in range(r0, min(r1, len(rows))):
        row = rows[r][c0:c1]
        while row and row[-1] is None:
            row.pop()
        if not row:
            out.append([])
            continue
        metas_row = metas[r]
        if plain and not metas_row:
            out.append(["" if v is None else v for v in row])
            continue
        cells = []
        for offset, value in enumerate(row):
            if value is None:
                cells.append("")
                continue
            meta = metas_row.get(c0 + offset) if metas_row else None
            fmt = (meta.get("format") or {}).get("numberFormat") if meta else None
            formula = meta.get("formula") if meta else None
            cells.append(render(value, fmt, value_option, date_option, formula))
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def _transpose(grid: list[list]) -> list[list]:
    width = max((len(r) for r in grid), default=0)
    columns = [[row[c] if c < len(row) else "" for row in grid] for c in range(width)]
    for column in columns:
        while column and column[-1] == "":
            column.pop()
    while columns and not columns[-1]:
        columns.pop()
    return columns


def batch_read(book: Spreadsheet, params: dict) -> dict:
    ranges = params.get("ranges", [])
    if isinstance(ranges, str):
        ranges = [ranges]
    result = {"spreadsheetId": book.key}
    value_ranges = [read(book, text, params) for text in ranges]
    if value_ranges:
        result["valueRanges"] = value_ranges
    return result


# -- writing ------------------------------------------------------------------------

class Write:
    """One validated ValueRange write, applied only after every range in the request validated."""

    def __init__(self, book: Spreadsheet, text: str, body: dict, option: str, where: str) -> None:
        values = body.get("values")
        if values is None:
            values = []
        if not isinstance(values, list) or any(not isinstance(r, list) for r in values):
            raise invalid_value(where, values)
        major = body.get("majorDimension") or "ROWS"
        if major == "COLUMNS":
            width = max((len(c) for c in values), default=0)
            values = [[col[r] if r < len(col) else None for col in values] for r in range(width)]
        self.sheet, span = book.resolve(text)
        self.text = text
        self.r0, self.c0 = span.r0, span.c0
        height = len(values)
        width = max((len(r) for r in values), default=0)
        if span.r1 is not None and span.c1 is not None and span.r1 - span.r0 == 1 and span.c1 - span.c0 == 1:
            pass  # a single start cell: the values decide the extent
        else:
            limit_r = None if span.r1 is None else span.r1 - span.r0
            limit_c = None if span.c1 is None else span.c1 - span.c0
            if (limit_r is not None and height > limit_r) or (limit_c is not None and width > limit_c):
                raise ApiError(400, f"Requested writing within range [{text}], but tried writing to "
                                    f"{'row' if limit_r is not None and height > limit_r else 'column'} "
                                    f"[{self.r0 + height if limit_r is not None and height > limit_r else self.c0 + width}]")
        self.height, self.width = height, width
        raw = option == "RAW"
        self.entered = [[None if v is None else (v, None, None) if raw and v.__class__ is str and v
                         else enter(v, option, where) for v in row] for row in values]
        self.raw_none = [[v is None for v in row] for row in values]
        if height and width:
            if self.r0 + height > self.sheet.row_count or self.c0 + width > self.sheet.column_count:
                raise ApiError(400, f"Range ({text}) exceeds grid limits. Max rows: {self.sheet.row_count}, "
                                    f"max columns: {self.sheet.column_count}")

    def apply(self) -> dict:
        sheet = self.sheet
        cells = 0
        for i, row in enumerate(self.entered):
            for j, item in enumerate(row):
                if item is None:
                    continue
                value, formula, fmt = item
                r, c = self.r0 + i, self.c0 + j
                sheet.set_value(r, c, value, formula)
                if fmt is not None:
                    current = sheet.get_meta(r, c, "format") or {}
                    number = current.get("numberFormat")
                    if not number or is_date_format(number) != is_date_format(fmt):
                        sheet.set_meta(r, c, "format", {**current, "numberFormat": fmt})
                cells += 1
        self.cells = cells
        result = {"spreadsheetId": None}
        if self.height and self.width:
            result["updatedRange"] = range_text(sheet.title, self.r0, self.c0, self.r0 + self.height, self.c0 + self.width)
            rows, cols = self.touched()
            result.update(updatedRows=len(rows), updatedColumns=len(cols), updatedCells=cells)
        return result

    def touched(self) -> tuple[set, set]:
        """(sheet, row) and (sheet, column) pairs that received a value (nulls skip a cell)."""
        sid = self.sheet.sheet_id
        rows = {(sid, self.r0 + i) for i, row in enumerate(self.entered) if any(v is not None for v in row)}
        cols = {(sid, self.c0 + j) for row in self.entered for j, v in enumerate(row) if v is not None}
        return rows, cols


def update(book: Spreadsheet, text: str, params: dict, body: dict) -> dict:
    option = _option(params, "valueInputOption", INPUT_OPTIONS, None)
    if body.get("range") and body["range"] != text:
        _same_range(book, text, body["range"])
    write = Write(book, text, body, option, "data.values")
    result = write.apply()
    result["spreadsheetId"] = book.key
    if not write.height or not write.width:
        result.pop("spreadsheetId")
        result = {"spreadsheetId": book.key}
    book.touch()
    return result


def _same_range(book: Spreadsheet, path_range: str, body_range: str) -> None:
    a, b = book.resolve(path_range), book.resolve(body_range)
    if a[0] is not b[0] or a[1] != b[1]:
        raise ApiError(400, f"Requested writing within range [{path_range}], but tried writing to [{body_range}]")


def _input_option(body: dict) -> str:
    option = body.get("valueInputOption")
    if option not in INPUT_OPTIONS:
        raise ApiError(400, "'valueInputOption' is required but not specified" if option is None else
                       f"Invalid value at 'value_input_option', \"{option}\"")
    return option


def batch_update(book: Spreadsheet, body: dict) -> dict:
    option = _input_option(body)
    data = body.get("data") or []
    writes = [Write(book, item.get("range", ""), item, option, f"data[{i}].values") for i, item in enumerate(data)]
    return _apply_all(book, writes, lambda i, response: {**response, "spreadsheetId": book.key})


def _apply_all(book: Spreadsheet, writes: list, respond) -> dict:
    """Apply validated writes (all validated first: none applies if one is refused); the batch answer, each
    write's answer as `respond(index, answer)` makes it."""
    responses, rows, cols, sheets, cells = [], set(), set(), set(), 0
    for index, write in enumerate(writes):
        responses.append(respond(index, write.apply()))
        if write.height and write.width:
            r, c = write.touched()
            rows |= r
            cols |= c
            sheets.add(write.sheet.sheet_id)
            cells += write.cells
    book.touch()
    result = {"spreadsheetId": book.key}
    if cells:
        result.update(totalUpdatedRows=len(rows), totalUpdatedColumns=len(cols), totalUpdatedCells=cells,
                      totalUpdatedSheets=len(sheets))
    if responses:
        result["responses"] = responses
    return result


def append(book: Spreadsheet, text: str, params: dict, body: dict) -> dict:
    option = _option(params, "valueInputOption", INPUT_OPTIONS, None)
    insert = params.get("insertDataOption", "OVERWRITE")
    sheet, span = book.resolve(text)
    r0, c0, r1, c1 = sheet.clamp(span, text)
    table = find_table(sheet, r0, c0, r1, c1)
    values = body.get("values") or []
    if body.get("majorDimension") == "COLUMNS":
        width = max((len(c) for c in values), default=0)
        values = [[col[r] if r < len(col) else None for col in values] for r in range(width)]
    height = len(values)
    width = max((len(r) for r in values), default=0)
    if table is None:
        start_row, start_col = r0, c0
    else:
        start_row, start_col = table[2], table[1]
    if insert == "INSERT_ROWS" and height:
        sheet.insert_rows(start_row, height)
    elif start_row + height > sheet.row_count:
        sheet.grid["rowCount"] = start_row + height
    if start_col + width > sheet.column_count:
        sheet.grid["columnCount"] = start_col + width
    cells = range_text(sheet.title, start_row, start_col, start_row + max(height, 1), start_col + max(width, 1))
    write = Write(book, cells, {"values": values}, option, "data.values")
    updates = write.apply()
    updates["spreadsheetId"] = book.key
    result = {"spreadsheetId": book.key}
    if table is not None:
        result["tableRange"] = range_text(sheet.title, table[0], table[1], table[2], table[3])
    result["updates"] = {"spreadsheetId": book.key, **{k: v for k, v in updates.items() if k != "spreadsheetId"}}
    if str(params.get("includeValuesInResponse", "false")).lower() == "true":
        result["updates"]["updatedData"] = read(book, cells, {"valueRenderOption": params.get("responseValueRenderOption", "FORMATTED_VALUE")})
    book.touch()
    return result


def find_table(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> tuple[int, int, int, int] | None:
    """The 'table' an append extends: the last block of connected non-empty cells touching the range."""
    seeds = [(r, c) for r in range(r0, min(r1, len(sheet.rows)))
             for c in range(c0, min(c1, len(sheet.rows[r]))) if sheet.rows[r][c] is not None]
    if not seeds:
        return None
    seen: set[tuple[int, int]] = set()
    blocks = []
    for seed in seeds:
        if seed in seen:
            continue
        stack, box = [seed], [seed[0], seed[1], seed[0] + 1, seed[1] + 1]
        seen.add(seed)
        while stack:
            r, c = stack.pop()
            box = [min(box[0], r), min(box[1], c), max(box[2], r + 1), max(box[3], c + 1)]
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if (nr, nc) not in seen and nr >= 0 and nc >= 0 and sheet.value(nr, nc) is not None:
                    seen.add((nr, nc))
                    stack.append((nr, nc))
        blocks.append(tuple(box))
    return max(blocks, key=lambda b: (b[2], b[1]))


def clear(book: Spreadsheet, text: str) -> dict:
    sheet, span = book.resolve(text)
    r0, c0, r1, c1 = sheet.clamp(span, text)
    sheet.clear(r0, c0, r1, c1)
    book.touch()
    return {"spreadsheetId": book.key, "clearedRange": range_text(sheet.title, r0, c0, r1, c1)}


def batch_clear(book: Spreadsheet, body: dict) -> dict:
    targets = []
    for text in body.get("ranges") or []:
        sheet, span = book.resolve(text)
        targets.append((sheet, sheet.clamp(span, text)))
    cleared = []
    for sheet, (r0, c0, r1, c1) in targets:
        sheet.clear(r0, c0, r1, c1)
        cleared.append(range_text(sheet.title, r0, c0, r1, c1))
    book.touch()
    result = {"spreadsheetId": book.key}
    if cleared:
        result["clearedRanges"] = cleared
    return result


def batch_update_by_data_filter(book: Spreadsheet, body: dict) -> dict:
    """values:batchUpdateByDataFilter: each DataFilterValueRange's values go to every range its data filter
    finds (a developerMetadataLookup finds the rows or columns its metadata sits on, wherever they are now);
    a filter that finds nothing writes nothing. Values from the found range's top left; more values than the
    range holds is an error, as for a range written by A1 notation."""
    from .metadata_api import located

    option = _input_option(body)
    writes, filters = [], []
    for i, item in enumerate(body.get("data") or []):
        data_filter = item.get("dataFilter")
        if not data_filter:
            raise ApiError(400, f"data[{i}].dataFilter is required")
        for sheet, r0, c0, r1, c1 in located(book, data_filter):
            text = range_text(sheet.title, r0, c0, sheet.row_count if r1 is None else r1,
                              sheet.column_count if c1 is None else c1)
            writes.append(Write(book, text, item, option, f"data[{i}].values"))
            filters.append(data_filter)

    def respond(index: int, response: dict) -> dict:
        response.pop("spreadsheetId", None)
        return {**response, "dataFilter": filters[index]}

    return _apply_all(book, writes, respond)

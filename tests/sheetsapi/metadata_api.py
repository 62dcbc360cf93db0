"""Developer metadata: createDeveloperMetadata, updateDeveloperMetadata and deleteDeveloperMetadata requests.

Metadata sits on a sheet (returned in that sheet's `developerMetadata` by spreadsheets.get) or on the
spreadsheet (returned at the top level), as Google does, or on rows or columns (location.dimensionRange): that
metadata moves with its rows or columns and goes when they are deleted (model.Sheet), and a data filter
that finds it stands for its rows or columns (located). Row and column metadata is not listed in
spreadsheets.get's answer (Google gives it in the grid data's rowMetadata/columnMetadata, which the job never asks for)."""
from __future__ import annotations

import copy
import itertools

from . import fields
from .errors import ApiError
from .requests_api import request

_ids = itertools.count(1_500_001)
VISIBILITIES = ("DOCUMENT", "PROJECT")


def _lists(tx) -> list[tuple[dict, list[dict]]]:
    """Every (location, metadata list) in the transaction: the spreadsheet's, then each sheet's."""
    out = [({"locationType": "SPREADSHEET", "spreadsheet": True}, tx.developer_metadata)]
    for sheet in list(tx.sheets):
        if sheet.extra.get("developerMetadata"):
            sheet = tx.sheet(sheet.sheet_id)  # the transaction's copy, so a failed batch changes nothing
            out.append(({"locationType": "SHEET", "sheetId": sheet.sheet_id}, sheet.extra["developerMetadata"]))
    for sheet in list(tx.sheets):
        if sheet.dimension_metadata:
            sheet = tx.sheet(sheet.sheet_id)
            out.append(({"locationType": "DIMENSION", "sheetId": sheet.sheet_id}, sheet.dimension_metadata))
    return out


def _sheet_id(location: dict) -> int | None:
    return location.get("sheetId", (location.get("dimensionRange") or {}).get("sheetId"))


def _matches(item: dict, lookup: dict) -> bool:
    if not lookup:
        raise ApiError(400, "A developer metadata lookup must specify at least one field.")
    for name in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if name in lookup and item.get(name) != lookup[name]:
            return False
    location = item["location"]
    if "locationType" in lookup and location["locationType"] != lookup["locationType"]:
        return False
    wanted = lookup.get("metadataLocation") or {}
    if "sheetId" in wanted and _sheet_id(location) != wanted["sheetId"]:
        return False
    if "dimensionRange" in wanted and not _same_span(location.get("dimensionRange"), wanted["dimensionRange"]):
        return False
    if wanted.get("spreadsheet") and location["locationType"] != "SPREADSHEET":
        return False
    return True


def _same_span(have: dict | None, want: dict) -> bool:
    return have is not None and all(have.get(k) == want.get(k, 0 if k == "startIndex" else None)
                                    for k in ("sheetId", "dimension", "startIndex", "endIndex"))


def located(book, data_filter: dict) -> list[tuple[object, int, int, int | None, int | None]]:
    """The (sheet, first row, first column, end row, end column) spans a developerMetadataLookup data filter
    stands for, as Google resolves them: a sheet's metadata, the whole sheet; a row or column's, those rows
    or columns, whole (None: to the grid's end). Nothing when no metadata matches."""
    lookup = data_filter.get("developerMetadataLookup")
    if lookup is None:
        raise ApiError(400, "Only developerMetadataLookup data filters are supported by this server.")
    spans = []
    for sheet in book.sheets:
        for item in sheet.extra.get("developerMetadata") or []:
            if _matches(item, lookup):
                spans.append((sheet, 0, 0, None, None))
        for item in sheet.dimension_metadata:
            if _matches(item, lookup):
                span = item["location"]["dimensionRange"]
                if span["dimension"] == "COLUMNS":
                    spans.append((sheet, 0, span["startIndex"], None, span["endIndex"]))
                else:
                    spans.append((sheet, span["startIndex"], 0, span["endIndex"], None))
    return spans


def _found(tx, filters: list[dict]) -> list[tuple[list[dict], dict]]:
    hits = []
    for data_filter in filters:
        lookup = data_filter.get("developerMetadataLookup")
        if lookup is None:
            raise ApiError(400, "Only developerMetadataLookup data filters are supported by this server.")
        for _, items in _lists(tx):
            hits.extend((items, item) for item in items
                        if _matches(item, lookup) and not any(item is seen for _, seen in hits))
    return hits


@request("createDeveloperMetadata")
def create_developer_metadata(tx, payload: dict) -> dict:
    meta = copy.deepcopy(payload.get("developerMetadata") or {})
    if not meta.get("metadataKey"):
        raise ApiError(400, "Developer metadata must have a metadataKey.")
    if meta.get("visibility") not in VISIBILITIES:
        raise ApiError(400, "Developer metadata visibility must be DOCUMENT or PROJECT.")
    location = meta.get("location") or {}
    if location.get("spreadsheet"):
        target, where = tx.developer_metadata, {"locationType": "SPREADSHEET", "spreadsheet": True}
    elif "dimensionRange" in location:
        span = dict(location["dimensionRange"])
        sheet = tx.sheet(span.get("sheetId", 0))
        span.setdefault("startIndex", 0)
        if span.get("dimension") not in ("ROWS", "COLUMNS"):
            raise ApiError(400, "Developer metadata dimensionRange must say ROWS or COLUMNS.")
        size = sheet.row_count if span["dimension"] == "ROWS" else sheet.column_count
        if "endIndex" not in span or not 0 <= span["startIndex"] < span["endIndex"] <= size:
            raise ApiError(400, f"Developer metadata range [{span['startIndex']}, {span.get('endIndex')}) is "
                                f"outside the grid ({size} {span['dimension'].lower()}).")
        span["sheetId"] = sheet.sheet_id
        target = sheet.dimension_metadata
        where = {"locationType": "COLUMN" if span["dimension"] == "COLUMNS" else "ROW", "dimensionRange": span}
    elif "sheetId" in location:
        sheet = tx.sheet(location["sheetId"])
        target = sheet.extra.setdefault("developerMetadata", [])
        where = {"locationType": "SHEET", "sheetId": sheet.sheet_id}
    else:
        raise ApiError(400, "Developer metadata location must be the spreadsheet or a sheet on this server.")
    if "metadataId" in meta:
        if any(item.get("metadataId") == meta["metadataId"] for _, items in _lists(tx) for item in items):
            raise ApiError(400, f"Developer metadata with ID {meta['metadataId']} already exists.")
    else:
        meta["metadataId"] = next(_ids)
    meta["location"] = where
    target.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


@request("updateDeveloperMetadata")
def update_developer_metadata(tx, payload: dict) -> dict:
    mask = payload.get("fields")
    if not mask:
        raise ApiError(400, "'fields' is required in updateDeveloperMetadata.")
    new = payload.get("developerMetadata") or {}
    hits = _found(tx, payload.get("dataFilters") or [])
    updated = []
    for items, item in hits:
        for path in fields.paths(fields.parse(mask)):
            name = path[0]
            if name in ("metadataId", "location"):
                raise ApiError(400, f"Updating developer metadata {name} is not supported by this server.")
            if name in new:
                item[name] = copy.deepcopy(new[name])
            else:
                item.pop(name, None)
        updated.append(copy.deepcopy(item))
    return {"updateDeveloperMetadata": {"developerMetadata": updated}}


@request("deleteDeveloperMetadata")
def delete_developer_metadata(tx, payload: dict) -> dict:
    data_filter = payload.get("dataFilter")
    if not data_filter:
        raise ApiError(400, "'dataFilter' is required in deleteDeveloperMetadata.")
    hits = _found(tx, [data_filter])
    for items, item in hits:
        items.remove(item)
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": [copy.deepcopy(i) for _, i in hits]}}

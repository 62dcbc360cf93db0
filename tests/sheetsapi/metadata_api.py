"""Developer metadata: createDeveloperMetadata, updateDeveloperMetadata and deleteDeveloperMetadata requests.

Metadata sits on a sheet (returned in that sheet's `developerMetadata` by spreadsheets.get) or on the
spreadsheet (returned at the top level), as Google does. Locations on rows and columns are not modelled."""
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
    return out


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
    if "sheetId" in wanted and location.get("sheetId") != wanted["sheetId"]:
        return False
    if wanted.get("spreadsheet") and location["locationType"] != "SPREADSHEET":
        return False
    return True


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

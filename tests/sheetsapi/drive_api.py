"""Drive v3, as far as gspread uses it for spreadsheets: create, get, list, delete, permissions."""
from __future__ import annotations

import itertools
import re

from . import fields
from .errors import ApiError
from .model import Spreadsheet, rfc3339

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
_permission_ids = itertools.count(10_000_000_000)


def not_found(file_id: str) -> ApiError:
    message = f"File not found: {file_id}."
    return ApiError(404, message, status="NOT_FOUND_DRIVE", details=None)


def drive_error_body(exc: ApiError, location: str = "fileId") -> dict:
    """Drive's error shape: code, message and an `errors` list (no status)."""
    reason = {404: "notFound", 403: "insufficientFilePermissions", 400: "badRequest", 401: "authError"}.get(exc.code, "backendError")
    return {"error": {"code": exc.code, "message": exc.message, "errors": [{
        "message": exc.message, "domain": "global", "reason": reason, "location": location, "locationType": "parameter",
    }]}}


def file_json(book: Spreadsheet, role: str) -> dict:
    return {
        "kind": "drive#file", "id": book.key, "name": book.properties["title"], "mimeType": SPREADSHEET_MIME,
        "createdTime": rfc3339(book.created), "modifiedTime": rfc3339(book.modified),
        "capabilities": {"canEdit": role in ("owner", "writer"), "canComment": role in ("owner", "writer", "commenter"),
                         "canShare": role in ("owner", "writer"), "canDelete": role == "owner"},
        "owners": [{"kind": "drive#user", "emailAddress": book.owner}],
    }


def create(books: dict, body: dict, principal: str) -> dict:
    mime = body.get("mimeType")
    if mime != SPREADSHEET_MIME:
        raise ApiError(400, f"This local Drive only creates spreadsheets, not {mime!r}")
    book = Spreadsheet.new(body.get("name") or "Untitled spreadsheet", owner=principal)
    books[book.key] = book
    return {"kind": "drive#file", "id": book.key, "name": book.properties["title"], "mimeType": SPREADSHEET_MIME}


def get(book: Spreadsheet, role: str, params: dict) -> dict:
    data = file_json(book, role)
    mask = params.get("fields")
    if not mask:
        return {k: data[k] for k in ("kind", "id", "name", "mimeType")}
    return fields.select(data, fields.parse(mask))


def listing(books: dict, params: dict, can_read) -> dict:
    query = params.get("q", "")
    name = re.search(r"name\s*=\s*(['\"])(.*?)\1", query)
    found = [b for b in books.values() if can_read(b)]
    if name:
        found = [b for b in found if b.properties["title"] == name[2].replace("\\'", "'")]
    files = [file_json(b, "reader") for b in sorted(found, key=lambda b: -b.modified)]
    result = {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
    mask = params.get("fields")
    return fields.select(result, fields.parse(mask)) if mask else {
        **result, "files": [{k: f[k] for k in ("kind", "id", "name", "mimeType")} for f in files]}


def add_permission(book: Spreadsheet, body: dict) -> dict:
    email = body.get("emailAddress")
    role = body.get("role", "reader")
    if body.get("type", "user") in ("user", "group") and not email:
        raise ApiError(400, "The permission value field is required.")
    if role not in ("owner", "writer", "commenter", "reader"):
        raise ApiError(400, f"The provided role is invalid: {role}")
    book.permissions[email] = role
    return {"kind": "drive#permission", "id": str(next(_permission_ids)), "type": body.get("type", "user"), "role": role}


def list_permissions(book: Spreadsheet) -> dict:
    return {"kind": "drive#permissionList", "permissions": [
        {"kind": "drive#permission", "id": str(abs(hash(email)) % 10**12), "type": "user", "role": role,
         "emailAddress": email} for email, role in book.permissions.items()]}

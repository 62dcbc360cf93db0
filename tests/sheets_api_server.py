"""A local HTTP server speaking the Google Sheets API v4, the Drive v3 calls gspread makes, and the OAuth
token endpoint: the real gspread client talks to it in the tests, and it counts every request.

Run it on its own from the repository root:

    python -m tests.sheets_api_server --port 0      # prints: listening on http://127.0.0.1:PORT

Spreadsheets are created through the API as gspread's Client.create does (Drive files.create).
Tests drive it in-process: seed rows, share sheets, inject faults (429 bursts, 5xx, dropped connections,
a concurrent edit made just before a chosen request) and read the request counts.
"""
from __future__ import annotations

import argparse
import json
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.sheetsapi import drive_api, sheets_api, values_api
from tests.sheetsapi.auth import OWNER, Auth
from tests.sheetsapi.cells import enter
from tests.sheetsapi.errors import NO_PERMISSION, NOT_FOUND, QUOTA, ApiError
from tests.sheetsapi.faults import Call, Faults
from tests.sheetsapi.model import Sheet, Spreadsheet

DROP = (0, {}, b"")  # handle()'s answer for "close the connection without answering"
_SHEETS = re.compile(r"^/v4/spreadsheets/([^/:?]+)(.*)$")
_DRIVE = re.compile(r"^/drive/v3/files(?:/([^/?]+))?(/permissions)?/?$")


class SheetsServer:
    """The server's state (spreadsheets, auth, counters, faults) and its HTTP front end."""

    def __init__(self, port: int = 0, require_auth: bool = False) -> None:
        self.books: dict[str, Spreadsheet] = {}
        self.auth = Auth(required=require_auth)
        self.calls: list[Call] = []
        self.faults = Faults()
        self.lock = threading.RLock()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> "SheetsServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "SheetsServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for tests: state, counters --------------------------------------------------

    def create(self, title: str = "Returns", owner: str = OWNER) -> str:
        with self.lock:
            book = Spreadsheet.new(title, owner=owner)
            self.books[book.key] = book
            return book.key

    def book(self, key: str) -> Spreadsheet:
        return self.books[key]

    def sheet(self, key: str, title: str) -> Sheet:
        sheet = self.books[key].sheet_by_title(title)
        if sheet is None:
            raise KeyError(title)
        return sheet

    def put_rows(self, key: str, title: str, rows: list[list], start_row: int = 0, option: str = "RAW") -> None:
        """Write rows of values straight into a tab (created if missing, grid grown to fit)."""
        with self.lock:
            book = self.books[key]
            sheet = book.sheet_by_title(title)
            if sheet is None:
                if book.sheets[0].title == "Sheet1" and not book.sheets[0].rows:
                    sheet = book.sheets[0]
                    sheet.props["title"] = title
                else:
                    sheet = Sheet(sheets_api.new_sheet_props(book.next_sheet_id(), title, len(book.sheets)))
                    book.sheets.append(sheet)
            width = max((len(r) for r in rows), default=0)
            sheet.grid["rowCount"] = max(sheet.row_count, start_row + len(rows))
            sheet.grid["columnCount"] = max(sheet.column_count, width)
            for i, row in enumerate(rows):
                for j, raw in enumerate(row):
                    if raw is None or raw == "":
                        continue
                    value, formula, fmt = enter(raw, option)
                    sheet.set_value(start_row + i, j, value, formula)
                    if fmt:
                        sheet.set_meta(start_row + i, j, "format", {"numberFormat": fmt})
            book.touch()

    def load_rows(self, key: str, title: str, rows: list[list], date_columns: tuple[int, ...] = ()) -> None:
        """Many rows at once, for big sheets: values already as the API holds them (numbers, text, bools;
        dates as serial numbers, given a date format in `date_columns`)."""
        with self.lock:
            self.put_rows(key, title, [rows[0]])
            sheet = self.sheet(key, title)
            width = max(len(r) for r in rows)
            sheet.rows = [[None if v == "" else v for v in row] for row in rows]
            date_format = {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}
            sheet.meta = [{c: {"format": dict(date_format)} for c in date_columns if c < len(row) and row[c] is not None}
                          or None if r else None for r, row in enumerate(rows)]
            sheet.grid["rowCount"] = max(sheet.row_count, len(rows) + 100)
            sheet.grid["columnCount"] = max(sheet.column_count, width)
            self.books[key].touch()

    def values(self, key: str, title: str) -> list[list]:
        """A tab's values as UNFORMATTED_VALUE reads them (trailing empties trimmed)."""
        with self.lock:
            book = self.books[key]
            got = values_api.read(book, book.label(self.sheet(key, title), ""),
                                  {"valueRenderOption": "UNFORMATTED_VALUE"})
            return got.get("values", [])

    def edit(self, key: str, requests: list[dict]) -> None:
        """Change the sheet as a seller working in it would (batchUpdate requests; not counted as a call)."""
        with self.lock:
            sheets_api.batch_update(self.books[key], {"requests": requests})

    def share(self, key: str, email: str, role: str = "writer") -> None:
        self.books[key].permissions[email] = role

    def reset_counts(self) -> None:
        with self.lock:
            self.calls.clear()

    def count(self, kind: str | None = None, prefix: str | None = None) -> int:
        return sum(1 for c in self.calls if (kind is None or c.kind == kind) and (prefix is None or c.kind.startswith(prefix)))

    def api_calls(self) -> list[Call]:
        """Sheets and Drive calls (not the OAuth token endpoint)."""
        return [c for c in self.calls if c.kind != "token"]

    # -- request handling ----------------------------------------------------------

    def stats(self) -> dict:
        """Requests counted since the last reset (OAuth token calls included), bytes each way, by kind."""
        with self.lock:
            by_kind: dict[str, int] = {}
            for call in self.calls:
                by_kind[call.kind] = by_kind.get(call.kind, 0) + 1
            return {"requests": len(self.calls), "bytes_received": sum(c.bytes_in for c in self.calls),
                    "bytes_sent": sum(c.bytes_out for c in self.calls), "by_kind": by_kind}

    def _control(self, method: str, path: str) -> tuple[int, dict, bytes]:
        """/_control/stats (GET) and /_control/reset (POST): for a server running in another process."""
        if path == "/_control/reset" and method == "POST":
            self.reset_counts()
            payload: dict = {"reset": True}
        elif path == "/_control/stats":
            payload = self.stats()
        else:
            return 404, {}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    def handle(self, method: str, raw_path: str, headers: dict, body: bytes,
               faults: bool = True) -> tuple[int, dict, bytes]:
        split = urlsplit(raw_path)
        if split.path.startswith("/_control/"):
            return self._control(method, split.path)
        query = {k: (v if len(v) > 1 or k == "ranges" else v[0]) for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        parsed_body = _json_body(body) if body and split.path != "/token" else None
        call = Call(method, _kind(method, split.path), split.path, query, parsed_body,
                    bytes_in=len(body) + sum(len(k) + len(v) + 4 for k, v in headers.items()) + len(raw_path) + 16)
        with self.lock:
            self.calls.append(call)
            fault = self.faults.take(call) if faults else None
        if fault is not None and (fault.drop == "after" or fault.applied):
            self.handle(method, raw_path, headers, body, faults=False)
            with self.lock:
                self.calls.pop()  # the request above, counted once
        if fault is not None and fault.drop:
            call.status = -1
            return DROP
        if fault is not None and fault.action is not None:
            with self.lock:
                fault.action(self)
        elif fault is not None:
            if fault.body is not None:
                return self._answer(call, fault.status, {"Content-Type": "text/html"}, fault.body)
            message = QUOTA if fault.status == 429 else "Internal error encountered." if fault.status == 500 else "The service is currently unavailable."
            return self._json(call, fault.status, ApiError(fault.status, message).body())
        try:
            if call.kind == "token":
                status, answer = self.auth.token_endpoint(body)
                return self._json(call, status, answer)
            if isinstance(parsed_body, ApiError):
                raise parsed_body
            principal = self.auth.principal(headers.get("authorization"))
            with self.lock:
                if split.path.startswith("/drive/"):
                    return self._drive(call, principal)
                return self._sheets(call, principal)
        except ApiError as exc:
            if split.path.startswith("/drive/") and exc.code != 401:
                return self._json(call, exc.code, drive_api.drive_error_body(exc))
            return self._json(call, exc.code, exc.body())
        except Exception as exc:  # a bug in this server: answer like Google's 500 and say what broke
            import traceback

            traceback.print_exc()
            return self._json(call, 500, ApiError(500, f"Internal error encountered. ({type(exc).__name__}: {exc})").body())

    def _role(self, book: Spreadsheet, principal: str) -> str | None:
        if principal == OWNER or principal == book.owner:
            return "owner"
        return book.permissions.get(principal)

    def _open(self, key: str, principal: str, write: bool) -> Spreadsheet:
        book = self.books.get(key)
        if book is None:
            raise ApiError(404, NOT_FOUND)
        role = self._role(book, principal)
        if role is None or (write and role not in ("owner", "writer")):
            raise ApiError(403, NO_PERMISSION)
        return book

    def _sheets(self, call: Call, principal: str) -> tuple[int, dict, bytes]:
        match = _SHEETS.match(call.path)
        if call.path == "/v4/spreadsheets" and call.method == "POST":
            body = call.body or {}
            book = Spreadsheet.new(((body.get("properties") or {}).get("title")) or "Untitled spreadsheet", owner=principal)
            self.books[book.key] = book
            return self._json(call, 200, sheets_api.get(book, {}))
        if not match:
            raise ApiError(404, NOT_FOUND)
        key, rest = unquote(match[1]), match[2]
        write = call.method in ("PUT", "POST")
        book = self._open(key, principal, write)
        body = call.body if isinstance(call.body, dict) else {}
        q = call.query
        if rest == "" and call.method == "GET":
            return self._json(call, 200, sheets_api.get(book, q))
        if rest == ":batchUpdate" and call.method == "POST":
            return self._json(call, 200, sheets_api.batch_update(book, body, q.get("fields")))
        if rest == "/values:batchGet" and call.method == "GET":
            return self._json(call, 200, values_api.batch_read(book, q))
        if rest == "/values:batchUpdate" and call.method == "POST":
            return self._json(call, 200, values_api.batch_update(book, body))
        if rest == "/values:batchUpdateByDataFilter" and call.method == "POST":
            return self._json(call, 200, values_api.batch_update_by_data_filter(book, body))
        if rest == "/values:batchClear" and call.method == "POST":
            return self._json(call, 200, values_api.batch_clear(book, body))
        if rest.startswith("/values/"):
            tail = rest[len("/values/"):]
            suffix = ""
            for candidate in (":append", ":clear"):
                if tail.endswith(candidate):
                    tail, suffix = tail[: -len(candidate)], candidate
            text = unquote(tail)
            if suffix == ":append" and call.method == "POST":
                return self._json(call, 200, values_api.append(book, text, q, body))
            if suffix == ":clear" and call.method == "POST":
                return self._json(call, 200, values_api.clear(book, text))
            if call.method == "GET":
                return self._json(call, 200, values_api.read(book, text, q))
            if call.method == "PUT":
                return self._json(call, 200, values_api.update(book, text, q, body))
        raise ApiError(404, NOT_FOUND)

    def _drive(self, call: Call, principal: str) -> tuple[int, dict, bytes]:
        match = _DRIVE.match(call.path)
        if not match:
            raise ApiError(404, "Not Found")
        file_id, permissions = match[1], match[2]
        body = call.body if isinstance(call.body, dict) else {}
        if file_id is None:
            if call.method == "POST":
                return self._json(call, 200, drive_api.create(self.books, body, principal))
            if call.method == "GET":
                return self._json(call, 200, drive_api.listing(self.books, call.query,
                                                               lambda b: self._role(b, principal) is not None))
            raise ApiError(404, "Not Found")
        key = unquote(file_id)
        book = self.books.get(key)
        if book is None or self._role(book, principal) is None:
            raise ApiError(404, f"File not found: {key}.")
        role = self._role(book, principal)
        if permissions:
            if call.method == "POST":
                if role not in ("owner", "writer"):
                    raise ApiError(403, "The user does not have sufficient permissions for this file.")
                return self._json(call, 200, drive_api.add_permission(book, body))
            return self._json(call, 200, drive_api.list_permissions(book))
        if call.method == "GET":
            return self._json(call, 200, drive_api.get(book, role, call.query))
        if call.method == "DELETE":
            if role != "owner":
                raise ApiError(403, "The user does not have sufficient permissions for this file.")
            del self.books[key]
            return self._answer(call, 204, {}, b"")
        raise ApiError(404, "Not Found")

    def _json(self, call: Call, status: int, payload: dict) -> tuple[int, dict, bytes]:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._answer(call, status, {"Content-Type": "application/json; charset=UTF-8"}, data)

    def _answer(self, call: Call, status: int, headers: dict, data: bytes) -> tuple[int, dict, bytes]:
        call.status = status
        call.bytes_out = len(data) + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 64
        return status, headers, data


def _strip_nulls(value: object) -> object:
    """Request bodies may hold nulls: absent fields (nulls inside value lists stay: they mean 'skip')."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) if isinstance(v, (dict, list)) else v for v in value]
    return value


def _json_body(body: bytes) -> object:
    try:
        return _strip_nulls(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return ApiError(400, "Invalid JSON payload received.")


def _kind(method: str, path: str) -> str:
    if path == "/token":
        return "token"
    if path.startswith("/drive/"):
        match = _DRIVE.match(path)
        if match and match[2]:
            return "drive.permissions"
        if match and match[1] is None:
            return "drive.create" if method == "POST" else "drive.list"
        return {"GET": "drive.get", "DELETE": "drive.delete"}.get(method, "drive.other")
    match = _SHEETS.match(path)
    if not match:
        return "create" if path == "/v4/spreadsheets" else "other"
    rest = match[2]
    if rest == "":
        return "metadata"
    if rest == ":batchUpdate":
        return "batchUpdate"
    if rest.startswith("/values:"):
        return "values." + rest[len("/values:"):]
    if rest.endswith(":append"):
        return "values.append"
    if rest.endswith(":clear"):
        return "values.clear"
    return "values.get" if method == "GET" else "values.update"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: SheetsServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the client's delayed
        # ACK add 40 ms to every answer on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.server_state.handle(self.command, self.path, headers, body)
        if answer is DROP:
            self.close_connection = True
            return
        status, out_headers, data = answer
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests count requests instead
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Google Sheets API v4 / Drive v3 / OAuth server for tests.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free one)")
    parser.add_argument("--require-auth", action="store_true", help="reject requests without a token it issued")
    args = parser.parse_args(argv)
    server = SheetsServer(args.port, require_auth=args.require_auth)
    print(f"listening on {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    sys.exit(main())

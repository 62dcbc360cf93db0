"""Every request the adapter makes, through gspread's HTTP client, with bounded retries and plain errors.

429 and 5xx answers (and dropped connections) are retried with exponential backoff, at most
RETRIES times (gspread 6.2's BackOffHTTPClient would retry forever); then one SheetReturnsError says
what happened and what to do. Every batch request is applied atomically by Google, so a failure
leaves each cell with its old or its new value, and the next run completes the write.

A value write sends the same cells again when retried. A spreadsheets.batchUpdate may not: appended
rows, added tabs, charts and colour rules would come twice. So each batchUpdate also creates a
developer metadata item with an id of its own (the write token, WRITE_TOKEN) and deletes the previous
run's. When a try gets no clear answer (5xx, dropped connection), the spreadsheet's metadata is read:
if the token is there, the batchUpdate applied and is not sent again (its answer is lost: the caller
reads what it needs). If it is not, the same body goes again; should the lost try still land later,
Google refuses whichever comes second, since two items cannot share an id, as long as the token is
there: the next batchUpdate removes it (a lost try landing after that would apply). If the metadata
cannot be read either, the error says that the write may have gone through.
"""
from __future__ import annotations

import random
import time
from typing import Callable

import requests

from ..errors import SheetReturnsError
from .connect import Connection

RETRIES = 5
FIRST_DELAY = 1.0
MAX_DELAY = 32.0
sleep: Callable[[float], None] = time.sleep  # tests replace this to run without waiting

WRITE_TOKEN = "sheetreturns.write"  # developer metadata key of the write token (see above)
APPLIED = object()  # what _call returns when a write with no answer is known to have applied
DRIVE_FILES = "https://www.googleapis.com/drive/v3/files/%s"
# What a batchUpdate answers when it brings cells back: each range's values and where it starts, nothing else.
RESPONSE_CELLS = "updatedSpreadsheet(sheets(properties(title),data(startRow,startColumn,rowData(values(effectiveValue)))))"


class Api:
    """The calls on one spreadsheet, counted."""

    def __init__(self, connection: Connection, key: str) -> None:
        self.connection = connection
        self.http = connection.http
        self.key = key
        self.requests = 0
        self.writes = 0  # write requests Google accepted
        self.unsure = False  # a write request got no clear answer (5xx, dropped connection): it may have applied
        self.tokens: list[int] = []  # ids of the write tokens on the spreadsheet (removed by the next batchUpdate)

    # -- the calls -----------------------------------------------------------------

    def metadata(self) -> dict:
        answer = self._call("open", lambda: self.http.fetch_sheet_metadata(self.key))
        self.tokens = _token_ids(answer)
        return answer

    def batch_get(self, ranges: list[str], major: str = "ROWS") -> list[dict]:
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
                  "majorDimension": major}
        answer = self._call("read", lambda: self.http.values_batch_get(self.key, list(ranges), dict(params)))
        return answer.get("valueRanges", [])

    def write_values(self, data: list[dict], again: Callable[[], list[dict]] | None = None) -> dict:
        """One values.batchUpdate. A try with no clear answer is sent again after the backoff; with `again`,
        as `again()` makes it then (the caller finds the rows again: a sort during the wait moves them)."""
        body = {"valueInputOption": "RAW", "data": data}

        def refresh() -> None:
            body["data"] = again()

        answer = self._call("write", lambda: self.http.values_batch_update(self.key, body),
                            before_retry=refresh if again is not None else None)
        self.writes += 1
        return answer

    def write_values_by_filter(self, data: list[dict]) -> dict:
        """One values.batchUpdateByDataFilter: each DataFilterValueRange goes to the ranges its data filter finds
        then (a developer metadata lookup finds the rows or columns the metadata is on, wherever they moved).
        Sent again as is after a try with no clear answer (the same values land on the same cells)."""
        from gspread.urls import SPREADSHEET_VALUES_BATCH_UPDATE_URL

        url = SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.key + "ByDataFilter"
        body = {"valueInputOption": "RAW", "data": data}
        answer = self._call("write", lambda: self.http.request("post", url, json=body).json())
        self.writes += 1
        return answer

    def batch_update(self, requests_: list[dict], response_ranges: list[str] | None = None) -> dict | None:
        """One spreadsheets.batchUpdate (applied atomically, and at most once: see the write token above).
        With `response_ranges`, the answer also holds the cells of those ranges as they are once the
        requests are applied (values only), in answer["updatedSpreadsheet"]["sheets"][i]["data"]: a read
        that costs no request of its own. None: the requests applied but their answer was lost."""
        token = random.randint(1, 2**31 - 1)
        body: dict = {"requests": [*requests_, *_token_requests(token, self.tokens)]}
        if not response_ranges:
            send = lambda: self.http.batch_update(self.key, body)  # noqa: E731
        else:
            from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

            body.update(includeSpreadsheetInResponse=True, responseRanges=list(response_ranges),
                        responseIncludeGridData=True)
            url, params = SPREADSHEET_BATCH_UPDATE_URL % self.key, {"fields": RESPONSE_CELLS}
            send = lambda: self.http.request("post", url, json=body, params=params).json()  # noqa: E731
        answer = self._call("write", send, applied=lambda: self._applied(token))
        self.writes += 1
        self.tokens = [token]
        return None if answer is APPLIED else answer

    def _applied(self, token: int) -> bool:
        """Whether the write that carries `token` went through (its answer was lost): the token is there."""
        try:
            return token in _token_ids(self._tokens_now())
        except SheetReturnsError as exc:
            status = getattr(exc, "status", None)
            error = SheetReturnsError(
                f"Google Sheets gave no answer to a write to the Google Sheet {self.key}, nor to the question "
                f"whether it went through ({f'answer {status}' if status else 'no connection'}): it may have. "
                f"Run again later: the next run reads the sheet as it is then and completes the write")
            error.status = status
            raise error from exc

    def _tokens_now(self) -> dict:
        """The spreadsheet's own developer metadata, read again (to learn whether a write applied)."""
        params = {"fields": "developerMetadata(metadataId,metadataKey)"}
        return self._call("open", lambda: self.http.fetch_sheet_metadata(self.key, params=params))

    def can_edit(self) -> bool | None:
        """Drive's answer to "may we edit this file?"; None when Drive cannot tell (API not enabled)."""
        url = DRIVE_FILES % self.key
        params = {"fields": "capabilities/canEdit", "supportsAllDrives": "true"}
        try:
            answer = self._call("check", lambda: self.http.request("get", url, params=params).json())
        except SheetReturnsError as exc:
            if getattr(exc, "status", None) in (403, 404):
                return None  # Drive API not enabled for the project, or Drive cannot see a shared-drive file
            raise
        return (answer.get("capabilities") or {}).get("canEdit")

    # -- retries and errors ----------------------------------------------------------

    def _call(self, what: str, func: Callable[[], object], applied: Callable[[], bool] | None = None,
              before_retry: Callable[[], None] | None = None):
        """`func()` with retries. `applied`, for a write that must not apply twice, says whether a try that got
        no clear answer was carried out all the same: then APPLIED is returned instead of trying again.
        `before_retry`, for a write placed by position, is called after the wait that follows a try with no clear
        answer or a 429 (the rows may have moved meanwhile), before the next."""
        from google.auth.exceptions import RefreshError, TransportError
        from gspread.exceptions import APIError

        delay = FIRST_DELAY
        lost = False  # a try of this call got no clear answer
        for attempt in range(RETRIES + 1):
            self.requests += 1
            try:
                return func()
            except APIError as exc:
                status = exc.response.status_code
                if what == "write" and (status >= 500 or status < 0):
                    self.unsure = lost = True
                    if applied is not None and applied():
                        return APPLIED
                elif lost and applied is not None and status == 400 and applied():
                    return APPLIED  # a lost try landed after all, so Google refused this one (its token exists)
                if (status == 429 or status >= 500) and attempt < RETRIES:
                    sleep(_wait(exc.response, delay))
                    delay = min(delay * 2, MAX_DELAY)
                    if before_retry is not None:  # rows may have moved during the wait
                        before_retry()
                    continue
                raise self._explain(what, status, _message(exc), attempts=attempt + 1) from None
            except RefreshError as exc:
                raise self._refused(exc) from None
            except (requests.ConnectionError, requests.Timeout, TransportError) as exc:
                if what == "write":
                    self.unsure = lost = True
                    if applied is not None and applied():
                        return APPLIED
                if attempt < RETRIES:
                    sleep(delay)
                    delay = min(delay * 2, MAX_DELAY)
                    if before_retry is not None:
                        before_retry()
                    continue
                where = self.connection.endpoint or "Google Sheets"
                raise SheetReturnsError(
                    f"cannot reach {where} ({type(exc).__name__}) after {attempt + 1} tries: check the internet "
                    f"connection and run again; nothing was lost"
                ) from None
        raise AssertionError("unreachable")

    def _explain(self, what: str, status: int, message: str, attempts: int) -> SheetReturnsError:
        key, who = self.key, self.connection.who
        if status == 404:
            error = SheetReturnsError(
                f"no Google Sheet with the key {key} ({message}): check the sheet's link (the key is the part "
                f"after /d/) and that it was not deleted")
        elif status == 403 and ("has not been used" in message or "is disabled" in message or "SERVICE_DISABLED" in message):
            error = SheetReturnsError(
                f"the Google Sheets API is not enabled for this Google Cloud project ({message}): enable it in "
                f"the Cloud console (APIs & Services > Library > Google Sheets API) and run again")
        elif status == 403 and "protected" in message.lower():
            error = SheetReturnsError(
                f"a protected range of the Google Sheet {key} blocks the write ({message}): allow {who} to edit "
                f"it (Data > Protect sheets and ranges) or remove the protection from the job's columns")
        elif status == 403:
            error = SheetReturnsError(self._not_shared(what))
        elif status == 401:
            error = SheetReturnsError(
                f"Google did not accept the credentials of {who} ({message}): check [google] in sheetreturns.toml")
        elif status == 429:
            error = SheetReturnsError(
                f"Google Sheets kept refusing requests (too many, {attempts} tries; the limit is 60 a minute): "
                f"wait a few minutes and run again; every cell has its old or its new value and the next run "
                f"completes the write")
        elif status >= 500 or status < 0:
            error = SheetReturnsError(
                f"Google Sheets failed to answer ({status if status > 0 else 'no valid answer'}: {message}; "
                f"{attempts} tries): run again later; every cell has its old or its new value and the next run "
                f"completes the write")
        else:
            error = SheetReturnsError(f"Google Sheets refused the request ({status}: {message}): "
                                      f"run again with --debug and report it")
        error.status = status
        return error

    def _not_shared(self, what: str) -> str:
        email = self.connection.service_email
        if what in ("write", "check") and email:
            return (f"the Google Sheet {self.key} is shared with {email} as a viewer only: open the sheet, "
                    f"click Share and make {email} an Editor")
        if what in ("write", "check"):
            return (f"{self.connection.who} may only view the Google Sheet {self.key}: ask its owner to make "
                    f"you an Editor")
        if email:
            return (f"the Google Sheet {self.key} is not shared with {email}: open the sheet, click Share and "
                    f"add {email} as an Editor")
        return (f"{self.connection.who} has no access to the Google Sheet {self.key}: ask its owner to share "
                f"it with you as an Editor")

    def _refused(self, exc: Exception) -> SheetReturnsError:
        detail = _refresh_detail(exc)
        source = self.connection.credentials_source or "the credentials"
        if self.connection.service_email:
            return SheetReturnsError(
                f"Google rejected the key of the service account {self.connection.service_email} ({detail}) from "
                f"{source}: create a new key for it in the Google Cloud console and point [google] "
                f"service_account_file at the downloaded file")
        return SheetReturnsError(
            f"Google rejected the stored sign-in ({detail}) from {source}: sign in again with gspread.oauth() "
            f"or use a service account key")


def _token_ids(metadata: dict) -> list[int]:
    """The ids of the write tokens among the spreadsheet's own developer metadata."""
    return [m["metadataId"] for m in metadata.get("developerMetadata") or []
            if m.get("metadataKey") == WRITE_TOKEN and "metadataId" in m]


def _token_requests(token: int, previous: list[int]) -> list[dict]:
    """Remove the earlier write tokens, and add this write's (a retry of the same body cannot apply twice)."""
    out: list[dict] = [{"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": old}}}}
                       for old in previous if old != token]
    out.append({"createDeveloperMetadata": {"developerMetadata": {
        "metadataId": token, "metadataKey": WRITE_TOKEN, "location": {"spreadsheet": True},
        "visibility": "DOCUMENT"}}})
    return out


def _wait(response, delay: float) -> float:
    after = response.headers.get("Retry-After") if response is not None else None
    if after and after.strip().isdigit():
        return min(float(after), MAX_DELAY)
    return delay * (1 + random.random() * 0.1)


def _message(exc) -> str:
    error = getattr(exc, "error", {}) or {}
    text = str(error.get("message") or "").strip()
    if not text or error.get("code") == -1:
        text = (exc.response.text or exc.response.reason or "").strip().splitlines()[0][:120] if exc.response is not None else ""
    return text[:200]


def _refresh_detail(exc: Exception) -> str:
    args = getattr(exc, "args", ())
    text = str(args[0]) if args else str(exc)
    return text.strip()[:160] or type(exc).__name__

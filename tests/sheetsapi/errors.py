"""Google's JSON error bodies: {"error": {"code", "message", "status"}}."""
from __future__ import annotations

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

NOT_FOUND = "Requested entity was not found."
NO_PERMISSION = "The caller does not have permission"
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
QUOTA = (
    "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of "
    "service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
)


class ApiError(Exception):
    """An error answer: HTTP status and Google's error object."""

    def __init__(self, code: int, message: str, status: str | None = None, details: list | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_NAMES.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid_value(field: str, value: object) -> ApiError:
    """What Google answers when a JSON field has the wrong shape (e.g. values not a list)."""
    import json

    shown = json.dumps(value)
    message = f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.ListValue), {shown}"
    return ApiError(400, message, details=[{
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "fieldViolations": [{"field": field, "description": message}],
    }])

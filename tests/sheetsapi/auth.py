"""OAuth for the local server: the token endpoint (service-account JWTs, user refresh tokens) and who a
bearer token belongs to. With auth not required, every caller is the spreadsheets' owner."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from .errors import UNAUTHENTICATED, ApiError

OWNER = "owner"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class User:
    email: str
    client_id: str
    client_secret: str


@dataclass
class Auth:
    required: bool = False
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> principal
    service_accounts: dict[str, dict[str, str]] = field(default_factory=dict)  # email -> {key id: public PEM}
    users: dict[str, User] = field(default_factory=dict)  # refresh token -> user
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    def principal(self, authorization: str | None) -> str:
        if not self.required:
            return OWNER
        if not authorization or not authorization.lower().startswith("bearer "):
            raise ApiError(401, UNAUTHENTICATED)
        token = authorization.split(None, 1)[1].strip()
        if token not in self.tokens:
            raise ApiError(401, UNAUTHENTICATED)
        return self.tokens[token]

    def issue(self, principal: str) -> str:
        token = f"ya29.local-{next(self._serial)}-{int(time.time())}"
        self.tokens[token] = principal
        return token

    def token_endpoint(self, body: bytes) -> tuple[int, dict]:
        """POST /token: (status, JSON body) as Google's OAuth server answers."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        if grant == JWT_GRANT:
            return self._jwt_grant(form.get("assertion", ""))
        if grant == "refresh_token":
            user = self.users.get(form.get("refresh_token", ""))
            if user is None:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            if form.get("client_id") != user.client_id or form.get("client_secret") != user.client_secret:
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
            return 200, self._grant(user.email, refresh=True)
        return 400, {"error": "unsupported_grant_type", "error_description": f"Invalid grant_type: {grant}"}

    def _jwt_grant(self, assertion: str) -> tuple[int, dict]:
        from google.auth import exceptions, jwt

        try:
            claims = jwt.decode(assertion, verify=False)
        except (ValueError, exceptions.GoogleAuthError):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"}
        keys = self.service_accounts.get(claims.get("iss", ""))
        if keys is None:
            return 400, {"error": "invalid_grant", "error_description": "Invalid grant: account not found"}
        try:
            jwt.decode(assertion, certs=keys, verify=True, audience=None)
        except (ValueError, exceptions.GoogleAuthError):
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        return 200, self._grant(claims["iss"])

    def _grant(self, principal: str, refresh: bool = False) -> dict:
        answer = {"access_token": self.issue(principal), "expires_in": 3599, "token_type": "Bearer"}
        if refresh:
            answer["scope"] = "https://www.googleapis.com/auth/spreadsheets https://www.googleapis.com/auth/drive"
        return answer

"""Signing in to Google and building the real gspread client, optionally pointed at a local server.

Credentials, in order: [google] service_account_file in sheetreturns.toml; GOOGLE_APPLICATION_CREDENTIALS;
[google] authorized_user_file; gspread's stored files (~/.config/gspread/authorized_user.json from
gspread.oauth(), then service_account.json). With `[google] endpoint = "http://127.0.0.1:PORT"`
every call (Sheets, Drive, token refresh) goes to that server instead, and a loopback endpoint needs
no credentials at all, so the whole job can run offline against a test server.
"""
from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from ..settings.config_file import Config
from ..settings.google import GoogleSettings, google_settings
from ..errors import SheetReturnsError

SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive"]
GOOGLE_HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/", "https://oauth2.googleapis.com/")
TIMEOUT = (15, 300)  # connect, read (seconds): a 50,000-row read is one large answer


class Redirect(HTTPAdapter):
    """Sends requests meant for Google's hosts to another base URL (path and query kept)."""

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.endpoint = endpoint.rstrip("/")

    def send(self, request, **kwargs):
        split = urlsplit(request.url)
        request.url = self.endpoint + split.path + (f"?{split.query}" if split.query else "")
        return super().send(request, **kwargs)


@dataclass
class Connection:
    """An authorised gspread client and who it acts as (for messages that say what to do)."""

    client: object  # gspread.Client
    who: str  # "the service account x@y.iam.gserviceaccount.com", "your Google account", "the local server"
    service_email: str | None
    endpoint: str | None
    credentials_source: str | None

    @property
    def http(self):
        return self.client.http_client


def is_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(config: Config) -> Connection:
    """The gspread client for this configuration, or a SheetReturnsError saying how to set up access."""
    import gspread
    from google.auth.transport.requests import AuthorizedSession, Request

    settings = google_settings(config)
    endpoint = settings.endpoint
    credentials, who, email, source = _credentials(settings)
    token_session = requests.Session()
    session = AuthorizedSession(credentials, auth_request=Request(session=token_session))
    if endpoint is not None:
        for s in (session, token_session):
            s.trust_env = False  # a proxy variable must not swallow calls meant for this endpoint
            for host in GOOGLE_HOSTS:
                s.mount(host, Redirect(endpoint))
    client = gspread.Client(auth=None, session=session)
    client.set_timeout(TIMEOUT)
    return Connection(client, who, email, endpoint, source)


def _credentials(settings: GoogleSettings):
    """(credentials, who, service-account email, file) from the first source that is configured."""
    endpoint = settings.endpoint
    if settings.service_account_file:
        return _from_file(settings.service_account_file, "[google] service_account_file in sheetreturns.toml")
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if env:
        return _from_file(Path(env).expanduser(), "GOOGLE_APPLICATION_CREDENTIALS")
    if settings.authorized_user_file:
        return _from_file(settings.authorized_user_file, "[google] authorized_user_file in sheetreturns.toml")
    if endpoint is not None and is_loopback(endpoint):
        from google.oauth2.credentials import Credentials

        return Credentials(token="local-test-server"), f"the local server at {endpoint}", None, None
    from gspread.auth import DEFAULT_AUTHORIZED_USER_FILENAME, DEFAULT_SERVICE_ACCOUNT_FILENAME

    for stored in (Path(DEFAULT_AUTHORIZED_USER_FILENAME), Path(DEFAULT_SERVICE_ACCOUNT_FILENAME)):
        if stored.is_file():
            return _from_file(stored, f"gspread's stored credentials ({stored})")
    raise SheetReturnsError(
        "no Google credentials: create a service account key (JSON) in the Google Cloud console, set "
        "[google] service_account_file = \"that-file.json\" in sheetreturns.toml and share the sheet with the "
        "account's client_email as an Editor (or sign in once with gspread.oauth() on this computer)"
    )


def _from_file(path: Path, where: str):
    if not path.is_file():
        raise SheetReturnsError(f"the Google credentials file {path} (from {where}) does not exist: check the path")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SheetReturnsError(
            f"the Google credentials file {path} is not readable JSON ({_short(exc)}): download the key again"
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind == "service_account":
        from google.oauth2 import service_account

        try:
            credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        except (ValueError, KeyError) as exc:
            raise SheetReturnsError(
                f"the service account file {path} is incomplete or damaged ({_short(exc)}): "
                f"create a new key for the service account and download it again"
            ) from None
        email = credentials.service_account_email
        return credentials, f"the service account {email}", email, str(path)
    if kind == "authorized_user":
        from google.oauth2.credentials import Credentials

        try:
            credentials = Credentials.from_authorized_user_info(info, SCOPES)
        except (ValueError, KeyError) as exc:
            raise SheetReturnsError(
                f"the stored Google sign-in {path} is incomplete ({_short(exc)}): sign in again with gspread.oauth()"
            ) from None
        return credentials, "your Google account", None, str(path)
    raise SheetReturnsError(
        f"{path} is not a Google service account key or stored sign-in (its \"type\" is {kind!r}): "
        f"download a service account key (JSON) from the Google Cloud console"
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]

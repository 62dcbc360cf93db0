"""Signing in: service-account keys and stored user sign-ins go through the (local) OAuth token endpoint;
every way it can go wrong ends in one error that says what to do."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import gspread
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sheetreturns import api
from sheetreturns.engine.columns import JOB_COLUMNS
from sheetreturns.cli import main
from sheetreturns.settings.config_file import Config
from sheetreturns.errors import SheetReturnsError
from sheetreturns.google_sheets.connect import connect
from tests.gsheet_support import google_sheet
from tests.helpers import AS_OF, basic_row
from tests.mail_server import MailServer
from tests.sheets_api_server import SheetsServer

ROBOT = "returns-bot@shop-4242.iam.gserviceaccount.com"


@pytest.fixture
def locked():
    """A server that, like Google, only answers callers holding a token it issued."""
    with SheetsServer(require_auth=True) as running:
        yield running


@pytest.fixture
def no_stored_sign_in(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr(gspread.auth, "DEFAULT_AUTHORIZED_USER_FILENAME", tmp_path / "none" / "authorized_user.json")
    monkeypatch.setattr(gspread.auth, "DEFAULT_SERVICE_ACCOUNT_FILENAME", tmp_path / "none" / "service_account.json")


def key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def service_account_file(path, private: str, email: str = ROBOT):
    """A key file as the Cloud console downloads it (token_uri is Google's own; the endpoint redirects it)."""
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "shop-4242", "private_key_id": "k1", "private_key": private,
        "client_email": email, "client_id": "1234567890", "token_uri": "https://oauth2.googleapis.com/token",
    }))
    return path


def config_with(server, tmp_path, **google) -> Config:
    return Config(google={"endpoint": server.url, **google}, state_dir=tmp_path / "state")


def robot_sheet(server, tmp_path, role: str | None = "writer"):
    private, public = key_pair()
    server.auth.service_accounts[ROBOT] = {"k1": public}
    key = google_sheet(server, [basic_row()])
    if role:
        server.share(key, ROBOT, role)
    keyfile = service_account_file(tmp_path / "robot.json", private)
    return key, config_with(server, tmp_path, service_account_file=str(keyfile))


@pytest.mark.slow
def test_a_service_account_key_signs_in_at_the_token_endpoint_and_syncs(locked, tmp_path):
    key, config = robot_sheet(locked, tmp_path)
    result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config)
    assert result.written
    assert locked.count("token") == 1
    assert locked.values(key, "Returns")[1][20] == "Awaiting item"


@pytest.mark.slow
def test_a_sheet_not_shared_with_the_service_account_says_to_share_it(locked, tmp_path):
    key, config = robot_sheet(locked, tmp_path, role=None)
    with pytest.raises(SheetReturnsError) as caught:
        api.check(f"gsheet:{key}", as_of=AS_OF, config=config)
    assert str(caught.value) == (f"the Google Sheet {key} is not shared with {ROBOT}: open the sheet, click Share and "
                                 f"add {ROBOT} as an Editor")


@pytest.mark.slow
def test_a_view_only_share_stops_the_sync_before_any_email_or_write(locked, tmp_path):
    key, config = robot_sheet(locked, tmp_path, role="reader")
    assert api.check(f"gsheet:{key}", as_of=AS_OF, config=config).rows == 1
    locked.reset_counts()
    before = locked.values(key, "Returns")
    viewer = f"shared with {ROBOT} as a viewer only: .* make {ROBOT} an Editor"
    for run in range(2):  # a scheduled job keeps running: no run leaves an email behind
        with pytest.raises(SheetReturnsError, match=viewer):
            api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9, run))
    # The outbox files wait for the write; Google refusing it is the answer to "may we edit?".
    assert [c.kind for c in locked.api_calls()] == ["metadata", "values.batchGet", "batchUpdate"] * 2
    outbox = tmp_path / "outbox"
    assert not outbox.exists() or list(outbox.iterdir()) == []
    assert locked.values(key, "Returns") == before
    # Shared as an Editor, the next run writes the email once, and the sheet records it.
    locked.share(key, ROBOT, "writer")
    result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9, 30))
    assert result.written and [e.result for e in result.emails] == ["outbox"]
    assert [p.name for p in outbox.iterdir()] == ["R-00001-acknowledgement.eml"]
    row = dict(zip(*locked.values(key, "Returns")[:2]))
    assert row["Last Email"] == "acknowledgement 2026-11-26 (outbox)"
    again = api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, now=datetime(2026, 11, 26, 9, 45))
    assert again.emails == [] and len(list(outbox.iterdir())) == 1


@pytest.mark.slow
@pytest.mark.parametrize("first", [True, False], ids=["columns-to-add", "columns-there"])
def test_a_view_only_share_stops_an_smtp_run_before_the_first_email(locked, tmp_path, first):
    key, config = robot_sheet(locked, tmp_path, role="reader")
    if not first:  # the job's columns are on the sheet already (an earlier run, or the seller, made them)
        headers = locked.values(key, "Returns")[0]
        locked.put_rows(key, "Returns", [headers + [c.header for c in JOB_COLUMNS if not c.on_demand]])
    before = locked.values(key, "Returns")
    with MailServer() as mail:
        config = replace(config, smtp={"host": "127.0.0.1", "port": mail.port, "security": "none",
                                       "from": "shop@example.com"})
        with pytest.raises(SheetReturnsError, match=f"shared with {ROBOT} as a viewer only"):
            api.sync(f"gsheet:{key}", as_of=AS_OF, config=config, send_backlog=True)
        assert mail.received == []
    assert locked.values(key, "Returns") == before
    # Over SMTP an email cannot wait for the write. A first run adds its columns before the first email,
    # and Google refusing that write is the answer; with nothing to add, Drive is asked.
    assert [c.kind for c in locked.api_calls()][-3:] == ["metadata", "values.batchGet",
                                                         "batchUpdate" if first else "drive.get"]


@pytest.mark.slow
def test_a_key_google_does_not_accept_says_to_create_a_new_one(locked, tmp_path):
    key, config = robot_sheet(locked, tmp_path)
    _, other = key_pair()
    locked.auth.service_accounts[ROBOT] = {"k1": other}  # the key was deleted in the console
    with pytest.raises(SheetReturnsError, match=rf"Google rejected the key of the service account {ROBOT} "
                                                r"\(invalid_grant: Invalid JWT Signature.\) .* create a new key"):
        api.check(f"gsheet:{key}", as_of=AS_OF, config=config)


@pytest.mark.slow
def test_the_environment_variable_names_the_key_when_the_config_does_not(locked, tmp_path, monkeypatch):
    key, config = robot_sheet(locked, tmp_path)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", config.google.pop("service_account_file"))
    assert api.check(f"gsheet:{key}", as_of=AS_OF, config=config).rows == 1


def stored_sign_in(path, refresh: str = "1//refresh"):
    """authorized_user.json as gspread.oauth() stores it after the seller signs in once."""
    path.write_text(json.dumps({"type": "authorized_user", "client_id": "client-1", "client_secret": "secret-1",
                                "refresh_token": refresh, "token_uri": "https://oauth2.googleapis.com/token"}))
    return path


def test_a_stored_user_sign_in_is_refreshed_at_the_token_endpoint(locked, tmp_path):
    from tests.sheetsapi.auth import User

    locked.auth.users["1//refresh"] = User("seller@example.com", "client-1", "secret-1")
    key = google_sheet(locked, [basic_row()])
    locked.share(key, "seller@example.com")
    config = config_with(locked, tmp_path, authorized_user_file=str(stored_sign_in(tmp_path / "me.json")))
    assert api.check(f"gsheet:{key}", as_of=AS_OF, config=config).rows == 1
    assert locked.count("token") == 1
    locked.auth.users.clear()  # the seller revoked the app's access
    with pytest.raises(SheetReturnsError, match=r"Google rejected the stored sign-in \(invalid_grant: Token has been "
                                                r"expired or revoked.\) .* sign in again"):
        api.check(f"gsheet:{key}", as_of=AS_OF, config=config)


def test_gspreads_stored_sign_in_is_found_where_gspread_keeps_it(tmp_path, no_stored_sign_in, monkeypatch):
    stored = stored_sign_in(tmp_path / "authorized_user.json")
    monkeypatch.setattr(gspread.auth, "DEFAULT_AUTHORIZED_USER_FILENAME", stored)
    connection = connect(Config())
    assert (connection.who, connection.credentials_source, connection.service_email) == (
        "your Google account", str(stored), None)


@pytest.mark.parametrize("content, message", [
    (None, r"the Google credentials file .*robot.json \(from \[google\] service_account_file in sheetreturns.toml\) "
           r"does not exist: check the path"),
    ("not json", r"is not readable JSON .*: download the key again"),
    ('{"type": "service_account", "client_email": "x@y"}', r"is incomplete or damaged .*: create a new key"),
    ('{"installed": {"client_id": "x"}}', r"is not a Google service account key or stored sign-in"),
])
def test_a_bad_credentials_file_is_one_error_saying_what_to_do(tmp_path, content, message):
    path = tmp_path / "robot.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SheetReturnsError, match=message):
        connect(Config(google={"service_account_file": str(path)}))


def test_no_credentials_at_all_explains_how_to_get_them(no_stored_sign_in):
    with pytest.raises(SheetReturnsError, match=r"no Google credentials: create a service account key .* share the sheet"):
        api.check("gsheet:abc", as_of=AS_OF, config=Config())


@pytest.mark.slow
def test_a_wrong_key_says_no_such_sheet(locked, tmp_path):
    _, config = robot_sheet(locked, tmp_path)
    with pytest.raises(SheetReturnsError, match=r"no Google Sheet with the key 1nope .*check the sheet's link"):
        api.check("gsheet:1nope", as_of=AS_OF, config=config)


@pytest.mark.slow
def test_the_cli_prints_one_error_line_for_a_sheet_not_shared(locked, tmp_path):
    key, config = robot_sheet(locked, tmp_path, role=None)
    toml = tmp_path / "sheetreturns.toml"
    toml.write_text(f'state_dir = "state"\n[google]\nendpoint = "{locked.url}"\n'
                    f'service_account_file = "{config.google["service_account_file"]}"\n')
    done = CliRunner().invoke(main, ["check", f"gsheet:{key}", "--config", str(toml)])
    assert (done.exit_code, done.output.strip()) == (
        2, f"Error: the Google Sheet {key} is not shared with {ROBOT}: open the sheet, click Share and add {ROBOT} "
           f"as an Editor")


@pytest.mark.slow
def test_the_client_is_gspreads_own_and_talks_http_to_the_endpoint(locked, tmp_path):
    key, config = robot_sheet(locked, tmp_path)
    connection = connect(config)
    assert type(connection.client) is gspread.Client
    sheet = connection.client.open_by_key(key)  # gspread's own call, unpatched
    assert sheet.sheet1.get_all_values()[1][0] == "R-00001"
    assert [c.kind for c in locked.calls] == ["token", "metadata", "metadata", "values.get"]

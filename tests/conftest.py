"""Fixtures shared by the tests: the local servers (Google Sheets API, Dovecot IMAP), a system keyring, and a
user state folder of its own for every test, so no test reads or locks another's (or the user's) state.

Markers (registered in pyproject.toml): `libreoffice` (opens files in LibreOffice), `dovecot` (a real IMAP
server), `network` (a server on 127.0.0.1: SMTP, IMAP or the Sheets API), `slow` (a second or more
here). `pytest -m "not slow"` is the quick run; `pytest` (and .ci/run) runs everything.
"""
from __future__ import annotations

import os

if os.environ.get("SHEETRETURNS_TEST_NO_FCNTL") == "1":  # the whole suite as on Windows: see without_fcntl.py
    from tests.without_fcntl import block_here_and_in_children

    block_here_and_in_children()

import keyring  # noqa: E402  (after the blocker, which must come before anything imports fcntl)
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

from tests.dovecot import Dovecot  # noqa: E402
from tests.sheets_api_server import SheetsServer  # noqa: E402


@pytest.fixture
def server():
    """A local Google Sheets API server (tests/sheets_api_server.py) for the real gspread client."""
    with SheetsServer() as running:
        yield running


@pytest.fixture
def pseudo_terminal():
    """A POSIX pseudo-terminal: (master, slave) file descriptors. Tests using it are marked `posix` (Windows
    has none), and import no pty module of their own, so that they are still collected there."""
    import pty

    return pty.openpty()


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries back off without sleeping; the delays asked for are recorded."""
    from sheetreturns.google_sheets import sheets_client as calls

    delays: list[float] = []
    monkeypatch.setattr(calls, "sleep", delays.append)
    return delays


@pytest.fixture(scope="session")
def dovecot(request):
    """One real Dovecot IMAP server on 127.0.0.1 for the whole run."""
    running = Dovecot().start()
    request.addfinalizer(running.stop)
    return running


class MemoryKeyring(KeyringBackend):
    """keyring's own extension point, for a machine without a desktop keyring (CI)."""

    priority = 1

    def __init__(self, stored=None):
        super().__init__()
        self.stored = dict(stored or {})

    def get_password(self, service, username):
        return self.stored.get((service, username))

    def set_password(self, service, username, password):
        self.stored[(service, username)] = password

    def delete_password(self, service, username):
        self.stored.pop((service, username), None)


@pytest.fixture
def system_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _private_user_state(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("user-state")
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    monkeypatch.delenv("SHEETRETURNS_STATE_DIR", raising=False)
    return folder

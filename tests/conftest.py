"""Fixtures shared by the tests: the local servers (SMTP keyring, Google Sheets API, Dovecot IMAP), and a user
state folder of its own for every test, so no test reads or locks another's (or the user's) state."""
from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend


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

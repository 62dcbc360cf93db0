"""Fixtures shared by the tests: the local servers (SMTP keyring, Google Sheets API, Dovecot IMAP)."""
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



"""Where a mail password comes from: an environment variable, else the system keyring. Never a file.

One lookup for the mail server ([smtp]) and the mail folder ([intake]); each has its own default
variable and keyring service, and the keyring entry is stored under the login name.
"""
from __future__ import annotations

import os

SMTP_PASSWORD_ENV = "SHEETRETURNS_SMTP_PASSWORD"
SMTP_KEYRING_SERVICE = "sheetreturns"
IMAP_PASSWORD_ENV = "SHEETRETURNS_IMAP_PASSWORD"
IMAP_KEYRING_SERVICE = "sheetreturns-imap"
KEYRING = "the system keyring"


def find_password(user: str, variables: tuple[str, ...], service: str) -> tuple[str | None, str]:
    """(password, where it came from): the first variable that is set, else the keyring entry for `user`.

    (None, "") when there is none. A machine without a usable keyring (a server, a container) only has
    the environment.
    """
    for name in dict.fromkeys(v for v in variables if v):
        if os.environ.get(name):
            return os.environ[name], f"${name}"
    try:
        import keyring

        stored = keyring.get_password(service, user)
    except Exception:  # no usable keyring backend on this machine: the same as nothing stored
        stored = None
    if stored:
        return stored, KEYRING
    return None, ""

"""Putting a mail password where the job looks for it: the system keyring (Windows Credential Manager,
the macOS Keychain, the Secret Service on Linux), under the service the job reads and the login name.

Used by `sheetreturns password set|check`. The job itself reads an environment variable first
(password_env), then this keyring entry.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import ConfigError, SheetReturnsError
from ..intake.imap import parse_imap_url
from .config_file import Config
from .passwords import IMAP_KEYRING_SERVICE, IMAP_PASSWORD_ENV, SMTP_KEYRING_SERVICE, SMTP_PASSWORD_ENV

KINDS = ("smtp", "imap")
_KEYRING_NAMES = {
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.macOS": "the macOS Keychain",
    "keyring.backends.SecretService": "the Secret Service keyring (GNOME Keyring or KWallet)",
    "keyring.backends.libsecret": "the Secret Service keyring (libsecret)",
    "keyring.backends.kwallet": "KWallet",
}


@dataclass(frozen=True)
class PasswordStatus:
    """Where the password for one login lives, and whether one is there (never the password itself)."""

    kind: str  # "smtp" (sending email) or "imap" (reading return notices)
    user: str
    service: str  # the keyring service the job reads
    keyring: str  # the keyring, in words
    stored: bool
    variable: str | None  # an environment variable the job reads first, when it is set

    def as_json(self) -> dict:
        return {"kind": self.kind, "user": self.user, "service": self.service, "keyring": self.keyring,
                "stored": self.stored, "environment_variable": self.variable}


def _keyring(variable: str):
    """The system keyring backend and its name in words; an error when this machine has none."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        raise SheetReturnsError("the keyring library is missing: reinstall sheetreturns") from None
    backend = keyring.get_keyring()
    inner = backend
    if isinstance(backend, chainer.ChainerBackend):
        inner = backend.backends[0] if backend.backends else fail.Keyring()
    if isinstance(inner, fail.Keyring):
        raise SheetReturnsError(
            f"this machine has no system keyring (a server or a container): set the password in the job's "
            f"environment instead, in the variable {variable}")
    module = type(inner).__module__
    name = _KEYRING_NAMES.get(module)
    if name is None:
        where = getattr(inner, "file_path", None)
        name = f"the keyring file {where}" if where else f"the keyring {type(inner).__module__}.{type(inner).__name__}"
    return backend, name


def _place(kind: str, config: Config, user: str | None) -> tuple[str, str, tuple[str, ...]]:
    """(user, keyring service, environment variables read first) for the login of `kind`."""
    if kind not in KINDS:
        raise ConfigError(f"password for {kind!r}: choose smtp (sending email) or imap (reading return notices)")
    if kind == "smtp":
        if config.smtp:  # the same settings the job reads: its user and its password variables
            from .smtp import smtp_settings

            settings = smtp_settings(config)
            user, variables = user or settings.user, settings.password_variables()
        else:
            variables = (SMTP_PASSWORD_ENV,)
        if not user:
            raise ConfigError("whose password? give --user ADDRESS, or set user in [smtp] of sheetreturns.toml")
        return user.strip(), SMTP_KEYRING_SERVICE, variables
    if not user:
        mailbox = config.intake.get("mailbox")
        if isinstance(mailbox, str) and mailbox.lower().startswith(("imap://", "imaps://")):
            user = parse_imap_url(mailbox.strip()).user
    if not user:
        raise ConfigError("whose password? give --user ADDRESS, or set mailbox = \"imaps://USER@SERVER/FOLDER\" "
                          "in [intake] of sheetreturns.toml")
    variable = config.intake.get("password_env")
    return user.strip(), IMAP_KEYRING_SERVICE, (variable if isinstance(variable, str) and variable else IMAP_PASSWORD_ENV,)


def password_status(kind: str, config: Config, user: str | None = None) -> PasswordStatus:
    """Whether a password for the `kind` login is stored where the job looks (it is not returned)."""
    user, service, variables = _place(kind, config, user)
    backend, name = _keyring(variables[0])
    try:
        stored = bool(backend.get_password(service, user))
    except Exception as exc:  # a locked or broken keyring: say so rather than "not stored"
        raise SheetReturnsError(f"cannot read {name}: {exc}") from None
    variable = next((v for v in variables if os.environ.get(v)), None)
    return PasswordStatus(kind, user, service, name, stored, variable)


def store_password(kind: str, password: str, config: Config, user: str | None = None) -> PasswordStatus:
    """Store the password for the `kind` login in the system keyring, where the job looks for it."""
    if not password:
        raise SheetReturnsError("the password is empty: nothing was stored")
    user, service, variables = _place(kind, config, user)
    backend, name = _keyring(variables[0])
    try:
        backend.set_password(service, user, password)
    except Exception as exc:
        raise SheetReturnsError(f"cannot store the password in {name}: {exc}") from None
    return password_status(kind, config, user)

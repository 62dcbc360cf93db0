"""The [intake] table of sheetreturns.toml: which mail folder to read, how to log in, which rules to use."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from .config_file import Config
from ..errors import ConfigError, SheetReturnsError
from ..intake.folders import MailSource, open_local
from ..intake.imap import SECURITY, ImapSource, parse_imap_url
from ..intake.rules import Rule, rules_from_config
from .keys import check_known
from .passwords import IMAP_KEYRING_SERVICE, IMAP_PASSWORD_ENV, find_password

DEFAULT_PASSWORD_ENV = IMAP_PASSWORD_ENV
KNOWN_KEYS = {
    "mailbox", "password_env", "security", "ca_file", "move_to", "max_message_kb", "timeout_seconds",
    "default_rules", "rules", "replies", "sent",
}
LOCAL_KINDS = ("maildir", "mbox", "eml")


@dataclass
class IntakeSettings:
    mailbox: str
    password_env: str = DEFAULT_PASSWORD_ENV
    security: str | None = None  # None: from the address (imaps:// -> ssl, imap:// -> starttls)
    ca_file: Path | None = None
    move_to: str | None = None
    max_message_bytes: int = 10 * 1024 * 1024
    timeout: float = 60.0
    rules: list[Rule] = field(default_factory=list)
    folder: Path = Path(".")  # where relative paths in `mailbox` start
    replies: str | None = None  # a second folder read for customers' replies (and notices), same login
    sent: str | None = None  # the shop's Sent folder: an answer there marks a customer's reply handled

    @property
    def kind(self) -> str:
        scheme = self.mailbox.split(":", 1)[0].lower()
        return scheme if scheme in ("imap", "imaps", *LOCAL_KINDS) else "path"

    def local_path(self) -> Path:
        text = self.mailbox.split(":", 1)[1] if self.kind in LOCAL_KINDS else self.mailbox
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.folder / path


def intake_settings(config: Config, mailbox: str | None = None) -> IntakeSettings:
    """Settings from [intake]; a --mailbox given on the command line wins (its paths start in the current folder)."""
    data = config.intake
    where = f"{config.path.name if config.path else 'sheetreturns.toml'} [intake]"
    check_known(data, KNOWN_KEYS, where)
    chosen = mailbox or data.get("mailbox")
    if not isinstance(chosen, str) or not chosen.strip():
        raise ConfigError(
            "no mail folder to read: pass --mailbox, or set mailbox in [intake] of sheetreturns.toml "
            '(e.g. mailbox = "imaps://shop%40example.com@imap.example.com/Returns" or "maildir:PATH")'
        )
    settings = IntakeSettings(mailbox=chosen.strip(), folder=Path.cwd() if mailbox else config.folder)
    settings.password_env = _text(data, "password_env", where) or DEFAULT_PASSWORD_ENV
    security = _text(data, "security", where)
    if security is not None and security.lower() not in SECURITY:
        raise ConfigError(f"{where}: security must be one of {', '.join(SECURITY)} (not {security!r})")
    settings.security = security.lower() if security else None
    ca_file = _text(data, "ca_file", where)
    settings.ca_file = config.resolve(ca_file) if ca_file else None
    settings.move_to = _text(data, "move_to", where)
    settings.max_message_bytes = int(_number(data, "max_message_kb", where, 10240, 1, 1_000_000) * 1024)
    settings.timeout = float(_number(data, "timeout_seconds", where, 60, 1, 3600))
    use_built_in = data.get("default_rules", True)
    if not isinstance(use_built_in, bool):
        raise ConfigError(f"{where}: default_rules must be true or false")
    settings.rules = rules_from_config(data.get("rules"), use_built_in, f"{where} rules")
    settings.replies = _folder(settings, _text(data, "replies", where))
    settings.sent = _folder(settings, _text(data, "sent", where))
    return settings


def _folder(settings: IntakeSettings, value: str | None) -> str | None:
    """A second folder: a whole address, or (with an IMAP mailbox) just a folder name on the same account."""
    if value is None:
        return None
    if settings.kind in ("imap", "imaps") and "://" not in value and ":" not in value.split("/", 1)[0]:
        head = settings.mailbox.split("://", 1)
        server = head[1].split("/", 1)[0]
        return f"{head[0]}://{server}/{value.strip('/')}"
    return value


def folder_settings(settings: IntakeSettings, mailbox: str) -> IntakeSettings:
    """The same login and limits, for another folder (replies, sent)."""
    return dataclasses.replace(settings, mailbox=mailbox, replies=None, sent=None)


def open_source(settings: IntakeSettings, *, writable: bool) -> MailSource:
    """Connect to the mail folder the settings name (log in, select the folder)."""
    kind = settings.kind
    if kind in ("imap", "imaps"):
        address = parse_imap_url(settings.mailbox)
        security = settings.security or ("ssl" if kind == "imaps" else "starttls")
        return ImapSource(address, imap_password(settings, address.user, address.host), security=security,
                          ca_file=settings.ca_file, timeout=settings.timeout, writable=writable)
    if kind == "path" and "://" in settings.mailbox:
        scheme = settings.mailbox.split("://", 1)[0]
        raise ConfigError(
            f"mailbox {settings.mailbox!r}: {scheme}:// is not a kind of mail folder sheetreturns reads; use "
            f"imaps://USER@SERVER/FOLDER (or imap://), maildir:PATH, mbox:PATH or eml:FOLDER"
        )
    path = settings.local_path()
    if kind == "path":
        kind = _guess_kind(path, settings.mailbox)
    return open_local(kind, path)


def imap_password(settings: IntakeSettings, user: str, host: str) -> str:
    """The password from the environment variable, else the system keyring (service sheetreturns-imap, the user)."""
    password, _ = find_password(user, (settings.password_env,), IMAP_KEYRING_SERVICE)
    if password:
        return password
    raise SheetReturnsError(
        f"no password for {user} on {host}: set the environment variable {settings.password_env}, "
        f"or store it with: sheetreturns password set imap --user {user}"
    )


def _guess_kind(path: Path, text: str) -> str:
    if (path / "cur").is_dir() and (path / "new").is_dir():
        return "maildir"
    if path.is_dir():
        return "eml"
    if path.is_file():
        return "mbox"
    raise SheetReturnsError(
        f"mailbox {text!r} is neither a folder nor a file: write it as imaps://USER@SERVER/FOLDER, "
        f"maildir:PATH, mbox:PATH or eml:FOLDER"
    )


def _text(data: dict, key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty text in quotes")
    return value.strip()


def _number(data: dict, key: str, where: str, default: float, low: float, high: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{where}: {key} must be a number from {low:g} to {high:g}")
    return value

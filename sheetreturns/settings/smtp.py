"""The [smtp] table of sheetreturns.toml: the mail server emails go through, who they come from, the password.

Parsed here once; `sync` (sending) and `config check` (logging in) use the same SmtpSettings, so the
check tests exactly what a run will do. Without a host, emails go to the outbox folder as .eml files
(`from` and `reply_to` still name the sender).
"""
from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from ..errors import ConfigError
from .config_file import CONFIG_NAME, Config
from .keys import check_known, one_line
from .passwords import SMTP_KEYRING_SERVICE, SMTP_PASSWORD_ENV, find_password

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
KNOWN_KEYS = frozenset({"host", "port", "security", "user", "password_env", "from", "reply_to", "timeout", "ca_file"})
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
WHERE = f"{CONFIG_NAME} [smtp]"


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None  # None: no server, emails go to the outbox folder
    port: int
    security: str
    user: str | None
    password_env: str | None
    timeout: float
    ca_file: Path | None
    from_name: str  # "" when `from` gives none: the store name is used
    from_address: str | None  # `from`, else `user` when it is an address
    reply_to: str | None

    @property
    def sends(self) -> bool:
        """True when emails go through a mail server (a host is set)."""
        return self.host is not None

    def describe(self) -> str:
        return f"{self.host}:{self.port}"

    def password_variables(self) -> tuple[str, ...]:
        return tuple(v for v in (self.password_env, SMTP_PASSWORD_ENV) if v)

    def password(self) -> tuple[str | None, str]:
        """(password, where it came from), from the one lookup every command uses; (None, "") without a login."""
        if self.user is None:
            return None, ""
        return find_password(self.user, self.password_variables(), SMTP_KEYRING_SERVICE)

    def no_password(self) -> str:
        """What to say when a login has no password anywhere."""
        return (f"no SMTP password for {self.user}: set the environment variable "
                f"{self.password_variables()[0]}, or store it with `sheetreturns password set smtp`")


def smtp_settings(config: Config) -> SmtpSettings:
    """The [smtp] table checked; an error names the key that is wrong."""
    data = config.smtp
    check_known(data, KNOWN_KEYS, WHERE)
    security = (one_line(data, "security", WHERE) or "starttls").lower()
    if security not in SECURITY:
        raise ConfigError(f'{WHERE} security must be "ssl", "starttls" or "none", not "{data.get("security")}"')
    port = data.get("port", DEFAULT_PORTS[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise ConfigError(f"{WHERE} port must be a whole number such as 587, not {port!r}")
    timeout = data.get("timeout", 60)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ConfigError(f"{WHERE} timeout must be a number of seconds, such as 60, not {timeout!r}")
    host = one_line(data, "host", WHERE)
    user = one_line(data, "user", WHERE)
    if security == "none" and user and host and host.lower() not in LOOPBACK:
        raise ConfigError(f'{WHERE} security "none" would send your password unencrypted: '
                          'use "starttls" or "ssl" ("none" is only for a server on this machine)')
    ca_file = one_line(data, "ca_file", WHERE)
    ca_path = config.resolve(ca_file) if ca_file else None
    if ca_path is not None and not ca_path.is_file():
        raise ConfigError(f"{WHERE} ca_file {ca_path} not found: check the path (it is relative to {CONFIG_NAME})")
    from_name, from_address = _address(data, "from") or ("", user if user and "@" in user else None)
    if host is not None and from_address is None:
        raise ConfigError(f'{WHERE} from is missing: add from = "Your Shop <shop@example.com>"')
    reply_to = _address(data, "reply_to")
    return SmtpSettings(host, port, security, user, one_line(data, "password_env", WHERE), float(timeout), ca_path,
                        from_name, from_address, reply_to[1] if reply_to else None)


def _address(data: dict, key: str) -> tuple[str, str] | None:
    from ..emails.message import BadAddress, check_address  # emails imports this module: load it when used

    raw = one_line(data, key, WHERE)
    if raw is None:
        return None
    name, address = parseaddr(raw)
    try:
        return name, check_address(address)
    except BadAddress:
        raise ConfigError(f'{WHERE} {key} "{raw}" is not an email address '
                          f'(write it as "Shop name <shop@example.com>" or just the address)') from None

"""`sheetreturns config check`: is everything a scheduled run needs in place? Sends nothing, writes nothing."""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path

from .settings.config_file import CONFIG_NAME, Config, find_config, load_config
from .errors import SheetReturnsError
from .sheet.workbook import google_key, open_workbook, resolve_source
from .emails.smtp import Connection
from .settings.google import google_settings
from .settings.smtp import smtp_settings
from .settings.policy_layers import SheetPolicy



@dataclass
class Item:
    """One thing checked: ok True/False, or None when it does not apply."""

    name: str
    ok: bool | None
    message: str

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "message": self.message}


@dataclass
class SetupReport:
    items: list[Item] = field(default_factory=list)
    config_path: Path | None = None

    @property
    def failed(self) -> list[Item]:
        return [i for i in self.items if i.ok is False]

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_json(self) -> dict:
        return {"command": "config check", "ok": not self.failed,
                "config": str(self.config_path) if self.config_path else None,
                "checks": [i.as_dict() for i in self.items]}


def check_setup(config_path: str | Path | None = None, source: str | None = None, *,
                timeout: float = 20.0) -> SetupReport:
    """Check the config file, the sheet and its Settings tab, the state folder, SMTP login and Google access."""
    report = SetupReport()
    add = report.items.append
    try:
        found = find_config(config_path)
        config = load_config(config_path)
    except SheetReturnsError as exc:
        add(Item("Config file", False, str(exc)))
        return report
    report.config_path = config.path
    if found is None:
        add(Item("Config file", True, f"none found (looked for {CONFIG_NAME} here and in {user_config_file()}): "
                                      f"using defaults"))
    else:
        add(Item("Config file", True, str(config.path)))
    report.items.extend(check_sheet(config, source))
    add(check_folder("State folder", config.state_dir, must_exist=False))
    if config.intake:
        add(check_intake(config))
    if config.templates_dir is not None:
        add(check_folder("Templates", config.templates_dir, must_exist=True))
    add(check_smtp(config, timeout))
    return report


def check_intake(config: Config) -> Item:
    """[intake] read the way a sync reads it: mail folder, sizes, rules (a bad regular expression shows here)."""
    from .settings.intake import intake_settings

    try:
        settings = intake_settings(config)
    except SheetReturnsError as exc:
        return Item("Mail folder", False, str(exc))
    return Item("Mail folder", True, f"{settings.mailbox}: {len(settings.rules)} rules, messages up to "
                                     f"{settings.max_message_bytes // 1024} KB (not opened by this check)")


def user_config_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path("sheetreturns") / CONFIG_NAME


def check_sheet(config: Config, source: str | None) -> list[Item]:
    """Open the sheet the way a run does (for a Google Sheet this is the Google access check)."""
    try:
        chosen = resolve_source(source, config)
    except SheetReturnsError as exc:
        return [Item("Sheet", False, str(exc))]
    if google_key(chosen) is not None:
        return _open_and_read(config, chosen, "Google Sheet")
    try:
        google_settings(config)  # a mistake in [google] is worth knowing before a Google Sheet is used
    except SheetReturnsError as exc:
        return [*_open_and_read(config, chosen, "Workbook"), Item("Google", False, str(exc))]
    return [*_open_and_read(config, chosen, "Workbook"), Item("Google", None, "not used (the source is not a Google Sheet)")]


def _named_columns(policy: SheetPolicy) -> tuple[tuple[str, str], ...]:
    """The seller's [columns]; a bad setting is reported under Settings, not here."""
    try:
        return policy.columns()
    except SheetReturnsError:
        return ()


def _open_and_read(config: Config, chosen: str, name: str) -> list[Item]:
    try:
        workbook = open_workbook(chosen, config)
    except SheetReturnsError as exc:
        return [Item(name, False, str(exc))]
    except Exception as exc:  # an adapter's unexpected failure is still an answer, not a traceback
        return [Item(name, False, f"could not open {chosen}: {type(exc).__name__}: {exc}")]
    try:
        try:
            resolved = SheetPolicy(config, workbook)  # resolved once: for [columns], then under Settings
            tab, header = workbook.returns_tab(lambda: _named_columns(resolved))
        except SheetReturnsError as exc:
            return [Item(name, False, str(exc))]
        items = [Item(name, True, f"{workbook.name}: {tab!r} tab, header on row {header.row_number}, "
                                  f"{len(header.columns)} known columns")]
        try:
            filled = [e for e in workbook.settings() if e[1] is not None and str(e[1]).strip()]
            policy = resolved()
        except SheetReturnsError as exc:
            items.append(Item("Settings", False, str(exc)))
        else:
            items.append(Item("Settings", True, f"{len(filled)} filled in on the Settings tab, "
                                                f"{len(config.policy_entries)} in {CONFIG_NAME}; "
                                                f"store {policy.store_name!r}, currency {policy.currency}"))
        return items
    finally:
        workbook.close()


def check_folder(name: str, path: Path, *, must_exist: bool) -> Item:
    path = Path(path).absolute()
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK) and name == "State folder":
            return Item(name, False, f"{path} is not writable: fix its permissions or set state_dir")
        return Item(name, True, str(path))
    if path.exists():
        return Item(name, False, f"{path} is a file, not a folder")
    if must_exist:
        return Item(name, False, f"{path} does not exist: create it or remove {name.lower()}_dir from {CONFIG_NAME}")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK | os.X_OK):
        return Item(name, False, f"{path} cannot be created (no permission in {parent}): set state_dir")
    return Item(name, True, f"{path} (created on the first run)")


def check_smtp(config: Config, timeout: float) -> Item:
    """Log in exactly as a sync does (the same settings, password lookup and connection), then quit."""
    if not config.smtp:
        return Item("Email", None, "no [smtp] section: emails are written as .eml files to an outbox folder")
    try:
        settings = smtp_settings(config)
    except SheetReturnsError as exc:
        return Item("Email", False, str(exc))
    if not settings.sends:
        return Item("Email", None, "no host in [smtp]: emails are written as .eml files to an outbox folder")
    password, origin = settings.password()
    if settings.user and not password:
        return Item("Email", False, settings.no_password())
    where = f"{settings.describe()} ({settings.security})"
    try:
        connection = Connection(replace(settings, timeout=min(settings.timeout, timeout)), password)
    except smtplib.SMTPAuthenticationError:
        return Item("Email", False, f"{where} refused the login for {settings.user}: check the password "
                                    f"(from {origin}; for Gmail use an app password)")
    except smtplib.SMTPNotSupportedError:
        return Item("Email", False, f"{where} does not offer a login: use security = \"starttls\" or \"ssl\" "
                                    f"(or remove user)")
    except ssl.SSLCertVerificationError as exc:
        return Item("Email", False, f"{where}: the certificate is not trusted ({exc.verify_message}): "
                                    f"check host and port, or set ca_file in [smtp]")
    except ssl.SSLError as exc:
        return Item("Email", False, f"{where}: secure connection failed ({exc.reason or exc}): check port and security "
                                    f"(465 is usually ssl, 587 starttls)")
    except (socket.timeout, TimeoutError):
        return Item("Email", False, f"{where} did not answer within {timeout:g} seconds: check host and port")
    except (OSError, smtplib.SMTPException) as exc:
        return Item("Email", False, f"cannot reach {where}: {_reason(exc)}")
    try:
        connection.smtp.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return Item("Email", False, f"{where} dropped the connection after the login: {_reason(exc)}")
    finally:
        connection.close()
    who = f" as {settings.user}" if settings.user else " (no login)"
    return Item("Email", True, f"connected to {where}{who}; nothing sent")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "the host name is not known"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the port right?)"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__

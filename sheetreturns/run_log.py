"""The run log in the state folder: one line per run, one per failure or error. Never a password."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from .errors import SheetReturnsError
from .settings.config_file import Config
from .state import ensure_dir, open_private

LOG_NAME = "sheetreturns.log"
MAX_BYTES = 1_000_000  # then the log moves to sheetreturns.log.1 (one old log is kept)
PASSWORD_ENV_DEFAULTS = {"smtp": "SHEETRETURNS_SMTP_PASSWORD", "intake": "SHEETRETURNS_IMAP_PASSWORD"}


def log_path(config: Config) -> Path:
    return Path(config.state_dir) / LOG_NAME


def secrets(config: Config) -> list[str]:
    """Password values this run can see (from the environment), to be blanked out of anything logged."""
    found = []
    for section, default in PASSWORD_ENV_DEFAULTS.items():
        table = getattr(config, section, {}) or {}
        for name in {str(table.get("password_env") or default), default}:
            value = os.environ.get(name)
            if value:
                found.append(value)
        if isinstance(table.get("password"), str) and table["password"]:
            found.append(table["password"])
    return sorted(set(found), key=len, reverse=True)


def redact(text: str, hidden: list[str]) -> str:
    from .emails.smtp import redacted

    for secret in hidden:
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    text = redacted(text)
    return " ".join(text.split())  # one line, whatever the message held


def write(config: Config, command: str, source: str | None, outcome: str, text: str,
          details: list[str] = (), *, now: datetime | None = None) -> str | None:
    """Append one line (and one per detail) to the log; returns why it could not, or None."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    hidden = secrets(config)
    name = source_name(source)
    lines = [f"{stamp}  {command}  {name}  {outcome}  {redact(text, hidden)}"]
    lines += [f"{stamp}  {command}  {name}  failed  {redact(d, hidden)}" for d in details]
    path = log_path(config)
    try:
        ensure_dir(path.parent)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(LOG_NAME + ".1"))
        # One write per call in append mode: lines of concurrent runs do not interleave mid-line.
        with os.fdopen(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND), "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    except (OSError, SheetReturnsError) as exc:
        return f"could not write the log {path}: {getattr(exc, 'strerror', None) or exc}"
    return None


def source_name(source: str | None) -> str:
    if not source:
        return "-"
    if "://" in source or source.startswith("gsheet:"):
        return source
    return Path(source).name

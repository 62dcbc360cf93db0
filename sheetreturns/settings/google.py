"""The [google] table of sheetreturns.toml: which credentials to use, and (for tests) another endpoint."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from .config_file import CONFIG_NAME, Config
from .keys import check_known, one_line

KNOWN_KEYS = frozenset({"service_account_file", "authorized_user_file", "endpoint"})
WHERE = f"{CONFIG_NAME} [google]"


@dataclass(frozen=True)
class GoogleSettings:
    service_account_file: Path | None = None
    authorized_user_file: Path | None = None
    endpoint: str | None = None  # e.g. http://127.0.0.1:8085: every Google call goes there instead


def google_settings(config: Config) -> GoogleSettings:
    """The [google] table checked; an error names the key that is wrong (a misspelt key too)."""
    data = config.google
    check_known(data, KNOWN_KEYS, WHERE)
    endpoint = one_line(data, "endpoint", WHERE)
    if endpoint is not None and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f'{WHERE} endpoint must be a URL such as "http://127.0.0.1:8085", not {endpoint!r}')
    files = {key: one_line(data, key, WHERE) for key in ("service_account_file", "authorized_user_file")}
    return GoogleSettings(*(config.resolve(v) if v else None for v in files.values()),
                          endpoint.rstrip("/") if endpoint else None)

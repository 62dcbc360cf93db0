"""sheetreturns.toml: where the sheet is, where state lives, and how to reach mail and Google.

The file is read here; each table is parsed into its typed section by one module, used by every
command: [smtp] -> settings/smtp.py SmtpSettings, [google] -> settings/google.py GoogleSettings,
[intake] -> settings/intake.py IntakeSettings, [policy] and the Settings tab -> policy_layers.py Policy.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .keys import check_known

CONFIG_NAME = "sheetreturns.toml"
KNOWN_KEYS = {"source", "state_dir", "templates_dir", "smtp", "google", "intake", "import", "policy", "backups", "backup_days", "limits",
              "reason_keywords", "columns", "values"}


@dataclass
class Config:
    path: Path | None = None
    source: str | None = None
    state_dir: Path | None = None  # None: beside the config file, else the user's state folder
    state_dir_set: bool = True  # False when state_dir is the default, not chosen in the file or by the caller
    templates_dir: Path | None = None
    backups: int = 3  # the newest N backups are kept (0: no backups)
    backup_days: int = 30  # plus the first backup of each of the newest N days the workbook changed
    smtp: dict = field(default_factory=dict)
    google: dict = field(default_factory=dict)
    intake: dict = field(default_factory=dict)
    imports: dict = field(default_factory=dict)  # [import]: folder = where report downloads land
    policy_entries: list[tuple[object, object, str]] = field(default_factory=list)
    limits: dict = field(default_factory=dict)  # [limits]: sheet_mb, cells (checked before a workbook is read)

    def __post_init__(self) -> None:
        if self.state_dir is None:
            from ..state import default_state_dir

            self.state_dir = default_state_dir(self.path)
            self.state_dir_set = False
        self.state_dir = Path(self.state_dir)

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, value: str | Path) -> Path:
        """A path from the config file, relative to the file's own folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.folder / path


def find_config(explicit: str | Path | None) -> Path | None:
    """--config if given; else sheetreturns.toml in the current folder; else the user's config folder."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file {path} not found: check the --config path")
        return path
    here = Path.cwd() / CONFIG_NAME
    if here.is_file():
        return here
    try:
        from platformdirs import user_config_path

        user = user_config_path("sheetreturns") / CONFIG_NAME
    except Exception:  # platformdirs cannot tell on this system: no user config
        return None
    return user if user.is_file() else None


def load_config(explicit: str | Path | None = None) -> Config:
    path = find_config(explicit)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name} is not valid TOML ({exc}): fix that line") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    check_known(data, KNOWN_KEYS, path.name)
    config = Config(path=path.resolve(), state_dir=Path("."))  # state_dir is set below
    for key in ("smtp", "google", "intake", "import", "policy", "reason_keywords", "columns", "values", "limits"):
        if key in data and not isinstance(data[key], dict):
            raise ConfigError(f"{path.name}: [{key}] must be a table, e.g. [{key}] on its own line")
    if "source" in data:
        config.source = _text(data, "source", path)
        if "://" not in config.source and not config.source.startswith("gsheet:"):
            config.source = str(config.resolve(config.source))
    if "state_dir" in data:
        config.state_dir = config.resolve(_text(data, "state_dir", path))
    else:
        config.state_dir, config.state_dir_set = config.resolve(".sheetreturns"), False
    if "templates_dir" in data:
        config.templates_dir = config.resolve(_text(data, "templates_dir", path))
    if "backups" in data:
        backups = data["backups"]
        if not isinstance(backups, int) or isinstance(backups, bool) or backups < 0:
            raise ConfigError(f"{path.name}: backups must be a whole number, 0 or more")
        config.backups = backups
    if "backup_days" in data:
        days = data["backup_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise ConfigError(f"{path.name}: backup_days must be a whole number of days, 0 or more")
        config.backup_days = days
    config.smtp = dict(data.get("smtp", {}))
    config.google = dict(data.get("google", {}))
    config.limits = dict(data.get("limits", {}))
    from ..excel.limits import Limits

    Limits.from_config(config.limits, path.name)  # a bad value is reported when the file is loaded
    config.intake = dict(data.get("intake", {}))
    config.imports = dict(data.get("import", {}))
    check_known(config.imports, {"folder"}, f"{path.name} [import]")
    if "folder" in config.imports:
        config.imports["folder"] = str(config.resolve(_text(config.imports, "folder", path)))
    where = f"{path.name} [policy]"
    config.policy_entries = [(k, v, f"{where} {k}") for k, v in data.get("policy", {}).items()]
    for category, words in data.get("reason_keywords", {}).items():
        config.policy_entries.append((f"keywords {category}", words, f"{path.name} [reason_keywords] {category}"))
    for column, header in data.get("columns", {}).items():
        config.policy_entries.append((("column", column), header, f"{path.name} [columns] {column}"))
    for column, table in data.get("values", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f'{path.name}: [values.{column}] must be a table of "your word" = "our value" lines')
        for word, ours in table.items():
            config.policy_entries.append((("value", column, word), ours, f"{path.name} [values.{column}] {word}"))
    return config


def _text(data: dict, key: str, path: Path) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path.name}: {key} must be a non-empty text in quotes")
    return value.strip()

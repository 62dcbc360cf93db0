"""The policy a run uses: defaults, then sheetreturns.toml [policy], then the workbook's Settings tab."""
from __future__ import annotations

from typing import Protocol

from ..engine.policy import Policy, apply_settings
from .config_file import Config


class HasSettings(Protocol):
    def settings(self) -> list[tuple[str, object, str]]: ...


def resolve_policy(config: Config, workbook: HasSettings) -> Policy:
    """Defaults, then sheetreturns.toml [policy], then the workbook's Settings tab (the last one wins)."""
    policy = apply_settings(Policy(), config.policy_entries, "sheetreturns.toml")
    return apply_settings(policy, workbook.settings(), "Settings tab")

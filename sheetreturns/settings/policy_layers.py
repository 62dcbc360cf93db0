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


class SheetPolicy:
    """A sheet's policy, resolved once, the first time it is wanted.

    Reading the Returns tab may need the seller's [columns] before the rows (``columns`` is the callback
    ``Workbook.returns_tab`` takes); everything after uses the same Policy (``policy()``)::

        policy = SheetPolicy(config, workbook)
        tab, header = workbook.returns_tab(policy.columns)
        ... policy() ...
    """

    def __init__(self, config: Config, workbook: HasSettings) -> None:
        self.config, self.workbook = config, workbook
        self._resolved: Policy | None = None

    def __call__(self) -> Policy:
        if self._resolved is None:
            self._resolved = resolve_policy(self.config, self.workbook)
        return self._resolved

    def columns(self) -> tuple[tuple[str, str], ...]:
        return self().columns

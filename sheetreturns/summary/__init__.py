"""The owner's Summary: figures computed with pandas, drawn as a tab (and as text by the command line).

pandas is imported when a figure is first asked for: a sync whose Summary would show what it already shows
never computes it (see known.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .figures import Figures, compute
    from .report import SummaryReport
    from .tab import summary_tab

__all__ = ["Figures", "SummaryReport", "compute", "summary_tab"]
_HOMES = {"Figures": "figures", "compute": "figures", "SummaryReport": "report", "summary_tab": "tab"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)

"""The Summary's figures with the evaluation behind them: what `sheetreturns report` returns."""
from __future__ import annotations

from dataclasses import dataclass

from ..results import RunResult
from .figures import Figures


@dataclass
class SummaryReport:
    result: RunResult  # the evaluation behind the figures (counts, problems)
    figures: Figures
    store_name: str

    def as_json(self) -> dict:
        data = self.result.as_json()
        data["summary"] = self.figures.as_dict()
        return data

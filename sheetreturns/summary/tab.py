"""The Summary tab: what the owner reads after every run."""
from __future__ import annotations

from datetime import datetime

from ..model import Evaluation, Status
from ..policy import Policy
from ..tabmodel import Styled, Tab
from ..tabs import SUMMARY_TAB


def summary_tab(evaluation: Evaluation, policy: Policy, generated_at: datetime) -> Tab:
    """Counts per status (the full Summary arrives with the reasons, products and money sections)."""
    tab = Tab(SUMMARY_TAB, widths={1: 28, 2: 12}, freeze_rows=2)
    tab.add(Styled(f"{policy.store_name}: returns summary", "title"))
    tab.add(Styled(f"As of {evaluation.as_of.isoformat()} (run at {generated_at:%Y-%m-%d %H:%M})", "subtitle"))
    tab.blank()
    tab.add(Styled("Rows by status", "heading"))
    tab.add(Styled("Status", "header"), Styled("Rows", "header"))
    counts = evaluation.counts()
    for status in Status:
        if status.value in counts:
            tab.add(Styled(status.value, "status"), Styled(counts[status.value], "int"))
    return tab

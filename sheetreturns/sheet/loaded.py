"""A sheet read and evaluated, as every later step (emails, writing, the Summary) receives it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.columns import HeaderMap
from ..engine.model import Evaluation
from ..engine.policy import Policy
from .workbook import Workbook


@dataclass
class Loaded:
    """A sheet read and evaluated: everything later steps (writing, emails, summary) start from."""

    source: str
    workbook: Workbook
    tab: str
    header: HeaderMap
    policy: Policy
    evaluation: Evaluation
    # The job-owned cells as read, by column key, one value per row from the first row below the header.
    job_cells: dict[str, list[object]] = field(default_factory=dict)

"""A sheet read and evaluated, as every later step (emails, writing, the Summary) receives it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.columns import HeaderMap
from ..engine.layout_rows import Reading
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
    # Rows added by this run (import, intake), evaluated with the others; they go below sheet row `append_after`.
    appended: list[dict[str, object]] = field(default_factory=list)
    append_after: int | None = None
    # The job-owned cells as read, by column key, one value per row from the first row below the header.
    job_cells: dict[str, list[object]] = field(default_factory=dict)
    # What reading found besides returns: the layout, rows left alone, a sales export.
    reading: Reading = field(default_factory=Reading)
    # Blank cells of existing rows this run fills (import): sheet row -> {column key: value}.
    fills: dict[int, dict[str, object]] = field(default_factory=dict)
    # Seller columns this run adds (import's Channel, Reimbursed On ...), before the job's own.
    added_columns: list[str] = field(default_factory=list)

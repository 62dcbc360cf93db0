"""Sending the emails a run finds due (placeholder until the email issue lands: sends nothing)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..config import Config
from ..result import EmailRecord
from ..tabmodel import Tab


@dataclass
class Delivery:
    """What the email step did, and what the sheet should show about it."""

    records: list[EmailRecord] = field(default_factory=list)  # this run's sends, failures, outbox files
    contacted_on: dict[str, date] = field(default_factory=dict)  # Return ID -> acknowledgement date (all time)
    last_email: dict[str, str] = field(default_factory=dict)  # Return ID -> "<kind> <date>" or failure text
    log_tab: Tab | None = None  # the Email Log tab, rebuilt from the journal
    failures: list[str] = field(default_factory=list)


def deliver(loaded, config: Config, *, dry_run: bool, outbox: Path | None, now: datetime) -> Delivery:
    return Delivery()

"""Intake: return notices from the seller's mail folder recorded as rows of the Returns tab."""
from __future__ import annotations

__all__ = ["IntakeResult", "IntakeSettings", "intake", "intake_settings", "record_notices"]


def __getattr__(name: str):
    # Loaded on first use: the mail modules (imaplib, ssl, email) stay out of the CLI's start-up.
    if name in ("IntakeResult", "intake", "record_notices"):
        from . import record

        return getattr(record, name)
    if name in ("IntakeSettings", "intake_settings"):
        from . import settings

        return getattr(settings, name)
    raise AttributeError(name)

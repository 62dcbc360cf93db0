"""Intake: return notices from the seller's mail folder recorded as rows of the Returns tab."""
from .record import IntakeResult, intake, record_notices
from .settings import IntakeSettings, intake_settings

__all__ = ["IntakeResult", "IntakeSettings", "intake", "intake_settings", "record_notices"]

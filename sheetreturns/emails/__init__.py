"""Customer emails: which are due and not yet sent, sending them exactly once, and the Email Log."""
from .delivery import Delivery, deliver

__all__ = ["Delivery", "deliver"]

"""The owner's Summary tab."""
from .tab import summary_tab

__all__ = ["summary_tab"]

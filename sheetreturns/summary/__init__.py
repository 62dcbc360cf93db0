"""The owner's Summary: figures computed with pandas, drawn as a tab (and as text by the command line)."""
from .figures import Figures, compute
from .report import SummaryReport
from .tab import summary_tab

__all__ = ["Figures", "SummaryReport", "compute", "summary_tab"]

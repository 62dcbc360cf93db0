"""The owner's Summary: figures computed with pandas, drawn as a tab and printed as text."""
from .figures import Figures, compute
from .terminal import SummaryReport, report, report_text
from .tab import summary_tab

__all__ = ["Figures", "SummaryReport", "compute", "report", "report_text", "summary_tab"]

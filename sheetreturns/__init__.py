"""sheetreturns: product returns tracked in the spreadsheet a seller already uses."""
from .errors import SheetReturnsError
from .job import check
from .model import EmailKind, Problem, Status
from .policy import Policy

__all__ = ["check", "EmailKind", "Policy", "Problem", "SheetReturnsError", "Status"]

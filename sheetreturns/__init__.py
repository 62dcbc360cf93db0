"""sheetreturns: product returns tracked in the spreadsheet a seller already uses.

Every command of the command line is a function here, returning a result object::

    import sheetreturns
    result = sheetreturns.check("returns.xlsx")
"""
from .api import (check, check_setup, create_sheet, import_reports, intake, backups, password_status, preview_emails, report,
                  restore, store_password, sync)
from .engine.model import EmailKind, Problem, Status
from .engine.policy import Policy
from .errors import SheetReturnsError

__all__ = [
    "EmailKind", "Policy", "Problem", "SheetReturnsError", "Status",
    "backups", "check", "check_setup", "create_sheet", "import_reports", "intake", "password_status", "preview_emails",
    "report", "restore", "store_password", "sync",
]

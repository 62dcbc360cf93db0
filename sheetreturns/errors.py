"""The one exception a user ever sees: a sentence that says what went wrong and what to do."""


class SheetReturnsError(Exception):
    """Stops a command; the CLI prints it as one line starting `Error:` and exits 2."""


class SourceUnreadable(SheetReturnsError):
    """The workbook or sheet could not be read at all (damaged, encrypted, missing, hostile)."""


class ConfigError(SheetReturnsError):
    """A setting in sheetreturns.toml or the Settings tab is wrong; the message names its key or cell."""

"""Exit codes, decided here from a result: the library's results only say whether all went well."""
from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1  # check: problems found; sync and intake: done, with failures; config check: something to fix
EXIT_FAILED = 2  # could not run


def exit_code(result) -> int:
    """0 when the result is ok, 1 when it ran but found problems or failures (exit 2 is for errors)."""
    return EXIT_OK if result.ok else EXIT_PROBLEMS

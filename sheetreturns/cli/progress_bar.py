"""Drawing a run's progress in a terminal (the CLI's side of progress.py): a bar on stderr, or nothing."""
from __future__ import annotations

import os
import sys
from typing import TextIO

import click

from ..progress import Progress

CLEAR_LINE = "\r\x1b[2K\x1b[?25h"  # back to the line's start, erase it, show the cursor click hid


def is_terminal(stream: TextIO) -> bool:
    """True for an interactive terminal; False in cron, CI logs, pipes, files and TERM=dumb."""
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):  # closed or unusual stream
        return False


class TerminalBar:
    """A progress callback that draws a bar on stderr; a context manager that clears it when the run ends."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = None

    def __call__(self, update: Progress) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=update.total, file=self.stream, item_show_func=lambda text: text, show_eta=False,
                show_percent=False, show_pos=False, width=20,
            )
        self.bar.current_item = update.message
        if update.done > self.bar.pos:
            self.bar.make_step(update.done - self.bar.pos)
        self.bar.render_progress()  # also when only the message changed (rows read so far)

    def __enter__(self) -> "TerminalBar":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            # Erase the bar rather than leave it above the report.
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.bar = None

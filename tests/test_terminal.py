"""The progress bar: drawn on a real terminal (a pty), never on a pipe, a file or TERM=dumb."""
import io
import os

import pytest

from sheetreturns.progress import Progress
from sheetreturns.cli.progress_bar import CLEAR_LINE, TerminalBar, is_terminal


def read_all(fd) -> str:
    """Everything written to the pty, read after its other end was closed (Linux then answers EIO)."""
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode()

pytestmark = pytest.mark.posix


def test_the_bar_draws_each_stage_and_clears_itself_on_a_terminal(monkeypatch, pseudo_terminal):
    monkeypatch.setenv("TERM", "xterm")
    master, slave = pseudo_terminal
    with os.fdopen(slave, "w", encoding="utf-8") as stream:
        assert is_terminal(stream)
        with TerminalBar(stream) as bar:
            bar(Progress("read", 0, 4, "Reading returns.xlsx"))
            bar(Progress("emails", 2, 4, "Sending emails"))
            bar(Progress("done", 4, 4, "Done"))
        stream.flush()
    shown = read_all(master)  # the terminal side is closed now: read until it reports the end
    os.close(master)
    assert "Reading returns.xlsx" in shown and "Sending emails" in shown
    assert "[##########----------]" in shown  # half-way: 2 of 4 stages
    assert shown.endswith(CLEAR_LINE.replace("\n", "\r\n"))


def test_no_bar_for_pipes_files_or_a_dumb_terminal(tmp_path, monkeypatch, pseudo_terminal):
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe, open(tmp_path / "log.txt", "w") as file:
        assert not is_terminal(pipe)
        assert not is_terminal(file)
        assert not is_terminal(io.StringIO())
    os.close(read)
    master, slave = pseudo_terminal
    monkeypatch.setenv("TERM", "dumb")
    with os.fdopen(slave, "w") as stream:
        assert not is_terminal(stream)
    os.close(master)

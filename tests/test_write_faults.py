"""Writes follow the file, and exit codes tell the truth: a symlinked workbook is written through to its
target; a read-only workbook is refused before any email goes out; a run that sent emails and then could
not save exits 1, lists what was sent, and the next run saves it without sending anything twice."""
import os
import stat

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetreturns.cli import main

from .mail_server import MailServer
from .mail_support import AS_OF, EXAMPLE_DUE, EXAMPLE_RECIPIENTS, SHOP, example_copy


def write_config(folder, port):
    (folder / "sheetreturns.toml").write_text(
        f'source = "returns.xlsx"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        f'from = "Willow & Wick <{SHOP}>"\n')


def sync(folder, *args):
    return CliRunner().invoke(main, ["sync", "--config", str(folder / "sheetreturns.toml"),
                                     "--as-of", AS_OF.isoformat(), *args])


def last_email(workbook):
    rows = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Returns").to_python()
    header = next(i for i, row in enumerate(rows) if "Return ID" in row)
    if "Last Email" not in rows[header]:
        return {}
    column = rows[header].index("Last Email")
    return {row[0]: row[column] for row in rows[header + 1:] if row[column]}


def test_finding_5_a_symlinked_workbook_is_written_through_to_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = example_copy(tmp_path / "real")
    link = tmp_path / "returns.xlsx"
    link.symlink_to(target)
    before = target.read_bytes()
    result = CliRunner().invoke(main, ["sync", str(link), "--as-of", AS_OF.isoformat(), "--outbox",
                                       str(tmp_path / "outbox")])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() != before and len(last_email(target)) == len(EXAMPLE_DUE)
    assert not list((tmp_path / "real").glob(".*sheetreturns-tmp*")) and not list(tmp_path.glob(".*sheetreturns-tmp*"))


def test_finding_6_a_read_only_workbook_is_refused_before_any_email_is_sent(tmp_path):
    workbook = example_copy(tmp_path)
    os.chmod(workbook, 0o444)
    before = workbook.read_bytes()
    with MailServer() as server:
        write_config(tmp_path, server.port)
        result = sync(tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: returns.xlsx is read-only") and "nothing was sent" in result.stderr
    assert server.received == [] and workbook.read_bytes() == before
    assert stat.S_IMODE(workbook.stat().st_mode) == 0o444


def test_finding_12_emails_sent_then_the_save_failed_exits_1_and_the_next_run_saves_without_resending(tmp_path):
    workbook = example_copy(tmp_path)
    last = len(EXAMPLE_DUE)

    def someone_saves_the_file():  # while the run sends its last email, the workbook changes on disk
        stamp = workbook.stat().st_mtime_ns + 5_000_000_000
        os.utime(workbook, ns=(stamp, stamp))

    with MailServer(hold=("DATA", last), on_hold=someone_saves_the_file) as server:
        server.handler.release.set()  # hold only to run the callback at that moment
        write_config(tmp_path, server.port)
        first = sync(tmp_path, "--send-backlog")  # the sheet's first SMTP run
        assert first.exit_code == 1, first.output
        assert "Error:" not in first.output
        for return_id, kind, to in EXAMPLE_DUE:
            assert f"{kind}" in first.stdout and to in first.stdout
        assert "Failed: returns.xlsx was not saved: returns.xlsx changed on disk" in first.stdout
        assert f"The {last} emails listed above went out" in first.stdout
        assert "the next run writes them to the sheet and sends nothing twice" in first.stdout
        assert last_email(workbook) == {}  # not saved
        second = sync(tmp_path)
        assert second.exit_code == 0, second.output
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS  # each once
    assert len(last_email(workbook)) == last


@pytest.mark.posix
def test_finding_12_a_full_disk_under_the_journal_stops_sending_and_never_advises_starting_a_new_journal(tmp_path):
    import resource
    import signal
    import subprocess
    import sys

    from .mail_support import ROOT

    workbook = example_copy(tmp_path)

    def no_room():  # every file write past 0 bytes fails, as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from sheetreturns.cli import main; main()", "sync", str(workbook),
         "--as-of", AS_OF.isoformat(), "--outbox", str(tmp_path / "outbox")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, preexec_fn=no_room)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("Error: cannot write "), done.stderr  # the IDs file or the email journal
    assert "no email goes out" in done.stderr and "free disk space" in done.stderr
    assert "move it aside" not in done.stderr and "sent again" not in done.stderr
    assert not (tmp_path / "outbox").exists() or list((tmp_path / "outbox").iterdir()) == []


@pytest.mark.posix
def test_finding_12_a_journal_on_a_full_disk_is_not_called_damaged(tmp_path):
    import subprocess
    import sys

    from .mail_support import ROOT

    script = (
        "import resource, signal\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))\n"
        "from pathlib import Path\n"
        "from sheetreturns.emails.journal import Journal\n"
        "from sheetreturns.errors import SheetReturnsError\n"
        "try:\n"
        f"    Journal(Path({str(tmp_path / 'j.emails.sqlite')!r}))\n"
        "except SheetReturnsError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("cannot write the email journal"), done.stdout + done.stderr
    assert "stopped sending so that no email goes out twice" in done.stdout
    assert "move it aside" not in done.stdout and "sent again" not in done.stdout

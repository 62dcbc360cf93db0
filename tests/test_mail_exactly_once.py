"""Exactly once across crashes: the sending process is killed at known points, then run again.

The test SMTP server holds a chosen command of the third message (MAIL, or the end of DATA) until the
test has killed the sender with SIGKILL, so each kill lands at a known step of the transaction.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from sheetreturns.emails import delivery
from sheetreturns.emails import journal
from sheetreturns.emails.journal import IN_FLIGHT, QUEUED, SENT, UNCONFIRMED, journal_path

from .mail_server import MailServer
from .mail_support import (
    EXAMPLE_DUE, EXAMPLE_RECIPIENTS, ROOT, example_copy, journal_states, results, send, smtp_config,
)

SENDER = """
import sys
from datetime import datetime
from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.emails import deliver
from pathlib import Path

folder, port = Path(sys.argv[1]), int(sys.argv[2])
config = Config(path=folder / "sheetreturns.toml", state_dir=folder / "state",
                smtp={"host": "127.0.0.1", "port": port, "security": "none", "from": "shop@willow.example"})
loaded = loading.load(str(folder / "returns.xlsx"), datetime(2026, 11, 26).date(), config)
deliver(loaded, config, dry_run=False, outbox=None, now=datetime(2026, 11, 26, 9, 30), send_backlog=True)
print("finished")
"""
THIRD = EXAMPLE_DUE[2][:2]  # ("R-00021", "reminder")


def start_sender(folder, port):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", SENDER, str(folder), str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when_held(process, server, timeout=30):
    if not server.handler.reached.wait(timeout):
        process.kill()
        raise AssertionError(f"the sender never reached the hold: {process.communicate()}")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout)


def rerun(folder):
    with MailServer() as server:
        delivery = send(folder / "returns.xlsx", smtp_config(folder, server.port))
    return delivery, server


def recipients(*servers):
    return sorted(r.rcpt_tos[0] for server in servers for r in server.received)


pytestmark = pytest.mark.posix  # SIGKILL and SIGSTOP at known steps


@pytest.fixture
def folder(tmp_path):
    example_copy(tmp_path)
    return tmp_path


@pytest.mark.network
@pytest.mark.slow
def test_killed_before_anything_was_sent_sends_everything_on_the_next_run(folder):
    with MailServer(hold=("EHLO", 1)) as server:
        kill_when_held(start_sender(folder, server.port), server)
    states = journal_states(folder / "returns.xlsx", smtp_config(folder))
    assert server.received == [] and set(states.values()) == {QUEUED} and len(states) == len(EXAMPLE_DUE)
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS and delivery.failures == []


@pytest.mark.network
@pytest.mark.slow
def test_killed_while_the_server_reads_the_sender_retries_that_message(folder):
    with MailServer(hold=("MAIL", 3)) as server:
        kill_when_held(start_sender(folder, server.port), server)
    states = journal_states(folder / "returns.xlsx", smtp_config(folder))
    assert len(server.received) == 2
    assert [states[key[:2]] for key in EXAMPLE_DUE] == [SENT, SENT] + [QUEUED] * (len(EXAMPLE_DUE) - 2)
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS  # every customer exactly once over both runs
    assert results(delivery)[THIRD] == "sent" and delivery.failures == []


@pytest.mark.network
@pytest.mark.slow
def test_killed_after_the_server_took_the_message_never_sends_it_again(folder):
    with MailServer(hold=("DATA", 3)) as server:  # the server has the whole message and has not answered
        kill_when_held(start_sender(folder, server.port), server)
    assert len(server.received) == 3
    assert journal_states(folder / "returns.xlsx", smtp_config(folder))[THIRD] == IN_FLIGHT
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS
    assert results(delivery)[THIRD].startswith("failed: not confirmed: the previous run stopped while the mail server")
    assert delivery.failures == [f"R-00021 reminder to george.hill@example.com: {results(delivery)[THIRD][8:]}"]
    assert delivery.last_email["R-00021"] == "reminder 2026-11-26 (unconfirmed)"
    third, again_ = rerun(folder)
    assert third.records == [] and again_.received == []


@pytest.mark.network
@pytest.mark.slow
def test_killed_between_the_servers_ok_and_the_journal_record_never_sends_it_again(folder):
    with MailServer(hold=("DATA", 3)) as server:
        process = start_sender(folder, server.port)
        assert server.handler.reached.wait(30)
        process.send_signal(signal.SIGSTOP)  # frozen before it can read the answer ...
        server.handler.release.set()  # ... which is now sent: "250 queued", the message is the server's
        time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert len(server.received) == 3
    assert journal_states(folder / "returns.xlsx", smtp_config(folder))[THIRD] == IN_FLIGHT
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS
    assert results(delivery)[THIRD].startswith("failed: not confirmed")
    assert sum(r.result == "sent" for r in delivery.records) == len(EXAMPLE_DUE) - 3


@pytest.mark.network
@pytest.mark.slow
def test_an_unkilled_run_in_a_subprocess_finishes_and_journals_everything(folder):
    with MailServer() as server:
        process = start_sender(folder, server.port)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "finished"
    assert recipients(server) == EXAMPLE_RECIPIENTS
    assert set(journal_states(folder / "returns.xlsx", smtp_config(folder)).values()) == {SENT}


@pytest.mark.network
@pytest.mark.slow
def test_after_a_power_cut_queued_messages_are_never_sent_twice(folder, monkeypatch):
    """A power cut can lose what was appended to the journal after its last sync (the group's "queued" records)."""
    with MailServer(hold=("MAIL", 3)) as server:
        kill_when_held(start_sender(folder, server.port), server)
    log = journal_path(folder / "state", str(folder / "returns.xlsx")).with_suffix(".log")
    lines = log.read_bytes().splitlines(keepends=True)
    synced = max(i for i, line in enumerate(lines) if b'"queued"' in line) + 1
    log.write_bytes(b"".join(lines[:synced]))  # the records of the two sent emails were not synced: lost
    for module in (journal, delivery):  # the machine has restarted since
        monkeypatch.setattr(module, "boot_id", lambda: "the boot after the power cut")
    delivery_, again = rerun(folder)
    assert again.received == [] and len(server.received) == 2
    assert len(delivery_.failures) == len(EXAMPLE_DUE)
    assert results(delivery_)[THIRD].startswith("failed: not confirmed: the computer restarted while a run was sending")
    assert set(journal_states(folder / "returns.xlsx", smtp_config(folder)).values()) == {UNCONFIRMED}

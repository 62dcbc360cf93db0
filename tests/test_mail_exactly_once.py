"""Exactly once across crashes: the sending process is killed at known points, then run again.

The test SMTP server holds a chosen command of the third message (MAIL, or the end of DATA) until the
test has killed the sender with SIGKILL, so each kill lands at a known step of the transaction.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from sheetreturns.mail.journal import IN_FLIGHT, QUEUED, SENT, UNCONFIRMED, journal_path

from .mail_server import MailServer
from .mail_support import EXAMPLE_DUE, EXAMPLE_RECIPIENTS, ROOT, example_copy, journal_states, results, send, smtp_config

SENDER = """
import sys
from datetime import datetime
from sheetreturns import job
from sheetreturns.config import Config
from sheetreturns.mail import deliver
from pathlib import Path

folder, port = Path(sys.argv[1]), int(sys.argv[2])
config = Config(path=folder / "sheetreturns.toml", state_dir=folder / "state",
                smtp={"host": "127.0.0.1", "port": port, "security": "none", "from": "shop@willow.example"})
loaded = job.load(str(folder / "returns.xlsx"), datetime(2026, 11, 26).date(), config)
deliver(loaded, config, dry_run=False, outbox=None, now=datetime(2026, 11, 26, 9, 30))
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


@pytest.fixture
def folder(tmp_path):
    example_copy(tmp_path)
    return tmp_path


def test_killed_before_anything_was_sent_sends_everything_on_the_next_run(folder):
    with MailServer(hold=("EHLO", 1)) as server:
        kill_when_held(start_sender(folder, server.port), server)
    states = journal_states(folder / "returns.xlsx", smtp_config(folder))
    assert server.received == [] and set(states.values()) == {QUEUED} and len(states) == len(EXAMPLE_DUE)
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS and delivery.failures == []


def test_killed_while_the_server_reads_the_sender_retries_that_message(folder):
    with MailServer(hold=("MAIL", 3)) as server:
        kill_when_held(start_sender(folder, server.port), server)
    states = journal_states(folder / "returns.xlsx", smtp_config(folder))
    assert len(server.received) == 2
    assert [states[key[:2]] for key in EXAMPLE_DUE] == [SENT, SENT] + [QUEUED] * (len(EXAMPLE_DUE) - 2)
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS  # every customer exactly once over both runs
    assert results(delivery)[THIRD] == "sent" and delivery.failures == []


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


def test_killed_between_the_servers_ok_and_the_journal_commit_never_sends_it_again(folder):
    path = journal_path(folder / "state", str(folder / "returns.xlsx"))
    lock = {}

    def block_journal():  # runs in the server thread when the third message is complete, before its 250
        lock["db"] = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        lock["db"].execute("BEGIN IMMEDIATE")

    with MailServer(hold=("DATA", 3), on_hold=block_journal) as server:
        process = start_sender(folder, server.port)
        assert server.handler.reached.wait(30)
        server.handler.release.set()  # the server answers 250; the sender now waits to commit "sent"
        time.sleep(0.5)
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        lock["db"].execute("ROLLBACK")
        lock["db"].close()
    assert len(server.received) == 3
    assert journal_states(folder / "returns.xlsx", smtp_config(folder))[THIRD] == IN_FLIGHT
    delivery, again = rerun(folder)
    assert recipients(server, again) == EXAMPLE_RECIPIENTS
    assert results(delivery)[THIRD].startswith("failed: not confirmed")
    assert sum(r.result == "sent" for r in delivery.records) == len(EXAMPLE_DUE) - 3


def test_an_unkilled_run_in_a_subprocess_finishes_and_journals_everything(folder):
    with MailServer() as server:
        process = start_sender(folder, server.port)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "finished"
    assert recipients(server) == EXAMPLE_RECIPIENTS
    assert set(journal_states(folder / "returns.xlsx", smtp_config(folder)).values()) == {SENT}


def test_after_a_power_cut_queued_messages_are_never_sent_twice(folder):
    """A power cut can lose the commits that are not fsynced; what was queued before it may have gone out."""
    with MailServer(hold=("MAIL", 3)) as server:
        kill_when_held(start_sender(folder, server.port), server)
    path = journal_path(folder / "state", str(folder / "returns.xlsx"))
    with sqlite3.connect(path) as db:  # what the disk may hold after the cut: only the fsynced "queued" group
        db.execute("UPDATE messages SET state = 'queued', boot = 'the boot before the power cut'")
    delivery, again = rerun(folder)
    assert again.received == []
    assert len(delivery.failures) == len(EXAMPLE_DUE)
    assert results(delivery)[THIRD].startswith("failed: not confirmed: the computer restarted while a run was sending")
    assert set(journal_states(folder / "returns.xlsx", smtp_config(folder)).values()) == {UNCONFIRMED}

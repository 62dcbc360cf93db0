"""Without SMTP settings (or with an outbox folder) each email is written once as an .eml file."""
import pytest
import email
import email.policy
import os

from sheetreturns.emails.channels import OutboxChannel
from sheetreturns.emails.journal import FILE, OUTBOX, Journal, journal_path

from .mail_server import MailServer
from .mail_support import EXAMPLE_DUE, NOW, example_copy, journal_states, results, send, smtp_config


def read(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.mark.slow
def test_without_smtp_settings_each_email_becomes_an_eml_file_in_the_outbox(tmp_path):
    workbook = example_copy(tmp_path)
    delivery = send(workbook, smtp_config(tmp_path))
    outbox = tmp_path / "outbox"
    names = sorted(p.name for p in outbox.iterdir())
    assert names == sorted(f"{rid}-{kind}.eml" for rid, kind, _ in EXAMPLE_DUE)
    assert results(delivery) == {(rid, kind): "outbox" for rid, kind, _ in EXAMPLE_DUE}
    message = read(outbox / "R-00043-refund-confirmation.eml")
    assert message["To"] == "Jacob Lee <jacob.lee@example.com>"
    assert message["From"] == "Willow & Wick <returns@localhost>"
    assert message["Subject"] == "Your refund of £32.00 for return R-00043"
    assert "£32.00" in message.get_body(("plain",)).get_content()
    assert delivery.last_email["R-00043"] == "refund-confirmation 2026-11-26 (outbox)"
    assert delivery.contacted_on["R-00022"] == NOW.date()


@pytest.mark.slow
def test_outbox_files_are_written_once(tmp_path):
    workbook = example_copy(tmp_path)
    send(workbook, smtp_config(tmp_path))
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "outbox").iterdir()}
    again = send(workbook, smtp_config(tmp_path))
    assert again.records == []
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "outbox").iterdir()} == stamps


@pytest.mark.network
@pytest.mark.slow
def test_an_outbox_folder_wins_over_smtp_settings(tmp_path):
    workbook = example_copy(tmp_path)
    with MailServer() as server:
        delivery = send(workbook, smtp_config(tmp_path, server.port), outbox=tmp_path / "elsewhere")
    assert server.received == []
    assert len(list((tmp_path / "elsewhere").glob("*.eml"))) == len(EXAMPLE_DUE)
    assert read(tmp_path / "elsewhere" / "R-00022-acknowledgement.eml")["From"] == "Willow & Wick <shop@willow.example>"
    assert set(results(delivery).values()) == {"outbox"}


@pytest.mark.slow
def test_a_file_left_half_written_by_a_killed_run_is_written_again(tmp_path):
    workbook = example_copy(tmp_path)
    config = smtp_config(tmp_path)
    path = OutboxChannel(tmp_path / "outbox").path_for("R-00022", "acknowledgement")
    with Journal(journal_path(config.state_dir, str(workbook))) as journal:
        journal.begin("R-00022", "acknowledgement", channel=FILE, recipient="evie.ward@example.com", subject="s",
                      message_id="<lost@willow.example>", now=NOW, detail=str(path))
    delivery = send(workbook, config)
    assert results(delivery)[("R-00022", "acknowledgement")] == "outbox"
    assert read(path)["To"] == "Evie Ward <evie.ward@example.com>"
    assert delivery.failures == []


@pytest.mark.slow
def test_a_file_completed_by_a_killed_run_is_kept_and_not_written_again(tmp_path):
    workbook = example_copy(tmp_path)
    config = smtp_config(tmp_path)
    path = OutboxChannel(tmp_path / "outbox").path_for("R-00022", "acknowledgement")
    path.parent.mkdir()
    path.write_bytes(b"Message-ID: <done@willow.example>\r\nSubject: earlier\r\n\r\nbody\r\n")
    os.utime(path, ns=(1, 1))
    with Journal(journal_path(config.state_dir, str(workbook))) as journal:
        journal.begin("R-00022", "acknowledgement", channel=FILE, recipient="evie.ward@example.com", subject="earlier",
                      message_id="<done@willow.example>", now=NOW, detail=str(path))
    delivery = send(workbook, config)
    assert ("R-00022", "acknowledgement") not in results(delivery)
    assert path.stat().st_mtime_ns == 1
    assert journal_states(workbook, config)[("R-00022", "acknowledgement")] == OUTBOX


def test_return_ids_that_are_not_file_names_get_distinct_safe_files(tmp_path):
    channel = OutboxChannel(tmp_path)
    first, second = channel.path_for("R/1", "reminder"), channel.path_for("R 1", "reminder")
    assert first != second and first.parent == tmp_path and "/" not in first.name and " " not in second.name
    assert channel.path_for("../../etc", "reminder").parent == tmp_path

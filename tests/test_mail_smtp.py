"""Customer emails sent to a real SMTP server on 127.0.0.1: what arrives, once, and how failures are handled."""
import re

import pytest

from sheetreturns.emails.journal import UNCONFIRMED
from sheetreturns.sheet.tab_model import Styled, value_of
from sheetreturns.sheet.tab_names import EMAIL_LOG_TAB

from .mail_server import MailServer, make_certificate
from .mail_support import (
    EXAMPLE_DUE, EXAMPLE_RECIPIENTS, NOW, SHOP, example_copy, journal_states, results, send, smtp_config,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def workbook(tmp_path):
    return example_copy(tmp_path)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


def one(server, address):
    found = server.to(address)
    assert len(found) == 1, f"{address} received {len(found)} messages"
    return found[0]


@pytest.mark.network
@pytest.mark.slow
def test_each_due_email_of_the_example_arrives_once_with_its_wording(tmp_path, workbook):
    with MailServer() as server:
        delivery = send(workbook, smtp_config(tmp_path, server.port))
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS
    assert all(r.mail_from == SHOP and len(r.rcpt_tos) == 1 for r in server.received)
    assert results(delivery) == {(rid, kind): "sent" for rid, kind, _ in EXAMPLE_DUE}
    assert delivery.failures == []

    refund = one(server, "jacob.lee@example.com")
    assert refund.message["Subject"] == "Your refund of £32.00 for return R-00043"
    assert "your refund of £32.00 for return R-00043 was sent on 24 November 2026" in refund.text
    # HTML goes as plain ASCII: £ is written as a character reference that mail programs show as £
    assert "your refund of <strong>&#163;32.00</strong> for return <strong>R-00043</strong>" in refund.html
    assert refund.message.get_body(("html",))["Content-Transfer-Encoding"] == "7bit"

    owed = one(server, "sophia.green@example.com")
    assert owed.message["Subject"] == "Your return R-00008: we have not received the item"
    assert "We refunded £89.00 on 14 October 2026 for your return R-00008 (order WW-10502)" in owed.text
    assert "the return deadline of 12 November 2026 has passed" in owed.text
    assert "repay £89.00" in owed.text and "Porcelain tea set" in owed.text

    reminder = one(server, "lily.king@example.com")
    assert "Please send it back by 7 December 2026 so that we can refund you." in reminder.text
    assert "by <strong>7 December 2026</strong>" in reminder.html


@pytest.mark.network
@pytest.mark.slow
def test_acknowledgement_apologises_lists_every_line_and_offers_help(tmp_path, workbook):
    with MailServer() as server:
        send(workbook, smtp_config(tmp_path, server.port))
    ack = one(server, "evie.ward@example.com")
    message = ack.message
    assert message["From"] == f"Willow & Wick <{SHOP}>"
    assert message["To"] == "Evie Ward <evie.ward@example.com>"
    assert message["Reply-To"] == "help@willow.example"
    assert message["Subject"] == "Your return R-00022 with Willow & Wick: we're on it"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime.replace(tzinfo=None) == NOW
    assert re.fullmatch(r"<R-00022\.acknowledgement\.[0-9a-f]{16}@willow\.example>", message["Message-ID"])
    assert message.get_content_type() == "multipart/alternative"
    text = ack.text
    assert text.startswith("Hello Evie,\n")
    assert "we're sorry that these items did not meet your expectations" in text
    assert "  - 2 x Stoneware mug, blue (£12.50 each)\n  - 1 x Stoneware mug, green (£12.50)\n" in text
    assert "Your refund is underway" in text and "Please send them back by 20 December 2026." in text
    assert "Is there anything else we can do for you?" in text
    assert text.rstrip().endswith("The Willow & Wick team\nhelp@willow.example")
    assert "<title>Your return R-00022 with Willow &amp; Wick: we&#39;re on it</title>" in ack.html
    assert "The Willow &amp; Wick team" in ack.html and "<td" in ack.html and "Stoneware mug, green" in ack.html
    ids = {r.message["Message-ID"] for r in server.received}
    assert len(ids) == len(server.received)


@pytest.mark.network
@pytest.mark.slow
def test_second_run_sends_nothing_and_the_sheet_shows_who_was_contacted(tmp_path, workbook):
    config = smtp_config(tmp_path, None)
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port)
        first = send(workbook, config)
        second = send(workbook, config, now=NOW.replace(hour=11))
    assert len(server.received) == len(EXAMPLE_DUE)
    assert second.records == [] and second.failures == []
    acknowledged = {rid for rid, kind, _ in EXAMPLE_DUE if kind == "acknowledgement"}
    assert set(second.contacted_on) == acknowledged
    assert all(day == NOW.date() for day in second.contacted_on.values())
    assert second.last_email["R-00020"] == "reminder 2026-11-26"
    assert second.last_email["R-00043"] == "refund-confirmation 2026-11-26"
    assert second.last_email == first.last_email
    tab = second.log_tab
    assert tab.title == EMAIL_LOG_TAB and tab.freeze_rows == 1
    assert tab.rows[0] == [Styled(h, "header") for h in ("Time", "Return ID", "To", "Kind", "Subject", "Result")]
    assert len(tab.rows) == 1 + len(EXAMPLE_DUE)
    assert [value_of(c) for c in tab.rows[1]] == [
        NOW, "R-00043", "jacob.lee@example.com", "refund-confirmation", "Your refund of £32.00 for return R-00043",
        "sent",
    ]


@pytest.mark.network
@pytest.mark.slow
def test_starttls_with_login_sends_everything_over_one_authenticated_connection(tmp_path, workbook, certificate,
                                                                                 monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    with MailServer(tls="starttls", cert=certificate, users={SHOP: PASSWORD}) as server:
        config = smtp_config(tmp_path, server.port, security="starttls", user=SHOP,
                             password_env="TEST_SMTP_PASSWORD", ca_file=str(certificate[0]))
        delivery = send(workbook, config)
    assert delivery.failures == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS
    assert server.handler.logins == [SHOP]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd: implicit TLS is TLS
@pytest.mark.network
@pytest.mark.slow
def test_ssl_from_the_first_byte(tmp_path, workbook, certificate, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    with MailServer(tls="ssl", cert=certificate, users={SHOP: PASSWORD}) as server:
        config = smtp_config(tmp_path, server.port, security="ssl", user=SHOP, password_env="TEST_SMTP_PASSWORD",
                             ca_file=str(certificate[0]))
        delivery = send(workbook, config)
    assert delivery.failures == [] and len(server.received) == len(EXAMPLE_DUE)


@pytest.mark.network
@pytest.mark.slow
def test_wrong_password_fails_every_email_and_is_never_shown(tmp_path, workbook, certificate, monkeypatch):
    wrong = "hunter2-wrong-password"
    monkeypatch.setenv("TEST_SMTP_PASSWORD", wrong)
    with MailServer(tls="starttls", cert=certificate, users={SHOP: PASSWORD}) as server:
        config = smtp_config(tmp_path, server.port, security="starttls", user=SHOP,
                             password_env="TEST_SMTP_PASSWORD", ca_file=str(certificate[0]))
        delivery = send(workbook, config)
    assert server.received == [] and server.handler.logins == []
    assert len(delivery.failures) == len(EXAMPLE_DUE)
    assert "refused the login for shop@willow.example (535" in delivery.failures[0]
    shown = repr(delivery) + "".join(p.read_bytes().decode("latin-1") for p in config.state_dir.iterdir())
    assert wrong not in shown and PASSWORD not in shown


@pytest.mark.network
@pytest.mark.slow
def test_an_untrusted_certificate_stops_before_the_password_is_sent(tmp_path, workbook, certificate, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    with MailServer(tls="starttls", cert=certificate, users={SHOP: PASSWORD}) as server:
        config = smtp_config(tmp_path, server.port, security="starttls", user=SHOP,
                             password_env="TEST_SMTP_PASSWORD")  # no ca_file: the self-signed certificate is unknown
        delivery = send(workbook, config)
    assert server.received == [] and server.handler.logins == []
    assert "is not trusted" in delivery.failures[0] and "set ca_file in [smtp]" in delivery.failures[0]


@pytest.mark.network
@pytest.mark.slow
def test_password_from_the_system_keyring_when_no_variable_is_set(tmp_path, workbook, certificate, system_keyring):
    system_keyring.set_password("sheetreturns", SHOP, PASSWORD)
    with MailServer(tls="starttls", cert=certificate, users={SHOP: PASSWORD}) as server:
        config = smtp_config(tmp_path, server.port, security="starttls", user=SHOP, ca_file=str(certificate[0]))
        delivery = send(workbook, config)
    assert delivery.failures == [] and server.handler.logins == [SHOP]


@pytest.mark.network
@pytest.mark.slow
def test_no_password_anywhere_says_where_to_put_it(tmp_path, workbook, certificate, system_keyring, monkeypatch):
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with MailServer(tls="starttls", cert=certificate, users={SHOP: PASSWORD}) as server:
        config = smtp_config(tmp_path, server.port, security="starttls", user=SHOP,
                             password_env="TEST_SMTP_PASSWORD", ca_file=str(certificate[0]))
        delivery = send(workbook, config)
    assert server.received == []
    assert delivery.failures[0].endswith(
        "not sent: no SMTP password for shop@willow.example: set the environment variable TEST_SMTP_PASSWORD, "
        "or store it with `sheetreturns password set smtp`"
    )


@pytest.mark.network
@pytest.mark.slow
def test_a_refused_recipient_fails_alone_and_is_retried_next_run(tmp_path, workbook):
    with MailServer(reject={"lily.king@example.com"}) as server:
        config = smtp_config(tmp_path, server.port)
        first = send(workbook, config)
    assert len(server.received) == len(EXAMPLE_DUE) - 1
    assert results(first)[("R-00020", "reminder")] == (
        "failed: refused by the mail server: 550 5.1.1 <lily.king@example.com>: Recipient address rejected: "
        "User unknown"
    )
    assert first.failures == ["R-00020 reminder to lily.king@example.com: refused by the mail server: 550 5.1.1 "
                              "<lily.king@example.com>: Recipient address rejected: User unknown"]
    assert first.last_email["R-00020"].startswith("reminder failed 2026-11-26: refused by the mail server: 550")
    assert value_of(first.log_tab.rows[1 + len(EXAMPLE_DUE) - 2][5]).startswith("failed: refused")

    with MailServer() as fixed:
        second = send(workbook, smtp_config(tmp_path, fixed.port))
    assert [r.rcpt_tos for r in fixed.received] == [["lily.king@example.com"]]
    assert results(second) == {("R-00020", "reminder"): "sent"}
    assert second.last_email["R-00020"] == "reminder 2026-11-26"


@pytest.mark.network
@pytest.mark.slow
def test_a_connection_dropped_before_a_message_is_taken_reconnects_and_sends_it(tmp_path, workbook):
    with MailServer(drop={"MAIL": {3, 7}}) as server:
        delivery = send(workbook, smtp_config(tmp_path, server.port))
    assert delivery.failures == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS
    assert server.handler.counts["EHLO"] == 3  # the first connection and two reconnections


@pytest.mark.network
@pytest.mark.slow
def test_a_connection_dropped_after_the_message_is_unconfirmed_and_never_sent_twice(tmp_path, workbook):
    with MailServer(drop={"DATA": {3}}) as server:
        config = smtp_config(tmp_path, server.port)
        first = send(workbook, config)
        second = send(workbook, config)
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS  # George's reminder arrived once
    assert results(first)[("R-00021", "reminder")].startswith("failed: not confirmed")
    assert "check your Sent folder" in first.failures[0] and len(first.failures) == 1
    assert journal_states(workbook, config)[("R-00021", "reminder")] == UNCONFIRMED
    assert second.records == [] and second.failures == []
    assert second.last_email["R-00021"] == "reminder 2026-11-26 (unconfirmed)"


@pytest.mark.network
@pytest.mark.slow
def test_finding_4_a_connection_dropped_in_the_middle_of_the_text_is_retried_not_unconfirmed(tmp_path, workbook):
    with MailServer(drop_in_data={3}) as server:  # the third message: 354, then hang up
        delivery = send(workbook, smtp_config(tmp_path, server.port))
    assert delivery.failures == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS  # George's reminder, once
    assert server.handler.counts["EHLO"] == 2  # sent again on a new connection


@pytest.mark.network
@pytest.mark.slow
def test_finding_4_a_message_whose_text_never_reached_the_server_is_sent_by_the_next_run(tmp_path, workbook):
    with MailServer(drop_in_data={3, 4}) as server:  # the third message's retry is cut off as well
        config = smtp_config(tmp_path, server.port)
        first = send(workbook, config)
        assert results(first)[("R-00021", "reminder")].startswith("failed: the connection to the mail server was lost")
        assert "not confirmed" not in " ".join(first.failures)
        assert journal_states(workbook, config)[("R-00021", "reminder")] == "failed"
        second = send(workbook, config)
    assert results(second) == {("R-00021", "reminder"): "sent"}
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS


@pytest.mark.network
@pytest.mark.slow
def test_no_server_listening_fails_every_email_quickly_and_the_next_run_sends_them(tmp_path, workbook):
    with MailServer() as server:
        port = server.port
    config = smtp_config(tmp_path, port)
    down = send(workbook, config)
    assert len(down.failures) == len(EXAMPLE_DUE)
    assert f"not sent: cannot reach the mail server 127.0.0.1:{port} (Connection refused)" in down.failures[0]
    assert set(journal_states(workbook, config).values()) == {"failed"}
    with MailServer() as server:
        up = send(workbook, smtp_config(tmp_path, server.port))
    assert up.failures == [] and len(server.received) == len(EXAMPLE_DUE)


@pytest.mark.network
@pytest.mark.slow
def test_over_the_per_run_cap_emails_wait_for_later_runs(tmp_path, workbook):
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port, policy={"max_emails_per_run": 4})
        runs = [send(workbook, config) for _ in range(4)]
    assert [sum(r.result == "sent" for r in run.records) for run in runs] == [4, 4, 3, 0]
    assert [sum(r.result == "waiting (over the per-run cap)" for r in run.records) for run in runs] == [7, 3, 0, 0]
    assert runs[0].failures == []
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS


@pytest.mark.network
@pytest.mark.slow
def test_dry_run_sends_nothing_and_records_nothing(tmp_path, workbook):
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port)
        dry = send(workbook, config, dry_run=True)
        assert server.received == [] and not config.state_dir.exists()
        real = send(workbook, config)
    assert results(dry) == {(rid, kind): "would send" for rid, kind, _ in EXAMPLE_DUE}
    assert dry.records[0].subject == "Your return R-00008: we have not received the item"
    assert results(real) == {(rid, kind): "sent" for rid, kind, _ in EXAMPLE_DUE}
    # the dry run reported the sheet as the real run then wrote it
    assert (dry.contacted_on, dry.last_email) == (real.contacted_on, real.last_email)
    assert [[value_of(c) for c in row] for row in dry.log_tab.rows] == \
           [[value_of(c) for c in row] for row in real.log_tab.rows]


@pytest.mark.network
@pytest.mark.slow
def test_owner_digest_lists_the_run_and_is_not_sent_when_nothing_happened(tmp_path, workbook):
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port, policy={"owner_email": "owner@willow.example"})
        first = send(workbook, config)
        second = send(workbook, config)
    digest = one(server, "owner@willow.example")
    assert digest.message["Subject"] == "Willow & Wick returns, 26 November 2026: 11 emails sent"
    assert "  - R-00043  refund-confirmation to jacob.lee@example.com\n" in digest.text
    assert "Returns that need you:" in digest.text and "  - Reimbursement due: 1\n" in digest.text
    assert first.records[-1].kind == "owner-digest" and first.records[-1].result == "sent"
    assert second.records == []
    assert "owner-digest" not in " ".join(first.last_email.values())

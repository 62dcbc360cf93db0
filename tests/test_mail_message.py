"""The message on the wire: headers nobody can inject into, encodings that survive, envelopes that match."""
from datetime import datetime

import pytest

from sheetreturns.emails.message import BadAddress, compose

from .helpers import basic_row, write_workbook
from .mail_server import MailServer
from .mail_support import send, smtp_config


def sent_from_rows(tmp_path, rows, settings=None, templates=None, **config_options):
    workbook = write_workbook(tmp_path / "r.xlsx", rows, settings=settings)
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port, **config_options)
        if templates is not None:
            config.templates_dir = templates
        delivery = send(workbook, config)
    return delivery, server


@pytest.mark.slow
def test_line_breaks_in_a_customer_name_cannot_add_headers_or_recipients(tmp_path):
    evil = "Jo Bloggs\r\nBcc: victim@evil.example\r\nSubject: free money"
    delivery, server = sent_from_rows(tmp_path, [basic_row(Customer=evil)])
    assert delivery.failures == []
    [received] = server.received
    assert received.rcpt_tos == ["jo@example.com"]
    message = received.message
    assert message["Bcc"] is None and len(message.get_all("Subject")) == 1
    assert message["To"].addresses[0].addr_spec == "jo@example.com"
    assert message["To"].addresses[0].display_name == "Jo Bloggs Bcc: victim@evil.example Subject: free money"
    assert b"\nBcc:" not in received.data and b"\nSubject: free" not in received.data


@pytest.mark.slow
def test_line_breaks_in_the_store_name_stay_inside_the_from_header(tmp_path):
    settings = [("store_name", "Evil Shop\nBcc: victim@evil.example", "")]
    delivery, server = sent_from_rows(tmp_path, [basic_row()], settings=settings, **{"from": "shop@willow.example"})
    [received] = server.received
    assert received.message["Bcc"] is None and received.rcpt_tos == ["jo@example.com"]
    assert received.message["From"].addresses[0].display_name == "Evil Shop Bcc: victim@evil.example"


@pytest.mark.slow
def test_a_template_that_puts_a_line_break_in_the_subject_gets_one_line(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "acknowledgement.subject.txt").write_text("Return {{ return_id }}\nBcc: victim@evil.example")
    _, server = sent_from_rows(tmp_path, [basic_row()], templates=folder)
    [received] = server.received
    assert received.message["Subject"] == "Return R-00001 Bcc: victim@evil.example"
    assert received.message["Bcc"] is None


@pytest.mark.slow
def test_non_ascii_names_and_subjects_arrive_intact(tmp_path):
    settings = [("store_name", "Café Crème", "")]
    row = basic_row(Customer="Zoë Łukasiewicz-O'Brien", Product="Théière «bleue»")
    _, server = sent_from_rows(tmp_path, [row],
                               settings=settings, **{"from": "shop@willow.example"})
    [received] = server.received
    message = received.message
    assert message["To"].addresses[0].display_name == "Zoë Łukasiewicz-O'Brien"
    assert message["From"].addresses[0].display_name == "Café Crème"
    assert message["Subject"] == "Your return R-00001 with Café Crème: we're on it"
    assert received.text.startswith("Hello Zoë,\n") and "Théière «bleue»" in received.text
    assert received.data.isascii()
    assert max(len(line) for line in received.data.split(b"\r\n")) <= 998


@pytest.mark.slow
def test_quotes_and_backslashes_in_a_name_are_quoted_not_interpreted(tmp_path):
    name = 'Jo "JJ" Bloggs, Esq. \\ <admin@evil.example>'
    _, server = sent_from_rows(tmp_path, [basic_row(Customer=name)])
    [received] = server.received
    [address] = received.message["To"].addresses
    assert (address.display_name, address.addr_spec) == (name, "jo@example.com")


@pytest.mark.slow
def test_a_line_holding_only_a_dot_does_not_end_the_message_early(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "acknowledgement.txt").write_text("first\n.\n..\nlast line {{ return_id }}\n")
    _, server = sent_from_rows(tmp_path, [basic_row()], templates=folder)
    [received] = server.received
    assert received.text == "first\n.\n..\nlast line R-00001\n"
    assert "Hello Jo" in received.html


@pytest.mark.slow
def test_a_very_long_subject_is_shortened_to_one_line(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "acknowledgement.subject.txt").write_text("{{ 'word ' * 200 }}")
    _, server = sent_from_rows(tmp_path, [basic_row()], templates=folder)
    subject = server.received[0].message["Subject"]
    assert len(subject) == 250 and subject.endswith("…") and "\n" not in subject


@pytest.mark.parametrize("address", ["jo@example.com\r\nBcc: x@evil.example", "jo@example.com>, x@evil.example",
                                     "<jo@example.com>", "jo @example.com", "jo@exa..mple.com"])
def test_an_address_that_is_not_plain_is_refused_before_anything_is_built(address):
    with pytest.raises(BadAddress):
        compose(sender=("Shop", "shop@willow.example"), to=("Jo", address), subject="s", text="t", html="<p>t</p>",
                message_id="<a@b>", date=datetime(2026, 11, 26, 9, 0))

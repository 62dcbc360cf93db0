"""Email wording: the default templates for every kind, a seller's overrides, escaping, and broken templates."""
import pytest

from sheetreturns.errors import ConfigError

from .helpers import basic_row, write_workbook
from .mail_server import MailServer
from .mail_support import journal_states, results, send, smtp_config

EVERY_EMAIL = [("emails_enabled", "all", "")]


def run(tmp_path, rows, *, settings=None, templates=None, policy=None):
    workbook = write_workbook(tmp_path / "r.xlsx", rows, settings=settings)
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port, policy=policy)
        config.templates_dir = templates
        delivery = send(workbook, config)
    return delivery, server


def templates_folder(tmp_path, files):
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_refusal_of_an_item_never_sent_back_names_the_deadline(tmp_path):
    row = basic_row(**{"Notified On": "2026-10-10", "Decision": "Refuse"})
    _, server = run(tmp_path, [row], settings=EVERY_EMAIL)
    [refusal] = server.received
    assert refusal.message["Subject"] == "Your return R-00001: we are unable to refund it"
    assert "We have not received it back, and the deadline for returning it was 9 November 2026." in refusal.text


@pytest.mark.slow
def test_refusal_after_inspection_says_so(tmp_path):
    row = basic_row(**{"Notified On": "2026-11-10", "Received On": "2026-11-15", "Condition": "Damaged",
                       "Damage By": "Customer", "Decision": "Refuse"})
    _, server = run(tmp_path, [row], settings=EVERY_EMAIL)
    [refusal] = server.received
    assert "We have inspected it carefully, and it cannot be refunded under our returns policy." in refusal.text


@pytest.mark.slow
def test_dates_follow_a_month_day_sellers_order(tmp_path):
    _, server = run(tmp_path, [basic_row()], settings=[("date_order", "month-day", "")])
    assert "Please send it back by December 20, 2026." in server.received[0].text


@pytest.mark.slow
def test_a_seller_template_replaces_one_part_and_keeps_the_others(tmp_path):
    folder = templates_folder(tmp_path, {"acknowledgement.subject.txt": "{{ store }} got your return {{ return_id }}"})
    _, server = run(tmp_path, [basic_row()], templates=folder, settings=[("store_name", "Willow & Wick", "")])
    [ack] = server.received
    assert ack.message["Subject"] == "Willow & Wick got your return R-00001"
    assert "Your refund is underway" in ack.text and "Your refund is underway" in ack.html


@pytest.mark.slow
def test_a_seller_signature_is_used_by_every_kind(tmp_path):
    folder = templates_folder(tmp_path, {"signature.txt": "Sam, owner of {{ store }}\n"})
    rows = [basic_row(), basic_row(**{"Return ID": "R-00002", "Email": "max@example.com", "Order ID": "2",
                                      "Notified On": "2026-11-10"})]
    _, server = run(tmp_path, rows, templates=folder, settings=[("store_name", "Willow & Wick", "")])
    assert len(server.received) == 2
    assert all(r.text.endswith("\n\nSam, owner of Willow & Wick\n") for r in server.received)


@pytest.mark.slow
def test_html_part_escapes_what_came_from_the_sheet(tmp_path):
    row = basic_row(Customer="<b>Jo</b> Bloggs", Product='<script>alert("x")</script>')
    _, server = run(tmp_path, [row])
    [ack] = server.received
    assert "<script>" not in ack.html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in ack.html
    assert "<p>Hello &lt;b&gt;Jo&lt;/b&gt;,</p>" in ack.html
    assert 'your <script>alert("x")</script> did not meet' in ack.text  # plain text is not HTML: kept as typed


@pytest.mark.network
@pytest.mark.slow
def test_a_broken_template_stops_the_run_before_anything_is_sent(tmp_path):
    folder = templates_folder(tmp_path, {"reminder.txt": "Hello\n{% if %}\n"})
    rows = [basic_row(), basic_row(**{"Return ID": "R-00002", "Order ID": "2", "Notified On": "2026-11-10"})]
    workbook = write_workbook(tmp_path / "r.xlsx", rows)
    with MailServer() as server:
        config = smtp_config(tmp_path, server.port)
        config.templates_dir = folder
        with pytest.raises(ConfigError) as error:
            send(workbook, config)
    assert str(error.value).startswith("email template reminder.txt line 2: ")
    assert "remove it from your templates folder to use the default" in str(error.value)
    assert server.received == [] and journal_states(workbook, config) == {}


def test_a_template_naming_an_unknown_value_is_an_error_not_a_blank(tmp_path):
    folder = templates_folder(tmp_path, {"acknowledgement.html": "<p>{{ tracking_number }}</p>"})
    with pytest.raises(ConfigError, match="email template acknowledgement.html: 'tracking_number' is undefined"):
        run(tmp_path, [basic_row()], templates=folder)


def test_a_missing_templates_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="templates_dir .*nowhere is not a folder"):
        run(tmp_path, [basic_row()], templates=tmp_path / "nowhere")


@pytest.mark.slow
def test_a_broken_digest_template_fails_the_digest_but_not_the_customers_emails(tmp_path):
    folder = templates_folder(tmp_path, {"owner-digest.txt": "{{ nothing_here }}"})
    delivery, server = run(tmp_path, [basic_row()], templates=folder, policy={"owner_email": "owner@willow.example"})
    assert [r.rcpt_tos for r in server.received] == [["jo@example.com"]]
    assert results(delivery)[("R-00001", "acknowledgement")] == "sent"
    assert delivery.failures == ["owner-digest to owner@willow.example: email template owner-digest.txt: "
                                 "'nothing_here' is undefined: fix the template (or remove it from your templates "
                                 "folder to use the default)"]

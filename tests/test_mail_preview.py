"""`sheetreturns emails preview`: what a sync would send, rendered, with nothing sent or recorded."""
import json

import pytest

import click

from click.testing import CliRunner

from sheetreturns.cli import main

from .mail_support import EXAMPLE_DUE, example_copy, send, smtp_config


def setup(tmp_path):
    workbook = example_copy(tmp_path)
    config = tmp_path / "sheetreturns.toml"
    config.write_text('state_dir = "state"\n[smtp]\nfrom = "Willow & Wick <shop@willow.example>"\n'
                      'reply_to = "help@willow.example"\n')
    return workbook, config


def preview(workbook, config, *args):
    return CliRunner().invoke(main, ["emails", "preview", str(workbook), "--as-of", "2026-11-26",
                                     "--config", str(config), *args])


def test_preview_shows_every_due_email_with_headers_and_wording_and_sends_nothing(tmp_path):
    workbook, config = setup(tmp_path)
    result = preview(workbook, config)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("\nFrom: Willow & Wick <shop@willow.example>\n") == len(EXAMPLE_DUE)
    assert "R-00043 · refund-confirmation\n" in out
    assert "To: Jacob Lee <jacob.lee@example.com>\nReply-To: help@willow.example\n" \
           "Subject: Your refund of £32.00 for return R-00043\n\nHello Jacob,\n" in out
    assert "We refunded £89.00 on 14 October 2026 for your return R-00008" in out
    assert out.rstrip().endswith("11 emails due to send as of 2026-11-26 (returns.xlsx); nothing was sent.")
    assert not (tmp_path / "state").exists() and not (tmp_path / "outbox").exists()


def test_preview_of_one_return_and_kind_in_html(tmp_path):
    workbook, config = setup(tmp_path)
    result = preview(workbook, config, "--return", "r-00022", "--kind", "acknowledgement", "--html")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(" · ") == 1
    assert "<p>Hello Evie,</p>" in result.stdout and "The Willow &amp; Wick team" in result.stdout
    assert result.stdout.rstrip().endswith("1 email due to send as of 2026-11-26 (returns.xlsx); nothing was sent.")


def test_preview_json_lists_both_parts(tmp_path):
    workbook, config = setup(tmp_path)
    result = preview(workbook, config, "--kind", "reminder", "--json")
    data = json.loads(result.stdout)
    assert data["command"] == "emails preview" and data["ok"] is True and data["as_of"] == "2026-11-26"
    assert [(e["return_id"], e["to"]) for e in data["emails"]] == [
        ("R-00020", "Lily King <lily.king@example.com>"), ("R-00021", "George Hill <george.hill@example.com>"),
    ]
    first = data["emails"][0]
    assert "7 December 2026" in first["text"] and "<strong>7 December 2026</strong>" in first["html"]


@pytest.mark.slow
def test_preview_leaves_out_what_was_already_sent(tmp_path):
    workbook, config = setup(tmp_path)
    send(workbook, smtp_config(tmp_path))  # writes the outbox and the journal in tmp_path/state
    result = preview(workbook, config)
    assert result.exit_code == 0
    assert result.stdout == "No emails due to send as of 2026-11-26 (returns.xlsx).\n"


def test_preview_with_a_broken_template_is_one_error_line(tmp_path):
    workbook, config = setup(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "reminder.subject.txt").write_text("{{ return_id }")
    config.write_text('templates_dir = "templates"\n' + config.read_text())
    result = preview(workbook, config)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: email template reminder.subject.txt line 1: ")
    assert len(result.stderr.splitlines()) == 1


def test_every_emails_command_and_option_has_help():
    from sheetreturns.cli.emails import emails

    assert emails.help and CliRunner().invoke(main, ["emails", "--help"]).exit_code == 0
    for command in emails.commands.values():
        assert command.help
        options = [p for p in command.params if isinstance(p, click.Option)]
        assert {o.name for o in options} >= {"return_id", "kind", "show_html", "as_of", "config_path", "as_json"}
        assert all(o.help for o in options), [o.name for o in options if not o.help]

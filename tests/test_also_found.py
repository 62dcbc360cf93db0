"""Smaller promises the hostile test found broken, each kept now."""
from datetime import date, datetime

from sheetreturns import api
from sheetreturns.settings.config_file import Config

from .helpers import basic_row, write_workbook

AS_OF = date(2026, 11, 26)


def test_a_400_character_return_id_still_gets_its_outbox_email(tmp_path):
    long_id = "R-" + "7" * 398
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row(**{"Return ID": long_id, "Received On": AS_OF})])
    config = Config(state_dir=tmp_path / "state")
    first = api.sync(path, as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert first.failures == [] and [e.result for e in first.emails] == ["outbox"]
    written = list((tmp_path / "outbox").iterdir())
    assert len(written) == 1 and len(written[0].name) < 120
    again = api.sync(path, as_of=AS_OF, config=config, outbox=tmp_path / "outbox")
    assert again.failures == [] and again.emails == []


def test_an_encoded_word_in_a_customer_name_is_shown_as_written_not_decoded_into_another_address():
    import email
    import email.policy

    from sheetreturns.emails.message import compose

    trick = "=?utf-8?q?ceo=40bank=2Eexample?="
    message = compose(sender=("Shop", "shop@willow.example"), to=(trick, "jo@example.com"),
                      subject=f"Your return {trick}", text="hello", html="<p>hello</p>",
                      message_id="<1@willow.example>", date=datetime(2026, 11, 26, 9, 30))
    parsed = email.message_from_bytes(message.data, policy=email.policy.default)
    assert parsed["To"].addresses[0].display_name == trick  # what the sheet says, not "ceo@bank.example"
    assert parsed["To"].addresses[0].addr_spec == "jo@example.com"
    assert str(parsed["Subject"]) == f"Your return {trick}"
    assert b"ceo@bank.example" not in message.data


def test_config_check_reports_a_broken_intake_table(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sheetreturns.cli import main

    from .mail_support import example_copy

    example_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    toml = tmp_path / "sheetreturns.toml"
    for broken, said in (('max_message_kb = -5', "max_message_kb"),
                         ('[[intake.rules]]\nname = "Etsy"\nsubject = "Return (request"', "subject")):
        head, _, rest = broken.partition("\n")
        table = f'[intake]\nmailbox = "eml:mail"\n{head}\n' if not head.startswith("[[") else \
            f'[intake]\nmailbox = "eml:mail"\n{broken}\n'
        toml.write_text('source = "returns.xlsx"\n' + table)
        done = CliRunner().invoke(main, ["config", "check"])
        assert done.exit_code == 1, done.output
        line = next(line for line in done.stdout.splitlines() if "Mail folder" in line)
        assert "FAIL" in line and said in line
    toml.write_text('source = "returns.xlsx"\n[intake]\nmailbox = "eml:mail"\n')
    done = CliRunner().invoke(main, ["config", "check"])
    assert next(line for line in done.stdout.splitlines() if "Mail folder" in line).split()[2] == "ok"


def test_a_settings_formula_without_a_saved_result_is_reported_not_read_as_blank(tmp_path):
    import pytest

    from sheetreturns.errors import ConfigError

    # openpyxl saves formulas without results, like any program that does not calculate
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()],
                          settings=[("store_name", '=CONCAT("Willow", " & Wick")')])
    with pytest.raises(ConfigError, match=r"Settings!B2: this setting is a formula with no saved result"):
        api.check(path, as_of=AS_OF, config=Config(state_dir=tmp_path / "state"))


def test_a_setting_given_twice_on_the_settings_tab_is_reported(tmp_path):
    import pytest

    from sheetreturns.errors import ConfigError

    path = write_workbook(tmp_path / "returns.xlsx", [basic_row()],
                          settings=[("store_name", "Willow & Wick"), ("store_name", "Our shop")])
    with pytest.raises(ConfigError, match=r"Settings!B3: store_name is set twice \(also at Settings!B2\)"):
        api.check(path, as_of=AS_OF, config=Config(state_dir=tmp_path / "state"))


def test_the_intake_log_lists_every_message_not_just_the_newest_5000():
    from sheetreturns.intake.journal import RECORDED, NoticeRecord, intake_log_tab

    records = [NoticeRecord(f"<{n}@mail.example>", datetime(2026, 1, 1) + (datetime(2026, 1, 2) - datetime(2026, 1, 1)) * (n % 300),
                            "a@example.com", f"Return {n}", RECORDED, rows=1) for n in range(5_200)]
    tab = intake_log_tab(records, "eml:mail")
    keys = {cell for row in tab.rows for cell in row if isinstance(cell, str) and cell.endswith("@mail.example>")}
    assert len(keys) == 5_200

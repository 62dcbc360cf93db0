"""[smtp] and [google] settings: mistakes are one clear error naming the key, and sender details come from settings."""
import pytest

from sheetreturns.settings.config_file import Config
from sheetreturns.errors import ConfigError
from sheetreturns.emails.smtp import sender_of
from sheetreturns.settings.config_file import load_config
from sheetreturns.settings.google import google_settings
from sheetreturns.settings.smtp import smtp_settings
from sheetreturns.engine.policy import Policy

from .mail_support import example_copy, send, smtp_config


def settings(**smtp):
    return smtp_settings(Config(smtp={"host": "smtp.example.com", "from": "shop@example.com", **smtp}))


@pytest.mark.parametrize("smtp, message", [
    ({"security": "tls"}, 'security must be "ssl", "starttls" or "none", not "tls"'),
    ({"port": "587"}, "port must be a whole number such as 587, not '587'"),
    ({"pasword_env": "X"}, "unknown key 'pasword_env' (did you mean 'password_env'?)"),
    ({"security": "none", "user": "shop@example.com"}, 'security "none" would send your password unencrypted'),
    ({"from": "Shop <not an address>"}, 'from "Shop <not an address>" is not an email address'),
    ({"reply_to": "help@example.com\nBcc: x@evil.example"}, "reply_to must be one line of text"),
    ({"ca_file": "/nowhere/ca.pem"}, "ca_file /nowhere/ca.pem not found"),
])
def test_a_wrong_smtp_setting_is_an_error_naming_it(smtp, message):
    with pytest.raises(ConfigError) as error:
        smtp_settings(Config(smtp={"host": "smtp.example.com", "from": "shop@example.com", **smtp}))
    assert message in str(error.value)


def test_a_server_needs_a_from_address():
    with pytest.raises(ConfigError, match='from is missing: add from = "Your Shop <shop@example.com>"'):
        smtp_settings(Config(smtp={"host": "smtp.example.com", "user": "shop"}))
    assert settings(user="shop@example.com", **{"from": None}).from_address == "shop@example.com"


def test_defaults_follow_the_security_chosen():
    assert (settings().port, settings().security) == (587, "starttls")
    assert settings(security="ssl").port == 465
    assert settings(security="none").port == 25
    assert settings(security="none", user="shop@example.com", host="127.0.0.1").security == "none"


def test_without_a_host_emails_go_to_the_outbox_but_a_mistyped_host_is_an_error():
    assert not smtp_settings(Config(smtp={"from": "shop@example.com"})).sends
    with pytest.raises(ConfigError, match="unknown key 'hots' \\(did you mean 'host'\\?\\)"):
        smtp_settings(Config(smtp={"hots": "smtp.example.com"}))


def test_from_takes_the_store_name_when_it_has_none():
    sender = sender_of(smtp_settings(Config(smtp={"from": "shop@example.com", "reply_to": "Help <help@example.com>"})),
                       Policy(store_name="Willow & Wick"))
    assert (sender.name, sender.address, sender.reply_to) == ("Willow & Wick", "shop@example.com", "help@example.com")
    assert sender_of(smtp_settings(Config(smtp={"user": "shop@example.com"})), Policy()).address == "shop@example.com"


def test_with_every_email_switched_off_nothing_is_sent_and_no_log_tab_appears(tmp_path):
    workbook = example_copy(tmp_path)
    delivery = send(workbook, smtp_config(tmp_path, policy={"emails_enabled": "none"}))
    assert delivery.records == [] and delivery.log_tab is None and not (tmp_path / "outbox").exists()


def test_a_misspelt_google_key_is_an_error_with_a_did_you_mean(tmp_path):
    (tmp_path / "sheetreturns.toml").write_text('[google]\nservice_acount_file = "key.json"\n')
    with pytest.raises(ConfigError) as error:
        google_settings(load_config(tmp_path / "sheetreturns.toml"))
    assert str(error.value) == ("sheetreturns.toml [google]: unknown key 'service_acount_file' "
                                "(did you mean 'service_account_file'?)")


def test_google_settings_resolve_files_beside_the_config_file(tmp_path):
    (tmp_path / "sheetreturns.toml").write_text('[google]\nservice_account_file = "key.json"\n'
                                                'endpoint = "http://127.0.0.1:8085/"\n')
    settings = google_settings(load_config(tmp_path / "sheetreturns.toml"))
    assert (settings.service_account_file, settings.endpoint) == (tmp_path / "key.json", "http://127.0.0.1:8085")
    with pytest.raises(ConfigError, match=r"\[google\] endpoint must be a URL"):
        google_settings(Config(google={"endpoint": "127.0.0.1:8085"}))


def test_a_misspelt_top_level_key_is_an_error_with_a_did_you_mean(tmp_path):
    (tmp_path / "sheetreturns.toml").write_text('sorce = "returns.xlsx"\n')
    with pytest.raises(ConfigError, match="unknown key 'sorce' \\(did you mean 'source'\\?\\)"):
        load_config(tmp_path / "sheetreturns.toml")

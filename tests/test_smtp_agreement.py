"""`config check` and `sync` read [smtp] through the same settings and password lookup: for every way the
README shows to set up the mail server, the check's verdict is what a sync then does (real SMTP on 127.0.0.1)."""
from __future__ import annotations

import pytest

from sheetreturns import api
from sheetreturns.config_check import check_setup
from sheetreturns.errors import SheetReturnsError

from .mail_server import MailServer, make_certificate
from .mail_support import AS_OF, NOW, SHOP, example_copy

PASSWORD = "abcd efgh ijkl mnop"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


# (name, server TLS, [smtp] lines beyond host/port/from, environment, keyring entries, should work)
CASES = [
    ("starttls, password_env", "starttls", {"security": "starttls", "user": SHOP, "password_env": "SHOP_PW",
                                            "ca_file": "CA"}, {"SHOP_PW": PASSWORD}, {}, True),
    ("starttls, the default variable", "starttls", {"security": "starttls", "user": SHOP, "ca_file": "CA"},
     {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD}, {}, True),
    ("password_env unset, the default variable set", "starttls",
     {"security": "starttls", "user": SHOP, "password_env": "SHOP_PW", "ca_file": "CA"},
     {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD}, {}, True),
    ("starttls, the system keyring", "starttls", {"security": "starttls", "user": SHOP, "ca_file": "CA"}, {},
     {("sheetreturns", SHOP): PASSWORD}, True),
    ("ssl", "ssl", {"security": "ssl", "user": SHOP, "ca_file": "CA"}, {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD},
     {}, True),
    ("security left out (starttls)", "starttls", {"user": SHOP, "ca_file": "CA"},
     {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD}, {}, True),
    ("none, a server on this machine, no login", None, {"security": "none"}, {}, {}, True),
    ("none, a server on this machine, with a login", None, {"security": "none", "user": SHOP},
     {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD}, {}, True),
    ("wrong password", "starttls", {"security": "starttls", "user": SHOP, "ca_file": "CA"},
     {"SHEETRETURNS_SMTP_PASSWORD": "wrong"}, {}, False),
    ("no password anywhere", "starttls", {"security": "starttls", "user": SHOP, "ca_file": "CA"}, {}, {}, False),
    ("keyring under another service", "starttls", {"security": "starttls", "user": SHOP, "ca_file": "CA"}, {},
     {("yagmail", SHOP): PASSWORD}, False),
    ("certificate not trusted (no ca_file)", "starttls", {"security": "starttls", "user": SHOP},
     {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD}, {}, False),
    ("ssl against a starttls server", "starttls", {"security": "ssl", "user": SHOP, "ca_file": "CA"},
     {"SHEETRETURNS_SMTP_PASSWORD": PASSWORD}, {}, False),
]


def toml_value(value) -> str:
    return str(value) if isinstance(value, int) else f'"{value}"'


@pytest.mark.parametrize("name, tls, smtp, environment, stored, works", CASES, ids=[c[0] for c in CASES])
@pytest.mark.network
@pytest.mark.slow
def test_config_check_and_sync_agree(tmp_path, monkeypatch, certificate, system_keyring,
                                     name, tls, smtp, environment, stored, works):
    monkeypatch.chdir(tmp_path)
    for variable in ("SHEETRETURNS_SMTP_PASSWORD", "SHOP_PW"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    for (service, user), value in stored.items():
        system_keyring.set_password(service, user, value)
    example_copy(tmp_path)
    with MailServer(tls=tls, cert=certificate, users={SHOP: PASSWORD} if "user" in smtp else None) as server:
        table = {"host": "127.0.0.1", "port": server.port, "from": f"Willow & Wick <{SHOP}>", **smtp}
        table = {k: (str(certificate[0]) if v == "CA" else v) for k, v in table.items()}
        (tmp_path / "sheetreturns.toml").write_text(
            'source = "returns.xlsx"\n[smtp]\n' + "".join(f"{k} = {toml_value(v)}\n" for k, v in table.items()))
        email = next(i for i in check_setup(timeout=5).items if i.name == "Email")
        assert server.received == []  # the check sends nothing
        result = api.sync(as_of=AS_OF, now=NOW)
    sent = [e for e in result.emails if e.result == "sent"]
    assert email.ok is works, email.message
    if works:
        assert result.failures == [] and len(sent) == len(result.emails) == len(server.received) > 0
        assert email.message.startswith(f"connected to 127.0.0.1:{server.port} ({table.get('security', 'starttls')})")
    else:
        assert sent == [] and server.received == [] and result.failures


def test_a_setting_the_check_refuses_stops_a_sync_with_the_same_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example_copy(tmp_path)
    (tmp_path / "sheetreturns.toml").write_text(
        'source = "returns.xlsx"\n[smtp]\nhost = "smtp.example.com"\nsecurity = "none"\nuser = "shop@example.com"\n'
        'from = "shop@example.com"\n')
    email = next(i for i in check_setup().items if i.name == "Email")
    with pytest.raises(SheetReturnsError) as stopped:
        api.sync(as_of=AS_OF, now=NOW)
    assert email.ok is False and email.message == str(stopped.value)
    assert 'security "none" would send your password unencrypted' in email.message

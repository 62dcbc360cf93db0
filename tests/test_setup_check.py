"""`sheetreturns config check` against a real SMTP server on 127.0.0.1 (aiosmtpd) and real workbooks."""
import json
import socket
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from sheetreturns.cli import main
from sheetreturns.excel.new_workbook import create_workbook
from sheetreturns.config_check import check_setup

from .helpers import AS_OF, basic_row, write_workbook

PASSWORD = "s3cret-app-password"


class Recorder:
    """Keeps every message the server accepts (config check must never send one)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and text(auth_data.login) == "shop"
          and text(auth_data.password) == PASSWORD)
    return AuthResult(success=ok, handled=False)  # handled=False: the server sends the 535 itself


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Plain SMTP with AUTH (no TLS), as a local relay might offer."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """SMTP offering STARTTLS with a certificate from a test CA this process trusts (SSL_CERT_FILE)."""
    ca = trustme.CA()
    cert = ca.issue_cert("localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), authenticator=authenticate,
                            tls_context=context, require_starttls=True)
    controller.start()
    yield controller, recorder
    controller.stop()


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A folder with a clean workbook; the test writes sheetreturns.toml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SHEETRETURNS_SMTP_PASSWORD", raising=False)
    write_workbook(tmp_path / "returns.xlsx", [basic_row()], settings=[("store_name", "Willow & Wick")])
    return tmp_path


def write_config(folder, smtp: str = "", extra: str = "") -> None:
    (folder / "sheetreturns.toml").write_text(f'source = "returns.xlsx"\n{extra}\n{smtp}')


def smtp_table(port: int, host: str = "127.0.0.1", security: str = "none", user: str = "shop") -> str:
    return (f'[smtp]\nhost = "{host}"\nport = {port}\nsecurity = "{security}"\nuser = "{user}"\n'
            f'password_env = "SHOP_SMTP_PASSWORD"\nfrom = "Willow & Wick <shop@example.com>"\n')


def items(report):
    return {i.name: (i.ok, i.message) for i in report.items}


@pytest.mark.network
def test_a_good_setup_logs_in_and_sends_nothing(shop, smtp_server, monkeypatch):
    controller, recorder = smtp_server
    write_config(shop, smtp_table(controller.port))
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", PASSWORD)
    report = check_setup()
    found = items(report)
    assert report.ok, report.items
    assert found["Email"] == (True, f"connected to 127.0.0.1:{controller.port} (none) as shop; nothing sent")
    assert found["Workbook"][0] is True and "'Returns' tab, header on row 1" in found["Workbook"][1]
    assert found["Settings"] == (True, "1 filled in on the Settings tab, 0 in sheetreturns.toml; "
                                       "store 'Willow & Wick', currency GBP")
    assert found["Google"][0] is None
    assert recorder.messages == []


@pytest.mark.network
def test_starttls_login_works_with_a_trusted_certificate(shop, tls_server, monkeypatch):
    controller, recorder = tls_server
    write_config(shop, smtp_table(controller.port, host="localhost", security="starttls"))
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", PASSWORD)
    found = items(check_setup())
    assert found["Email"] == (True, f"connected to localhost:{controller.port} (starttls) as shop; nothing sent")
    assert recorder.messages == []


@pytest.mark.network
def test_ssl_against_a_starttls_port_says_to_check_port_and_security(shop, tls_server, monkeypatch):
    controller, _ = tls_server
    write_config(shop, smtp_table(controller.port, host="localhost", security="ssl"))
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", PASSWORD)
    ok, message = items(check_setup(timeout=5))["Email"]
    assert ok is False
    assert message.startswith(f"localhost:{controller.port} (ssl): secure connection failed")
    assert message.endswith("check port and security (465 is usually ssl, 587 starttls)")


@pytest.mark.network
def test_wrong_password_is_reported_without_showing_it(shop, smtp_server, monkeypatch):
    controller, recorder = smtp_server
    write_config(shop, smtp_table(controller.port))
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", "not-the-password")
    result = CliRunner().invoke(main, ["config", "check"])
    assert result.exit_code == 1
    assert (f"Email         FAIL  127.0.0.1:{controller.port} (none) refused the login for shop: check the password "
            f"(from $SHOP_SMTP_PASSWORD; for Gmail use an app password)") in result.stdout
    assert "not-the-password" not in result.output
    assert result.stdout.rstrip().endswith("1 check failed: fix it and run sheetreturns config check again. "
                                           "Nothing was sent or written.")


@pytest.mark.network
@pytest.mark.slow
def test_missing_password_says_which_variable_to_set(shop, smtp_server):
    controller, _ = smtp_server
    write_config(shop, smtp_table(controller.port))
    ok, message = items(check_setup())["Email"]
    assert (ok, message) == (False, "no SMTP password for shop: set the environment variable SHOP_SMTP_PASSWORD, "
                                    "or store it with `sheetreturns password set smtp`")


def test_nothing_listening_is_a_clear_failure(shop, monkeypatch):
    port = free_port()
    write_config(shop, smtp_table(port))
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", PASSWORD)
    assert items(check_setup(timeout=5))["Email"] == (
        False, f"cannot reach 127.0.0.1:{port} (none): connection refused (is the port right?)")


@pytest.mark.parametrize("table, message", [
    ('[smtp]\nhost = "h"\nsecurity = "tls"\nfrom = "a@example.com"\n',
     'sheetreturns.toml [smtp] security must be "ssl", "starttls" or "none", not "tls"'),
    ('[smtp]\nhost = "h"\nport = "587"\nfrom = "a@example.com"\n',
     "sheetreturns.toml [smtp] port must be a whole number such as 587, not '587'"),
    ('[smtp]\nhost = "h"\nfrom = "Shop <shop@>"\n',
     'sheetreturns.toml [smtp] from "Shop <shop@>" is not an email address '
     '(write it as "Shop name <shop@example.com>" or just the address)'),
    ('[smtp]\nhost = "h"\nuser = "shop"\n', 'sheetreturns.toml [smtp] from is missing: add from = "Your Shop <shop@example.com>"'),
    ('[smtp]\nhots = "h"\n', "sheetreturns.toml [smtp]: unknown key 'hots' (did you mean 'host'?)"),
])
@pytest.mark.slow
def test_bad_smtp_settings_are_named_before_connecting(shop, table, message):
    write_config(shop, table)
    assert items(check_setup())["Email"] == (False, message)


def test_no_smtp_section_means_the_outbox_and_is_fine(shop):
    write_config(shop)
    report = check_setup()
    assert report.ok
    assert items(report)["Email"] == (None, "no [smtp] section: emails are written as .eml files to an outbox folder")
    write_config(shop, '[smtp]\nfrom = "a@example.com"\n')  # a sender for the outbox, no server: as sync does
    assert items(check_setup())["Email"] == (None, "no host in [smtp]: emails are written as .eml files to an outbox folder")


def test_a_bad_setting_on_the_settings_tab_names_its_cell(shop):
    write_workbook(shop / "returns.xlsx", [basic_row()], settings=[("store_name", "X"), ("item_deadline_days", "soon")])
    write_config(shop)
    report = check_setup()
    assert not report.ok
    assert items(report)["Settings"] == (False, 'Settings!B3: item_deadline_days must be a number, not "soon"')


def test_a_broken_config_file_is_the_one_failure_reported(shop):
    (shop / "sheetreturns.toml").write_text('source = "returns.xlsx\n')
    report = check_setup()
    assert [(i.name, i.ok) for i in report.items] == [("Config file", False)]
    assert report.items[0].message.startswith("sheetreturns.toml is not valid TOML")


def test_a_missing_workbook_is_reported(shop):
    (shop / "returns.xlsx").unlink()
    write_config(shop)
    ok, message = items(check_setup())["Workbook"]
    assert ok is False and "returns.xlsx" in message


def test_a_google_source_goes_through_the_generic_open_and_reports_its_answer(shop):
    # The Google adapter decides what "access" means; config check only asks it to open the sheet.
    (shop / "sheetreturns.toml").write_text('source = "gsheet:1AbCdEfGhIjKlMnOp"\n')
    found = items(check_setup())
    assert "Google" not in found
    assert found["Google Sheet"][0] is False and found["Google Sheet"][1]


def test_json_output_lists_every_check(shop):
    write_config(shop)
    result = CliRunner().invoke(main, ["config", "check", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["ok"] is True
    assert [c["name"] for c in data["checks"]] == ["Config file", "Workbook", "Settings", "Google", "State folder", "Email"]


def test_config_check_writes_nothing(shop):
    create_workbook(shop / "new.xlsx", today=AS_OF)
    write_config(shop)
    before = {p: p.read_bytes() for p in shop.iterdir() if p.is_file()}
    result = CliRunner().invoke(main, ["config", "check", "new.xlsx"])
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in shop.iterdir() if p.is_file()} == before
    assert not (shop / ".sheetreturns").exists()


def test_a_misspelt_google_key_fails_the_check_even_for_a_workbook(shop):
    write_config(shop, '[google]\nservice_acount_file = "key.json"\n')
    assert items(check_setup())["Google"] == (
        False, "sheetreturns.toml [google]: unknown key 'service_acount_file' (did you mean 'service_account_file'?)")

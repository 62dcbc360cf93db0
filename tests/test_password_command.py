"""`sheetreturns password set|check`: the password goes into a real keyring backend (keyrings.alt's file
keyring), where sync and config check then find it to log in to a real SMTP server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from sheetreturns.cli import main

from .mail_server import MailServer
from .mail_support import EXAMPLE_RECIPIENTS, SHOP, example_copy

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "wxyz abcd efgh ijkl"


@pytest.fixture
def file_keyring(tmp_path, monkeypatch):
    """keyrings.alt's file keyring in a temporary folder, as the system keyring of this process."""
    for name in ("SHEETRETURNS_SMTP_PASSWORD", "SHEETRETURNS_IMAP_PASSWORD", "SHOP_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    ring = PlaintextKeyring()
    ring.file_path = str(tmp_path / "keyring" / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def shop(tmp_path, monkeypatch):
    folder = tmp_path / "shop"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def write_config(folder: Path, port: int = 25, **extra: str) -> None:
    lines = ['source = "returns.xlsx"', 'state_dir = "state"', "[smtp]", 'host = "127.0.0.1"', f"port = {port}",
             'security = "none"', f'user = "{SHOP}"', f'from = "Willow & Wick <{SHOP}>"',
             *(f'{k} = "{v}"' for k, v in extra.items())]
    (folder / "sheetreturns.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.mark.network
@pytest.mark.slow
def test_set_asks_twice_without_echo_stores_it_where_sync_looks_and_sync_logs_in(shop, file_keyring):
    example_copy(shop)
    with MailServer(users={SHOP: PASSWORD}) as server:
        write_config(shop, server.port)
        missing = invoke("password", "check", "smtp")
        assert missing.exit_code == 1
        assert missing.output.startswith("No SMTP (sending email) password is stored in the keyring file ")
        assert "store one with sheetreturns password set smtp" in missing.output

        stored = invoke("password", "set", "smtp", input=f"{PASSWORD}\n{PASSWORD}\n")
        assert stored.exit_code == 0, stored.output
        assert PASSWORD not in stored.output  # not echoed, not printed
        assert f'Stored the SMTP (sending email) password in the keyring file {file_keyring.file_path} ' \
               f'(service "sheetreturns", user {SHOP}).' in stored.output
        assert file_keyring.get_password("sheetreturns", SHOP) == PASSWORD

        checked = invoke("password", "check", "smtp")
        assert checked.exit_code == 0 and PASSWORD not in checked.output
        assert checked.output.startswith("An SMTP (sending email) password is stored in the keyring file")

        setup = invoke("config", "check", "--json")
        [email] = [c for c in json.loads(setup.output)["checks"] if c["name"] == "Email"]
        assert email["ok"] and f"as {SHOP}" in email["message"], setup.output
        assert server.handler.logins == [SHOP]  # config check logged in with the stored password

        synced = invoke("sync", "--as-of", "2026-11-26")
        assert synced.exit_code == 0, synced.output
    assert server.handler.logins and set(server.handler.logins) == {SHOP}
    assert sorted(r.rcpt_tos[0] for r in server.received) == EXAMPLE_RECIPIENTS


def test_a_second_set_replaces_the_password_and_check_json_never_holds_it(shop, file_keyring):
    write_config(shop)
    invoke("password", "set", "smtp", input="old\nold\n")
    again = invoke("password", "set", "smtp", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert "Replaced the SMTP (sending email) password in the keyring file" in again.output
    checked = invoke("password", "check", "smtp", "--json")
    data = json.loads(checked.output)
    assert data == {"schema": 1, "command": "password check", "ok": True, "kind": "smtp", "user": SHOP,
                    "service": "sheetreturns", "keyring": f"the keyring file {file_keyring.file_path}",
                    "stored": True, "environment_variable": None}
    assert PASSWORD not in checked.output and "old" not in checked.output


def test_two_different_entries_store_nothing(shop, file_keyring):
    write_config(shop)
    result = invoke("password", "set", "smtp", input="one\ntwo\n")
    assert result.exit_code != 0
    assert file_keyring.get_password("sheetreturns", SHOP) is None


def test_the_imap_password_goes_under_the_mailbox_user(shop, file_keyring):
    (shop / "sheetreturns.toml").write_text(
        '[intake]\nmailbox = "imaps://returns%40willow.example@imap.example.com/Returns"\n', encoding="utf-8")
    result = invoke("password", "set", "imap", input="imap secret\nimap secret\n")
    assert result.exit_code == 0, result.output
    assert 'service "sheetreturns-imap", user returns@willow.example' in result.output
    assert file_keyring.get_password("sheetreturns-imap", "returns@willow.example") == "imap secret"
    assert invoke("password", "check", "imap").exit_code == 0
    assert invoke("password", "check", "imap", "--user", "someone@else.example").exit_code == 1


def test_an_environment_variable_the_job_reads_first_is_mentioned(shop, file_keyring, monkeypatch):
    write_config(shop, password_env="SHOP_SMTP_PASSWORD")
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", "from the environment")
    result = invoke("password", "set", "smtp", "--stdin", input="kept\n")
    assert result.exit_code == 0
    assert ("Note: the environment variable SHOP_SMTP_PASSWORD is set here, and the job uses it before the "
            "keyring.") in result.output


def test_without_a_user_or_a_keyring_it_says_what_to_do(shop, file_keyring):
    result = invoke("password", "set", "smtp", input="x\nx\n")
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        "Error: whose password? give --user ADDRESS, or set user in [smtp] of sheetreturns.toml")
    keyring.set_keyring(fail.Keyring())
    result = invoke("password", "check", "smtp", "--user", SHOP)
    assert result.exit_code == 2
    assert ("Error: this machine has no system keyring (a server or a container): set the password in the job's "
            "environment instead, in the variable SHEETRETURNS_SMTP_PASSWORD") in result.output


@pytest.mark.slow
def test_in_separate_processes_the_stored_password_is_found_again(shop, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
           "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home")}
    env.pop("SHEETRETURNS_SMTP_PASSWORD", None)

    def run(*args, input=None):
        return subprocess.run([sys.executable, "-m", "sheetreturns", "password", *args], cwd=shop, env=env,
                              input=input, capture_output=True, text=True, timeout=60)

    assert run("check", "smtp", "--user", SHOP).returncode == 1
    stored = run("set", "smtp", "--user", SHOP, "--stdin", input=PASSWORD + "\n")
    assert stored.returncode == 0, stored.stderr
    assert PASSWORD not in stored.stdout
    checked = run("check", "smtp", "--user", SHOP)
    assert checked.returncode == 0 and "is stored in the keyring file" in checked.stdout

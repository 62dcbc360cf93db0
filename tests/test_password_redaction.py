"""The SMTP password never reaches the workbook, the journal, the terminal or the logs, even when a server's
reply echoes it: as typed, base64-encoded as AUTH LOGIN sends it, or as the base64 AUTH PLAIN line."""
import base64
import json
import zipfile

from click.testing import CliRunner

from sheetreturns.cli import main
from sheetreturns.state import user_state_dir

from .mail_server import MailServer
from .mail_support import SHOP, example_copy

PASSWORD = "s3cret-Pa55word"
FORMS = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
         base64.b64encode(f"\0{SHOP}\0{PASSWORD}".encode()).decode().rstrip("=")]


def everything_stored(folder):
    """The bytes of every file the run could have written: the workbook's parts, state, logs."""
    found = []
    for path in [*folder.rglob("*"), *user_state_dir().rglob("*")]:
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                found += [book.read(name) for name in book.namelist()]
        else:
            found.append(path.read_bytes())
    return b"\n".join(found).decode("utf-8", "replace")


def test_finding_10_a_server_echoing_the_credentials_never_gets_them_stored_or_shown(tmp_path, monkeypatch):
    example_copy(tmp_path)
    monkeypatch.setenv("SHOP_SMTP_PASSWORD", PASSWORD)
    echo = f"550 5.7.1 rejected; you said AUTH PLAIN {FORMS[2]} then {FORMS[1]} i.e. {PASSWORD}"
    with MailServer(users={SHOP: PASSWORD}, reject={"lily.king@example.com"}, reject_reply=echo) as server:
        (tmp_path / "sheetreturns.toml").write_text(
            f'source = "returns.xlsx"\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
            f'user = "{SHOP}"\npassword_env = "SHOP_SMTP_PASSWORD"\nfrom = "{SHOP}"\n')
        config = str(tmp_path / "sheetreturns.toml")
        text = CliRunner().invoke(main, ["sync", "--config", config, "--as-of", "2026-11-26",
                                           "--send-backlog"])  # the sheet's first SMTP run
        assert server.handler.logins == [SHOP]
        assert text.exit_code == 1 and "rejected; you said AUTH PLAIN ***" in text.stdout
        again = CliRunner().invoke(main, ["sync", "--config", config, "--as-of", "2026-11-26", "--json"])
        assert again.exit_code == 1
        assert "***" in json.dumps(json.loads(again.stdout))
    shown = text.output + again.output
    stored = everything_stored(tmp_path)
    assert "rejected; you said" in stored  # the reply is kept (Last Email, Email Log, journal) ...
    for form in FORMS:
        assert form not in shown and form not in stored  # ... without the password in any form

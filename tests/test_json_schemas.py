"""Every command's --json output carries "schema": 1 and validates against the JSON Schema shipped in
sheetreturns/schemas/; emails and failures are typed (kind, outcome, detail)."""
from __future__ import annotations

import json
from importlib import resources

import keyring
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator, FormatChecker
from keyrings.alt.file import PlaintextKeyring
from referencing import Registry, Resource

from sheetreturns.cli import main

from . import marketplace_reports
from .intake_corpus import corpus, write_eml
from .mail_server import MailServer
from .mail_support import SHOP, example_copy

SCHEMAS = {p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8"))
           for p in resources.files("sheetreturns").joinpath("schemas").iterdir() if p.name.endswith(".json")}
REGISTRY = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in SCHEMAS.values())
COMMANDS = {"check": "check", "sync": "sync", "report": "report", "emails preview": "emails-preview",
            "config check": "config-check", "intake": "intake", "password check": "password-check", "import": "import",
            "backups": "backups", "restore": "restore"}


def validated(*args: str, exit_codes=(0, 1)) -> dict:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code in exit_codes, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 1
    Draft202012Validator(SCHEMAS[COMMANDS[data["command"]]], registry=REGISTRY, format_checker=FormatChecker()).validate(data)
    return data


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    example_copy(tmp_path)
    return tmp_path


@pytest.mark.slow
def test_every_schema_is_a_valid_2020_12_schema_and_every_command_has_one():
    assert set(SCHEMAS) == {*COMMANDS.values(), "error"}
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.slow
def test_check_report_preview_and_config_check(shop):
    assert validated("check", "returns.xlsx", "--as-of", "2026-11-26")["problems"]
    assert validated("report", "returns.xlsx", "--as-of", "2026-11-26")["summary"]["key_figures"]
    preview = validated("emails", "preview", "returns.xlsx", "--as-of", "2026-11-26")
    assert {e["outcome"] for e in preview["emails"]} == {"would-send"}
    assert validated("config", "check", "returns.xlsx")["checks"]


@pytest.mark.network
@pytest.mark.slow
def test_sync_with_typed_email_results_and_failures(shop):
    with MailServer(reject={"lily.king@example.com"}) as server:
        (shop / "sheetreturns.toml").write_text(
            f'source = "returns.xlsx"\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
            f'from = "Willow & Wick <{SHOP}>"\n', encoding="utf-8")
        data = validated("sync", "--as-of", "2026-11-26")
    outcomes = {(e["return_id"], e["kind"]): (e["outcome"], e["detail"]) for e in data["emails"]}
    assert outcomes[("R-00022", "acknowledgement")] == ("sent", "")
    outcome, detail = outcomes[("R-00020", "reminder")]
    assert outcome == "failed" and detail.startswith("refused by the mail server: 550")
    assert data["failures"] == [{"kind": "email", "outcome": "failed", "detail": detail, "return_id": "R-00020",
                                 "email": "reminder", "to": "lily.king@example.com"}]
    dry = validated("sync", "--as-of", "2026-11-26", "--dry-run")
    assert {e["outcome"] for e in dry["emails"]} == {"would-send"}


@pytest.mark.slow
def test_intake_and_sync_with_intake(shop):
    write_eml(shop / "mail", corpus()[:5])
    (shop / "sheetreturns.toml").write_text('source = "returns.xlsx"\n[intake]\nmailbox = "eml:mail"\n',
                                            encoding="utf-8")
    data = validated("intake", "--dry-run")
    assert data["notices"] and data["failures"] == []
    validated("sync", "--as-of", "2026-11-26", "--outbox", "outbox")


@pytest.mark.slow
def test_import(shop):
    files = marketplace_reports.write_month(shop / "downloads")
    data = validated("import", *map(str, files), "--into", "returns.xlsx")
    assert data["rows_added"] and data["files"] and data["failures"] == []


@pytest.mark.slow
def test_backups_and_restore(shop):
    assert validated("backups", "returns.xlsx")["backups"] == []
    validated("sync", "returns.xlsx", "--as-of", "2026-11-26", "--outbox", "outbox")  # changes it: one backup
    listed = validated("backups", "returns.xlsx")
    assert len(listed["backups"]) == 1
    restored = validated("restore", "1", "returns.xlsx")
    assert restored["restored"]["name"] == listed["backups"][0]["name"]


@pytest.mark.slow
def test_password_check(shop, tmp_path):
    previous = keyring.get_keyring()
    ring = PlaintextKeyring()
    ring.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(ring)
    try:
        assert validated("password", "check", "smtp", "--user", SHOP)["stored"] is False
    finally:
        keyring.set_keyring(previous)


def test_a_command_that_cannot_run_prints_the_error_shape(shop):
    for args in (["check", "missing.xlsx"], ["sync", "missing.xlsx"], ["report", "missing.xlsx"],
                 ["emails", "preview", "missing.xlsx"]):
        data = validated(*args, exit_codes=(2,))
        assert data["ok"] is False and "missing.xlsx" in data["error"]


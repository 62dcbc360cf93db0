"""`sheetreturns report` through click's CliRunner: the Summary's figures as tables or as one JSON object."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetreturns.cli import main

from .helpers import basic_row, write_workbook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.slow
def test_report_prints_the_summary_tables(tmp_path):
    result = invoke("report", str(EXAMPLE), "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Willow & Wick · returns.xlsx · as of 2026-11-26 · 45 returns, 48 returned products"
    assert "  Need your action now            16" in lines
    assert "  Reimbursement due                1                       £89.00" in lines
    assert "  Refund due                       5  £219.50 (1 without a price)" in lines
    pull = next(l for l in lines if l.startswith("  KTL-CPR  Copper kettle 1.7L          4"))
    assert pull.endswith("80%  Defect in most returns: pull remaining stock and check")
    assert "  Changed mind              12    25%  £479.00  Changed mind; Changed my mind; Didn't like the glaze" in lines


@pytest.mark.slow
def test_report_json_is_one_object_with_the_summary(tmp_path):
    result = invoke("report", str(EXAMPLE), "--as-of", "2026-11-26", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["command"], data["ok"], data["as_of"], data["written"]) == ("report", True, "2026-11-26", False)
    summary = data["summary"]
    risk = summary["key_figures"]["reimbursement_due"]
    assert (risk["returns"], risk["amount"]) == (1, 89.0)
    assert [p["sku"] for p in summary["products"] if p["alert"]] == ["KTL-CPR"]
    assert summary["reasons"][0]["category"] == "Changed mind"
    assert summary["repeat_customers"][0]["last_notice"] == "2026-11-12"
    assert data["counts"]["Awaiting item"] == 14


@pytest.mark.slow
def test_report_uses_the_config_policy(tmp_path):
    config = tmp_path / "sheetreturns.toml"
    config.write_text('[policy]\nstore_name = "Jo\'s Mugs"\ncurrency = "EUR"\n', encoding="utf-8")
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(**{"Received On": "2026-11-22", "Condition": "Like new"})])
    result = invoke("report", str(path), "--as-of", "2026-11-26", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Jo's Mugs · r.xlsx")
    assert "  Refund due                       1  €24.99" in result.stdout.splitlines()


def test_report_on_a_missing_file_is_one_error_line_and_exit_2(tmp_path):
    result = invoke("report", str(tmp_path / "nope.xlsx"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    result = invoke("report", str(tmp_path / "nope.xlsx"), "--json")
    assert json.loads(result.stdout)["ok"] is False


def test_report_help_names_its_options():
    result = invoke("report", "--help")
    assert result.exit_code == 0
    for option in ("--as-of", "--config", "--json", "--debug"):
        assert option in result.stdout

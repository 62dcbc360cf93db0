"""The drawn Summary opened by a real spreadsheet program (LibreOffice, headless): formats, charts, text guard.

Needs `soffice` and `pdftotext` (.ci/run installs libreoffice-calc-nogui and poppler-utils).
"""
import csv
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.summary import summary_tab
from sheetreturns.summary.tab import ALERT
from sheetreturns.sheet.tab_model import Styled, Tab
from sheetreturns.excel.draw_tab import render_tab

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"
CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"  # UTF-8, cells as displayed


def soffice(tmp_path: Path, target: str, *files: Path) -> None:
    assert shutil.which("soffice"), "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    profile = (tmp_path / "profile").as_uri()  # own profile: never collides with another soffice
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                    "--outdir", str(tmp_path / "out"), *map(str, files)],
                   check=True, capture_output=True, timeout=180)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lo")
    loaded = loading.load(str(EXAMPLE), date(2026, 11, 26), Config())
    loaded.workbook.close()
    wb = Workbook()
    render_tab(summary_tab(loaded.evaluation, loaded.policy, datetime(2026, 11, 26, 7, 30)), wb.active, "£")
    wb.save(tmp / "summary.xlsx")
    guard = Tab("Summary")
    guard.add("=1+1", Styled("+2+2", "text"), Styled("-3", "alert"), "@SUM(1)")
    wb = Workbook()
    render_tab(guard, wb.active, "£")
    wb.save(tmp / "guard.xlsx")
    soffice(tmp, CSV_AS_SHOWN, tmp / "summary.xlsx", tmp / "guard.xlsx")
    soffice(tmp, "pdf", tmp / "summary.xlsx")
    return tmp / "out"


def rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_libreoffice_shows_money_counts_and_percentages_as_formatted(converted):
    table = {r[0]: r for r in rows(converted / "summary.csv") if r and r[0]}
    assert table["Need your action now"][2] == "16"
    assert table["Reimbursement due"][2:4] == ["1", "£89.00"]
    assert table["Refund due"][3] == "£219.50"
    assert table["Refunded, all time"][3] == "£872.49"
    assert table["Changed mind"][2:5] == ["12", "25%", "£479.00"]
    assert ALERT in table


def test_libreoffice_draws_the_charts(converted):
    text = subprocess.run(["pdftotext", "-layout", str(converted / "summary.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Monthly trend" in text  # only the line chart carries this title
    assert "Refunded (£)" in text  # its second axis / legend


def test_libreoffice_keeps_formula_like_text_as_text(converted):
    assert rows(converted / "guard.csv")[0] == ["=1+1", "+2+2", "-3", "@SUM(1)"]

"""The workbook `init` makes, opened by a real spreadsheet program (LibreOffice, headless).

LibreOffice is installed by .ci/run (`apt-get install libreoffice-calc-nogui`).
"""
import csv
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from sheetreturns import api
from sheetreturns.engine.columns import JOB_COLUMNS, SELLER_COLUMNS
from sheetreturns.settings.config_file import Config
from sheetreturns.excel.new_workbook import create_workbook
from sheetreturns.sheet.starter_content import EXAMPLE_NOTE

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

TODAY = date(2026, 11, 26)
# Field separator, quote, UTF-8, first line, ..., cells "as shown" (formatted), ..., every sheet to its own file.
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def soffice(profile, source, target_format, outdir):
    executable = shutil.which("soffice") or shutil.which("libreoffice")
    assert executable, "LibreOffice is needed: apt-get install -y libreoffice-calc-nogui (see .ci/run)"
    subprocess.run(
        [executable, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(outdir), str(source)],
        check=True, timeout=300, capture_output=True,
    )


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The init workbook, and LibreOffice's CSV export of every tab and its own re-saved .xlsx."""
    base = tmp_path_factory.mktemp("lo")
    source = base / "returns.xlsx"
    create_workbook(source, today=TODAY)
    (base / "csv").mkdir()
    (base / "resaved").mkdir()
    soffice(base / "profile", source, CSV_ALL_SHEETS, base / "csv")
    soffice(base / "profile", source, "xlsx:Calc MS Excel 2007 XML", base / "resaved")
    return base


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_libreoffice_opens_every_tab(converted):
    names = sorted(p.name for p in (converted / "csv").iterdir())
    assert names == ["returns-How-to.csv", "returns-Lists.csv", "returns-Returns.csv", "returns-Settings.csv"]


def test_libreoffice_shows_the_header_and_examples_with_dates_and_money_formatted(converted):
    rows = read_csv(converted / "csv" / "returns-Returns.csv")
    assert rows[0] == [c.header for c in SELLER_COLUMNS + JOB_COLUMNS if not c.on_demand]
    first = dict(zip(rows[0], rows[1]))
    assert first["Unit Price"] == "£12.50"
    assert first["Notified On"] == "2026-11-14"
    assert first["Notes"] == EXAMPLE_NOTE
    assert len(rows) == 5


def test_libreoffice_reads_the_settings_and_the_howto(converted):
    settings = {r[0]: r[1] for r in read_csv(converted / "csv" / "returns-Settings.csv")[1:]}
    assert settings["store_name"] == "Our shop"
    assert settings["item_deadline_days"] == "30"
    howto = [cell for row in read_csv(converted / "csv" / "returns-How-to.csv") for cell in row]
    assert howto[0] == "How to use this workbook"
    assert "Awaiting inspection" in howto


def test_a_copy_saved_by_libreoffice_still_passes_check_and_keeps_its_dropdowns(converted):
    resaved = converted / "resaved" / "returns.xlsx"
    result = api.check(resaved, as_of=TODAY, config=Config())
    assert result.problems == []
    assert result.counts == {"Awaiting inspection": 1, "Refund due": 2, "Done": 1}
    wb = load_workbook(resaved)
    ws = wb["Returns"]
    headers = {c.column: c.value for c in ws[1]}
    covered = {headers[r.min_col] for dv in ws.data_validations.dataValidation if dv.type == "list"
               for r in dv.sqref.ranges}
    assert {"Condition", "Damage By", "Decision", "Reason", "Channel"} <= covered
    assert wb["Lists"].sheet_state == "hidden"

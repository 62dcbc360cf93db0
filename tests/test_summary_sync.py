"""The Summary through `sync` on an .xlsx: the saved workbook holds the tab and its charts, and LibreOffice draws them."""
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sheetreturns import api, loading
from sheetreturns.settings.config_file import Config
from sheetreturns.summary import summary_tab
from sheetreturns.sheet.tab_model import value_of

pytestmark = pytest.mark.slow  # a large sheet or a long computation, built once for the module

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns.xlsx"
AS_OF = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 7, 30)


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sync")
    path = Path(shutil.copy(EXAMPLE, tmp / "returns.xlsx"))
    config = Config(state_dir=tmp / "state")
    expected = summary_tab(api.check(path, as_of=AS_OF, config=config).evaluation,
                           loading.load(str(path), AS_OF, config).policy, NOW)
    result = api.sync(path, as_of=AS_OF, config=config, outbox=tmp / "outbox", now=NOW)
    assert result.written
    return tmp, path, expected


def test_sync_writes_the_summary_tab_with_every_value(synced):
    tmp, path, expected = synced
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python(skip_empty_area=False)
    for number, cells in enumerate(expected.rows):
        for column, cell in enumerate(cells):
            want, got = value_of(cell), rows[number][column] if column < len(rows[number]) else ""
            if want is None:
                assert got == "", (number + 1, column + 1)
            elif isinstance(want, float):
                assert got == pytest.approx(want, rel=1e-12), (number + 1, column + 1)
            else:
                assert got == want, (number + 1, column + 1)


def test_sync_carries_the_native_charts_into_the_workbook(synced):
    tmp, path, expected = synced
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
    bar, line = expected.charts
    assert any(f"'Summary'!$C${bar.first_row}:$C${bar.last_row}" in c and "barChart" in c for c in charts)
    assert any(f"'Summary'!$C${line.first_row}:$C${line.last_row}" in c and "lineChart" in c for c in charts)


@pytest.mark.libreoffice
def test_libreoffice_draws_the_synced_summary(synced):
    tmp, path, expected = synced
    profile = (tmp / "profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp / "pdf"), str(path)], check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp / "pdf" / "returns.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Willow & Wick: returns summary" in text
    assert "Monthly trend" in text and "Why things come back" in text
    assert re.search(r"Reimbursement due .* 1 +£89\.00", text)

"""Rebuild tests/data/libreoffice_returns.xlsx: the feature workbook of tests/workbooks.py, saved by LibreOffice.

Run from the repository root with LibreOffice installed: python -m tests.data.make_libreoffice_fixture
"""
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.workbooks import feature_workbook

HERE = Path(__file__).resolve().parent

with tempfile.TemporaryDirectory() as folder:
    seed = feature_workbook(Path(folder) / "libreoffice_returns.xlsx")
    out = Path(folder) / "out"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                    str(seed)], check=True, capture_output=True, timeout=180)
    shutil.copy(out / seed.name, HERE / seed.name)
    print(f"wrote {HERE / seed.name}")

"""Windows and macOS: output on a cp1252 console, and a file another program holds open on Windows."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sheetreturns import replace_file
from sheetreturns.cli.console import make_output_safe
from sheetreturns.errors import SheetReturnsError
from sheetreturns.excel import safe_save

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_report_prints_on_a_cp1252_console(tmp_path):
    # Windows output redirected to a file or a pipe is cp1252: "£" fits, "→" and "≥" do not.
    shutil.copy(ROOT / "examples" / "returns.xlsx", tmp_path / "returns.xlsx")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([sys.executable, "-m", "sheetreturns", "report", "returns.xlsx", "--as-of", "2026-11-26"],
                          cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("cp1252")
    assert "£89.00" in text
    assert "Notice -> item received" in text and "defective in >= 50%" in text


def test_a_workbook_another_program_holds_open_on_windows_is_left_alone_with_a_sentence(tmp_path, monkeypatch):
    # Windows refuses to replace a file Excel or a sync client holds open; this machine cannot, so the
    # refusal is raised as Windows raises it (PermissionError, WinError 32).
    path = tmp_path / "returns.xlsx"
    path.write_bytes(b"old")
    fingerprint = safe_save.Fingerprint.of(path)
    refusal = PermissionError(13, "The process cannot access the file because it is being used by another process")
    refusal.winerror = 32

    def refuse(src, dst):
        raise refusal

    monkeypatch.setattr(safe_save.os, "replace", refuse)
    with pytest.raises(SheetReturnsError) as error:
        safe_save.atomic_replace(path, lambda out: out.write(b"new"), fingerprint=fingerprint, backups=0,
                                 backup_dir=tmp_path / "backups")
    assert str(error.value).startswith("returns.xlsx is open in another program")
    assert "close it and run again; nothing was written" in str(error.value)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["returns.xlsx"]  # the temp file is gone too


def test_a_permission_error_on_posix_names_the_folder_not_another_program(tmp_path, monkeypatch):
    monkeypatch.setattr(replace_file, "ON_WINDOWS", False)
    text = replace_file.why_not_replaced(tmp_path / "returns.xlsx", PermissionError(13, "Permission denied"))
    assert text == f"no permission to replace returns.xlsx in {tmp_path}: check the folder is writable"
    monkeypatch.setattr(replace_file, "ON_WINDOWS", True)
    assert "open in another program" in replace_file.why_not_replaced(tmp_path / "returns.xlsx",
                                                                      PermissionError(13, "Access is denied"))


def test_text_a_console_cannot_encode_becomes_look_alikes(tmp_path):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    make_output_safe(stream)
    stream.write("£12.50 · €3 → ≥ 50% … 東京 ₹99")
    stream.flush()
    assert raw.getvalue().decode("cp1252") == "£12.50 · €3 -> >= 50% … ?? INR99"  # … is in cp1252

"""The run log in the state folder: one line per run, one per failure, never a password."""
import os
from datetime import datetime

from sheetreturns import run_log
from sheetreturns.settings.config_file import Config

WHEN = datetime(2026, 11, 26, 8, 15, 0)


def config_in(tmp_path, **smtp) -> Config:
    return Config(state_dir=tmp_path / "state", smtp=smtp)


def test_a_run_is_one_line_and_each_failure_one_more(tmp_path):
    config = config_in(tmp_path)
    run_log.write(config, "sync", str(tmp_path / "returns.xlsx"), "failures", "3 returns checked · 1 email failed",
                 ["email to jo@example.com: 550 mailbox unavailable"], now=WHEN)
    assert (tmp_path / "state" / "sheetreturns.log").read_text().splitlines() == [
        "2026-11-26 08:15:00  sync  returns.xlsx  failures  3 returns checked · 1 email failed",
        "2026-11-26 08:15:00  sync  returns.xlsx  failed  email to jo@example.com: 550 mailbox unavailable",
    ]


def test_runs_append(tmp_path):
    config = config_in(tmp_path)
    for n in range(3):
        run_log.write(config, "sync", "gsheet:KEY", "ok", f"run {n}", now=WHEN)
    lines = run_log.log_path(config).read_text().splitlines()
    assert [line.split("  ")[-1] for line in lines] == ["run 0", "run 1", "run 2"]
    assert all("  gsheet:KEY  " in line for line in lines)


def test_passwords_from_the_environment_never_reach_the_log(tmp_path, monkeypatch):
    monkeypatch.setenv("SHOP_SMTP", "hunter22-secret")
    monkeypatch.setenv("SHEETRETURNS_IMAP_PASSWORD", "imap-pw-42")
    config = config_in(tmp_path, password_env="SHOP_SMTP")
    run_log.write(config, "sync", "r.xlsx", "error", "login failed for shop with hunter22-secret\nand more",
                 ["imap said imap-pw-42 is wrong"], now=WHEN)
    text = run_log.log_path(config).read_text()
    assert "hunter22-secret" not in text and "imap-pw-42" not in text
    assert "login failed for shop with *** and more" in text  # and a multi-line message stays on one line
    assert "imap said *** is wrong" in text


def test_a_big_log_moves_aside_and_a_new_one_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(run_log, "MAX_BYTES", 200)
    config = config_in(tmp_path)
    for n in range(10):
        run_log.write(config, "sync", "r.xlsx", "ok", f"run {n} " + "x" * 40, now=WHEN)
    path = run_log.log_path(config)
    old = path.with_name("sheetreturns.log.1")
    assert old.exists() and path.stat().st_size <= 200 + 100
    assert "run 9" in path.read_text() and "run 9" not in old.read_text()


def test_an_unwritable_state_folder_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be")
    config = Config(state_dir=blocker)
    message = run_log.write(config, "sync", "r.xlsx", "ok", "fine", now=WHEN)
    assert message is not None and message.startswith(f"could not write the log {blocker / 'sheetreturns.log'}")
    assert os.path.isfile(blocker)

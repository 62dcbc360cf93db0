"""Shared pieces of the email tests: the example workbook as of 2026-11-26, configs pointing at a test
server, and one call that loads a workbook and runs the email step on it."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

from sheetreturns import loading
from sheetreturns.settings.config_file import Config
from sheetreturns.emails import Delivery, deliver
from sheetreturns.emails.journal import Journal, journal_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "returns.xlsx"
AS_OF = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 9, 30)
SHOP = "shop@willow.example"

# What the rules engine says is due in the example workbook as of 2026-11-26, in sheet order.
EXAMPLE_DUE = [
    ("R-00008", "reimbursement-request", "sophia.green@example.com"),
    ("R-00020", "reminder", "lily.king@example.com"),
    ("R-00021", "reminder", "george.hill@example.com"),
    ("R-00022", "acknowledgement", "evie.ward@example.com"),
    ("R-00023", "acknowledgement", "thomas.morris@example.com"),
    ("R-00024", "acknowledgement", "isabella.cooper@example.com"),
    ("R-00025", "acknowledgement", "oscar.reed@example.com"),
    ("R-00044", "acknowledgement", "ruby.cox@example.com"),
    ("R-00045", "acknowledgement", "alfie.bell@example.com"),
    ("R-00030", "acknowledgement", "ava.robinson@example.com"),
    ("R-00043", "refund-confirmation", "jacob.lee@example.com"),
]
EXAMPLE_RECIPIENTS = sorted(to for _, _, to in EXAMPLE_DUE)


def example_copy(folder: Path) -> Path:
    path = folder / "returns.xlsx"
    shutil.copyfile(EXAMPLE, path)
    return path


def overwrite_a_status(path: Path) -> None:
    """A Status typed over by hand in a synced copy of the example: the next sync has something to put
    right, so it saves (and backs up)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["Returns"]
    column = next(c.column for c in sheet[3] if c.value == "Status")
    sheet.cell(4, column).value = "typed over"
    book.save(path)


def smtp_config(folder: Path, port: int | None = None, *, policy: dict | None = None, **smtp) -> Config:
    """A Config for a run in `folder`: state there, and [smtp] pointing at 127.0.0.1:port when given."""
    settings = {}
    if port is not None:
        settings = {"host": "127.0.0.1", "port": port, "security": "none", "from": f"Willow & Wick <{SHOP}>",
                    "reply_to": "help@willow.example", **smtp}
    entries = [(key, value, f"test {key}") for key, value in (policy or {}).items()]
    return Config(path=folder / "sheetreturns.toml", state_dir=folder / "state", smtp=settings,
                  policy_entries=entries)


def send(source: Path, config: Config, *, dry_run: bool = False, outbox: Path | None = None,
         now: datetime = NOW, as_of: date = AS_OF, send_backlog: bool = True) -> Delivery:
    """Load `source` as of `as_of` and run the email step on it (by default as `sync --send-backlog` does:
    these tests are about sending; a first run's hold is tested in test_mail_backlog.py)."""
    loaded = loading.load(str(source), as_of, config)
    try:
        return deliver(loaded, config, dry_run=dry_run, outbox=outbox, now=now, send_backlog=send_backlog)
    finally:
        loaded.workbook.close()


def journal_states(source: Path, config: Config) -> dict[tuple[str, str], str]:
    with Journal(journal_path(config.state_dir, str(source)), readonly=True) as journal:
        return {key: entry.state for key, entry in journal.entries.items()}


def results(delivery: Delivery) -> dict[tuple[str, str], str]:
    return {(r.return_id, r.kind): r.result for r in delivery.records}

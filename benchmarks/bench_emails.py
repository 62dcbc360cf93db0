"""1,000 customer emails to a local SMTP server: sheetreturns' email step next to plain smtplib, same run.

The email step (render the templates, compose, journal each message before and after, send over one
yagmail connection) is timed against smtplib sending the very same prepared messages over one
connection. Both talk to one aiosmtpd server running in its own process on 127.0.0.1. Loading the
workbook and importing the modules (smtplib; yagmail and sheetreturns) are outside both timings.
Target (issue 5): the email step within 1.5x of plain smtplib.
Usage: python benchmarks/bench_emails.py [EMAILS]   (default: 1000)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from measure import ROOT, compare

SERVER = """
import sys, time
sys.path.insert(0, {root!r})
from tests.mail_server import _Controller

class Sink:
    counts, drop_in_data = {{}}, set()  # what the tests' server reads to inject faults: none here

    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 Ok"

controller = _Controller(Sink(), hostname="127.0.0.1", port=0)
controller.start()
print(controller.port, flush=True)
time.sleep(3600)
"""
SETUP = """
import atexit, shutil, tempfile
from datetime import date, datetime
from pathlib import Path
from sheetreturns import loading
from sheetreturns.settings.config_file import Config
PORT, WORKBOOK, COUNT = {port}, {workbook!r}, {count}
state = Path(tempfile.mkdtemp(prefix="bench-emails-"))
atexit.register(shutil.rmtree, state, True)
config = Config(path=state / "sheetreturns.toml", state_dir=state / "state",
                smtp={{"host": "127.0.0.1", "port": PORT, "security": "none",
                      "from": "Bench Shop <shop@bench.example>"}},
                policy_entries=[("max_emails_per_run", COUNT, "bench")])
loaded = loading.load(WORKBOOK, date(2026, 11, 26), config)
"""
DELIVER_SETUP = "import yagmail\nfrom sheetreturns.emails import deliver"
DELIVER = """
delivery = deliver(loaded, config, dry_run=False, outbox=None, now=datetime(2026, 11, 26, 9, 0),
                   send_backlog=True)  # a first run over SMTP holds its emails unless told to send them
assert [r.result for r in delivery.records] == ["sent"] * COUNT, delivery.failures[:3]
"""
SMTPLIB_SETUP = """
import smtplib
prepared = []
for path in sorted(Path({outbox!r}).glob("*.eml")):
    data = path.read_bytes()
    to = next(l for l in data.split(b"\\r\\n") if l.startswith(b"To: ")).split(b"<")[-1].rstrip(b">").decode()
    prepared.append((to, data))
assert len(prepared) == COUNT
"""
SMTPLIB = """
smtp = smtplib.SMTP("127.0.0.1", PORT)
for to, data in prepared:
    smtp.sendmail("shop@bench.example", [to], data)
smtp.quit()
"""


def workbook(count: int, folder: Path) -> Path:
    """`count` returns noticed in the last week, each due an acknowledgement; a few have two lines."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws.append(["Return ID", "Order ID", "Customer", "Email", "SKU", "Product", "Qty", "Unit Price", "Notified On"])
    for i in range(count):
        notified = date(2026, 11, 26) - timedelta(days=i % 6)
        ws.append([f"R-{i + 1:05d}", f"WW-{20000 + i}", f"Customer Number{i}", f"customer{i}@example.com",
                   f"SKU-{i % 40:03d}", f"Product {i % 40}", 1 + i % 3, 12.5 + i % 30, notified])
    settings = wb.create_sheet("Settings")
    settings.append(["store_name", "Bench Shop"])
    path = folder / "bench.xlsx"
    wb.save(path)
    return path


def prepare_messages(book: Path, count: int, folder: Path) -> Path:
    """Our own messages, written as .eml files, for smtplib to send as they are."""
    sys.path.insert(0, str(ROOT))
    from datetime import datetime

    from sheetreturns import loading
    from sheetreturns.settings.config_file import Config
    from sheetreturns.emails import deliver

    config = Config(path=folder / "x.toml", state_dir=folder / "prep-state",
                    smtp={"from": "Bench Shop <shop@bench.example>"},
                    policy_entries=[("max_emails_per_run", count, "b")])
    loaded = loading.load(str(book), date(2026, 11, 26), config)
    try:
        delivery = deliver(loaded, config, dry_run=False, outbox=folder / "outbox", now=datetime(2026, 11, 26, 9, 0))
    finally:
        loaded.workbook.close()
    assert len(delivery.records) == count, f"{len(delivery.records)} emails due, expected {count}"
    return folder / "outbox"


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-emails-"))
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT))], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        book = workbook(count, folder)
        outbox = prepare_messages(book, count, folder)
        setup = SETUP.format(port=port, workbook=str(book), count=count)
        results = compare({
            "smtplib": (setup + SMTPLIB_SETUP.format(outbox=str(outbox)), SMTPLIB),
            "deliver": (setup + DELIVER_SETUP, DELIVER),
        })
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    base, ours = results["smtplib"], results["deliver"]
    ratio = ours["seconds"] / base["seconds"]
    print(f"{'emails':>7}  {'smtplib':>9}  {'deliver':>9}  {'ratio':>6}  {'per email':>10}  "
          f"{'smtplib MB':>10}  {'deliver MB':>10}")
    print(f"{count:>7}  {base['seconds']:>8.3f}s  {ours['seconds']:>8.3f}s  {ratio:>5.2f}x  "
          f"{ours['seconds'] / count * 1000:>8.2f}ms  {base['peak_mb']:>10.0f}  {ours['peak_mb']:>10.0f}")
    print(f"target: deliver within 1.5x of smtplib: {'met' if ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

"""Sync of a 50,000-row Google Sheet against the local Sheets API server: requests, bytes and time,
next to a naive gspread loop that updates one row per request (measured on 1,000 rows, extrapolated).
Also the syncs that email: 100 emails into an outbox (first and next run), and over SMTP (a real
server on 127.0.0.1): the first run that holds them, the --send-backlog run after it, and
--send-backlog as the very first run. Targets: 2 requests for the unchanged re-sync, at most 6 for
every other run (--send-backlog as the very first run included: the write that adds its columns before
the first email also holds the cells no email changes, as far as ~1.9 MB goes; see the README's Google
section).

    python benchmarks/bench_gsheet.py [--rows 50000] [--naive-rows 1000] [--repeat 3]

The server runs in its own process (python -m tests.sheets_api_server) and counts every request and
byte; each sync runs in a fresh process (benchmarks/measure.py), so times include start-up and reading.
Sheets API quota: 60 requests per minute per user, so a request count is also a minimum duration.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import HEADERS, rows as generated_rows  # noqa: E402
from benchmarks.measure import run_once  # noqa: E402

AS_OF = "2026-11-26"
DATE_COLUMNS = [HEADERS.index(h) for h in ("Order Date", "Notified On", "Received On", "Refunded On")]
CHUNK = 5000  # rows per seeding request

IMPORTS = """
from datetime import date, datetime
from pathlib import Path
from sheetreturns import api, loading
from sheetreturns.settings.config_file import Config
"""
SETUP = IMPORTS + """config = Config(google={{"endpoint": {url!r}}}, state_dir=Path({state!r}))
# Emails off: this measures the sheet's traffic. With emails on, the first runs keep changing Last Email
# on up to max_emails_per_run rows (the generated sheet has ~1,700 due), so a re-sync is not "unchanged".
config.policy_entries.append(("emails_enabled", "none", "benchmark"))
"""
SYNC = "result = api.sync('gsheet:{key}', as_of=date(2026, 11, 26), config=config, now=datetime(2026, 11, 26, 9, {minute}))"
# Emails on, into an outbox: the first sync writes max_emails_per_run (100) of the ~1,700 due emails, the
# second the next 100. Over SMTP a first run holds its emails (no email, 6 requests like "first sync").
SENDING = IMPORTS + """config = Config(google={{"endpoint": {url!r}}}, state_dir=Path({state!r}))
"""
OVER_SMTP = IMPORTS + """config = Config(google={{"endpoint": {url!r}}}, state_dir=Path({state!r}),
                smtp={{"host": "127.0.0.1", "port": {port}, "security": "none", "from": "shop@example.com"}})
"""
SEND_SMTP = ("result = api.sync('gsheet:{key}', as_of=date(2026, 11, 26), config=config, "
             "now=datetime(2026, 11, 26, 9, {minute}), send_backlog={backlog})")
SEND = ("result = api.sync('gsheet:{key}', as_of=date(2026, 11, 26), config=config, "
        "now=datetime(2026, 11, 26, 9, {minute}), outbox={outbox!r})")

NAIVE_SETUP = SETUP + """
from sheetreturns.google_sheets.connect import connect
from sheetreturns.google_sheets.cells import to_api
from sheetreturns.engine.columns import column_letter
from sheetreturns.sheet.write_plan import build_plan, JOB_KEYS
loaded = loading.load('gsheet:{key}', date(2026, 11, 26), config)
plan = build_plan(loaded.tab, loaded.header, loaded.evaluation)
loaded.workbook.close()
sheet = connect(config).client.open_by_key('{key}').worksheet('Returns')
first, last = column_letter({width}), column_letter({width} + len(JOB_KEYS) - 1)
"""
NAIVE_LOOP = """
for row, values in sorted(plan.rows.items()):
    sheet.update([[to_api(values.get(k)) for k in JOB_KEYS]], f"{first}{row}:{last}{row}", raw=True)
"""


# The runs measured (name -> label in the table). Emails are off in the first two; the outbox ones write
# max_emails_per_run (100) emails each; over SMTP a first run holds its emails and --send-backlog sends 100.
RUNS = {
    "first sync": "sheetreturns first sync",
    "re-sync (unchanged)": "sheetreturns re-sync, unchanged",
    "first sync, emails to outbox": "first sync, 100 emails to outbox",
    "next sync, emails to outbox": "next sync, 100 emails to outbox",
    "first sync over SMTP (held)": "first sync over SMTP (held)",
    "--send-backlog over SMTP after it": "then --send-backlog: 100 sent",
    "--send-backlog as the first run": "--send-backlog as first run: 100",
}


def start_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "tests.sheets_api_server", "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        raise RuntimeError(f"server did not start: {line!r}")
    return process, line.split()[-1]


def seed(url: str, count: int) -> str:
    """A spreadsheet created through Drive and filled through values.batchUpdate, as a seller's sheet would be."""
    session = requests.Session()
    session.trust_env = False
    key = session.post(f"{url}/drive/v3/files", json={"name": f"Returns {count}",
                                                      "mimeType": "application/vnd.google-apps.spreadsheet"}).json()["id"]
    base = f"{url}/v4/spreadsheets/{key}"
    session.post(f"{base}:batchUpdate", json={"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "Returns",
                                                  "gridProperties": {"rowCount": count + 100, "columnCount": 40}},
                                   "fields": "title,gridProperties(rowCount,columnCount)"}},
        {"addSheet": {"properties": {"title": "Settings"}}},
    ] + [{"repeatCell": {"range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": c, "endColumnIndex": c + 1},
                         "cell": {"userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}},
                         "fields": "userEnteredFormat.numberFormat"}} for c in DATE_COLUMNS]}).raise_for_status()
    epoch = date(1899, 12, 30)
    table = [HEADERS] + [["" if v is None else (v - epoch).days if isinstance(v, date) else v for v in row]
                         for row in generated_rows(count)]
    for start in range(0, len(table), CHUNK):
        data = [{"range": f"Returns!A{start + 1}", "values": table[start:start + CHUNK]}]
        if start == 0:
            data.append({"range": "Settings!A1", "values": [["Setting", "Value"], ["store_name", "Benchmark Shop"]]})
        session.post(f"{base}/values:batchUpdate", json={"valueInputOption": "RAW", "data": data}).raise_for_status()
    return key


def measured(url: str, body: str, setup: str) -> dict:
    requests.post(f"{url}/_control/reset")
    timing = run_once(body, setup)
    stats = requests.get(f"{url}/_control/stats").json()
    return {**timing, **stats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--naive-rows", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    process, url = start_server()
    state = str(ROOT / "benchmarks" / "out" / "gsheet-state")
    results: dict[str, list[dict]] = {name: [] for name in (*RUNS, "naive loop")}
    from tests.mail_server import MailServer  # a real SMTP server on 127.0.0.1 takes the emails

    mail = MailServer().start()
    try:
        for attempt in range(args.repeat):
            key = seed(url, args.rows)
            setup = SETUP.format(url=url, state=state)
            results["first sync"].append(measured(url, SYNC.format(key=key, minute=0), setup))
            results["re-sync (unchanged)"].append(measured(url, SYNC.format(key=key, minute=5), setup))
            key = seed(url, args.rows)
            sending = SENDING.format(url=url, state=state)
            outbox = str(ROOT / "benchmarks" / "out" / f"gsheet-outbox-{key}")
            for name, minute in (("first sync, emails to outbox", 0), ("next sync, emails to outbox", 5)):
                results[name].append(measured(url, SEND.format(key=key, minute=minute, outbox=outbox), sending))
            key = seed(url, args.rows)
            smtp = OVER_SMTP.format(url=url, state=state, port=mail.port)
            for name, minute, backlog in (("first sync over SMTP (held)", 0, False),
                                          ("--send-backlog over SMTP after it", 5, True),
                                          ("--send-backlog as the first run", 0, True)):
                if minute == 0 and backlog:
                    key = seed(url, args.rows)
                body = SEND_SMTP.format(key=key, minute=minute, backlog=backlog)
                results[name].append(measured(url, body, smtp))
            small = seed(url, args.naive_rows)
            naive_setup = NAIVE_SETUP.format(url=url, state=state, key=small, width=len(HEADERS))
            results["naive loop"].append(measured(url, NAIVE_LOOP, naive_setup))
    finally:
        mail.stop()
        process.terminate()
        process.wait(timeout=10)
    report(results, args.rows, args.naive_rows)


def report(results: dict[str, list[dict]], rows: int, naive_rows: int) -> None:
    best = {name: min(runs, key=lambda r: r["seconds"]) for name, runs in results.items()}
    scale = rows / naive_rows
    naive = best["naive loop"]
    lines = [f"Google Sheets sync of {rows:,} rows against the local Sheets API server "
             f"(best of {len(results['first sync'])}; sent/received as seen from the client)", ""]
    header = f"{'run':<34}{'requests':>10}{'sent MB':>10}{'received MB':>13}{'seconds':>10}{'peak MB':>9}{'quota min':>11}"
    lines.append(header)
    lines.append("-" * len(header))

    def line(name: str, r: dict, factor: float = 1.0, rss: str | None = None) -> str:
        count = r["requests"] * factor
        return (f"{name:<34}{count:>10,.0f}{r['bytes_received'] * factor / 1e6:>10.1f}"
                f"{r['bytes_sent'] * factor / 1e6:>13.1f}{r['seconds'] * factor:>10.1f}"
                f"{rss if rss is not None else format(r['peak_mb'], '.0f'):>9}{count / 60:>11.1f}")

    for name in RUNS:
        lines.append(line(RUNS[name], best[name]))
    lines.append(line(f"naive gspread loop, {naive_rows:,} rows", naive))
    lines.append(line(f"naive loop extrapolated to {rows:,}", naive, scale, rss="-"))
    lines.append("")
    for name in RUNS:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(best[name]["by_kind"].items()))
        lines.append(f"{name}: {kinds}")
    print("\n".join(lines))
    out = ROOT / "benchmarks" / "out" / "bench_gsheet.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "naive_rows": naive_rows, "results": results}, indent=1))


if __name__ == "__main__":
    main()

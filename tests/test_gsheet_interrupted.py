"""A run killed after the write that adds its columns and before its first email: the columns stay (with
the cells no email changes); the next run adopts them, adds none again, and sends and records each email once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime

import pytest

from sheetreturns import api
from sheetreturns.engine.ownership import MARK
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import AS_OF, basic_row
from tests.mail_server import MailServer
from tests.mail_support import ROOT

pytestmark = [pytest.mark.network, pytest.mark.slow, pytest.mark.posix]  # SIGKILL at a known step

NOW = datetime(2026, 11, 26, 9, 30)
ROWS = [basic_row(**{"Return ID": f"R-0000{i}", "Order ID": f"100{i}", "Notified On": date(2026, 11, 20)})
        for i in range(1, 5)]
SENDER = """
import sys
from datetime import date, datetime
from pathlib import Path
from sheetreturns import api
from sheetreturns.settings.config_file import Config

url, key, state, port = sys.argv[1:5]
config = Config(google={"endpoint": url}, state_dir=Path(state),
                smtp={"host": "127.0.0.1", "port": int(port), "security": "none", "from": "shop@example.com"})
api.sync(f"gsheet:{key}", as_of=date(2026, 11, 26), config=config, now=datetime(2026, 11, 26, 9, 30),
         send_backlog=True)
print("finished")
"""


def smtp(server, tmp_path, port):
    return replace(local_config(server, tmp_path),
                   smtp={"host": "127.0.0.1", "port": port, "security": "none", "from": "shop@example.com"})


def test_a_run_killed_before_its_first_email_leaves_columns_the_next_run_adopts(server, tmp_path):
    key = google_sheet(server, ROWS)
    width = len(server.values(key, "Returns")[0])
    spare = server.sheet(key, "Returns").column_count - width  # empty columns right of the table, kept so
    with MailServer(hold=("EHLO", 1)) as mail:  # the first word to the mail server: no email has gone
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([sys.executable, "-c", SENDER, server.url, key, str(tmp_path / "state"),
                                    str(mail.port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if not mail.handler.reached.wait(60):
            process.kill()
            raise AssertionError(f"the run never reached the mail server: {process.communicate()}")
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert mail.received == []
    header = server.values(key, "Returns")[0]
    added = header[width:]
    assert "Status" in added and "Last Email" in added  # the columns were added before the first email
    assert [c.kind for c in server.api_calls()].count("batchUpdate") == 1
    records = [dict(zip(header, r)) for r in server.values(key, "Returns")[1:]]
    assert all(r.get("Last Email", "") == "" for r in records)
    # ... and the cells no email changes went in with them, before the first email
    assert all(r.get("Status") for r in records if r.get("Order ID")), records
    with MailServer() as mail:
        result = api.sync(f"gsheet:{key}", as_of=AS_OF, config=smtp(server, tmp_path, mail.port), now=NOW,
                          send_backlog=True)
        received = list(mail.received)
    assert result.written and result.ok, result.failures
    rows = server.values(key, "Returns")
    assert rows[0] == header  # the columns adopted: none added again, none moved
    assert server.sheet(key, "Returns").column_count == len(header) + spare
    marks = [m for m in server.sheet(key, "Returns").extra.get("developerMetadata", []) if m["metadataKey"] == MARK]
    assert len(marks) == 1
    sent = [e for e in result.emails if e.result == "sent"]
    assert sent and len(received) == len(sent)
    by_id = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert all(by_id[e.return_id]["Last Email"] == f"{e.kind} 2026-11-26" for e in sent)
    now = api.check(f"gsheet:{key}", as_of=AS_OF, config=local_config(server, tmp_path))
    for line, outcome in zip(now.evaluation.lines, now.evaluation.outcomes):
        assert by_id[line.return_id]["Status"] == outcome.status.value

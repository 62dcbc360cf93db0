"""Importing marketplace reports into a Google Sheet (the real gspread client against the local Sheets API server)."""
from __future__ import annotations

from datetime import date

import pytest

from sheetreturns import api
from sheetreturns.engine.model import Status
from tests import marketplace_reports as reports
from tests.gsheet_support import google_sheet, local_config
from tests.helpers import basic_row

AS_OF = date(2026, 11, 26)


@pytest.mark.network
@pytest.mark.slow
def test_a_month_of_amazon_reports_into_a_google_sheet_once(server, tmp_path):
    key = google_sheet(server, [basic_row(**{"Order ID": "202-1000003-0000003", "SKU": "THR-WOOL",
                                             "Return ID": "R-00001", "Refund Amount": 60})])
    config = local_config(server, tmp_path)
    files = reports.write_month(tmp_path / "downloads")
    before = server.values(key, "Returns")
    first = api.import_reports(files, f"gsheet:{key}", config=config)
    after = server.values(key, "Returns")
    headers = after[0]
    assert first.rows_added == len(after) - len(before)
    assert {"Channel", "Reimbursed On", "Reimbursed Amount"} <= set(headers)
    # the seller's row: the return filled in its blanks (received, condition), its Refund Amount kept
    row = after[1]
    assert row[headers.index("Refund Amount")] in (60, "60")
    seller = dict(zip(before[0], before[1]))
    assert all(row[headers.index(h)] == value for h, value in seller.items() if value not in ("", None))
    assert row[headers.index("Received On")] and row[headers.index("Condition")] == "Damaged"

    checked = api.check(f"gsheet:{key}", as_of=AS_OF, config=config)
    by_pair = {(line.order_id, line.sku): outcome for line, outcome in
               zip(checked.evaluation.lines, checked.evaluation.outcomes)}
    assert by_pair[reports.REFUNDED_NOT_RETURNED].status is Status.REIMBURSEMENT_DUE
    assert any(p.code == "report-disagrees" for p in by_pair[("202-1000003-0000003", "THR-WOOL")].problems)

    server.reset_counts()
    again = api.import_reports(files, f"gsheet:{key}", config=config)
    assert again.rows_added == again.rows_updated == 0 and not again.written
    assert server.values(key, "Returns") == after
    assert server.count("batchUpdate") == 0

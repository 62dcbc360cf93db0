"""Every problem code, by a named case: read from a real workbook, reported with its cell address."""
from datetime import date

import pytest

from sheetreturns import check
from sheetreturns.engine.model import Status

from .helpers import AS_OF, STANDARD_HEADERS, basic_row, write_workbook


def problems_of(tmp_path, *rows, **kwargs):
    path = write_workbook(tmp_path / "returns.xlsx", list(rows), **kwargs)
    result = check(path, as_of=AS_OF, config=None)
    return result


def only(result, code):
    found = [p for p in result.problems if p.code == code]
    assert found, f"no {code} in {[p.code for p in result.problems]}"
    return found[0]


def letter(header: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[STANDARD_HEADERS.index(header)]


def test_unreadable_email_is_a_contact_problem_that_leaves_the_status_alone(tmp_path):
    result = problems_of(tmp_path, basic_row(Email="jo@"))
    problem = only(result, "bad-email")
    assert problem.message == 'Email "jo@" is not an email address' and problem.cell == f"{letter('Email')}2"
    assert not problem.blocking
    assert result.evaluation.outcomes[0].status is Status.AWAITING_ITEM
    assert result.evaluation.emails == []  # a contact problem stops the return's emails


@pytest.mark.parametrize(
    ("column", "value", "code", "message"),
    [
        ("Received On", "31/02/2026", "bad-date", 'Received On "31/02/2026" is not a real date'),
        ("Received On", "next week", "bad-date", 'Received On "next week" is not a date: write it as YYYY-MM-DD'),
        ("Unit Price", "about a tenner", "bad-money", 'Unit Price "about a tenner" is not an amount of money'),
        ("Unit Price", -5, "bad-money", "Unit Price -5 is negative: enter amounts as positive numbers"),
        ("Qty", 1.5, "bad-number", "Qty 1.5 is not a whole number"),
        ("Condition", "scuffed", "bad-choice", 'Condition "scuffed" is not one of: Unopened, Like new, Used, Damaged, Defective, Wrong item'),
        ("Decision", "maybe", "bad-choice", 'Decision "maybe" is not one of: Refund, Partial refund, Refuse, Exchange, Store credit'),
    ],
)
def test_unreadable_cell_is_a_blocking_problem_with_its_address(tmp_path, column, value, code, message):
    result = problems_of(tmp_path, basic_row(**{column: value}))
    problem = only(result, code)
    assert problem.message == message
    assert problem.cell == f"{letter(column)}2"
    assert problem.row == 2
    assert problem.column == column
    assert problem.return_id == "R-00001"
    assert result.evaluation.outcomes[0].status is Status.NEEDS_INFO


def test_spreadsheet_error_value_in_a_cell_is_reported(tmp_path):
    path = write_workbook(tmp_path / "returns.xlsx", [basic_row(**{"Unit Price": "=1/0"})])
    # openpyxl writes the formula without a cached value; give it Excel's cached #DIV/0! as Excel would.
    _set_cached_error(path, f"{letter('Unit Price')}2", "#DIV/0!")
    result = check(path, as_of=AS_OF)
    problem = only(result, "cell-error")
    assert problem.message == "Unit Price shows the spreadsheet error #DIV/0!"
    assert problem.cell == "I2"


def _set_cached_error(path, ref, error):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index(f'<c r="{ref}"')
    end = sheet.index("</c>", start) + 4
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + f'<c r="{ref}" t="e"><f>1/0</f><v>{error}</v></c>' + sheet[end:]
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_blank_order_id_is_missing_value(tmp_path):
    result = problems_of(tmp_path, basic_row(**{"Order ID": None}))
    problem = only(result, "missing-value")
    assert problem.message == "Order ID is blank: fill it in"
    assert problem.cell == "B2"


def test_zero_quantity(tmp_path):
    problem = only(problems_of(tmp_path, basic_row(Qty=0)), "zero-quantity")
    assert problem.cell == "H2"


def test_received_more_than_returned(tmp_path):
    result = problems_of(tmp_path, basic_row(Qty=1, **{"Received On": date(2026, 11, 24), "Received Qty": 3}))
    problem = only(result, "received-more-than-sent")
    assert problem.message == "Received Qty 3 is more than Qty 1: correct one of them"


def test_date_in_the_future(tmp_path):
    problem = only(problems_of(tmp_path, basic_row(**{"Received On": date(2026, 12, 3)})), "future-date")
    assert problem.message == "Received On 2026-12-03 is in the future"
    assert problem.cell == "M2"


def test_refund_before_the_order(tmp_path):
    row = basic_row(**{"Order Date": date(2026, 11, 10), "Refunded On": date(2026, 11, 1), "Refund Amount": 5})
    problem = only(problems_of(tmp_path, row), "before-order")
    assert problem.message == "Refunded On 2026-11-01 is before the Order Date 2026-11-10"


def test_notice_outside_return_window(tmp_path):
    row = basic_row(**{"Order Date": date(2026, 9, 1), "Notified On": date(2026, 11, 20)})
    problem = only(problems_of(tmp_path, row), "outside-return-window")
    assert problem.message == "Return notice came 80 days after the order, outside the 30-day return window"


def test_refund_amount_without_date(tmp_path):
    row = basic_row(**{"Received On": date(2026, 11, 24), "Condition": "Unopened", "Refund Amount": 24.99})
    problem = only(problems_of(tmp_path, row), "refund-date-missing")
    assert problem.cell == "R2"


def test_refused_but_refunded(tmp_path):
    row = basic_row(Decision="Refuse", **{"Refunded On": date(2026, 11, 22)})
    problem = only(problems_of(tmp_path, row), "refused-but-refunded")
    assert problem.message == "Decision is Refuse but a refund was sent on 2026-11-22: check it"


def test_missing_price_when_a_refund_is_due(tmp_path):
    row = basic_row(**{"Unit Price": None, "Received On": date(2026, 11, 24), "Condition": "Unopened"})
    result = problems_of(tmp_path, row)
    assert only(result, "missing-price").cell == "I2"
    assert result.evaluation.outcomes[0].status is Status.REFUND_DUE


def test_missing_email_on_an_open_return(tmp_path):
    problem = only(problems_of(tmp_path, basic_row(Email=None)), "missing-email")
    assert problem.message == "Email is blank: the customer cannot be contacted"


def test_same_order_and_sku_in_two_returns(tmp_path):
    result = problems_of(tmp_path, basic_row(), basic_row(**{"Return ID": "R-00002"}))
    found = [p for p in result.problems if p.code == "duplicate-line"]
    assert [(p.row, p.return_id) for p in found] == [(2, "R-00001"), (3, "R-00002")]
    assert found[0].message == "Order 1001 / SKU MUG-01 is also in return R-00002: check it is not entered twice"


def test_one_return_with_two_customers(tmp_path):
    result = problems_of(tmp_path, basic_row(), basic_row(SKU="MUG-02", Email="someone.else@example.com"))
    problem = only(result, "mixed-customers")
    assert problem.row == 3


def test_problems_use_the_sellers_own_header_names(tmp_path):
    headers = [h if h != "Email" else "Customer E-mail" for h in STANDARD_HEADERS]
    row = basic_row()
    row["Customer E-mail"] = "jo@"
    result = problems_of(tmp_path, row, headers=headers)
    assert only(result, "bad-email").message == 'Customer E-mail "jo@" is not an email address'


def test_a_bad_row_does_not_stop_the_others(tmp_path):
    result = problems_of(tmp_path, basic_row(Email="jo@"), basic_row(**{"Return ID": "R-00002", "SKU": "X"}))
    statuses = [o.status for o in result.evaluation.outcomes]
    assert statuses == [Status.AWAITING_ITEM, Status.AWAITING_ITEM]  # a bad address is a problem, not a status


def test_a_bad_address_does_not_hide_the_129_owed(tmp_path):
    from openpyxl import load_workbook

    from sheetreturns import api
    from sheetreturns.settings.config_file import Config

    row = basic_row(Email="jo@", Qty=1, **{"Unit Price": 129, "Received On": date(2026, 11, 23),
                                            "Condition": "Defective"})
    path = write_workbook(tmp_path / "returns.xlsx", [row])
    config = Config(state_dir=tmp_path / "state")
    result = api.sync(path, as_of=date(2026, 11, 26), config=config)
    assert result.counts == {"Refund due": 1} and result.emails == []
    ws = load_workbook(path)["Returns"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Status") + 1).value == "Refund due"
    assert ws.cell(row=2, column=header.index("Problems") + 1).value == 'Email "jo@" is not an email address'
    figures = api.report(path, as_of=date(2026, 11, 26), config=config).figures
    owed = figures.key["refund_due"]
    assert (owed.returns, owed.amount) == (1, 129.0)
    assert figures.key["action"].returns == 1

"""`sheetreturns init`: the new workbook a seller starts from, read back with openpyxl and with sheetreturns itself."""
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sheetreturns import api, loading
from sheetreturns.cli import main
from sheetreturns.engine.columns import JOB_COLUMNS, SELLER_COLUMNS
from sheetreturns.settings.config_file import Config
from sheetreturns.settings.policy_layers import resolve_policy
from sheetreturns.excel.new_workbook import create_workbook
from sheetreturns.engine.model import Status
from sheetreturns.engine.policy import SETTINGS, Policy
from sheetreturns.engine.reasons import categorise
from sheetreturns.sheet.starter_content import COMMON_REASONS, EXAMPLE_NOTE, is_example
from sheetreturns.excel.reader import XlsxWorkbook

TODAY = date(2026, 11, 26)
HEADERS = [c.header for c in SELLER_COLUMNS + JOB_COLUMNS if not c.on_demand]


@pytest.fixture
def made(tmp_path):
    path = tmp_path / "returns.xlsx"
    create_workbook(path, today=TODAY)
    return path


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def validations_by_column(ws) -> dict[str, object]:
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            found[ws.cell(1, rng.min_col).value] = (dv, rng)
    return found


@pytest.mark.slow
def test_returns_tab_has_every_seller_and_job_column_in_order_with_a_frozen_bold_header(made):
    wb = load_workbook(made)
    ws = wb["Returns"]
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "C2"
    for index, header in enumerate(HEADERS, start=1):
        width = ws.column_dimensions[ws.cell(1, index).column_letter].width
        assert width >= len(header) + 2, header


@pytest.mark.slow
def test_tabs_are_returns_howto_settings_and_a_hidden_lists_tab(made):
    wb = load_workbook(made)
    assert wb.sheetnames == ["Returns", "How-to", "Settings", "Lists"]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible", "visible", "visible", "hidden"]
    assert wb.active.title == "Returns"


@pytest.mark.parametrize("header, strict, expected", [
    ("Condition", True, ["Unopened", "Like new", "Used", "Damaged", "Defective", "Wrong item"]),
    ("Damage By", True, ["Customer", "Carrier", "Manufacturer", "Marketplace", "Unknown"]),
    ("Decision", True, ["Refund", "Partial refund", "Refuse", "Exchange", "Store credit"]),
    ("Reason", False, list(COMMON_REASONS)),
    ("Channel", False, None),
])
@pytest.mark.slow
def test_dropdowns_cover_the_whole_column_and_list_their_choices_on_the_lists_tab(made, header, strict, expected):
    wb = load_workbook(made)
    dv, rng = validations_by_column(wb["Returns"])[header]
    assert dv.type == "list"
    assert (rng.min_row, rng.max_row) == (2, 1048576) and rng.min_col == rng.max_col
    # The validation names a defined range on the Lists tab; read the choices it points at.
    target = wb.defined_names[dv.formula1].attr_text
    sheet, cells = target.split("!")
    choices = [c.value for row in wb[sheet.strip("'")][cells.replace("$", "")] for c in row]
    if expected is not None:
        assert choices == expected
    assert bool(dv.showErrorMessage) is strict
    if strict:
        assert dv.errorStyle == "warning"  # warns, but a seller may keep their own word (the job reads synonyms)


@pytest.mark.slow
def test_date_money_and_count_columns_are_formatted_for_rows_typed_later_too(made):
    ws = load_workbook(made)["Returns"]
    letter = {c.value: c.column_letter for c in ws[1]}
    for header in ("Order Date", "Notified On", "Received On", "Refunded On", "Contacted On"):
        assert ws.column_dimensions[letter[header]].number_format == "yyyy-mm-dd"
        assert ws[f"{letter[header]}2"].number_format == "yyyy-mm-dd"
    for header in ("Unit Price", "Refund Amount"):
        assert ws.column_dimensions[letter[header]].number_format == '"£"#,##0.00;-"£"#,##0.00'
    assert ws.column_dimensions[letter["Qty"]].number_format == "0"
    assert ws.column_dimensions[letter["Order ID"]].number_format == "@"  # keeps leading zeros typed later


@pytest.mark.slow
def test_example_rows_are_marked_and_use_their_own_return_id_range(made):
    ws = load_workbook(made)["Returns"]
    rows = [dict(zip(HEADERS, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    assert 3 <= len(rows) <= 6
    assert all(r["Notes"] == EXAMPLE_NOTE for r in rows)
    assert all(r["Return ID"].startswith("EX-") for r in rows)
    assert all(is_example({"notes": r["Notes"], "return_id": r["Return ID"]}) for r in rows)
    assert all(ws.cell(row, 1).font.italic for row in range(2, 2 + len(rows)))


def test_the_new_workbook_passes_check_with_no_problems_and_shows_real_statuses(made):
    result = api.check(made, as_of=TODAY, config=Config())
    assert result.problems == []
    assert result.counts == {"Awaiting inspection": 1, "Refund due": 2, "Done": 1}
    assert result.returns == 3


@pytest.mark.parametrize("days_later", [0, 1, 7, 30, 400])
def test_example_rows_never_make_an_email_due(made, days_later):
    result = api.check(made, as_of=TODAY + timedelta(days=days_later), config=Config())
    loaded = loading.load(str(made), TODAY + timedelta(days=days_later), Config())  # with the emails due
    loaded.workbook.close()
    assert loaded.evaluation.emails == []
    assert result.problems == []


@pytest.mark.slow
def test_after_deleting_the_examples_check_passes_on_an_empty_sheet(made):
    wb = load_workbook(made)
    ws = wb["Returns"]
    ws.delete_rows(2, ws.max_row - 1)
    wb.save(made)
    result = api.check(made, as_of=TODAY, config=Config())
    assert (result.rows, result.problems, result.ok) == (0, [], True)


@pytest.mark.slow
def test_new_returns_typed_below_the_examples_get_ids_from_r_00001(made):
    wb = load_workbook(made)
    ws = wb["Returns"]
    ws.append(["", "1001", TODAY - timedelta(days=3), "Jo", "jo@example.com", "MUG-01", "Mug", 1, 9.5, TODAY])
    wb.save(made)
    result = api.check(made, as_of=TODAY, config=Config())
    assert list(result.evaluation.assigned_ids.values()) == ["R-00001"]


@pytest.mark.slow
def test_settings_tab_lists_every_policy_key_with_its_explanation_and_reads_back_as_the_same_policy(tmp_path):
    path = tmp_path / "shop.xlsx"
    policy = Policy(store_name="Willow & Wick", currency="EUR")
    create_workbook(path, today=TODAY, policy=policy)
    ws = load_workbook(path)["Settings"]
    rows = {r[0].value: (r[1].value, r[2].value) for r in ws.iter_rows(min_row=2)}
    for setting in SETTINGS:
        assert rows[setting.key][1] == setting.explanation
    assert any(k.startswith("keywords ") for k in rows)
    with XlsxWorkbook(path) as wb:
        read = resolve_policy(Config(), wb)
    assert all(words == () for _, words in read.reason_keywords)  # blank keyword rows add no words
    assert read.with_values(reason_keywords=()) == policy


@pytest.mark.slow
def test_howto_explains_every_column_and_every_status_in_plain_words(made):
    ws = load_workbook(made)["How-to"]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for header in HEADERS:
        assert header in text
    for status in Status:
        assert status.value in text
    assert any("Delete the example rows" in t for t in text)
    assert any("When the job runs" == t for t in text)


@pytest.mark.parametrize("reason", COMMON_REASONS)
def test_each_suggested_reason_falls_into_a_named_reason_category(reason):
    assert categorise(reason) not in ("", "Other")


# -- the command ------------------------------------------------------------

@pytest.mark.slow
def test_init_command_creates_the_workbook_and_says_what_to_do_next(tmp_path):
    path = tmp_path / "my returns.xlsx"
    result = invoke("init", str(path), "--store-name", "Willow & Wick", "--currency", "usd")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Created {path}: a Returns tab with 27 columns and 4 example rows")
    assert f"sheetreturns check '{path}'" in result.stdout
    wb = load_workbook(path)
    settings = {r[0].value: r[1].value for r in wb["Settings"].iter_rows(min_row=2)}
    assert (settings["store_name"], settings["currency"]) == ("Willow & Wick", "USD")
    assert wb["Returns"]["I2"].number_format == '"$"#,##0.00;-"$"#,##0.00'


def test_init_never_overwrites_an_existing_file(tmp_path):
    path = tmp_path / "returns.xlsx"
    path.write_bytes(b"the seller's real data")
    result = invoke("init", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path} already exists: choose another name (init never overwrites a file)\n"
    assert path.read_bytes() == b"the seller's real data"


@pytest.mark.parametrize("args, message", [
    (["returns.ods"], "Error: returns.ods: the new workbook's name must end in .xlsx, e.g. returns.xlsx"),
    ([], "Error: give the new workbook's file name, e.g. sheetreturns init returns.xlsx"),
    (["x.xlsx", "--currency", "pounds"],
     'Error: --currency: currency must be a three-letter currency code such as GBP, EUR or USD, not "pounds"'),
])
def test_init_refuses_bad_input_with_one_error_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("init", *args)
    assert (result.exit_code, result.stderr.strip()) == (2, message)
    assert list(tmp_path.iterdir()) == []


def test_init_into_a_missing_folder_says_so(tmp_path):
    result = invoke("init", str(tmp_path / "nope" / "returns.xlsx"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: folder {tmp_path / 'nope'} does not exist: create it first or choose another place"


@pytest.mark.slow
def test_the_status_column_is_coloured_by_its_label_as_in_google(made):
    from sheetreturns.sheet.palette import STATUS_COLOURS

    ws = load_workbook(made)["Returns"]
    status = HEADERS.index("Status") + 1
    letter = ws.cell(1, status).column_letter
    rules = {}
    for ranges in ws.conditional_formatting:
        for rule in ranges.rules:
            assert str(ranges.sqref) == f"{letter}2:{letter}1048576"  # every row typed later too
            assert rule.type == "cellIs" and rule.operator == "equal"
            rules[rule.formula[0].strip('"')] = rule.dxf.fill.fgColor.rgb[-6:]
    assert rules == STATUS_COLOURS


@pytest.mark.slow
def test_a_synced_starter_workbook_shows_each_status_in_its_colour_in_the_rules(tmp_path):
    from sheetreturns.sheet.palette import STATUS_COLOURS

    path = create_workbook(tmp_path / "returns.xlsx", today=TODAY).path
    result = api.sync(path, as_of=TODAY, config=Config(state_dir=tmp_path / "state"), outbox=tmp_path / "outbox")
    ws = load_workbook(path)["Returns"]
    status = HEADERS.index("Status") + 1
    labels = [ws.cell(r, status).value for r in range(2, 2 + result.rows)]
    colours = {rule.formula[0].strip('"'): rule.dxf.fill.fgColor.rgb[-6:]
               for ranges in ws.conditional_formatting for rule in ranges.rules}
    assert labels and all(colours[label] == STATUS_COLOURS[label] for label in labels)  # the rules survive a sync

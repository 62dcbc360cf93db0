"""Policy: defaults, then sheetreturns.toml, then the Settings tab; a bad setting names its cell or key."""
import pytest

from sheetreturns import check
from sheetreturns.settings.config_file import load_config
from sheetreturns.errors import ConfigError
from sheetreturns.engine.model import EmailKind
from sheetreturns.engine.policy import Policy, apply_settings

from .helpers import AS_OF, basic_row, write_workbook


def test_defaults_match_the_spec():
    policy = Policy()
    assert (policy.return_window_days, policy.item_deadline_days, policy.reminder_after_days,
            policy.acknowledge_within_days) == (30, 30, 14, 7)
    assert policy.auto_refuse_overdue is False
    assert (policy.defect_alert_share, policy.defect_alert_min_returns) == (0.5, 3)
    assert policy.emails_enabled == frozenset(EmailKind) - {EmailKind.REFUSAL}


def test_settings_tab_overrides_toml_which_overrides_defaults(tmp_path):
    (tmp_path / "sheetreturns.toml").write_text(
        '[policy]\nitem_deadline_days = 10\nreminder_after_days = 3\nstore_name = "From toml"\n'
    )
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()],
                          settings=[("item_deadline_days", 5, "why"), ("store name", "From sheet", "")])
    config = load_config(tmp_path / "sheetreturns.toml")
    from sheetreturns.loading import load

    loaded = load(str(path), AS_OF, config)
    assert loaded.policy.item_deadline_days == 5
    assert loaded.policy.reminder_after_days == 3
    assert loaded.policy.store_name == "From sheet"
    assert loaded.evaluation.outcomes[0].next_step == "Item not returned by 2026-11-25: you may refuse the refund"


def test_bad_setting_in_the_settings_tab_names_its_cell(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()], settings=[("return_window_days", "thirty", "")])
    with pytest.raises(ConfigError) as info:
        check(path, as_of=AS_OF)
    assert str(info.value) == 'Settings!B2: return_window_days must be a number, not "thirty"'


def test_unknown_setting_names_its_cell(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()], settings=[("retun_window_days", 30, "")])
    with pytest.raises(ConfigError, match=r'^Settings!B2: unknown setting "retun_window_days"'):
        check(path, as_of=AS_OF)


def test_bad_setting_in_toml_names_its_key(tmp_path):
    (tmp_path / "sheetreturns.toml").write_text('[policy]\nauto_refuse_overdue = "perhaps"\n')
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()])
    with pytest.raises(ConfigError) as info:
        check(path, as_of=AS_OF, config=tmp_path / "sheetreturns.toml")
    assert str(info.value) == (
        'sheetreturns.toml [policy] auto_refuse_overdue: auto_refuse_overdue must be yes or no, not "perhaps"'
    )


@pytest.mark.parametrize(
    ("key", "value", "attribute", "expected"),
    [
        ("defect_alert_share", "60%", "defect_alert_share", 0.6),
        ("defect_alert_share", 0.25, "defect_alert_share", 0.25),
        ("auto_refuse_overdue", "Yes", "auto_refuse_overdue", True),
        ("currency", "€", "currency", "EUR"),
        ("emails_enabled", "acknowledgement, reminder", "emails_enabled",
         frozenset({EmailKind.ACKNOWLEDGEMENT, EmailKind.REMINDER})),
        ("emails_enabled", "none", "emails_enabled", frozenset()),
        ("date_order", "month-day", "day_first", False),
        ("owner_email", "owner@example.com", "owner_email", "owner@example.com"),
    ],
)
def test_settings_are_read_as_sellers_write_them(key, value, attribute, expected):
    policy = apply_settings(Policy(), [(key, value, "Settings!B2")], "Settings tab")
    assert getattr(policy, attribute) == expected


def test_keywords_setting_extends_a_reason_category(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row(Reason="Smell too strong")],
                          settings=[("keywords Not as described", "smell, scent", "")])
    from sheetreturns.loading import load

    loaded = load(str(path), AS_OF, load_config(None))
    assert loaded.evaluation.outcomes[0].reason_category == "Not as described"


def test_title_rows_and_notes_on_the_settings_tab_are_ignored(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", [basic_row()],
                          settings=[("Return policy (edit the values in column B)", None, ""), ("currency", "USD", "")])
    from sheetreturns.loading import load

    assert load(str(path), AS_OF, load_config(None)).policy.currency_symbol == "$"

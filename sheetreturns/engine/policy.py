"""The seller's return policy: defaults, then sheetreturns.toml [policy], then the Settings tab."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterable

from ..errors import ConfigError
from .currencies import CURRENCY_SYMBOLS
from .model import EmailKind
from .values import BadValue, parse_email

DEFAULT_EMAILS = frozenset(k for k in EmailKind if k is not EmailKind.REFUSAL)


@dataclass(frozen=True)
class Policy:
    store_name: str = "Our shop"
    currency: str = "GBP"
    return_window_days: int = 30
    item_deadline_days: int = 30
    reminder_after_days: int = 14
    acknowledge_within_days: int = 7
    auto_refuse_overdue: bool = False
    defect_alert_share: float = 0.5
    defect_alert_min_returns: int = 3
    emails_enabled: frozenset[EmailKind] = DEFAULT_EMAILS
    owner_email: str | None = None
    date_order: str = "day-month"
    email_history_days: int = 90
    max_emails_per_run: int = 100
    bulk_email_limit: int = 25
    repeat_customer_returns: int = 3
    repeat_customer_days: int = 90
    reason_keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()
    this_is_a_returns_sheet: bool = False
    # [columns]: (our column key, the seller's header); [values.<Column>]: (our column key, the seller's
    # value normalised, our value).
    columns: tuple[tuple[str, str], ...] = ()
    values: tuple[tuple[str, str, str], ...] = ()

    def value_map(self, key: str) -> dict[str, str]:
        """The seller's own words for one column's choices: normalised word -> our value."""
        return {raw: ours for column, raw, ours in self.values if column == key}
    # Amazon FBA: days after Amazon refunded a customer before the seller may claim for a unit not returned.
    # Amazon's US customer-return claim window opens 60 days after the refund and closes at 120.
    amazon_claim_after_days: int = 60
    tracking_fresh_days: int = 14

    @property
    def day_first(self) -> bool:
        return self.date_order == "day-month"

    @cached_property
    def currency_symbol(self) -> str:
        return CURRENCY_SYMBOLS.get(self.currency, self.currency + " ")

    def with_values(self, **values: object) -> "Policy":
        return dataclasses.replace(self, **values)


# -- how each setting is read -------------------------------------------------

def _whole_days(text: object) -> int:
    value = _number(text)
    if not float(value).is_integer() or value < 0 or value > 3650:
        raise BadValue("must be a whole number of days between 0 and 3650")
    return int(value)


def _count(text: object) -> int:
    value = _number(text)
    if not float(value).is_integer() or value < 0:
        raise BadValue("must be a whole number, 0 or more")
    return int(value)


def _number(text: object) -> float:
    if isinstance(text, bool):
        raise BadValue("must be a number")
    if isinstance(text, (int, float)):
        return float(text)
    try:
        return float(str(text).strip())
    except ValueError:
        raise BadValue(f'must be a number, not "{text}"') from None


def _share(text: object) -> float:
    raw = str(text).strip()
    if raw.endswith("%"):
        value = _number(raw[:-1]) / 100
    else:
        value = _number(text)
        if value > 1:
            value = value / 100  # "50" written as a percentage
    if not 0 < value <= 1:
        raise BadValue("must be a share between 0 and 1 (or a percentage such as 50%)")
    return value


_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off", ""}


def _boolean(text: object) -> bool:
    if isinstance(text, bool):
        return text
    key = str(text).strip().lower()
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        key = str(int(text)) if float(text).is_integer() else key
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise BadValue(f'must be yes or no, not "{text}"')


def _text(text: object) -> str:
    value = str(text).strip()
    if not value:
        raise BadValue("must not be blank")
    return value


def _currency(text: object) -> str:
    value = str(text).strip().upper()
    by_symbol = {v.strip(): k for k, v in CURRENCY_SYMBOLS.items()}
    value = by_symbol.get(value, value)
    if len(value) != 3 or not value.isalpha():
        raise BadValue(f'must be a three-letter currency code such as GBP, EUR or USD, not "{text}"')
    return value


def _emails(text: object) -> frozenset[EmailKind]:
    if isinstance(text, (list, tuple)):
        parts = [str(p) for p in text]
    else:
        parts = str(text).replace(";", ",").split(",")
    names = {p.strip().lower().replace(" ", "-").replace("_", "-") for p in parts if p.strip()}
    if names & {"none", "off", "no"}:
        return frozenset()
    if "all" in names:
        return frozenset(EmailKind)
    kinds = set()
    valid = {k.value: k for k in EmailKind}
    valid.update({"refund-confirmation": EmailKind.REFUND_CONFIRMATION, "confirmation": EmailKind.REFUND_CONFIRMATION,
                  "reimbursement": EmailKind.REIMBURSEMENT_REQUEST, "ack": EmailKind.ACKNOWLEDGEMENT})
    for name in names:
        if name not in valid:
            raise BadValue(f'names an unknown email "{name}" (known: {", ".join(k.value for k in EmailKind)}, all, none)')
        kinds.add(valid[name])
    return frozenset(kinds)


def _owner_email(text: object) -> str | None:
    return parse_email(text)


def _date_order(text: object) -> str:
    key = str(text).strip().lower().replace(" ", "").replace("/", "-")
    if key in {"day-month", "dmy", "dd-mm-yyyy", "daymonth", "day-first", "uk", "eu"}:
        return "day-month"
    if key in {"month-day", "mdy", "mm-dd-yyyy", "monthday", "month-first", "us"}:
        return "month-day"
    raise BadValue('must be "day-month" (20/11/2026) or "month-day" (11/20/2026)')


@dataclass(frozen=True)
class Setting:
    key: str
    read: Callable[[object], object]
    explanation: str


SETTINGS: tuple[Setting, ...] = (
    Setting("store_name", _text, "Your shop's name, used in emails to customers."),
    Setting("currency", _currency, "Currency of prices and refunds (GBP, EUR, USD ...)."),
    Setting("return_window_days", _whole_days, "Days after the order within which a return may be requested."),
    Setting("item_deadline_days", _whole_days, "Days after the notice within which the item must come back."),
    Setting("reminder_after_days", _whole_days, "Days after the notice before a reminder email is sent if the item is not back."),
    Setting("acknowledge_within_days", _whole_days, "Returns noticed within this many days get the acknowledgement email."),
    Setting("auto_refuse_overdue", _boolean, "yes: refuse the refund by email when the item is overdue. no: leave it to you."),
    Setting("defect_alert_share", _share, "Share of inspected returns found defective that raises the 'pull stock' alert."),
    Setting("defect_alert_min_returns", _count, "Inspected returns of a product needed before the defect alert can show."),
    Setting("emails_enabled", _emails, "Emails the job may send: acknowledgement, reminder, refund-confirmation, reimbursement-request, refusal (or all / none)."),
    Setting("owner_email", _owner_email, "Your own address, for a digest of each run (blank: no digest)."),
    Setting("date_order", _date_order, "How dates typed as text are read: day-month (20/11/2026) or month-day (11/20/2026)."),
    Setting("email_history_days", _whole_days, "Returns noticed longer ago than this get no emails (so old history is left alone)."),
    Setting("max_emails_per_run", _count, "At most this many customer emails per run; the rest wait for the next run."),
    Setting("bulk_email_limit", _count, "A run that would email more customers than this sends none until you run sync --send-backlog."),
    Setting("repeat_customer_returns", _count, "Returns by one customer that put them on the 'repeated returns' list."),
    Setting("repeat_customer_days", _whole_days, "Period, in days, over which repeated returns are counted."),
    Setting("amazon_claim_after_days", _whole_days, "Amazon FBA: days after a refund before an item not returned may be claimed from Amazon."),
    Setting("tracking_fresh_days", _whole_days, "Days after a customer's reply gives a return tracking number during which no reminder is sent."),
    Setting("this_is_a_returns_sheet", _boolean, "yes: every row is a return, even if the sheet looks like a sales export (a marketplace's orders report). no: a sales export is refused."),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


def _setting_key(raw: object) -> str:
    return " ".join(str(raw).strip().lower().replace("_", " ").split()).replace(" ", "_")


def is_setting_key(raw: object) -> bool:
    text = str(raw).strip().lower()
    return _setting_key(raw) in SETTINGS_BY_KEY or text.startswith("keywords")


def apply_settings(policy: Policy, entries: Iterable[tuple[object, object, str]], where: str) -> Policy:
    """Override `policy` with (key, value, location) entries; a bad one raises ConfigError naming its location.

    Keys "keywords <Reason Category>" add words to that category's keyword list.
    """
    from .reasons import CATEGORIES  # local: reasons imports nothing from here, but keep import light

    values: dict[str, object] = {}
    keywords: dict[str, tuple[str, ...]] = dict(policy.reason_keywords)
    seen: dict[str, str] = {}  # setting -> where it was first given, in this layer
    columns: dict[str, str] = dict(policy.columns)
    value_names: dict[tuple[str, str], str] = {(k, raw): ours for k, raw, ours in policy.values}
    for raw_key, raw_value, location in entries:
        if isinstance(raw_key, tuple):
            if raw_key[0] == "column":
                key, header = _column_entry(raw_key[1], raw_value, location)
                if key is not None:
                    columns[key] = header
            else:
                key, word, ours = _value_entry(raw_key[1], raw_key[2], raw_value, location)
                value_names[(key, word)] = ours
            continue
        key_text = str(raw_key).strip()
        if key_text.lower().startswith("keywords"):
            category = key_text[len("keywords"):].strip(" :")
            match = next((c for c in CATEGORIES if c.lower() == category.lower()), None)
            if match is None:
                raise ConfigError(
                    f"{location}: \"{key_text}\" names no reason category (use one of: {', '.join(CATEGORIES)})"
                )
            if isinstance(raw_value, (list, tuple)):
                words = tuple(str(w).strip().lower() for w in raw_value if str(w).strip())
            else:
                words = tuple(w.strip().lower() for w in str(raw_value or "").split(",") if w.strip())
            keywords[match] = keywords.get(match, ()) + words
            continue
        key = _setting_key(raw_key)
        setting = SETTINGS_BY_KEY.get(key)
        if setting is None:
            raise ConfigError(
                f"{location}: unknown setting \"{key_text}\" (known settings: {', '.join(SETTINGS_BY_KEY)})"
            )
        if key in seen:
            raise ConfigError(f"{location}: {key} is set twice (also at {seen[key]}): delete one of the two rows")
        seen[key] = location
        if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
            if key == "owner_email":
                values[key] = None
            continue
        try:
            values[key] = setting.read(raw_value)
        except BadValue as exc:
            raise ConfigError(f"{location}: {key} {exc}") from None
    if keywords:
        values["reason_keywords"] = tuple(keywords.items())
    if columns:
        values["columns"] = tuple(columns.items())
    if value_names:
        values["values"] = tuple((k, raw, ours) for (k, raw), ours in value_names.items())
    return policy.with_values(**values)


def _column_entry(name: object, header: object, location: str) -> tuple[str | None, str]:
    """A [columns] line: our column's name = the seller's header. A blank header means "not named"."""
    from .columns import BY_KEY, SELLER_COLUMNS, resolve_column

    key = resolve_column(name)
    text = "" if header is None else str(header).strip()
    if key is None or BY_KEY[key].job_owned:
        ours = ", ".join(c.header for c in SELLER_COLUMNS)
        why = "is written by sheetreturns, not read" if key is not None else "is not one of our columns"
        raise ConfigError(f"{location}: \"{name}\" {why} (name one of: {ours})")
    if not isinstance(header, (str, type(None))):
        raise ConfigError(f"{location}: {name} must name your column's header in quotes, e.g. \"Product Number\"")
    return (key if text else None), text


_VALUE_COLUMNS = {"condition", "damage_by", "decision"}


def _value_entry(column: object, word: object, ours: object, location: str) -> tuple[str, str, str]:
    """A [values.<Column>] line: the seller's word = one of our values for that column."""
    from .columns import BY_KEY, normalise, resolve_column
    from .values import parse_choice

    key = resolve_column(column)
    if key not in _VALUE_COLUMNS:
        raise ConfigError(f"{location}: values can be given for Condition, Damage By and Decision, not \"{column}\"")
    try:
        target = parse_choice(ours, BY_KEY[key].kind)
    except BadValue as exc:
        raise ConfigError(f"{location}: {BY_KEY[key].header} {exc}") from None
    if target is None or not normalise(word):
        raise ConfigError(f"{location}: give a word and the {BY_KEY[key].header} it means, e.g. \"As new\" = \"Like new\"")
    return key, normalise(word), target


def settings_rows(policy: Policy) -> list[tuple[str, object, str]]:
    """(key, current value as a seller would type it, explanation) for a Settings tab."""
    rows = []
    for setting in SETTINGS:
        value = getattr(policy, setting.key)
        if isinstance(value, frozenset):
            value = ", ".join(k.value for k in EmailKind if k in value) or "none"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif value is None:
            value = ""
        rows.append((setting.key, value, setting.explanation))
    return rows

"""Parsing rules: which messages a rule takes (sender, subject, body) and where it finds each value.

A rule's name is the Channel its notices are recorded under. Rules from sheetreturns.toml come first,
then the built-in ones (one per big marketplace for forwarded notices, and "Email" for a customer's
own return request). A configured rule only has to say which messages it takes: every value it
does not give its own pattern for is looked for with the built-in patterns below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ConfigError

FLAGS = re.IGNORECASE | re.MULTILINE

# Values a notice can give, in the Returns tab's column keys. Per-item values repeat once per returned line.
ORDER_FIELDS = ("order_id", "order_date", "customer", "email")
ITEM_FIELDS = ("sku", "product", "qty", "unit_price", "reason")
FIELDS = ORDER_FIELDS + ITEM_FIELDS

_ID = r"#?(?=[A-Z0-9-]{0,40}\d)[A-Z0-9][A-Z0-9-]{1,39}"  # an order number: has a digit, no spaces
_CODE = r"[A-Z0-9][A-Z0-9._/-]{0,39}[A-Z0-9]"  # a SKU / item code

# Each pattern's group "value" (else group 1, else the whole match) is the value. For each value the
# first pattern that matches anywhere is used; for per-item values each of its matches is one item's.
DEFAULT_PATTERNS: dict[str, tuple[str, ...]] = {
    "order_id": (
        rf"\b(?:order|purchase|invoice)\b(?:[ \t]*(?:id|number|no\.?|num|ref(?:erence)?|\#))?[ \t]*[:#=]?[ \t]*(?P<value>{_ID})\b",
    ),
    "order_date": (
        r"^[ \t]*(?:order(?:ed)?[ \t]+date|date[ \t]+ordered|ordered[ \t]+on|purchase[ \t]+date)[ \t]*:[ \t]*(?P<value>[^\n|]{6,30}?)[ \t]*$",
    ),
    "customer": (
        r"^[ \t]*(?:customer|buyer|client|ship[ \t]+to)(?:[ \t]+name)?[ \t]*:[ \t]*(?P<value>[^\n|<@:(]{2,80}?)[ \t]*(?:<|\(|$)",
        r"^[ \t]*name[ \t]*:[ \t]*(?P<value>[^\n|<@:(]{2,80}?)[ \t]*(?:<|\(|$)",
    ),
    "email": (
        r"^[ \t]*(?:customer|buyer|client|contact)?[ \t]*e-?mail(?:[ \t]+address)?[ \t]*:[ \t]*<?(?:mailto:)?(?P<value>[^\s<>|@]+@[^\s<>|]+?)>?[ \t]*$",
        r"^[ \t]*(?:customer|buyer|client)(?:[ \t]+name)?[ \t]*:[^\n<]*<(?:mailto:)?(?P<value>[^\s<>@]+@[^\s<>]+)>",
    ),
    "sku": (
        rf"\b(?:sku|item[ \t]+code|product[ \t]+code|stock[ \t]+code|article[ \t]+(?:no\.?|number))[ \t]*[:#=][ \t]*(?P<value>{_CODE})",
        rf"\b(?:sku|item[ \t]+code|product[ \t]+code)[ \t]+(?P<value>(?=[A-Z0-9._/]{{0,40}}[\d-]){_CODE})",
    ),
    "product": (
        r"^[ \t]*(?:product|item)(?:[ \t]+(?:name|title|description))?[ \t]*:[ \t]*(?P<value>[^\n|]{2,120}?)[ \t]*$",
    ),
    "qty": (
        r"\b(?:qty|quantity|units)(?:[ \t]+(?:returned|to[ \t]+return|requested))?[ \t]*[:=][ \t]*(?P<value>\d+\b|[^\n|,;]{1,20}?(?=[ \t]*(?:$|[|,;])))",
        r"\b(?:qty|quantity)[ \t]*x?[ \t]*(?P<value>\d{1,6})\b",
    ),
    "unit_price": (
        r"^[ \t]*(?:unit[ \t]+|item[ \t]+)?price(?:[ \t]+each)?[ \t]*:[ \t]*(?P<value>[^\n|]{1,20}?)[ \t]*$",
    ),
    "reason": (
        r"^[ \t]*(?:return[ \t]+reason|reason[ \t]+for[ \t]+(?:the[ \t]+)?return|reason)[ \t]*:[ \t]*(?P<value>[^\n|]{2,300}?)[ \t]*$",
        r"\bbecause[ \t]+(?P<value>(?:it|they|the)[ \t][^\n.!?]{3,200})",
    ),
}

_MARKETPLACES = (
    ("Amazon", r"amazon\."),
    ("eBay", r"ebay\."),
    ("Etsy", r"etsy\.com"),
    ("Shopify", r"shopify\.com"),
    ("Walmart", r"walmart\.com"),
)


@dataclass(frozen=True)
class Rule:
    name: str  # also the Channel written on the rows it records
    sender: re.Pattern | None = None  # over the From address (and a forwarded message's original sender)
    subject: re.Pattern | None = None
    body: re.Pattern | None = None
    patterns: dict[str, tuple[re.Pattern, ...]] = field(default_factory=dict)
    sender_is_customer: bool = False  # the mail comes from the customer: no name/email in the text means the sender's

    def field_patterns(self, key: str) -> tuple[re.Pattern, ...]:
        return self.patterns.get(key) or DEFAULT_COMPILED[key]


def _compile(text: str, where: str) -> re.Pattern:
    try:
        return re.compile(text, FLAGS)
    except re.error as exc:
        raise ConfigError(f"{where}: {text!r} is not a valid regular expression ({exc}): fix it") from None


DEFAULT_COMPILED: dict[str, tuple[re.Pattern, ...]] = {
    key: tuple(_compile(p, f"built-in {key} pattern") for p in texts) for key, texts in DEFAULT_PATTERNS.items()
}

BUILT_IN_RULES: tuple[Rule, ...] = (
    *(Rule(name, sender=_compile(rf"@(?:[\w-]+\.)*{domain}", name)) for name, domain in _MARKETPLACES),
    Rule("Email", sender_is_customer=True),
)

RULE_KEYS = {"name", "from", "subject", "body", "sender_is_customer", *FIELDS}


def rules_from_config(entries: object, use_built_in: bool, where: str = "sheetreturns.toml [[intake.rules]]") -> list[Rule]:
    """The rules to try, in order: the configured ones, then (unless turned off) the built-in ones."""
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: write each rule as its own [[intake.rules]] table")
    rules = [_rule(entry, f"{where} #{number}") for number, entry in enumerate(entries, start=1)]
    if use_built_in:
        rules.extend(BUILT_IN_RULES)
    if not rules:
        raise ConfigError(f"{where}: no rules to read notices with: add a rule or set default_rules = true")
    return rules


def _rule(entry: object, where: str) -> Rule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: a rule must be a table with at least a name")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: give the rule a name (it is written as the Channel), e.g. name = \"Etsy\"")
    where = f"{where} ({name})"
    unknown = sorted(set(entry) - RULE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(RULE_KEYS))})")
    selectors = {}
    for key in ("from", "subject", "body"):
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a regular expression in quotes")
        selectors[key] = _compile(value, f"{where} {key}") if value else None
    patterns: dict[str, tuple[re.Pattern, ...]] = {}
    for key in FIELDS:
        value = entry.get(key)
        if value is None:
            continue
        texts = [value] if isinstance(value, str) else value
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t for t in texts):
            raise ConfigError(f"{where}: {key} must be a regular expression, or a list of them, in quotes")
        patterns[key] = tuple(_compile(t, f"{where} {key}") for t in texts)
    flag = entry.get("sender_is_customer", False)
    if not isinstance(flag, bool):
        raise ConfigError(f"{where}: sender_is_customer must be true or false")
    return Rule(name.strip(), selectors["from"], selectors["subject"], selectors["body"], patterns, flag)

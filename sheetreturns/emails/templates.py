"""Email wording: Jinja2 templates (shipped defaults, overridable from a folder) and what they are given.

Each kind has three templates: `<kind>.subject.txt`, `<kind>.txt` (plain text) and `<kind>.html`
(HTML, autoescaped). A seller's `templates_dir` holding a file of the same name replaces the default;
`base.html`, `items.txt`, `items.html`, `signature.txt` and `signature.html` are shared pieces that
can be replaced the same way (the signature is rendered once per run and given to the others as
`signature` and `signature_html`). Values are handed to templates already worded ("£24.99",
"7 December 2026"), so a template never formats money or dates itself.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup

from ..errors import ConfigError
from ..engine.model import EmailDue, Line
from ..engine.policy import Policy
from ..engine.wording import money
from .message import one_line

DEFAULTS = Path(__file__).resolve().parent.parent / "email_templates"
DIGEST = "owner-digest"
KINDS = ("acknowledgement", "reminder", "refund-confirmation", "reimbursement-request", "refusal", DIGEST)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(value: date | None, day_first: bool = True) -> str | None:
    """7 December 2026 (day-month sellers) or December 7, 2026 (month-day sellers)."""
    if value is None:
        return None
    month = MONTHS[value.month - 1]
    return f"{value.day} {month} {value.year}" if day_first else f"{month} {value.day}, {value.year}"


@dataclass(frozen=True)
class Item:
    """One line of a return, as a template sees it."""

    name: str  # the Product, else the SKU
    sku: str
    qty: int
    unit_price: str | None  # "£12.50"
    value: str | None  # qty x unit price
    reason: str
    received: bool  # back with the seller (all or some of its units)
    refunded: bool = False  # its refund went out
    state: str = "awaiting"  # awaiting, checking (back, being checked), refunded, refused, settled
    note: str = ""  # where it stands, in words for the customer ("back with us, being checked")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord"})


def first_name(customer: str | None) -> str:
    """How the customer is addressed: their first name, or title and surname ("Mrs Patel"); "" if neither.

    A name that is really an address, a number or a company code gives "".
    """
    parts = one_line(customer or "").split()
    if not parts or "@" in parts[0] or not any(c.isalpha() for c in parts[0]):
        return ""
    if parts[0].lower().rstrip(".") in _TITLES:
        return " ".join(parts[:2]) if len(parts) > 1 else ""
    return parts[0]


def greeting(name: str) -> str:
    """The opening line: "Hello Jo," or, without a name, a plain "Hello,"."""
    return f"Hello {name}," if name else "Hello,"


def item_state(line: Line, day_first: bool) -> tuple[str, str]:
    """Where one line of a return stands, as a state and in words for the customer (only what is true)."""
    refunded = long_date(line.refunded_on, day_first)
    back = line.received_on is not None
    part = back and line.received_qty is not None and 0 < line.received_qty < line.units
    if line.decision == "Refuse" and line.refunded_on is None:
        return "refused", "we will write to you separately about this item"
    if line.refunded_on is not None:
        if back:
            return "refunded", f"back with us, refund sent on {refunded}"
        return "refunded", f"refund already sent on {refunded}; please still send it back"
    if line.decision in ("Exchange", "Store credit") and back:
        return "settled", "settled by exchange" if line.decision == "Exchange" else "settled with store credit"
    if part:
        return "checking", f"{line.received_qty} of {line.units} back with us and being checked"
    if back:
        return "checking", "back with us and being checked"
    return "awaiting", "not back with us yet"


def customer_context(due: EmailDue, lines: dict[int, Line], policy: Policy, as_of: date | None = None) -> dict:
    """Everything a customer email's templates may use (`as_of`: the day the run evaluates the sheet)."""
    symbol, day_first = policy.currency_symbol, policy.day_first
    own = [lines[row] for row in due.rows if row in lines]
    items = []
    for line in own:
        price = line.unit_price
        state, note = item_state(line, day_first)
        items.append(Item(
            one_line(line.product or line.sku or "item", 200), one_line(line.sku or "", 80), line.units,
            None if price is None else money(price, symbol),
            None if price is None else money(price * line.units, symbol),
            one_line(line.reason or "", 200), line.received_on is not None, line.refunded_on is not None,
            state, note,
        ))
    name = first_name(due.customer)
    to_send = [i for i in items if not i.received and i.state != "refused"]
    orders = list(dict.fromkeys(one_line(line.order_id) for line in own if line.order_id))
    refunded = [line.refunded_on for line in own if line.refunded_on is not None]
    return {
        "kind": str(due.kind),
        "return_id": due.return_id,
        "order_id": ", ".join(orders),
        "customer": one_line(due.customer or "", 120),
        "first_name": name,
        "greeting": greeting(name),
        "email": due.to,
        "items": items,
        "plural": sum(item.qty for item in items) > 1,
        "received_all": bool(items) and all(item.received for item in items),
        # Where the items stand, so that an email says only what is true of each:
        "to_send": to_send,  # still to come back to us
        "checking": [i for i in items if i.state == "checking"],  # back with us, being checked
        "refunded_items": [i for i in items if i.refunded],  # their refund went out
        "mixed": len({i.state for i in items}) > 1,  # items in different states: say which is which
        "all_awaiting": bool(items) and all(i.state == "awaiting" for i in items),
        "to_send_plural": sum(i.qty for i in to_send) > 1,
        "show_notes": len({i.state for i in items}) > 1 or (
            str(due.kind) == "acknowledgement" and any(i.state != "awaiting" for i in items)),
        "amount": money(due.amount, symbol) if due.amount is not None else None,
        "deadline": long_date(due.deadline, day_first),
        "deadline_passed": as_of is not None and due.deadline is not None and due.deadline < as_of,
        "notified_on": long_date(min((l.notified_on for l in own if l.notified_on), default=None), day_first),
        "refunded_on": long_date(max(refunded), day_first) if refunded else None,
    }


class Templates:
    """The email templates of one run: the seller's folder first, then the shipped defaults."""

    def __init__(self, folder: Path | None, policy: Policy, reply_to: str | None):
        loaders = []
        if folder is not None:
            if not folder.is_dir():
                raise ConfigError(f"templates_dir {folder} is not a folder: create it or remove templates_dir")
            loaders.append(FileSystemLoader(str(folder)))
        loaders.append(FileSystemLoader(str(DEFAULTS)))
        # Two environments rather than select_autoescape: a fixed setting is not re-decided on every render.
        options = dict(loader=ChoiceLoader(loaders), undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       auto_reload=False)
        self.html_env = Environment(autoescape=True, **options)
        self.text_env = Environment(autoescape=False, **options)
        self._basics = {"store": one_line(policy.store_name, 120), "reply_to": reply_to or ""}
        self._cache: dict[str, object] = {}

    @cached_property
    def shared(self) -> dict[str, object]:
        """What every email's template is given. The signature is the same in every email: rendered once per
        run, when the first email is (a run that sends none compiles no template), handed to templates as text."""
        shared = dict(self._basics)
        shared["signature"] = self._render("signature.txt", shared).strip("\n")
        shared["signature_html"] = Markup(self._render("signature.html", shared).strip("\n"))
        return shared

    def _template(self, name: str):
        template = self._cache.get(name)
        if template is None:
            try:
                env = self.html_env if name.endswith(".html") else self.text_env
                template = self._cache[name] = env.get_template(name)
            except TemplateError as exc:
                raise _template_error(name, exc) from None
        return template

    def render(self, kind: str, context: dict) -> Rendered:
        """Subject, text and HTML of one email; a broken template raises ConfigError naming it."""
        values = {**self.shared, **context}
        subject = one_line(self._render(f"{kind}.subject.txt", values), 250)
        values["subject"] = subject
        text = _tidy(self._render(f"{kind}.txt", values))
        return Rendered(subject, text, self._render(f"{kind}.html", values))

    def _render(self, name: str, values: dict) -> str:
        template = self._template(name)
        try:
            return template.render(values)
        except TemplateError as exc:
            raise _template_error(name, exc) from None


_TRAILING = re.compile(r"[ \t]+(?=\n)")
_GAPS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Plain text with at most one blank line in a row and no trailing spaces (templates' if-blocks leave gaps)."""
    text = _TRAILING.sub("", text.replace("\r\n", "\n") + "\n")
    return _GAPS.sub("\n\n", text).strip("\n") + "\n"


def _template_error(name: str, exc: TemplateError) -> ConfigError:
    where = getattr(exc, "filename", None) or name
    line = getattr(exc, "lineno", None)
    at = f" line {line}" if line else ""
    return ConfigError(f"email template {Path(where).name}{at}: {exc.message or exc}: fix the template "
                       f"(or remove it from your templates folder to use the default)")

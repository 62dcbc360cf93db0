"""What the marketplaces' codes mean in our columns: reasons, dispositions, statuses, resolutions, refund states.

Pure data and lookups (no I/O). Every lookup takes the raw cell text and returns None for a value it
does not know, so the caller can show it as a problem on its row instead of failing.

Stable interface (other parts of the program build on these names):

- ``Reason(code, category, who, meaning)`` and ``reason_code(text) -> Reason | None``: a marketplace reason
  code (Amazon's ``UNWANTED_ITEM``, ``CR-UNWANTED_ITEM``, eBay's ``NO_LONGER_NEED_ITEM``, Shopify's
  ``SIZE_TOO_SMALL`` or their written-out forms) -> our Reason Category and who caused the return:
  ``BUYER``, ``SELLER``, ``CARRIER`` or ``MARKETPLACE``.
- ``looks_like_code(text) -> bool``: the text is written like a code (``SOME_CODE``), not a customer's words.
- ``Disposition(code, condition, damage_by, meaning)`` and ``disposition(text)``: Amazon's
  ``detailed-disposition`` -> our Condition and Damage By.
- ``fba_status(text) -> FbaStatus | None``: Amazon FBA returns report ``status``; ``received`` says the unit
  is back at the fulfilment centre (every line of that report was processed there).
- ``request_status(text) -> RequestStatus | None``: Amazon merchant-fulfilled ``Return request status``.
- ``resolution(text) -> str | None``: Amazon ``Resolution`` -> our Decision.
- ``refund_state(text) -> RefundState | None``: a payment/refund state (Shopify ``Financial Status``) ->
  whether money went back (``refunded``: None = nothing, "full" or "partial").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")

BUYER, SELLER, CARRIER, MARKETPLACE = "buyer", "seller", "carrier", "marketplace"

_CHANGED, _SIZE, _DEFECTIVE, _NOT_DESCRIBED = "Changed mind", "Size/fit", "Defective", "Not as described"
_WRONG, _TRANSIT, _LATE, _OTHER = "Wrong item sent", "Damaged in transit", "Arrived late", "Other"


def _key(text: object) -> str:
    """UNWANTED_ITEM, 'Unwanted item', 'unwanted-item' -> 'unwanteditem'."""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def _lookup(entries: dict[str, T]) -> Callable[[object], T | None]:
    """A reader of a cell against `entries` (written text -> meaning), however it is spelt or cased;
    None for a blank cell or text not among them."""
    table = {_key(text): meaning for text, meaning in entries.items()}

    def find(text: object) -> T | None:
        return table.get(_key(text)) if str(text).strip() else None

    return find


@dataclass(frozen=True)
class Reason:
    code: str
    category: str  # one of engine.reasons.CATEGORIES
    who: str  # BUYER, SELLER, CARRIER or MARKETPLACE
    meaning: str


# Amazon's customer reason codes (FBA customer returns report `reason`; merchant-fulfilled returns carry
# the same codes with a CR- prefix). Who caused it is the party whose act led to the return.
AMAZON_REASONS: tuple[Reason, ...] = (
    Reason("APPAREL_TOO_SMALL", _SIZE, BUYER, "Apparel too small"),
    Reason("APPAREL_TOO_LARGE", _SIZE, BUYER, "Apparel too large"),
    Reason("APPAREL_STYLE", _CHANGED, BUYER, "Customer did not like the style"),
    Reason("AMZ-PG-APP-TOO-SMALL", _SIZE, BUYER, "Apparel too small"),
    Reason("AMZ-PG-APP-TOO-LARGE", _SIZE, BUYER, "Apparel too large"),
    Reason("AMZ-PG-APP-STYLE", _CHANGED, BUYER, "Customer did not like the style"),
    Reason("AMZ-PG-BAD-DESC", _NOT_DESCRIBED, SELLER, "Inaccurate website description"),
    Reason("AMZ-PG-MISORDERED", _CHANGED, BUYER, "Customer ordered the wrong item"),
    Reason("DAMAGED_BY_CARRIER", _TRANSIT, CARRIER, "Damaged by the carrier"),
    Reason("DAMAGED_BY_FC", _TRANSIT, MARKETPLACE, "Damaged at Amazon's fulfilment centre"),
    Reason("DEFECTIVE", _DEFECTIVE, SELLER, "Item is defective or does not work"),
    Reason("DIDNT_LIKE_COLOR", _CHANGED, BUYER, "Customer did not like the colour"),
    Reason("DIDNT_LIKE_FABRIC", _CHANGED, BUYER, "Customer did not like the fabric"),
    Reason("EXCESSIVE_INSTALLATION", _CHANGED, BUYER, "Installation too difficult"),
    Reason("EXTRA_ITEM", _WRONG, MARKETPLACE, "Customer received an extra item"),
    Reason("FOUND_BETTER_PRICE", _CHANGED, BUYER, "Customer found a better price"),
    Reason("JEWELRY_BAD_CLASP", _DEFECTIVE, SELLER, "Jewellery clasp broken"),
    Reason("JEWELRY_BATTERY", _DEFECTIVE, SELLER, "Watch battery dead"),
    Reason("JEWELRY_LOOSE_STONE", _DEFECTIVE, SELLER, "Jewellery stone loose"),
    Reason("JEWELRY_NO_CERT", _NOT_DESCRIBED, SELLER, "Jewellery certificate missing"),
    Reason("JEWELRY_NO_DOCS", _NOT_DESCRIBED, SELLER, "Jewellery documents missing"),
    Reason("JEWELRY_TOO_LARGE", _SIZE, BUYER, "Jewellery too large"),
    Reason("JEWELRY_TOO_SMALL", _SIZE, BUYER, "Jewellery too small"),
    Reason("MISORDERED", _CHANGED, BUYER, "Customer ordered the wrong item"),
    Reason("MISSED_ESTIMATED_DELIVERY", _LATE, CARRIER, "Arrived after the estimated delivery date"),
    Reason("MISSING_PARTS", _DEFECTIVE, SELLER, "Parts or accessories missing"),
    Reason("NEVER_ARRIVED", _LATE, CARRIER, "Item never arrived"),
    Reason("NO_REASON_GIVEN", _CHANGED, BUYER, "No reason given"),
    Reason("NOT_AS_DESCRIBED", _NOT_DESCRIBED, SELLER, "Item not as described on the website"),
    Reason("NOT_COMPATIBLE", _CHANGED, BUYER, "Not compatible with the customer's equipment"),
    Reason("ORDERED_WRONG_ITEM", _CHANGED, BUYER, "Customer ordered the wrong item"),
    Reason("PART_NOT_COMPATIBLE", _CHANGED, BUYER, "Part not compatible with the customer's equipment"),
    Reason("QUALITY_UNACCEPTABLE", _DEFECTIVE, SELLER, "Quality not acceptable"),
    Reason("SWITCHEROO", _OTHER, BUYER, "Customer returned a different item than the one sold"),
    Reason("UNAUTHORIZED_PURCHASE", _CHANGED, BUYER, "Purchase not authorised by the account holder"),
    Reason("UNDELIVERABLE_CARRIER_MISS_SORTED", _LATE, CARRIER, "Undeliverable: carrier mis-sorted it"),
    Reason("UNDELIVERABLE_FAILED_DELIVERY_ATTEMPTS", _LATE, CARRIER, "Undeliverable: delivery attempts failed"),
    Reason("UNDELIVERABLE_INSUFFICIENT_ADDRESS", _CHANGED, BUYER, "Undeliverable: address incomplete"),
    Reason("UNDELIVERABLE_REFUSED", _CHANGED, BUYER, "Undeliverable: customer refused the delivery"),
    Reason("UNDELIVERABLE_UNCLAIMED", _CHANGED, BUYER, "Undeliverable: customer did not collect it"),
    Reason("UNDELIVERABLE_UNKNOWN", _LATE, CARRIER, "Undeliverable: reason unknown"),
    Reason("UNWANTED_ITEM", _CHANGED, BUYER, "Customer no longer wants the item"),
)

# eBay's return reasons (the codes of its returns reports and API, then the words buyers pick).
EBAY_REASONS: tuple[Reason, ...] = (
    Reason("ARRIVED_DAMAGED", _TRANSIT, CARRIER, "Arrived damaged"),
    Reason("ARRIVED_LATE", _LATE, CARRIER, "Arrived too late"),
    Reason("BUYER_CANCEL_ORDER", _CHANGED, BUYER, "Buyer cancelled the order"),
    Reason("DEFECTIVE_ITEM", _DEFECTIVE, SELLER, "Doesn't work or is defective"),
    Reason("DIFFERENT_FROM_LISTING", _NOT_DESCRIBED, SELLER, "Different from the listing"),
    Reason("DOESNT_FIT", _SIZE, BUYER, "Doesn't fit"),
    Reason("DOESNT_MATCH_DESCRIPTION", _NOT_DESCRIBED, SELLER, "Doesn't match the description or photos"),
    Reason("EXPIRED_ITEM", _DEFECTIVE, SELLER, "Item past its expiry date"),
    Reason("FAKE_OR_COUNTERFEIT", _NOT_DESCRIBED, SELLER, "Looks fake or counterfeit"),
    Reason("FOUND_BETTER_PRICE", _CHANGED, BUYER, "Found a better price"),
    Reason("MISSING_PARTS", _DEFECTIVE, SELLER, "Missing parts or pieces"),
    Reason("NO_LONGER_NEED_ITEM", _CHANGED, BUYER, "No longer needed"),
    Reason("NO_REASON", _CHANGED, BUYER, "No reason given"),
    Reason("ORDERED_ACCIDENTALLY", _CHANGED, BUYER, "Ordered by mistake"),
    Reason("ORDERED_DIFFERENT_ITEM", _CHANGED, BUYER, "Bought the wrong item"),
    Reason("OUTDATED_ITEM", _NOT_DESCRIBED, SELLER, "Outdated item"),
    Reason("RETURNING_GIFT", _CHANGED, BUYER, "Returning a gift"),
    Reason("WRONG_ITEM", _WRONG, SELLER, "Received the wrong item"),
    Reason("WRONG_SIZE", _SIZE, BUYER, "Wrong size"),
    Reason("Doesn't work or is defective", _DEFECTIVE, SELLER, "Doesn't work or is defective"),
    Reason("Doesn't match description or photos", _NOT_DESCRIBED, SELLER, "Doesn't match description or photos"),
    Reason("Missing parts or pieces", _DEFECTIVE, SELLER, "Missing parts or pieces"),
    Reason("Wrong item sent", _WRONG, SELLER, "Wrong item sent"),
    Reason("Changed my mind", _CHANGED, BUYER, "Changed my mind"),
    Reason("Doesn't fit", _SIZE, BUYER, "Doesn't fit"),
)

# Shopify's return reasons (the codes of its exports and API, and the words in the admin).
SHOPIFY_REASONS: tuple[Reason, ...] = (
    Reason("COLOR", _CHANGED, BUYER, "Colour"),
    Reason("NOT_AS_DESCRIBED", _NOT_DESCRIBED, SELLER, "Item not as described"),
    Reason("SIZE_TOO_LARGE", _SIZE, BUYER, "Size was too large"),
    Reason("SIZE_TOO_SMALL", _SIZE, BUYER, "Size was too small"),
    Reason("STYLE", _CHANGED, BUYER, "Style"),
    Reason("UNWANTED", _CHANGED, BUYER, "Customer changed their mind"),
    Reason("WRONG_ITEM", _WRONG, SELLER, "Received the wrong item"),
    Reason("UNKNOWN", _OTHER, BUYER, "Unknown"),
    Reason("OTHER", _OTHER, BUYER, "Other"),
    Reason("Size was too small", _SIZE, BUYER, "Size was too small"),
    Reason("Size was too large", _SIZE, BUYER, "Size was too large"),
    Reason("Customer changed their mind", _CHANGED, BUYER, "Customer changed their mind"),
    Reason("Item not as described", _NOT_DESCRIBED, SELLER, "Item not as described"),
    Reason("Received the wrong item", _WRONG, SELLER, "Received the wrong item"),
    Reason("Damaged or defective", _DEFECTIVE, SELLER, "Damaged or defective"),
)

_REASONS: dict[str, Reason] = {}
for _reason in (*AMAZON_REASONS, *EBAY_REASONS, *SHOPIFY_REASONS):
    _REASONS.setdefault(_key(_reason.code), _reason)
_PREFIX = re.compile(r"^(?:cr|amz)[-_ ]+(?=[a-z])", re.IGNORECASE)
_CODE = re.compile(r"^[A-Z0-9]+(?:[_-][A-Z0-9]+)+$")


def looks_like_code(text: object) -> bool:
    """`UNWANTED_ITEM`, `CR-DEFECTIVE`: written like a code rather than in a customer's words."""
    return bool(_CODE.match(str(text).strip()))


def reason_code(text: object) -> Reason | None:
    """A marketplace reason code (with or without Amazon's CR- prefix) -> its category and who caused it."""
    raw = str(text).strip()
    if not raw:
        return None
    found = _REASONS.get(_key(raw))
    if found is None and _PREFIX.match(raw):
        found = _REASONS.get(_key(_PREFIX.sub("", raw)))
    return found


@dataclass(frozen=True)
class Disposition:
    code: str
    condition: str  # one of engine.values.CONDITIONS
    damage_by: str | None  # one of engine.values.DAMAGE_BY, or None when nothing is damaged
    meaning: str


# Amazon's condition codes for a returned unit (FBA customer returns report `detailed-disposition`).
DISPOSITIONS: tuple[Disposition, ...] = (
    Disposition("SELLABLE", "Like new", None, "Returned to stock, available for sale"),
    Disposition("DAMAGED", "Damaged", "Marketplace", "Damaged while with Amazon: Amazon takes the unit and compensates you"),
    Disposition("CUSTOMER_DAMAGED", "Damaged", "Customer", "Unsellable through the customer's doing; stays in your inventory"),
    Disposition("DEFECTIVE", "Defective", "Manufacturer", "Faulty or damaged on arrival; stays in your inventory as unsellable"),
    Disposition("CARRIER_DAMAGED", "Damaged", "Carrier", "Damaged by the carrier: Amazon takes the unit and compensates you"),
    Disposition("DISTRIBUTOR_DAMAGED", "Damaged", "Carrier", "Damaged on the way to Amazon (distributor or inbound carrier)"),
    Disposition("EXPIRED", "Defective", "Unknown", "Past its expiry date; unsellable"),
)
disposition = _lookup({d.code: d for d in DISPOSITIONS})


@dataclass(frozen=True)
class FbaStatus:
    text: str
    received: bool
    meaning: str


# Amazon FBA customer returns report `status`. Every line of that report was processed at a fulfilment
# centre, so each of these means the unit is back; the text says what Amazon did with it.
FBA_STATUSES: tuple[FbaStatus, ...] = (
    FbaStatus("Unit returned to inventory", True, "Back in your Amazon inventory"),
    FbaStatus("Repackaged Successfully", True, "Repackaged by Amazon and back in your inventory"),
    FbaStatus("Pending repackaging", True, "At the fulfilment centre, waiting to be repackaged"),
    FbaStatus("Reimbursed", True, "Amazon reimbursed you for the unit"),
    FbaStatus("Unit returned to inventory and reimbursed", True, "Back in inventory and reimbursed"),
    FbaStatus("Disposed of", True, "Disposed of by Amazon"),
)
fba_status = _lookup({s.text: s for s in FBA_STATUSES})


@dataclass(frozen=True)
class RequestStatus:
    text: str
    decision: str | None  # our Decision implied by the status, if any
    meaning: str


# Amazon merchant-fulfilled returns report `Return request status`.
REQUEST_STATUSES: tuple[RequestStatus, ...] = (
    RequestStatus("Pending", None, "Waiting for your authorisation"),
    RequestStatus("Approved", None, "Authorised: the buyer may send the item"),
    RequestStatus("Authorized", None, "Authorised: the buyer may send the item"),
    RequestStatus("Completed", None, "The return is complete"),
    RequestStatus("Closed", None, "The return request is closed"),
    RequestStatus("Rejected", "Refuse", "You rejected the return request"),
    RequestStatus("Denied", "Refuse", "The return request was denied"),
)
request_status = _lookup({s.text: s for s in REQUEST_STATUSES})


# Amazon merchant-fulfilled returns report `Resolution` -> our Decision.
RESOLUTIONS: dict[str, str] = {
    "StandardRefund": "Refund",
    "Refund": "Refund",
    "PartialRefund": "Partial refund",
    "RefundWithRestockingFee": "Partial refund",
    "Replacement": "Exchange",
    "SellerReplacement": "Exchange",
    "Exchange": "Exchange",
    "NoRefund": "Refuse",
    "Rejected": "Refuse",
}
resolution = _lookup(RESOLUTIONS)


@dataclass(frozen=True)
class RefundState:
    text: str
    refunded: str | None  # None: no money went back; "full"; "partial"
    meaning: str


# Payment states of an order (Shopify `Financial Status`, and the words other exports use).
REFUND_STATES: tuple[RefundState, ...] = (
    RefundState("pending", None, "Payment pending"),
    RefundState("authorized", None, "Payment authorised, not captured"),
    RefundState("partially_paid", None, "Partly paid"),
    RefundState("paid", None, "Paid, nothing refunded"),
    RefundState("voided", None, "Payment voided: no money was taken"),
    RefundState("expired", None, "Authorisation expired: no money was taken"),
    RefundState("unpaid", None, "Not paid"),
    RefundState("partially_refunded", "partial", "Part of the payment was refunded"),
    RefundState("refunded", "full", "The payment was refunded"),
)
refund_state = _lookup({s.text: s for s in REFUND_STATES})

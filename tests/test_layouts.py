"""Known layouts are recognised by their real header rows; their codes mean what the marketplaces say."""
from sheetreturns.engine import layouts, vocabularies as vocab
from sheetreturns.engine.reasons import CATEGORIES
from sheetreturns.engine.values import CONDITIONS, DAMAGE_BY, DECISIONS

FBA = ("return-date order-id sku asin fnsku product-name quantity fulfillment-center-id detailed-disposition "
       "reason status license-plate-number customer-comments").split()
MFN = ["Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID",
       "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID", "Label to be paid by",
       "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason",
       "In policy", "Return type", "Resolution", "Invoice number", "Return delivery date", "Order Amount",
       "Order quantity", "SafeT Action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
       "SafeT claim reimbursement amount", "Refunded Amount"]


def test_fba_report_is_recognised_and_status_is_a_source_not_our_status():
    layout = layouts.recognise(FBA)
    assert layout is layouts.AMAZON_FBA_RETURNS
    assert layout.columns_in(FBA) == {"order_id": 1, "sku": 2, "product": 5, "qty": 6, "notified_on": 0,
                                      "reason": 9, "notes": 12}
    assert layout.sources_in(FBA) == {"fba_status": 10, "disposition": 8}


def test_fba_report_with_amazon_order_id_and_mfn_report():
    other = ["amazon-order-id" if h == "order-id" else h for h in FBA]
    assert layouts.recognise(other).columns_in(other)["order_id"] == 1
    mfn = layouts.recognise(MFN)
    assert mfn is layouts.AMAZON_MFN_RETURNS
    assert mfn.columns_in(MFN)["sku"] == MFN.index("Merchant SKU")


def test_unknown_header_rows_are_not_a_layout():
    assert layouts.recognise(["Order ID", "SKU", "Email"]) is None
    assert layouts.recognise(["Order", "Timestamp"]) is None  # Timestamp means a form only in column A


def test_every_amazon_reason_has_a_category_and_who():
    for reason in vocab.AMAZON_REASONS + vocab.EBAY_REASONS + vocab.SHOPIFY_REASONS:
        assert reason.category in CATEGORIES
        assert reason.who in (vocab.BUYER, vocab.SELLER, vocab.CARRIER, vocab.MARKETPLACE)
    assert vocab.reason_code("ORDERED_WRONG_ITEM").who == vocab.BUYER
    assert vocab.reason_code("ORDERED_WRONG_ITEM").category == "Changed mind"
    assert vocab.reason_code("CR-UNWANTED_ITEM").code == "UNWANTED_ITEM"
    assert vocab.reason_code("DAMAGED_BY_FC").who == vocab.MARKETPLACE
    assert vocab.reason_code("SIZE_TOO_SMALL").category == "Size/fit"
    assert vocab.reason_code("it broke") is None
    assert vocab.looks_like_code("SOME_NEW_CODE") and not vocab.looks_like_code("Too small")


def test_dispositions_statuses_resolutions_and_refund_states():
    for d in vocab.DISPOSITIONS:
        assert d.condition in CONDITIONS and (d.damage_by is None or d.damage_by in DAMAGE_BY)
    assert vocab.disposition("CUSTOMER_DAMAGED").damage_by == "Customer"
    assert vocab.disposition("SELLABLE").condition == "Like new"
    assert vocab.fba_status("Unit returned to inventory").received
    assert vocab.resolution("StandardRefund") == "Refund"
    assert set(vocab.RESOLUTIONS.values()) <= set(DECISIONS)
    assert vocab.refund_state("partially_refunded").refunded == "partial"
    assert vocab.refund_state("paid").refunded is None
    assert vocab.refund_state("mystery") is None


def test_footer_lines_and_form_questions():
    assert layouts.footer_text(["3 record(s) downloaded", None, ""]) == "3 record(s) downloaded"
    assert layouts.footer_text(["Seller ID : shop_uk"]) == "Seller ID : shop_uk"
    assert layouts.footer_text(["12-345", "Total gift"]) is None
    assert layouts.question_column("What is your order number?") == "order_id"
    assert layouts.question_column("Why are you returning it?") == "reason"
    assert layouts.question_column("Which item are you returning?") == "product"
    assert layouts.question_column("How many?") == "qty"
    assert layouts.question_column("Your full name") == "customer"

"""config.api.errors maps each kind of domain error to its status and the one error shape."""

from hypothesis import given
from hypothesis import strategies as st

from config.api.errors import api_exception_handler
from config.errors import Conflict, DomainError
from promotions.errors import OrderExists, RedemptionConflict


def answer(error):
    response = api_exception_handler(error, {})
    return response.status_code, response.data


def test_a_redemption_conflict_is_a_409_with_reason_detail_coupon_and_promotion():
    error = RedemptionConflict(
        reason="usage_limit_reached", message="Code 'LAST' is used up.", detail="1 of 1", coupon="LAST", promotion=7
    )
    assert answer(error) == (
        409,
        {
            "code": "usage_limit_reached",
            "message": "Code 'LAST' is used up.",
            "reason": "usage_limit_reached",
            "detail": "1 of 1",
            "coupon": "LAST",
            "promotion": 7,
        },
    )


def test_a_claim_conflict_of_an_automatic_promotion_has_no_coupon_and_no_detail_key():
    error = RedemptionConflict(reason="budget_exhausted", message="Spent.", coupon=None, promotion=3)
    assert answer(error) == (
        409,
        {"code": "budget_exhausted", "message": "Spent.", "reason": "budget_exhausted", "coupon": None, "promotion": 3},
    )


def test_order_exists_is_a_409_with_code_and_message_only():
    status_code, body = answer(OrderExists(external_id="O-1"))
    assert status_code == 409 and set(body) == {"code", "message"} and body["code"] == "order_exists"
    assert "'O-1'" in body["message"]


def test_a_domain_error_of_no_mapped_kind_is_a_400_in_the_same_shape():
    assert answer(DomainError(code="refused", message="No.")) == (400, {"code": "refused", "message": "No."})


@given(
    code=st.from_regex(r"[a-z_]{1,30}", fullmatch=True),
    message=st.text(max_size=200),
    extra=st.dictionaries(
        st.from_regex(r"[a-z]{1,10}", fullmatch=True).filter(lambda k: k not in {"code", "message"}),
        st.one_of(st.none(), st.integers(), st.text(max_size=20)),
        max_size=4,
    ),
)
def test_any_conflict_answers_its_own_code_message_and_facts_with_409(code, message, extra):
    assert answer(Conflict(code=code, message=message, **extra)) == (409, {"code": code, "message": message, **extra})

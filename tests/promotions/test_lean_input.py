"""The storefront's lean input path answers every body exactly as the serializer it stands for."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from config.api.lean import LeanInput
from config.api.views import validated
from promotions.api.serializers import CartInput, CouponValidateInput, OrderInput
from tests.promotions.conftest import evaluate, tv

CART = LeanInput(CartInput)
COUPON = LeanInput(CouponValidateInput)
ORDER = LeanInput(OrderInput)

# Values every field might meet: right ones, wrong types, edge lengths and amounts, padding to strip.
text = st.one_of(
    st.text(max_size=70),
    st.sampled_from(["", "  ", " C-1 ", "x" * 64, "x" * 65]),
    st.none(),
    st.integers(),
    st.booleans(),
)
amount = st.one_of(
    st.sampled_from(["0", "54000.00", "0.005", "1.5", " 12 ", "-1", "1e3", "NaN", "abc", "99999999999999.999"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10, max_value=10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(min_value=-5, max_value=10**6),
    st.none(),
    st.booleans(),
)
quantity = st.one_of(st.integers(min_value=-2, max_value=100_002), st.sampled_from(["3", "3.0", 2.0, True, None]))
line = st.fixed_dictionaries(
    {"sku": text, "quantity": quantity, "unit_price": amount},
    optional={"category": text, "extra": st.integers()},
)
cart = st.fixed_dictionaries(
    {},
    optional={
        "currency": st.sampled_from(["BDT", "TZS", "JPY", "XXX", "", None, 1]),
        "lines": st.one_of(st.lists(line, max_size=4), line, st.none(), st.text(max_size=3)),
        "customer": text,
        "store": text,
        "channel": text,
        "payment_method": st.sampled_from(["card", "cash", "", None, "bitcoin", 3]),
        "shipping_price": amount,
        "codes": st.one_of(st.lists(text, max_size=22), st.none(), st.text(max_size=3)),
    },
)
body = st.one_of(cart, st.lists(st.integers(), max_size=2), st.none(), st.text(max_size=5))


def answer(run, data):
    try:
        return "valid", run(data)
    except ValidationError as error:
        return "invalid", error.detail


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body)
def test_the_lean_cart_path_answers_as_the_serializer(data):
    assert answer(CART.validated, data) == answer(lambda d: validated(CartInput, d), data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"code": text}, optional={"customer": text, "store": text, "cart": st.one_of(cart, st.none())}
    )
)
def test_the_lean_coupon_path_answers_as_the_serializer(data):
    assert answer(COUPON.validated, data) == answer(lambda d: validated(CouponValidateInput, d), data)


order_fields = st.fixed_dictionaries(
    {},
    optional={
        "external_id": text,
        "placed_at": st.sampled_from(["2026-11-27T10:00:00Z", "2026-11-27", "yesterday", "", None, 5]),
        "attribution": st.one_of(
            st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers(), st.none()), max_size=3),
            st.none(),
            st.text(max_size=3),
            st.lists(st.integers(), max_size=2),
        ),
        "on_unredeemable_code": st.sampled_from(["refuse", "drop", "", None, "keep", 1]),
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.tuples(cart, order_fields).map(lambda parts: {**parts[0], **parts[1]}), body))
def test_the_lean_order_path_answers_as_the_serializer(data):
    assert answer(ORDER.validated, data) == answer(lambda d: validated(OrderInput, d), data)


def test_a_valid_cart_is_converted_and_defaulted_as_the_serializer_does():
    data = {"currency": "BDT", "customer": " C-1 ", "lines": [{"sku": "TV-55", "quantity": 2, "unit_price": "10.5"}]}
    assert CART.validated(data) == {
        "currency": "BDT",
        "customer": "C-1",
        "lines": [{"sku": "TV-55", "quantity": 2, "unit_price": Decimal("10.500")}],
        "shipping_price": Decimal(0),
        "codes": [],
    }


def test_a_refused_cart_gets_the_one_error_shape_naming_each_field(storefront, catalog):
    response = storefront.post(
        "/api/v1/carts/evaluate",
        {"currency": "JPY", "lines": [{"sku": "TV-55", "quantity": 0, "unit_price": "1.5"}], "codes": [""]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Invalid input: lines: Ensure this value is greater than or equal to 1.; "
        "codes: This field may not be blank.",
        "fields": {
            "lines": {"0": {"quantity": ["Ensure this value is greater than or equal to 1."]}},
            "codes": {"0": ["This field may not be blank."]},
        },
    }
    assert evaluate(storefront, [tv()])["total"] == "54000.00"

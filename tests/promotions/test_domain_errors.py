"""order_place refuses with domain errors (no HTTP types), and the API answers them exactly as before."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework.exceptions import APIException

from audiences.models import Order
from audiences.services.orders import OrderLineInput, order_create
from config.errors import Conflict
from promotions.errors import OrderExists, RedemptionConflict
from promotions.models import Promotion, Redemption
from promotions.selectors import LineInput, PricingRequest
from promotions.services.orders import order_place
from tests.promotions.conftest import create_promotion, place, rice

pytestmark = pytest.mark.django_db

PLACED_AT = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def cart(*codes):
    return PricingRequest(
        currency="BDT", lines=[LineInput(sku="RICE", quantity=1, unit_price=Decimal("100.00"))], codes=list(codes)
    )


def test_a_used_up_code_is_a_redemption_conflict_naming_the_code_and_promotion(marketer, catalog):
    create_promotion(marketer, trigger="code", code="LAST", usage_limit=1)
    order_place(external_id="O-1", pricing_request=cart("LAST"), placed_at=PLACED_AT)
    with pytest.raises(RedemptionConflict) as refused:
        order_place(external_id="O-2", pricing_request=cart("LAST"), placed_at=PLACED_AT)
    error = refused.value
    assert isinstance(error, Conflict) and not isinstance(error, APIException)
    assert (error.code, error.coupon) == ("usage_limit_reached", "LAST")
    assert error.extra["reason"] == "usage_limit_reached"
    assert error.extra["promotion"] == Promotion.objects.get().pk
    assert not Order.objects.filter(external_id="O-2").exists() and Redemption.objects.count() == 1


def test_an_unknown_code_is_a_redemption_conflict_with_reason_not_found(catalog):
    with pytest.raises(RedemptionConflict) as refused:
        order_place(external_id="O-1", pricing_request=cart("NOPE"), placed_at=PLACED_AT)
    assert (refused.value.code, refused.value.coupon) == ("not_found", "NOPE")
    assert not Order.objects.exists()


def imported_order(external_id):
    line = OrderLineInput(sku="RICE", quantity=1, unit_price=Decimal("100.00"))
    order_create(external_id=external_id, currency="BDT", placed_at=PLACED_AT, lines=[line])


def test_placing_an_imported_order_again_is_order_exists(catalog):
    imported_order("O-IMPORTED")
    with pytest.raises(OrderExists) as refused:
        order_place(external_id="O-IMPORTED", pricing_request=cart(), placed_at=PLACED_AT)
    assert refused.value.code == "order_exists" and refused.value.extra == {}
    assert Order.objects.filter(external_id="O-IMPORTED").count() == 1


def test_the_api_answers_an_imported_order_placed_again_with_409_order_exists(storefront, catalog):
    imported_order("O-IMPORTED")
    response = place(storefront, "O-IMPORTED", [rice()])
    assert response.status_code == 409
    assert response.json() == {
        "code": "order_exists",
        "message": "Order 'O-IMPORTED' was recorded without promotions (an import); it cannot be placed again.",
    }


def test_the_api_answers_a_used_up_code_with_409_and_every_fact_of_the_conflict(storefront, marketer, catalog):
    create_promotion(marketer, trigger="code", code="LAST", usage_limit=1)
    assert place(storefront, "O-1", [rice()], codes=["LAST"]).status_code == 201
    response = place(storefront, "O-2", [rice()], codes=["LAST"])
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"code", "message", "reason", "detail", "coupon", "promotion"}
    assert (body["code"], body["reason"], body["coupon"]) == ("usage_limit_reached", "usage_limit_reached", "LAST")
    assert body["promotion"] == Promotion.objects.get().pk
    assert body["message"] == "This code has been used as many times as it may be."

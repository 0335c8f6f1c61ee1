"""`free_shipping`: a percentage of the shipping price off (all of it by default), at most `max_amount`."""

from decimal import Decimal

import pytest

from tests.promotions.conftest import create_promotion, evaluate, rice, tv
from tests.promotions.engine_helpers import line, price, rule

D = Decimal
OSCAR = "django-oscar/django-oscar tests/integration/offer/"


def product(n, unit_price, quantity):
    return {"sku": f"P{n}", "quantity": quantity, "unit_price": unit_price}


def basket(*lines):
    return [product(n, unit_price, quantity) for n, (unit_price, quantity) in enumerate(lines)]


def priced(client, lines, **cart):
    return evaluate(client, lines, currency="USD", **cart)


def test_free_shipping_up_to_its_cap():
    result = price([line("A", 1, "10.00")], [rule(1, {"type": "free_shipping", "max_amount": "50"})], shipping="80.00")
    assert result.shipping_discount == D("50.00")
    assert result.total == D("40.00")


@pytest.mark.django_db
def test_free_shipping_through_the_api_from_a_minimum_subtotal(storefront, marketer, catalog):
    create_promotion(
        marketer, reward={"type": "free_shipping", "max_amount": "100.00"}, eligibility={"min_subtotal": "500"}
    )
    result = evaluate(storefront, [tv()], shipping_price="120.00")
    assert result["shipping_discount"] == "100.00"
    assert result["total"] == "54020.00"
    assert evaluate(storefront, [rice()], shipping_price="120.00")["shipping_discount"] == "0.00"


@pytest.mark.django_db
def test_oscar_and_saleor_percentage_off_shipping(storefront, marketer, catalog):
    # OSCAR test_shipping_percentage_benefit.py: 50% off a 10.00 shipping charge leaves 5.00;
    # saleor/saleor saleor/discount/tests/test_discounts.py test_get_shipping_voucher_discount:
    # total 20, minimum spent 15, shipping 10, 50% -> 5.
    create_promotion(marketer, reward={"type": "free_shipping", "percent": "50"}, eligibility={"min_subtotal": "15"})
    result = priced(storefront, basket(("10.00", 2)), shipping_price="10.00")
    assert (result["shipping_discount"], result["total"]) == ("5.00", "25.00")
    assert priced(storefront, basket(("12.00", 1)), shipping_price="10.00")["shipping_discount"] == "0.00"


@pytest.mark.django_db
def test_percentage_off_shipping_with_a_cap(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "free_shipping", "percent": "50", "max_amount": "3.00"})
    assert priced(storefront, basket(("10.00", 1)), shipping_price="10.00")["shipping_discount"] == "3.00"


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "free_shipping", "percent": "150"}, "reward.percent"),
    ],
)
@pytest.mark.django_db
def test_bad_options_are_a_400_naming_the_field(marketer, reward, field):
    response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": reward}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()

"""Item 6: reward options replayed through the API from django-oscar's and Saleor's own tests.

Each case names the test it comes from; Oscar's "all products" range is a promotion with no
target, its count condition `min_quantity`, its value condition `min_subtotal`, and its
`max_affected_items` our `max_units` (the cheapest units are the ones discounted, as in Oscar).
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.promotions.conftest import create_promotion, evaluate
from tests.promotions.engine_helpers import line, price, rule

pytestmark = pytest.mark.django_db

OSCAR = "django-oscar/django-oscar tests/integration/offer/"


def product(n, unit_price, quantity):
    return {"sku": f"P{n}", "quantity": quantity, "unit_price": unit_price}


def basket(*lines):
    return [product(n, unit_price, quantity) for n, (unit_price, quantity) in enumerate(lines)]


def priced(client, lines, **cart):
    return evaluate(client, lines, currency="USD", **cart)


@pytest.mark.parametrize(
    ("eligibility", "lines", "discount", "source"),
    [
        ({"min_quantity": 2}, [("12.00", 2)], "2.40",
         "test_percentage_benefit.py TestAPercentageDiscountWithMaxItemsSetAppliedWithCountCondition matches"),
        ({"min_quantity": 2}, [("12.00", 2), ("20.00", 2)], "2.40",
         "test_percentage_benefit.py TestAPercentageDiscountWithMaxItemsSetAppliedWithCountCondition exceeds"),
        ({"min_subtotal": "10.00"}, [("5.00", 3)], "1.00",
         "test_percentage_benefit.py TestAPercentageDiscountWithMaxItemsSetAppliedWithValueCondition boundary"),
        ({"min_subtotal": "10.00"}, [("4.00", 3)], "0.80",
         "test_percentage_benefit.py TestAPercentageDiscountWithMaxItemsSetAppliedWithValueCondition exceeds"),
    ],
)  # fmt: skip
def test_oscar_percentage_with_max_affected_items(storefront, marketer, catalog, eligibility, lines, discount, source):
    create_promotion(marketer, reward={"type": "percentage", "value": "20", "max_units": 1}, eligibility=eligibility)
    assert priced(storefront, basket(*lines))["discount_total"] == discount, OSCAR + source


@pytest.mark.parametrize(
    ("lines", "discount", "discounted_line", "source"),
    [
        ([("12.00", 2)], "3.00", 0, "TestAnAbsoluteDiscountWithMaxItemsSetAppliedWithCountCondition matches"),
        ([("12.00", 2), ("10.00", 2)], "3.00", 1, "... exceeds: the cheaper unit (10.00) takes it"),
        ([("2.00", 2), ("1.00", 2)], "1.00", 1, "... smaller prices than discount: one 1.00 unit"),
    ],
)
def test_oscar_fixed_amount_with_max_affected_items(storefront, marketer, catalog, lines, discount, discounted_line,
                                                    source):  # fmt: skip
    create_promotion(marketer, reward={"type": "fixed_amount", "value": "3.00", "max_units": 1},
                     eligibility={"min_quantity": 2})  # fmt: skip
    result = priced(storefront, basket(*lines))
    assert result["discount_total"] == discount, OSCAR + "test_absolute_benefit.py " + source
    assert [item["discount"] != "0.00" for item in result["lines"]].index(True) == discounted_line


def test_oscar_fixed_amount_max_one_item_on_six_two_dollar_items(storefront, marketer, catalog):
    # test_absolute_benefit.py TestAnAbsoluteDiscountWithMaxItemsSetAppliedWithValueCondition,
    # ..._with_lower_prices_than_discount: 3.00 off one item worth 2.00 gives 2.00.
    create_promotion(marketer, reward={"type": "fixed_amount", "value": "3.00", "max_units": 1},
                     eligibility={"min_subtotal": "10.00"})  # fmt: skip
    assert priced(storefront, basket(("2.00", 6)))["discount_total"] == "2.00"


def test_fixed_amount_per_item_on_at_most_two_units(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "fixed_amount", "value": "3.00", "per": "item", "max_units": 2})
    result = priced(storefront, basket(("12.00", 2), ("2.00", 3)))
    # The two cheapest units are 2.00 each: 3.00 off each is capped at what each is worth.
    assert [item["discount"] for item in result["lines"]] == ["0.00", "4.00"]


def test_oscar_and_saleor_percentage_off_shipping(storefront, marketer, catalog):
    # OSCAR test_shipping_percentage_benefit.py: 50% off a 10.00 shipping charge leaves 5.00;
    # saleor/saleor saleor/discount/tests/test_discounts.py test_get_shipping_voucher_discount:
    # total 20, minimum spent 15, shipping 10, 50% -> 5.
    create_promotion(marketer, reward={"type": "free_shipping", "percent": "50"}, eligibility={"min_subtotal": "15"})
    result = priced(storefront, basket(("10.00", 2)), shipping_price="10.00")
    assert (result["shipping_discount"], result["total"]) == ("5.00", "25.00")
    assert priced(storefront, basket(("12.00", 1)), shipping_price="10.00")["shipping_discount"] == "0.00"


def test_percentage_off_shipping_with_a_cap(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "free_shipping", "percent": "50", "max_amount": "3.00"})
    assert priced(storefront, basket(("10.00", 1)), shipping_price="10.00")["shipping_discount"] == "3.00"


def test_buy_two_get_one_at_a_fixed_amount_off_or_a_fixed_price(storefront, marketer, catalog):
    lines = basket(("10.00", 2), ("4.00", 1))
    create_promotion(marketer, name="1.50 off", reward={"type": "buy_x_get_y", "buy": 2, "get": 1,
                                                        "amount_off": "1.50"})  # fmt: skip
    result = priced(storefront, lines)
    assert [item["discount"] for item in result["lines"]] == ["0.00", "1.50"]  # the cheapest unit is the Y

    marketer.patch(f"/api/v1/promotions/{result['applied'][0]['promotion']}",
                   {"reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "price": "1.00"}}, format="json")  # fmt: skip
    assert [item["discount"] for item in priced(storefront, lines)["lines"]] == ["0.00", "3.00"]


def test_buy_x_get_y_amount_off_never_exceeds_the_unit(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "buy_x_get_y", "buy": 1, "get": 1, "amount_off": "50.00"})
    assert priced(storefront, basket(("10.00", 2)))["discount_total"] == "10.00"


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "buy_x_get_y", "buy": 1, "get": 1, "percent_off": "50", "price": "1"}, "reward"),
        ({"type": "percentage", "value": "10", "max_units": 0}, "reward.max_units"),
        ({"type": "fixed_amount", "value": "1", "max_units": "2"}, "reward.max_units"),
        ({"type": "free_shipping", "percent": "150"}, "reward.percent"),
    ],
)
def test_bad_options_are_a_400_naming_the_field(marketer, reward, field):
    response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": reward}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 10_000)), min_size=1, max_size=4), st.integers(1, 6))
def test_max_units_discounts_exactly_the_cheapest_units(lines, max_units):
    cart = [line(f"S{n}", quantity, Decimal(cents) / 100) for n, (quantity, cents) in enumerate(lines)]
    capped = price(cart, [rule(1, {"type": "percentage", "value": "100", "max_units": max_units})])
    unit_prices = sorted(cents for quantity, cents in lines for _ in range(quantity) if cents > 0)
    # 100% off the N cheapest units that still have a price is what they cost, to the cent (a
    # unit that is already free is not one of the N: it has nothing left to take off).
    assert capped.discount_total == Decimal(sum(unit_prices[:max_units])) / 100
    if max_units >= len(unit_prices):  # a limit above the units in the cart changes nothing
        assert capped.discount_total == price(cart, [rule(1, {"type": "percentage", "value": "100"})]).discount_total

"""`percentage`: a share off the targeted lines, capped by `max_discount`, or only on the `max_units` cheapest units.

Oscar's cases name the test they come from: its "all products" range is a promotion with no target, its
count condition `min_quantity`, its value condition `min_subtotal`, and its `max_affected_items` our `max_units`.
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine.definition import parse_reward
from promotions.engine.parsing import DefinitionError
from tests.promotions.conftest import create_promotion, evaluate
from tests.promotions.engine_helpers import line, price, rule

D = Decimal
OSCAR = "django-oscar/django-oscar tests/integration/offer/"


def product(n, unit_price, quantity):
    return {"sku": f"P{n}", "quantity": quantity, "unit_price": unit_price}


def basket(*lines):
    return [product(n, unit_price, quantity) for n, (unit_price, quantity) in enumerate(lines)]


def priced(client, lines, **cart):
    return evaluate(client, lines, currency="USD", **cart)


def test_percentage_with_cap_is_spread_over_targeted_lines():
    result = price(
        [line("TV", 1, "1000.00", ["tv"]), line("CABLE", 2, "10.00", ["cables"])],
        [rule(1, {"type": "percentage", "value": "15", "max_discount": "100.00"}, target={"categories": ["tv"]})],
    )
    assert result.discount_total == D("100.00")
    assert [item.discount for item in result.lines] == [D("100.00"), D("0.00")]


@pytest.mark.django_db
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


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "percentage", "value": "150"}, "reward.value"),
        ({"type": "percentage", "value": "abc"}, "reward.value"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "percentage", "value": "10", "max_units": 0}, "reward.max_units"),
    ],
)
@pytest.mark.django_db
def test_bad_options_are_a_400_naming_the_field(marketer, reward, field):
    response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": reward}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()

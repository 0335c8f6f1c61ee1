"""`bundle`: a set of items (each a sku or a category) at one price, filled with the dearest units first."""

from decimal import Decimal

import pytest

from promotions.engine import Cart, compile_index
from promotions.engine.definition import parse_reward
from promotions.engine.parsing import DefinitionError
from tests.promotions.conftest import create_promotion, evaluate, hdmi, tv
from tests.promotions.engine_helpers import line, price, rule

D = Decimal


def discounts(result):
    return [item["discount"] for item in result["lines"]]


def test_bundle_fills_sets_with_the_dearest_units():
    reward = {"type": "bundle", "items": [{"sku": "A", "quantity": 1}, {"category": "cables", "quantity": 2}],
              "price": "100.00"}  # fmt: skip
    result = price([line("A", 1, "90.00"), line("C1", 1, "20.00", ["cables"]), line("C2", 2, "10.00", ["cables"])],
                   [rule(1, reward)])  # fmt: skip
    # Set = A(90) + C1(20) + one C2(10) = 120 -> 100: 20 off spread by value.
    assert result.discount_total == D("20.00")
    assert result.lines[0].discount == D("15.00")


@pytest.mark.django_db
def test_bundle_price(storefront, marketer, catalog):
    reward = {"type": "bundle", "items": [{"sku": "TV-55", "quantity": 1}, {"category": "cables", "quantity": 2}],
              "price": "54000.00"}  # fmt: skip
    create_promotion(marketer, reward=reward)
    result = evaluate(storefront, [tv(), hdmi(3)])
    assert result["discount_total"] == "900.00"
    assert sum(Decimal(d) for d in discounts(result)) == D("900.00")


def test_a_bundle_over_the_whole_catalogue_is_found_by_its_items():
    reward = {"type": "bundle", "items": [{"sku": "A", "quantity": 1}, {"category": "cables", "quantity": 1}],
              "price": "25.00"}  # fmt: skip
    index = compile_index([rule(1, reward)])
    without_the_set = Cart("USD", (line("B", 1, "20.00"), line("C", 1, "10.00")))
    assert index.candidates(without_the_set, None) == []
    with_the_set = [line("B", 1, "20.00"), line("A", 1, "20.00"), line("C", 1, "10.00", ["cables"])]
    assert [item.id for item in index.candidates(Cart("USD", tuple(with_the_set)), None)] == [1]
    assert [item.discount for item in price(with_the_set, [rule(1, reward)]).lines] == [D(0), D("3.33"), D("1.67")]


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "bundle", "items": [{"quantity": 1}], "price": "1"}, "reward.items.0"),
        ({"type": "bundle", "items": [], "price": "1"}, "reward.items"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field

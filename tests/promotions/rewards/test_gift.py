"""`gift`: an item given with the order, no money off."""

from decimal import Decimal

import pytest

from promotions.engine.definition import parse_reward
from promotions.engine.parsing import DefinitionError
from tests.promotions.conftest import create_promotion, evaluate, tv
from tests.promotions.engine_helpers import line, price, rule

D = Decimal


def test_a_gift_is_given_and_takes_nothing_off():
    result = price([line("A", 1, "10.00")], [rule(2, {"type": "gift", "sku": "MUG"})], shipping="80.00")
    assert [(gift.sku, gift.quantity) for gift in result.gifts] == [("MUG", 1)]
    assert (result.discount_total, result.total) == (D("0.00"), D("90.00"))


@pytest.mark.django_db
def test_a_gift_through_the_api(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "gift", "sku": "MUG", "quantity": 2})
    result = evaluate(storefront, [tv()], shipping_price="120.00")
    assert result["gifts"][0]["sku"] == "MUG" and result["gifts"][0]["quantity"] == 2
    assert result["total"] == "54120.00"


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "gift"}, "reward.sku"),
        ({"type": "gift", "sku": "MUG", "quantity": 0}, "reward.quantity"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field

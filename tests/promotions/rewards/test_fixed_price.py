"""`fixed_price`: each targeted unit costs the price; units already cheaper are left alone."""

from decimal import Decimal

import pytest

from promotions.engine.definition import parse_reward
from promotions.engine.parsing import DefinitionError
from tests.promotions.engine_helpers import line, price, rule

D = Decimal


def test_fixed_price_per_unit():
    result = price([line("A", 2, "150.00")], [rule(1, {"type": "fixed_price", "value": "99.00"})])
    assert result.total == D("198.00")


def test_units_already_below_the_price_are_left_alone():
    result = price(
        [line("A", 1, "50.00"), line("B", 2, "150.00")], [rule(1, {"type": "fixed_price", "value": "99.00"})]
    )
    assert [item.discount for item in result.lines] == [D("0.00"), D("102.00")]


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "fixed_price", "value": "-1"}, "reward.value"),
        ({"type": "fixed_price", "value": "1", "per": "item"}, "reward.per"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field

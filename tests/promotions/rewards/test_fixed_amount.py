"""`fixed_amount`: an amount off the targeted lines together (`per: order`) or off each unit (`per: item`),
optionally only on the `max_units` cheapest units (Oscar's `max_affected_items`; cases name their source).
"""

from decimal import Decimal

import pytest

from promotions.engine import CodeRecord
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


def test_fixed_amount_per_order_three_way_split_of_ten_cents():
    result = price(
        [line("A", 1, "1.00"), line("B", 1, "1.00"), line("C", 1, "1.00")],
        [rule(1, {"type": "fixed_amount", "value": "0.10", "per": "order"})],
    )
    assert [item.discount for item in result.lines] == [D("0.04"), D("0.03"), D("0.03")]
    assert result.total == D("2.90")


def test_fixed_amount_per_item_never_below_zero():
    result = price([line("A", 3, "5.00")], [rule(1, {"type": "fixed_amount", "value": "7.00", "per": "item"})])
    assert result.lines[0].total == D("0.00")
    assert result.discount_total == D("15.00")


def test_a_reward_worth_nothing_in_the_currency_is_not_applied_and_its_code_says_so():
    rules = [
        rule(1, {"type": "fixed_amount", "value": "0", "per": "item"}, trigger="code"),
        rule(2, {"type": "fixed_amount", "value": "0.4", "per": "item"}, trigger="code"),  # 0 yen
    ]
    records = [CodeRecord("ZERO", 1), CodeRecord("TINY", 2)]
    result = price([line("A", 2, "500")], rules, currency="JPY", entered=["ZERO", "TINY"], records=records)
    assert result.applied == ()
    assert [(code.code, code.reason) for code in result.codes] == [
        ("ZERO", "no_applicable_items"),
        ("TINY", "no_applicable_items"),
    ]


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_oscar_fixed_amount_max_one_item_on_six_two_dollar_items(storefront, marketer, catalog):
    # test_absolute_benefit.py TestAnAbsoluteDiscountWithMaxItemsSetAppliedWithValueCondition,
    # ..._with_lower_prices_than_discount: 3.00 off one item worth 2.00 gives 2.00.
    create_promotion(marketer, reward={"type": "fixed_amount", "value": "3.00", "max_units": 1},
                     eligibility={"min_subtotal": "10.00"})  # fmt: skip
    assert priced(storefront, basket(("2.00", 6)))["discount_total"] == "2.00"


@pytest.mark.django_db
def test_fixed_amount_per_item_on_at_most_two_units(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "fixed_amount", "value": "3.00", "per": "item", "max_units": 2})
    result = priced(storefront, basket(("12.00", 2), ("2.00", 3)))
    # The two cheapest units are 2.00 each: 3.00 off each is capped at what each is worth.
    assert [item["discount"] for item in result["lines"]] == ["0.00", "4.00"]


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "fixed_amount", "value": "1", "per": "week"}, "reward.per"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "fixed_amount", "value": "1", "max_units": "2"}, "reward.max_units"),
    ],
)
@pytest.mark.django_db
def test_bad_options_are_a_400_naming_the_field(marketer, reward, field):
    response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": reward}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()

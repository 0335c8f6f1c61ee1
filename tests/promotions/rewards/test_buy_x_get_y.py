"""`buy_x_get_y`: for every X targeted units the cheapest Y (of `get_target` if given) are free, a percentage
or an amount off, or at a price."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine.definition import parse_reward
from promotions.engine.parsing import DefinitionError
from tests.promotions.conftest import create_promotion, evaluate, hdmi, tv
from tests.promotions.engine_helpers import line, price, rule

D = Decimal


def product(n, unit_price, quantity):
    return {"sku": f"P{n}", "quantity": quantity, "unit_price": unit_price}


def basket(*lines):
    return [product(n, unit_price, quantity) for n, (unit_price, quantity) in enumerate(lines)]


def priced(client, lines, **cart):
    return evaluate(client, lines, currency="USD", **cart)


def discounts(result):
    return [item["discount"] for item in result["lines"]]


def test_buy_two_get_one_discounts_the_cheapest_units_repeatedly():
    result = price(
        [line("A", 3, "10.00"), line("B", 3, "4.00")],
        [rule(1, {"type": "buy_x_get_y", "buy": 2, "get": 1})],
    )
    # 6 units -> 2 applications -> the two cheapest units (B at 4.00) are free.
    assert [item.discount for item in result.lines] == [D(0), D("8.00")]


def test_buy_x_get_y_with_another_target_and_max_applications():
    reward = {"type": "buy_x_get_y", "buy": 1, "get": 1, "percent_off": "50", "get_target": {"skus": ["SOCK"]},
              "max_applications": 1}  # fmt: skip
    result = price([line("SHIRT", 2, "30.00"), line("SOCK", 3, "6.00")], [rule(1, reward, target={"skus": ["SHIRT"]})])
    assert [item.discount for item in result.lines] == [D(0), D("3.00")]


@pytest.mark.django_db
def test_buy_two_get_one_free_discounts_cheapest(storefront, marketer, catalog):
    create_promotion(
        marketer, target={"categories": ["electronics"]}, reward={"type": "buy_x_get_y", "buy": 2, "get": 1}
    )
    result = evaluate(storefront, [tv(2), hdmi(1)])
    assert discounts(result) == ["0.00", "450.00"]


@pytest.mark.django_db
def test_buy_two_get_one_at_a_fixed_amount_off_or_a_fixed_price(storefront, marketer, catalog):
    lines = basket(("10.00", 2), ("4.00", 1))
    create_promotion(marketer, name="1.50 off", reward={"type": "buy_x_get_y", "buy": 2, "get": 1,
                                                        "amount_off": "1.50"})  # fmt: skip
    result = priced(storefront, lines)
    assert [item["discount"] for item in result["lines"]] == ["0.00", "1.50"]  # the cheapest unit is the Y

    marketer.patch(f"/api/v1/promotions/{result['applied'][0]['promotion']}",
                   {"reward": {"type": "buy_x_get_y", "buy": 2, "get": 1, "price": "1.00"}}, format="json")  # fmt: skip
    assert [item["discount"] for item in priced(storefront, lines)["lines"]] == ["0.00", "3.00"]


@pytest.mark.django_db
def test_buy_x_get_y_amount_off_never_exceeds_the_unit(storefront, marketer, catalog):
    create_promotion(marketer, reward={"type": "buy_x_get_y", "buy": 1, "get": 1, "amount_off": "50.00"})
    assert priced(storefront, basket(("10.00", 2)))["discount_total"] == "10.00"


@settings(max_examples=100, deadline=None)
@given(
    st.integers(2, 12), st.integers(0, 10), st.integers(0, 100_000), st.integers(1, 3), st.integers(1, 2),
    st.one_of(st.none(), st.integers(1, 3)),
)  # fmt: skip
def test_buy_x_get_y_gives_the_same_for_units_in_one_line_or_two(quantity, cut, cents, buy, get, max_applications):
    reward = {"type": "buy_x_get_y", "buy": buy, "get": get}
    if max_applications:
        reward["max_applications"] = max_applications
    rules = [rule(1, reward, target={"skus": ["A"]})]
    unit_price = Decimal(cents) / 100
    first = 1 + cut % (quantity - 1)
    whole = price([line("A", quantity, unit_price)], rules)
    split = price([line("A", first, unit_price), line("A", quantity - first, unit_price)], rules)
    assert whole.discount_total == split.discount_total


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "buy_x_get_y", "buy": 0, "get": 1}, "reward.buy"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "buy_x_get_y", "buy": 1, "get": 1, "percent_off": "50", "price": "1"}, "reward"),
    ],
)
@pytest.mark.django_db
def test_bad_options_are_a_400_naming_the_field(marketer, reward, field):
    response = marketer.post("/api/v1/promotions", {"name": "Bad", "reward": reward}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.json()

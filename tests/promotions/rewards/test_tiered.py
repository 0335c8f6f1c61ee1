"""`tiered`: the highest tier the threshold basis reaches; the lowest tier is the reward's threshold.
How the basis is chosen (cart or targeted lines, read as the stage starts) is in test_engine_thresholds.py.
"""

from decimal import Decimal

import pytest

from promotions.engine import CodeRecord
from promotions.engine.definition import parse_reward
from promotions.engine.parsing import DefinitionError
from tests.promotions.conftest import create_promotion, evaluate, rice
from tests.promotions.engine_helpers import line, price, rule

D = Decimal

TIER_2000 = {"min_subtotal": "2000", "percent": "15"}


def test_tiered_takes_the_highest_tier_on_the_discounted_subtotal():
    rules = [
        rule(1, {"type": "percentage", "value": "10"}, target={"skus": ["A"]}),
        rule(2, {"type": "tiered", "tiers": [{"min_subtotal": "1000", "amount": "100"}, TIER_2000]}),
    ]
    result = price([line("A", 1, "2100.00")], rules)
    # 2100 - 210 = 1890: below 2000, so the 100 tier applies.
    assert result.discount_total == D("310.00")


def test_below_the_lowest_tier_a_code_says_how_much_to_spend():
    tiers = {"type": "tiered", "tiers": [TIER_2000, {"min_subtotal": "1000", "amount": "100"}]}
    rules = [rule(1, tiers, trigger="code")]
    result = price([line("A", 1, "999.99")], rules, entered=["SPEND"], records=[CodeRecord("SPEND", 1)])
    assert (result.codes[0].reason, result.codes[0].message) == (
        "min_subtotal_not_met",
        "Spend at least 1000 USD to use this code.",
    )
    assert price(
        [line("A", 1, "1000.00")], rules, entered=["SPEND"], records=[CodeRecord("SPEND", 1)]
    ).discount_total == D("100")


@pytest.mark.django_db
def test_tiered_on_the_discounted_subtotal(storefront, marketer, catalog):
    create_promotion(marketer, name="Rice 10%", target={"skus": ["RICE"]}, reward={"type": "percentage", "value": "10"})
    tiers = [{"min_subtotal": "1000.00", "amount": "100.00"}, {"min_subtotal": "2000.00", "percent": "15"}]
    create_promotion(marketer, name="Spend more", reward={"type": "tiered", "tiers": tiers})
    result = evaluate(storefront, [rice(21)])  # 2100 - 210 = 1890: the 1000 tier
    assert result["discount_total"] == "310.00"
    assert [a["name"] for a in result["applied"]] == ["Rice 10%", "Spend more"]


@pytest.mark.parametrize(
    ("reward", "field"),
    [
        ({"type": "tiered", "tiers": [{"min_subtotal": "1", "amount": "1", "percent": "2"}]}, "reward.tiers.0"),
        ({"type": "tiered", "tiers": []}, "reward.tiers"),
    ],
)
def test_bad_definitions_name_the_field(reward, field):
    with pytest.raises(DefinitionError) as error:
        parse_reward(reward)
    assert error.value.field == field

"""What an offer is worth (promotions/offer_value.py): hand-computed values and the ranking's invariants."""

from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine.money import MAX_PLACES
from promotions.offer_value import offer_value, ranked, worth_of
from tests.promotions.engine_helpers import rule

QUARTER = (1, 4)  # the retailer's margin
BDT = 2


def _value(reward, usual_units, eligibility=None):
    return offer_value(rule(1, reward, eligibility=eligibility), usual_units=usual_units, places=BDT, margin=QUARTER)


def test_a_percentage_saves_its_share_of_the_usual_order():
    value = _value({"type": "percentage", "value": "15"}, 200_000)
    assert (value.basket_units, value.saving_units, value.expected_units) == (200_000, 30_000, 30_000)
    assert str(value.expected) == "300.00"


def test_a_threshold_above_the_usual_order_weighs_its_saving_and_uplift_by_reach():
    value = _value({"type": "fixed_amount", "value": "500"}, 200_000, {"min_subtotal": "4000"})
    # reach 2,000 / 4,000; saving 500; the retailer's 25% of the extra 2,000: 0.5 × (500 + 500) = 500.
    assert (value.basket_units, value.saving_units, value.expected_units) == (400_000, 50_000, 50_000)


def test_a_tiered_reward_saves_the_tier_the_basket_reaches():
    tiers = {"type": "tiered", "tiers": [{"min_subtotal": "1000", "percent": "5"}, {"min_subtotal": "3000",
                                                                                     "percent": "10"}]}  # fmt: skip
    assert _value(tiers, 200_000).saving_units == 10_000  # 5% of 2,000
    assert _value(tiers, 300_000).saving_units == 30_000  # 10% of 3,000


def test_rewards_whose_saving_needs_a_cart_count_only_their_uplift():
    shipping = _value({"type": "free_shipping"}, 200_000)
    assert (shipping.saving_units, shipping.expected_units) == (0, 0)


def test_ties_go_to_the_higher_priority_then_the_name():
    reward = {"type": "percentage", "value": "10"}
    rules = {1: rule(1, reward, name="B"), 2: rule(2, reward, name="A"), 3: rule(3, reward, name="C", priority=5)}
    values = {pk: offer_value(r, usual_units=100_000, places=BDT, margin=QUARTER) for pk, r in rules.items()}
    assert ranked(values, rules) == [3, 2, 1]


@given(
    usual=st.integers(min_value=1, max_value=10**9),
    threshold=st.integers(min_value=0, max_value=10**9),
    percent=st.integers(min_value=1, max_value=100),
)
def test_an_offer_never_saves_more_than_its_basket_and_is_never_worth_less_than_nothing(usual, threshold, percent):
    eligibility = {"min_subtotal": f"{threshold // 100}.{threshold % 100:02d}"} if threshold else None
    value = _value({"type": "percentage", "value": str(percent)}, usual, eligibility)
    assert value.basket_units == max(usual, threshold)
    assert 0 <= value.saving_units <= value.basket_units
    assert value.expected_units >= 0
    # Worth at most the saving plus the margin on the extra spend (reach is at most 1).
    assert value.expected_units <= value.saving_units + (value.basket_units - usual) // 4 + 1


def _money(units: int) -> str:
    return f"{units // 100}.{units % 100:02d}"


amounts = st.integers(min_value=0, max_value=10**7).map(_money)
percents = st.integers(min_value=1, max_value=100).map(str)
every_reward = st.one_of(
    st.builds(lambda value, cap: {"type": "percentage", "value": value, **({"max_discount": cap} if cap else {})},
              percents, st.none() | amounts),
    st.builds(lambda value, per: {"type": "fixed_amount", "value": value, "per": per}, amounts,
              st.sampled_from(["order", "item"])),
    st.builds(lambda value: {"type": "fixed_price", "value": value}, amounts),
    st.builds(lambda low, high, amount, percent: {"type": "tiered", "tiers": [
        {"min_subtotal": low, "amount": amount}, {"min_subtotal": high, "percent": percent}]},
        amounts, amounts, amounts, percents),
    st.just({"type": "buy_x_get_y", "buy": 2, "get": 1}),
    st.just({"type": "bundle", "items": [{"sku": "A"}, {"sku": "B"}], "price": "10"}),
    st.just({"type": "free_shipping"}),
    st.just({"type": "gift", "sku": "G"}),
)  # fmt: skip


@settings(max_examples=400)
@given(
    reward=every_reward,
    threshold=st.none() | amounts,
    usual=st.integers(min_value=-5, max_value=10**9) | st.sampled_from([0, 1, 99, 100, 50_000, 100_000]),
    places=st.integers(min_value=0, max_value=MAX_PLACES),
    margin=st.sampled_from([(0, 1), (1, 4), (3, 10), (1, 1)]),
)
def test_the_worth_worked_out_once_values_every_offer_as_the_full_valuation(reward, threshold, usual, places, margin):
    """What the ranking uses (promotions/offer_value.py `Worth`, built once per index) is the full valuation's
    expected value for any reward, threshold, usual order and currency exponent."""
    promotion = rule(1, reward, eligibility={"min_subtotal": threshold} if threshold else None)
    full = offer_value(promotion, usual_units=usual, places=places, margin=margin)
    assert worth_of(promotion).expected_units(usual, places, margin) == full.expected_units

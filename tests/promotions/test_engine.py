"""The pricing engine on plain data: targeting, stacking, rounding, reasons (each reward type: rewards/)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from promotions.engine import CodeRecord, CustomerFacts, PromotionUsage
from promotions.engine.money import allocate
from tests.promotions.engine_helpers import NOW, line, price, rule

D = Decimal


def test_allocate_splits_ten_cents_three_ways_to_the_cent():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]


def test_allocate_gives_leftover_units_to_the_largest_remainders():
    # 100 over 1:2:4 is 14.29 / 28.57 / 57.14: the one unit left goes to the second remainder (.57).
    assert allocate(100, [1, 2, 4]) == [14, 29, 57]


def test_amounts_finer_than_the_currency_are_refused():
    with pytest.raises(ValueError, match=r"10\.005"):
        price([line("A", 1, "10.005")], [], currency="USD")
    with pytest.raises(ValueError, match=r"0\.5"):
        price([line("A", 1, "100")], [], currency="JPY", shipping="0.5")


def test_a_promotion_found_by_sku_and_by_category_discounts_each_line_once():
    reward = {"type": "fixed_amount", "value": "30.00", "per": "order"}
    rules = [rule(1, reward, target={"skus": ["A"], "categories": ["tv"]})]
    result = price([line("A", 1, "100.00", ["tv"]), line("B", 1, "50.00", ["tv"]), line("C", 1, "10.00")], rules)
    # 30.00 spread 2:1 over A and B; were A counted twice it would take 12.00 of an 18.00 discount.
    assert [item.discount for item in result.lines] == [D("20.00"), D("10.00"), D(0)]


def test_a_category_named_twice_on_a_line_counts_the_line_once():
    rules = [rule(1, {"type": "fixed_amount", "value": "30.00", "per": "order"}, target={"categories": ["tv"]})]
    result = price([line("A", 1, "100.00", ["tv", "tv"]), line("B", 1, "100.00", ["tv"])], rules)
    assert [item.discount for item in result.lines] == [D("15.00"), D("15.00")]


def test_category_targeting_includes_descendants_and_exclusions_win():
    rules = [
        rule(1, {"type": "percentage", "value": "10"}, target={"categories": ["electronics"], "exclude_skus": ["B"]})
    ]
    lines = [line("A", 1, "100.00", ["tv", "electronics"]), line("B", 1, "100.00", ["tv", "electronics"])]
    result = price(lines, rules)
    assert [item.discount for item in result.lines] == [D("10.00"), D(0)]


def test_exclusive_best_for_customer_wins_and_losing_code_is_not_combinable():
    rules = [
        rule(1, {"type": "percentage", "value": "10"}),
        rule(2, {"type": "percentage", "value": "30"}, stacking="exclusive", trigger="code"),
        rule(3, {"type": "fixed_amount", "value": "5"}, trigger="code"),
    ]
    records = [CodeRecord("BIG30", 2), CodeRecord("FIVE", 3)]
    assert price([line("A", 1, "100.00")], rules).discount_total == D("10.00")
    result = price([line("A", 1, "100.00")], rules, entered=["big30", "five"], records=records)
    assert result.discount_total == D("30.00")
    assert [item.promotion_id for item in result.applied] == [2]
    assert [(c.code, c.status, c.reason) for c in result.codes] == [
        ("big30", "applied", None),
        ("five", "rejected", "not_combinable"),
    ]


def test_combinable_set_beats_a_weaker_exclusive_code():
    rules = [
        rule(1, {"type": "percentage", "value": "20"}),
        rule(2, {"type": "percentage", "value": "15"}, stacking="exclusive", trigger="code"),
    ]
    result = price([line("A", 1, "100.00")], rules, entered=["X"], records=[CodeRecord("X", 2)])
    assert result.discount_total == D("20.00")
    assert result.codes[0].reason == "not_combinable"


def test_equally_good_exclusives_go_to_the_higher_priority_then_the_combinable_set_wins_ties():
    cart = [line("A", 1, "100.00")]
    ten_off = {"type": "fixed_amount", "value": "10", "per": "order"}
    exclusives = [
        rule(1, ten_off, name="low", priority=1, stacking="exclusive"),
        rule(2, ten_off, name="high", priority=5, stacking="exclusive"),
        rule(3, ten_off, name="middle", priority=3, stacking="exclusive"),
    ]
    for order in (exclusives, exclusives[::-1]):
        assert [item.name for item in price(cart, order).applied] == ["high"]
    # A combinable set that gives as much as the best exclusive keeps the cart.
    with_set = [*exclusives, rule(4, {"type": "percentage", "value": "10"}, name="set", priority=0)]
    assert [item.name for item in price(cart, with_set).applied] == ["set"]


def test_an_equally_good_exclusive_of_higher_priority_wins_though_its_bound_is_lower():
    # "Half off one unit" could take off 10.00 of the two units, is priced first and gives
    # 5.00; "5 off" can at most tie with it, and a tie goes to its higher priority.
    cart = [line("A", 2, "10.00")]
    rules = [
        rule(1, {"type": "percentage", "value": "50", "max_units": 1}, name="half off one", stacking="exclusive"),
        rule(2, {"type": "fixed_amount", "value": "5"}, name="5 off", priority=1, stacking="exclusive"),
    ]
    result = price(cart, rules)
    assert [item.name for item in result.applied] == ["5 off"]
    assert result.discount_total == D("5.00")


def test_two_codes_of_one_promotion_discount_once():
    rules = [rule(1, {"type": "fixed_amount", "value": "10"}, trigger="code")]
    records = [CodeRecord("AAA", 1, 0, 1), CodeRecord("BBB", 1, 0, 1)]
    result = price([line("A", 1, "100.00")], rules, entered=["AAA", "BBB"], records=records)
    assert result.discount_total == D("10.00")
    assert [c.reason for c in result.codes] == [None, "not_combinable"]


def test_jpy_and_kwd_are_quantised_to_their_minor_units():
    rules = [rule(1, {"type": "percentage", "value": "33.3333"})]
    jpy = price([line("A", 1, "1001"), line("B", 2, "333")], rules, currency="JPY")
    assert jpy.discount_total == D("556")
    assert sum(item.discount for item in jpy.lines) == jpy.discount_total
    kwd = price([line("A", 1, "1.005")], [rule(1, {"type": "percentage", "value": "50"})], currency="KWD")
    assert kwd.discount_total == D("0.503")


def _reason(rules, *, entered="CODE", records=None, lines=None, **context):
    records = records or [CodeRecord("CODE", 1)]
    result = price(lines or [line("A", 1, "100.00", ["tv"])], rules, entered=[entered], records=records, **context)
    return result.codes[0].reason


def code_rule(reward=None, **fields):
    return rule(1, reward or {"type": "percentage", "value": "10"}, trigger="code", **fields)


@pytest.mark.parametrize(
    ("fields", "context", "reason"),
    [
        ({"status": "paused"}, {}, "inactive"),
        ({"status": "draft"}, {}, "inactive"),
        ({"starts_at": NOW + timedelta(days=1)}, {}, "not_started"),
        ({"ends_at": NOW}, {}, "expired"),
        ({"stores": frozenset({"DHK-01"})}, {"store": "ARU-01"}, "not_eligible_store"),
        ({"channels": frozenset({"pos"})}, {"channel": "web"}, "not_eligible_store"),
        ({"usage_limit_per_customer": 1}, {}, "customer_required"),
        ({"eligibility": {"segments": ["vip"]}}, {"customer": CustomerFacts("C1")}, "not_eligible_customer"),
        ({"eligibility": {"first_order_only": True}}, {"customer": CustomerFacts("C1", is_first_order=False)},
         "not_eligible_customer"),
        ({"usage_limit": 5}, {"usage": {1: PromotionUsage(used=5)}}, "usage_limit_reached"),
        ({"usage_limit_per_customer": 1}, {"customer": CustomerFacts("C1", promotion_uses={1: 1})},
         "customer_limit_reached"),
        ({"budget": D("100")}, {"usage": {1: PromotionUsage(budget_spent=D("100"))}}, "budget_exhausted"),
        # Less than a cent left is nothing left to give.
        ({"budget": D("20.005")}, {"usage": {1: PromotionUsage(budget_spent=D("20.00"))}}, "budget_exhausted"),
        ({"eligibility": {"min_subtotal": "500"}}, {}, "min_subtotal_not_met"),
        ({"target": {"skus": ["OTHER"]}}, {}, "no_applicable_items"),
        ({"eligibility": {"min_quantity": 2}}, {}, "no_applicable_items"),
    ],
)  # fmt: skip
def test_reason_codes(fields, context, reason):
    assert _reason([code_rule(**fields)], **context) == reason


def test_unknown_and_exhausted_unique_codes():
    assert _reason([code_rule()], entered="NOPE") == "not_found"
    assert _reason([code_rule()], records=[CodeRecord("CODE", 1, used=1, usage_limit=1)]) == "usage_limit_reached"


def test_eligible_customer_gets_the_code():
    facts = CustomerFacts("C1", segments=frozenset({"vip"}), is_first_order=True)
    rules = [code_rule(eligibility={"segments": ["vip", "staff"], "first_order_only": True})]
    assert _reason(rules, customer=facts) is None


def test_budget_caps_the_discount_to_what_is_left():
    rules = [rule(1, {"type": "percentage", "value": "50"}, budget=D("30"))]
    result = price([line("A", 1, "100.00")], rules, usage={1: PromotionUsage(budget_spent=D("10"))})
    assert result.discount_total == D("20.00")


def test_a_budget_left_with_a_fraction_of_a_cent_is_never_overspent():
    rules = [rule(1, {"type": "percentage", "value": "50"}, budget=D("20.005"))]
    assert price([line("A", 1, "100.00")], rules).discount_total == D("20.00")


def test_anonymous_carts_get_only_public_promotions():
    rules = [rule(1, {"type": "percentage", "value": "10"}, eligibility={"segments": ["vip"]}),
             rule(2, {"type": "percentage", "value": "5"})]  # fmt: skip
    assert [item.promotion_id for item in price([line("A", 1, "100")], rules).applied] == [2]


def test_store_scoped_promotions_only_reach_their_store():
    rules = [rule(1, {"type": "percentage", "value": "10"}, stores=frozenset({"DHK-01"}))]
    assert price([line("A", 1, "100")], rules, store="DHK-01").discount_total == D("10")
    assert price([line("A", 1, "100")], rules, store="ARU-01").discount_total == D("0")
    assert price([line("A", 1, "100")], rules).discount_total == D("0")

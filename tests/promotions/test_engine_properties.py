"""Properties of the engine that must hold for any cart and any mix of promotions."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine import Cart, Context, compile_index, evaluate
from promotions.engine.money import allocate, exponent, minor_unit
from promotions.engine.types import LINES, TIERED, CodeRecord, PromotionUsage
from tests.promotions.engine_helpers import NOW, line, price, rule

ZERO = Decimal(0)

CURRENCIES = ["USD", "JPY", "KWD", "BDT"]
SKUS = ["A", "B", "C", "D"]
CATEGORIES = ["tv", "cables", "audio"]
PER = ["order", "item"]


def money(max_units=100_000):
    return st.integers(min_value=0, max_value=max_units)


targets = st.one_of(
    st.just({}),
    st.builds(lambda skus: {"skus": skus}, st.lists(st.sampled_from(SKUS), min_size=1, max_size=2, unique=True)),
    st.builds(lambda cats: {"categories": cats}, st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2)),
    st.builds(lambda sku: {"exclude_skus": [sku]}, st.sampled_from(SKUS)),
)
percents = st.integers(min_value=0, max_value=100).map(str)
amounts = st.integers(min_value=0, max_value=5000).map(str)


def _percentage(value, cap, max_units):
    optional = {"max_discount": cap, "max_units": max_units}
    return {"type": "percentage", "value": value, **{key: v for key, v in optional.items() if v}}


def _fixed_amount(value, per, max_units):
    return {"type": "fixed_amount", "value": value, "per": per, **({"max_units": max_units} if max_units else {})}


def _buy_x_get_y(buy, get, discount):
    return {"type": "buy_x_get_y", "buy": buy, "get": get, **discount}


max_units = st.one_of(st.none(), st.integers(1, 5))


def _bundle(quantity, bundle_price):
    items = [{"sku": "A", "quantity": 1}, {"category": "cables", "quantity": quantity}]
    return {"type": "bundle", "items": items, "price": bundle_price}


def _tiered(low, amount, percent):
    return {"type": "tiered", "tiers": [{"min_subtotal": low, "amount": amount},
                                        {"min_subtotal": str(int(low) * 2 + 1), "percent": percent}]}  # fmt: skip


rewards = st.one_of(
    st.builds(_percentage, percents, st.one_of(st.none(), amounts), max_units),
    st.builds(_fixed_amount, amounts, st.sampled_from(PER), max_units),
    st.builds(lambda v: {"type": "fixed_price", "value": v}, amounts),
    st.builds(
        _buy_x_get_y,
        st.integers(1, 3),
        st.integers(1, 2),
        st.one_of(
            st.builds(lambda p: {"percent_off": p}, percents),
            st.builds(lambda a: {"amount_off": a}, amounts),
            st.builds(lambda a: {"price": a}, amounts),
        ),
    ),
    st.builds(_bundle, st.integers(1, 2), amounts),
    st.builds(_tiered, amounts, amounts, percents),
    st.builds(
        lambda m, p: {"type": "free_shipping", **({"max_amount": m} if m else {}), **({"percent": p} if p else {})},
        st.one_of(st.none(), amounts),
        st.one_of(st.none(), percents),
    ),
)
promotions = st.lists(
    st.tuples(rewards, targets, st.integers(0, 3), st.sampled_from(["combinable", "combinable", "exclusive"])),
    max_size=6,
)
carts = st.lists(
    st.tuples(st.sampled_from(SKUS), st.integers(1, 4), money(), st.sampled_from(CATEGORIES)), min_size=1, max_size=5
)


def build(currency, cart, definitions, ids):
    unit = minor_unit(currency)
    lines = [line(sku, quantity, Decimal(units) * unit, [category]) for sku, quantity, units, category in cart]
    rules = [
        rule(promotion_id, reward, name=f"p{position}", target=target, priority=priority, stacking=stacking)
        for position, ((reward, target, priority, stacking), promotion_id) in enumerate(
            zip(definitions, ids, strict=True)
        )
    ]
    return lines, rules


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(CURRENCIES), carts, promotions, money(5000))
def test_totals_add_up_and_nothing_goes_below_zero(currency, cart, definitions, shipping_units):
    lines, rules = build(currency, cart, definitions, range(1, len(definitions) + 1))
    shipping = Decimal(shipping_units) * minor_unit(currency)
    result = price(lines, rules, currency=currency, shipping=shipping)
    assert result.total >= 0
    assert all(item.total >= 0 and item.discount >= 0 for item in result.lines)
    assert sum((item.discount for item in result.lines), ZERO) == result.discount_total
    assert sum((applied.amount for applied in result.applied), ZERO) == result.discount_total + result.shipping_discount
    for position, item in enumerate(result.lines):
        assert sum((applied.line_discounts.get(position, ZERO) for applied in result.applied), ZERO) == item.discount
        assert item.discount == item.discount.quantize(minor_unit(currency))
    assert 0 <= result.shipping_discount <= shipping


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CURRENCIES), carts, promotions, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_creation_or_listing_order(currency, cart, definitions, random):
    ids = list(range(1, len(definitions) + 1))
    lines, rules = build(currency, cart, definitions, ids)
    shuffled_ids = ids[:]
    random.shuffle(shuffled_ids)
    _, recreated = build(currency, cart, definitions, shuffled_ids)  # same promotions, other creation order
    random.shuffle(recreated)
    first = price(lines, rules, currency=currency)
    second = price(lines, recreated, currency=currency)
    assert [item.discount for item in first.lines] == [item.discount for item in second.lines]
    assert sorted((a.name, a.amount) for a in first.applied) == sorted((a.name, a.amount) for a in second.applied)


@settings(max_examples=100, deadline=None)
@given(money(10_000_000), st.lists(money(), min_size=1, max_size=8))
def test_allocation_sums_exactly_and_never_exceeds_a_weight(total_units, weights):
    total = min(total_units, sum(weights))
    parts = allocate(total, weights)
    assert sum(parts) == (total if sum(weights) > 0 else 0)
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


any_rewards = st.one_of(
    rewards,
    st.builds(lambda sku: {"type": "gift", "sku": sku, "quantity": 1}, st.sampled_from(SKUS)),
    st.builds(  # its Y units may be on lines it does not target
        lambda buy, sku: {"type": "buy_x_get_y", "buy": buy, "get": 1, "get_target": {"skus": [sku]}},
        st.integers(1, 2),
        st.sampled_from(SKUS),
    ),
)
exclusive_heavy = st.lists(
    st.tuples(
        any_rewards,
        targets,
        st.integers(0, 3),
        st.sampled_from(["combinable", "exclusive", "exclusive"]),
        st.sampled_from(["automatic", "automatic", "code"]),
        st.one_of(st.none(), amounts),  # min_subtotal
        st.one_of(st.none(), st.integers(0, 300)),  # budget left, in whole units of the currency
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CURRENCIES), carts, exclusive_heavy, money(5000))
def test_skipping_exclusive_promotions_that_cannot_win_never_changes_the_result(
    currency, cart, definitions, shipping_units
):
    unit = minor_unit(currency)
    lines = [line(sku, quantity, Decimal(units) * unit, [category]) for sku, quantity, units, category in cart]
    rules, codes, usage = [], {}, {}
    for promotion_id, (reward, target, priority, stacking, trigger, min_subtotal, budget) in enumerate(
        definitions, start=1
    ):
        eligibility = {"min_subtotal": min_subtotal} if min_subtotal else {}
        limits = {"budget": Decimal(500)} if budget is not None else {}
        rules.append(rule(promotion_id, reward, name=f"p{promotion_id}", target=target, eligibility=eligibility,
                          priority=priority, stacking=stacking, trigger=trigger, **limits))  # fmt: skip
        if trigger == "code":
            codes[f"C{promotion_id}"] = CodeRecord(code=f"C{promotion_id}", promotion_id=promotion_id)
        if budget is not None:
            usage[promotion_id] = PromotionUsage(budget_spent=Decimal(500 - budget))
    entered = tuple(codes)
    cart = Cart(currency=currency, lines=tuple(lines), shipping_price=Decimal(shipping_units) * unit, codes=entered)
    context = Context(now=NOW, codes=codes, usage=usage)
    index = compile_index(rules)
    assert evaluate(cart, context, index) == evaluate(cart, context, index, prune=False)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CURRENCIES), carts, any_rewards, targets)
def test_what_a_reward_could_take_off_is_never_less_than_it_takes_alone(currency, cart, reward, target):
    unit = minor_unit(currency)
    lines = [line(sku, quantity, Decimal(units) * unit, [category]) for sku, quantity, units, category in cart]
    alone = rule(1, reward, target=target)
    result = price(lines, [alone], currency=currency, shipping=Decimal(5000) * unit)
    if alone.reward.effect in (LINES, TIERED):
        places = exponent(currency)
        subtotals = [units * quantity for _, quantity, units, _ in cart]
        matched = [i for i, cart_line in enumerate(lines) if alone.target.matches(cart_line)]
        assert result.discount_total <= alone.reward.most_off(lines, subtotals, matched, places) * unit

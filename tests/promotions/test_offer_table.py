"""Next best offer's fast path (the offer table built once per index) gives exactly what running pricing's full
check over every live promotion gives, and ranks them the same, whatever the promotions and the moment."""

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from promotions.engine import Cart, Context, CustomerFacts, PromotionUsage, compile_index
from promotions.engine.evaluate import static_reason
from promotions.offer_table import OfferTable, qualifying_among
from promotions.offer_value import offer_value, ranked
from tests.promotions.engine_helpers import NOW, rule

MARGIN = (3, 10)
FACTS = CustomerFacts(external_id="C-1", segments=frozenset({"vip"}), promotion_uses={1: 1, 2: 3})
REWARDS = (
    {"type": "percentage", "value": "10"},
    {"type": "fixed_amount", "value": "500"},
    {"type": "percentage", "value": "25", "max_discount": "200"},
    {"type": "fixed_price", "value": "99"},
    {"type": "tiered", "tiers": [{"min_subtotal": "1000", "amount": "100"}, {"min_subtotal": "5000", "percent": "10"}]},
    {"type": "free_shipping"},
)
moments = st.sampled_from([None, NOW - timedelta(days=1), NOW, NOW + timedelta(hours=1)])


@st.composite
def promotions(draw, promotion_id):
    starts, ends = draw(moments), draw(moments)
    limited = draw(st.booleans())
    return rule(
        promotion_id,
        draw(st.sampled_from(REWARDS)),
        name=draw(st.sampled_from(["a", "b"])),
        status=draw(st.sampled_from(["active", "scheduled", "paused", "draft", "expired"])),
        starts_at=starts,
        ends_at=ends,
        currency=draw(st.sampled_from(["", "BDT", "TZS"])),
        stores=frozenset(draw(st.sets(st.sampled_from(["S1", "S2"]), max_size=2))),
        channels=frozenset(draw(st.sets(st.sampled_from(["web", "pos"]), max_size=1))),
        priority=draw(st.integers(0, 2)),
        usage_limit=draw(st.sampled_from([None, 5, 10])) if limited else None,
        usage_limit_per_customer=draw(st.sampled_from([None, 1, 3])),
        budget=draw(st.sampled_from([None, Decimal("100"), Decimal("0.001")])),
        eligibility={
            "min_subtotal": draw(st.sampled_from([None, "1000", "5000"])),
            "segments": draw(st.sampled_from([[], ["vip"], ["students"]])),
            "payment_methods": draw(st.sampled_from([[], ["card"], ["card", "bkash"]])),
        },
    )


def straightforward(rules, now, currency, usage):
    """The full check for every rule, in a context made for it (what the request did before the table)."""
    qualifying = []
    for candidate in rules.values():
        if candidate.currency and currency and candidate.currency != currency:
            continue
        context = Context(
            now=now,
            store=next(iter(candidate.stores), None),
            channel=next(iter(candidate.channels), None),
            payment_method=next(iter(candidate.eligibility.payment_methods), None),
            customer=FACTS,
            usage=usage,
        )
        cart = Cart(currency=candidate.currency or currency or "USD", lines=())
        if static_reason(candidate, cart, context, None) is None:
            qualifying.append(candidate.id)
    return qualifying


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    count=st.integers(0, 25),
    currency=st.sampled_from(["", "BDT", "TZS"]),
    later=st.sampled_from([timedelta(0), timedelta(minutes=30), timedelta(days=2)]),
    spent=st.sampled_from([0, 5, 10]),
)
def test_the_table_qualifies_and_ranks_as_the_full_check_does(data, count, currency, later, spent):
    rules = [data.draw(promotions(promotion_id)) for promotion_id in range(1, count + 1)]
    index = compile_index(rules)
    usage = {r.id: PromotionUsage(used=spent, budget_spent=Decimal(spent)) for r in rules if r.has_counters}
    table = OfferTable(index.by_id, shared_codes={})  # built once, asked at several moments: time passes while it lives
    for now in (NOW, NOW + later):
        ready, to_check = table.open_at(now, currency)
        fast = qualifying_among(ready, to_check, now=now, currency=currency, facts=FACTS, usage=usage)
        expected = straightforward(index.by_id, now, currency, usage)
        assert sorted(candidate.rule.id for candidate in fast) == sorted(expected)

        # The request ranks by the worth worked out with the table; the full valuation of each offer ranks the same.
        for usual in (1, 150_000, 400_000, 900_000):
            values = {pk: offer_value(index.by_id[pk], usual_units=usual, places=2, margin=MARGIN) for pk in expected}
            by_key = sorted(fast, key=lambda c: (-c.worth.expected_units(usual, 2, MARGIN), c.order))
            assert [candidate.rule.id for candidate in by_key] == ranked(values, index.by_id)

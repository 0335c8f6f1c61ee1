"""Attribution: which campaign earns an order, checked against hand-worked fixtures at every rule and edge."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns.attribution import (
    AttributionModel,
    Basis,
    Credit,
    Order,
    Touch,
    Windows,
    attribute_order,
    attribute_orders,
    credits_by_campaign,
    order_attribution,
)
from config.errors import DomainError

PLACED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
CUSTOMER = 42


def touch(campaign, kind, before, *, channel="sms", customer=CUSTOMER):
    return Touch(campaign_id=campaign, customer_id=customer, kind=kind, channel=channel, at=PLACED - before)


def order(revenue="100.00", *, coupons=(), customer=CUSTOMER, in_store=False, order_id="O-1"):
    return Order(
        order_id=order_id,
        customer_id=customer,
        placed_at=PLACED,
        revenue=Decimal(revenue),
        coupon_campaign_ids=coupons,
        in_store=in_store,
    )


def credited(credits):
    """(campaign, weight, revenue) as strings, the way a report shows them."""
    return [(c.campaign_id, str(c.weight), str(c.revenue)) for c in credits]


HOURS = timedelta(hours=1)
DAYS = timedelta(days=1)


def test_a_redeemed_coupon_gets_full_credit_over_a_later_click():
    touches = [touch(9, "clicked", HOURS)]
    credits = attribute_order(order(coupons=(7,)), touches)
    assert credits == (Credit(7, Decimal("1.000000"), Decimal("100.00"), Basis.COUPON),)


def test_coupons_of_several_campaigns_follow_the_model_in_the_order_they_were_applied():
    placed = order("10.00", coupons=(4, 2))
    assert credited(attribute_order(placed, [], model="last_touch")) == [(2, "1.000000", "10.00")]
    assert credited(attribute_order(placed, [], model="first_touch")) == [(4, "1.000000", "10.00")]
    assert credited(attribute_order(placed, [], model="linear")) == [(2, "0.500000", "5.00"), (4, "0.500000", "5.00")]


def test_an_anonymous_store_order_is_attributed_by_its_coupon_only():
    anonymous = order(coupons=(7,), customer=None, in_store=True)
    assert credited(attribute_order(anonymous, [touch(9, "clicked", HOURS, customer=None)])) == [
        (7, "1.000000", "100.00")
    ]
    assert attribute_order(order(customer=None), [touch(9, "clicked", HOURS, customer=None)]) == ()


CLICKS = [touch(1, "clicked", 4 * DAYS), touch(2, "clicked", 2 * DAYS), touch(1, "clicked", HOURS)]


def test_last_touch_credits_the_last_click_in_the_window():
    assert credited(attribute_order(order(), [*CLICKS, touch(3, "delivered", HOURS / 2)])) == [
        (1, "1.000000", "100.00")
    ]
    assert credited(attribute_order(order(), CLICKS[:2])) == [(2, "1.000000", "100.00")]


def test_first_touch_credits_the_first_click_in_the_window():
    assert credited(attribute_order(order(), CLICKS[1:], model="first_touch")) == [(2, "1.000000", "100.00")]
    assert credited(attribute_order(order(), CLICKS, model=AttributionModel.FIRST_TOUCH)) == [(1, "1.000000", "100.00")]


def test_linear_splits_the_order_among_the_qualifying_clicks():
    # Three clicks, two of them campaign 1's: 2/3 and 1/3 of 100.00 is 66.666… and 33.333…; the left-over
    # cent goes to the larger remainder (.67 vs .33), so 66.67 + 33.33.
    assert credited(attribute_order(order(), CLICKS, model="linear")) == [
        (1, "0.666667", "66.67"),
        (2, "0.333333", "33.33"),
    ]


def test_a_three_way_tie_gives_the_left_over_cent_to_the_lowest_campaign_id():
    touches = [touch(8, "clicked", HOURS), touch(5, "clicked", 2 * HOURS), touch(6, "clicked", 3 * HOURS)]
    assert credited(attribute_order(order(), touches, model="linear")) == [
        (5, "0.333334", "33.34"),
        (6, "0.333333", "33.33"),
        (8, "0.333333", "33.33"),
    ]


def test_the_click_window_includes_its_far_end_and_the_order_instant():
    window_start = [touch(1, "clicked", 5 * DAYS)]
    just_outside = [touch(1, "clicked", 5 * DAYS + TICK)]
    same_instant = [touch(2, "clicked", timedelta(0))]
    just_after = [touch(2, "clicked", -TICK)]
    assert credited(attribute_order(order(), window_start)) == [(1, "1.000000", "100.00")]
    assert attribute_order(order(), just_outside) == ()
    assert credited(attribute_order(order(), same_instant)) == [(2, "1.000000", "100.00")]
    assert attribute_order(order(), just_after) == ()


def test_touches_after_the_order_are_ignored_in_every_model():
    touches = [touch(1, "clicked", 2 * HOURS), touch(2, "clicked", -HOURS), touch(3, "delivered", -2 * HOURS)]
    for model in AttributionModel:
        assert credited(attribute_order(order(), touches, model=model)) == [(1, "1.000000", "100.00")]


def test_a_configured_click_window_moves_the_edge():
    two_days = Windows(click=2 * DAYS)
    assert credited(attribute_order(order(), [touch(1, "clicked", 2 * DAYS)], windows=two_days)) == [
        (1, "1.000000", "100.00")
    ]
    assert attribute_order(order(), [touch(1, "clicked", 2 * DAYS + TICK)], windows=two_days) == ()


def test_without_a_click_a_delivered_sms_earns_receipt_credit_within_a_day():
    at_edge = attribute_order(order(), [touch(4, "delivered", DAYS)])
    assert at_edge == (Credit(4, Decimal("1.000000"), Decimal("100.00"), Basis.RECEIPT),)
    assert attribute_order(order(), [touch(4, "delivered", DAYS + TICK)]) == ()


def test_a_click_outranks_a_later_receipt():
    touches = [touch(1, "clicked", 3 * DAYS), touch(2, "delivered", HOURS)]
    assert credited(attribute_order(order(), touches)) == [(1, "1.000000", "100.00")]
    assert attribute_order(order(), touches)[0].basis is Basis.CLICK


def test_email_receipt_is_off_by_default_and_can_be_switched_on():
    delivered_email = [touch(4, "delivered", HOURS, channel="email")]
    assert attribute_order(order(), delivered_email) == ()
    email_on = Windows(receipt_by_channel={"email": timedelta(hours=2), "sms": None})
    assert credited(attribute_order(order(), delivered_email, windows=email_on)) == [(4, "1.000000", "100.00")]
    assert attribute_order(order(), [touch(5, "delivered", HOURS)], windows=email_on) == ()


def test_a_send_counts_as_receipt_only_when_delivery_is_never_reported():
    never_reported = [touch(4, "sent", 20 * HOURS, channel="whatsapp")]
    assert credited(attribute_order(order(), never_reported)) == [(4, "1.000000", "100.00")]
    delivered_after_the_order = [touch(4, "sent", HOURS), touch(4, "delivered", -HOURS)]
    assert attribute_order(order(), delivered_after_the_order) == ()


def test_opens_and_coupon_redemptions_elsewhere_earn_no_credit():
    touches = [touch(1, "opened", HOURS, channel="email"), touch(2, "coupon_redeemed", HOURS)]
    assert attribute_order(order(), touches) == ()


def test_touches_at_the_same_instant_are_ordered_by_campaign_id():
    tied = [touch(5, "clicked", HOURS), touch(3, "clicked", HOURS)]
    assert credited(attribute_order(order("0.01"), tied)) == [(5, "1.000000", "0.01")]
    assert credited(attribute_order(order("0.01"), tied, model="first_touch")) == [(3, "1.000000", "0.01")]
    # Half a cent each: the cent goes to the lower campaign id.
    assert credited(attribute_order(order("0.01"), tied, model="linear")) == [
        (3, "0.500000", "0.01"),
        (5, "0.500000", "0.00"),
    ]


def test_other_customers_touches_do_not_count():
    assert attribute_order(order(), [touch(1, "clicked", HOURS, customer=43)]) == ()


@pytest.mark.parametrize(("exponent", "revenue", "expected"), [(0, "1000", "333"), (3, "1.000", "0.333")])
def test_revenue_is_split_in_the_currency_minor_unit(exponent, revenue, expected):
    touches = [touch(1, "clicked", HOURS), touch(2, "clicked", 2 * HOURS), touch(3, "clicked", 3 * HOURS)]
    credits = attribute_order(order(revenue), touches, model="linear", minor_unit_exponent=exponent)
    assert [str(c.revenue) for c in credits[1:]] == [expected, expected]
    assert sum(c.revenue for c in credits) == Decimal(revenue)


def test_the_order_hook_writes_the_last_touch_campaign_or_nothing():
    assert order_attribution(order(), CLICKS) == 1
    assert order_attribution(order(coupons=(7,)), CLICKS) == 7
    assert order_attribution(order(), [touch(4, "delivered", HOURS)]) == 4
    assert order_attribution(order(), [touch(4, "delivered", HOURS, channel="email")]) is None
    assert order_attribution(order("12.345"), CLICKS) == 1


def test_store_visits_match_by_customer_and_campaign_totals_add_up():
    touches = [touch(1, "clicked", HOURS), touch(2, "clicked", 2 * HOURS), touch(2, "delivered", HOURS, customer=7)]
    orders = [
        order("100.00", order_id="web"),
        order("30.00", order_id="till", in_store=True),
        order("50.00", order_id="other", customer=7),
        order("20.00", order_id="nobody", customer=8),
    ]
    linear = attribute_orders(orders, touches, model="linear")
    assert [credited(a.credits) for a in linear] == [
        [(1, "0.500000", "50.00"), (2, "0.500000", "50.00")],
        [(1, "0.500000", "15.00"), (2, "0.500000", "15.00")],
        [(2, "1.000000", "50.00")],
        [],
    ]
    totals = credits_by_campaign(linear)
    assert [
        (t.campaign_id, str(t.orders), t.attributed_orders, str(t.revenue), str(t.store_revenue))
        for t in totals.values()
    ] == [(1, "1.000000", 2, "65.00", "15.00"), (2, "2.000000", 3, "115.00", "15.00")]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: touch(1, "bounced", HOURS), "unknown_touch_kind"),
        (lambda: Touch(1, CUSTOMER, "clicked", "sms", datetime(2026, 11, 20, 11, 0)), "naive_datetime"),
        (lambda: order("-1.00"), "invalid_amount"),
        (lambda: order(coupons=7), "invalid_coupons"),
        (lambda: attribute_order(order("1.005"), []), "invalid_amount"),
        (lambda: attribute_order(order(), [], model="time_decay"), "unknown_attribution_model"),
        (lambda: Windows(click=-HOURS), "invalid_window"),
        (lambda: Windows(receipt_by_channel={"sms": 3}), "invalid_window"),
    ],
    ids=["kind", "naive", "negative", "coupons", "sub-cent", "model", "click window", "channel window"],
)
def test_bad_input_is_refused_with_a_reason(make, code):
    with pytest.raises(DomainError) as refused:
        make()
    assert refused.value.code == code


touch_lists = st.lists(
    st.builds(
        Touch,
        campaign_id=st.integers(min_value=1, max_value=6),
        customer_id=st.just(CUSTOMER),
        kind=st.sampled_from(["sent", "delivered", "opened", "clicked", "coupon_redeemed"]),
        channel=st.sampled_from(["email", "sms", "whatsapp"]),
        at=st.integers(min_value=-2 * 24 * 60, max_value=7 * 24 * 60).map(lambda m: PLACED - timedelta(minutes=m)),
    ),
    max_size=12,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    touches=touch_lists,
    cents=st.integers(min_value=0, max_value=10**9),
    coupons=st.lists(st.integers(min_value=1, max_value=6), max_size=3),
    model=st.sampled_from(list(AttributionModel)),
)
def test_attributed_revenue_adds_up_to_the_order_to_the_cent(touches, cents, coupons, model):
    revenue = Decimal(cents).scaleb(-2)
    credits = attribute_order(order(str(revenue), coupons=tuple(coupons)), touches, model=model)
    if credits:
        assert sum(c.revenue for c in credits) == revenue
        assert sum(c.weight for c in credits) == 1
        assert all(c.revenue >= 0 and c.weight > 0 for c in credits)
        assert len({c.campaign_id for c in credits}) == len(credits)
    if model is not AttributionModel.LINEAR:
        assert len(credits) <= 1
    assert bool(credits) == (order_attribution(order(str(revenue), coupons=tuple(coupons)), touches) is not None)

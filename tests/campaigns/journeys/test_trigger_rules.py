"""The pure rules of the frequency-drop and spend-decrease triggers, the wait deadline, key matching and the
one-intent cap of a fallback chain."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from statistics import median

from hypothesis import given
from hypothesis import strategies as st

from campaigns.journeys.rules import (
    frequency_dropped,
    key_matches,
    median_gap,
    one_intent_cap,
    spend_decreased,
    wait_deadline,
)

START = datetime(2026, 1, 1, tzinfo=UTC)
GAPS = st.lists(st.integers(min_value=1, max_value=90 * 24), min_size=0, max_size=12)  # hours between orders
MONEY = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)


def _orders(gaps_in_hours: list[int]) -> list[datetime]:
    moments = [START]
    for hours in gaps_in_hours:
        moments.append(moments[-1] + timedelta(hours=hours))
    return moments


@given(gaps=GAPS)
def test_the_median_gap_is_the_statistics_median_and_needs_two_gaps(gaps):
    gap = median_gap(_orders(gaps))
    if len(gaps) < 2:
        assert gap is None
    else:
        assert gap == timedelta(hours=median(gaps))


@given(gaps=GAPS, waited=st.integers(min_value=0, max_value=400 * 24), factor=st.sampled_from([1, 2, 3]))
def test_frequency_drops_exactly_past_factor_times_the_median_gap(gaps, waited, factor):
    orders = _orders(gaps)
    now = max(orders) + timedelta(hours=waited)
    dropped = frequency_dropped(order_times=orders, now=now, factor=Decimal(factor))
    assert dropped == (len(gaps) >= 2 and waited > factor * median(gaps))


def test_a_weekly_customer_three_weeks_away_has_dropped_one_two_weeks_away_has_not():
    weekly = [START + timedelta(weeks=n) for n in range(5)]
    assert frequency_dropped(order_times=weekly, now=weekly[-1] + timedelta(weeks=3), factor=Decimal(2))
    assert not frequency_dropped(order_times=weekly, now=weekly[-1] + timedelta(weeks=2), factor=Decimal(2))
    assert not frequency_dropped(order_times=weekly[:2], now=START + timedelta(days=365), factor=Decimal(2))


@given(recent=MONEY, previous=MONEY, percent=st.sampled_from([Decimal(10), Decimal(30), Decimal("33.33")]))
def test_spend_decreased_when_recent_is_at_most_the_reduced_previous(recent, previous, percent):
    decreased = spend_decreased(recent=recent, previous=previous, drop_percent=percent)
    assert decreased == (previous > 0 and recent * 100 <= previous * (100 - percent))


def test_spend_examples():
    assert spend_decreased(recent=Decimal("700.00"), previous=Decimal("1000.00"), drop_percent=Decimal(30))
    assert not spend_decreased(recent=Decimal("700.01"), previous=Decimal("1000.00"), drop_percent=Decimal(30))
    assert not spend_decreased(recent=Decimal(0), previous=Decimal(0), drop_percent=Decimal(30)), "never bought"


def test_wait_deadline_and_key_matching():
    assert wait_deadline(started_at=START, timeout=timedelta(hours=2)) == START + timedelta(hours=2)
    assert wait_deadline(started_at=START, timeout=None) == START
    assert key_matches(properties={"cart_id": 7}, key_property="cart_id", trigger_key="7")
    assert not key_matches(properties={"cart_id": "K2"}, key_property="cart_id", trigger_key="K1")
    assert not key_matches(properties={}, key_property="cart_id", trigger_key="")
    assert not key_matches(properties={"cart_id": "K1"}, key_property="", trigger_key="K1")


def test_a_fallback_chain_raises_the_overall_cap_by_the_messages_before_it():
    assert one_intent_cap("5/7", 0) == "5/7"
    assert one_intent_cap("5/7", 2) == "7/7"

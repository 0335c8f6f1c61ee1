"""The pure parts: the lifecycle table, the bucket and variant pick, and the budget's arithmetic."""

import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns import costs, lifecycle
from campaigns.assignment import BUCKETS, bucket_of, holdout_buckets, pick

actions = st.sampled_from([*lifecycle.ACTIONS, "launch", "delete"])


@given(st.lists(actions, max_size=30))
def test_any_sequence_of_actions_only_ever_takes_the_tables_steps(sequence):
    status = lifecycle.DRAFT
    history = [status]
    for action in sequence:
        try:
            after = lifecycle.transition(status, action)
        except lifecycle.TransitionRefused as refused:
            assert action not in lifecycle.allowed_actions(status)
            assert status in str(refused)  # the refusal names the current status
            continue
        assert action in lifecycle.allowed_actions(status)
        assert lifecycle.TRANSITIONS[action][status] == after
        status = after
        history.append(status)
    # Archived is final; nothing that completed or expired runs again.
    if lifecycle.ARCHIVED in history:
        assert history[history.index(lifecycle.ARCHIVED) :] == [lifecycle.ARCHIVED]
    for final in (lifecycle.COMPLETED, lifecycle.EXPIRED):
        if final in history:
            assert lifecycle.RUNNING not in history[history.index(final) :]


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("draft", "schedule", "scheduled"),
        ("scheduled", "start", "running"),
        ("running", "pause", "paused"),
        ("paused", "resume", "running"),
        ("running", "complete", "completed"),
        ("scheduled", "expire", "expired"),
        ("completed", "archive", "archived"),
    ],
)
def test_the_documented_path(status, action, expected):
    assert lifecycle.transition(status, action) == expected


@pytest.mark.parametrize(("status", "action"), [("running", "archive"), ("draft", "pause"), ("archived", "resume")])
def test_a_step_off_the_table_is_refused(status, action):
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition(status, action)


@given(st.text(max_size=16), st.integers(1, 10**9), st.integers(1, 10**12))
def test_a_bucket_is_in_range_and_the_same_each_time(salt, campaign_id, customer_id):
    bucket = bucket_of(salt=salt, campaign_id=campaign_id, customer_id=customer_id)
    assert 0 <= bucket < BUCKETS
    assert bucket == bucket_of(salt=salt, campaign_id=campaign_id, customer_id=customer_id)


def test_buckets_are_the_same_in_another_process():
    """Not Python's salted hash(): a fresh interpreter computes the same buckets."""
    here = [bucket_of(salt="s1", campaign_id=7, customer_id=n) for n in range(50)]
    code = (
        "from campaigns.assignment import bucket_of\n"
        "print([bucket_of(salt='s1', campaign_id=7, customer_id=n) for n in range(50)])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""})  # fmt: skip
    assert out.stdout.strip() == str(here)


@given(
    st.decimals(min_value=0, max_value=Decimal("99.99"), places=2),
    st.lists(st.integers(1, 1000), min_size=1, max_size=6),
)
def test_the_buckets_split_exactly_by_holdout_and_weights(holdout_percent, weights):
    holdout = holdout_buckets(holdout_percent)
    picks = [pick(bucket, holdout=holdout, weights=weights) for bucket in range(BUCKETS)]
    assert picks.count(None) == holdout
    treated, total = BUCKETS - holdout, sum(weights)
    for index, weight in enumerate(weights):
        # Each variant gets its share of the treated buckets, to within one bucket.
        assert abs(picks.count(index) * total - weight * treated) <= total


def test_weights_are_respected_over_real_customers():
    weights, holdout = [1, 3], holdout_buckets(Decimal(10))
    arms = [pick(bucket_of(salt="x", campaign_id=1, customer_id=n), holdout=holdout, weights=weights)
            for n in range(40_000)]  # fmt: skip
    assert arms.count(None) / 40_000 == pytest.approx(0.10, abs=0.01)
    assert arms.count(1) / arms.count(0) == pytest.approx(3, rel=0.08)


@given(
    st.lists(st.decimals(min_value=0, max_value=100, places=2), max_size=40),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
    st.decimals(min_value=0, max_value=1000, places=2),
)
def test_affordable_takes_the_longest_prefix_that_fits(prices, budget, spent):
    count = costs.affordable(costs=prices, budget=budget, spent=spent)
    if budget is None:
        assert count == len(prices)
        return
    assert spent + sum(prices[:count]) <= budget or count == 0
    if count < len(prices):
        assert spent + sum(prices[: count + 1]) > budget


def test_message_prices_per_channel():
    prices = costs.Prices(email=Decimal("0.10"), sms_segment=Decimal("0.35"), whatsapp=Decimal("0.80"))
    assert prices.message("sms", 3) == Decimal("1.05")
    assert prices.message("email") == Decimal("0.10")
    assert prices.message("whatsapp") == Decimal("0.80")
    assert prices.message("in_app") == 0

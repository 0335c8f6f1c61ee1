"""Arms by bucket, and "test on X%, wait N hours, send the winner to the rest"."""

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns.staged_test import (
    BUCKETS,
    Arm,
    ArmKind,
    Fallback,
    ReleaseReason,
    bucket_layout,
    remainder_release,
)
from campaigns.statistics import ArmSize, VariantCounts, check_sample_ratio, decide_winner
from config.errors import DomainError

SENT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
WAIT = timedelta(hours=4)


def test_the_holdout_the_test_and_the_remainder_are_consecutive_slices():
    layout = bucket_layout([("A", 50), ("B", 50)], holdout_percent=10, test_percent=20)
    assert layout.holdout == range(0, 1_000)
    assert layout.variants == (("A", range(1_000, 2_000)), ("B", range(2_000, 3_000)))
    assert layout.remainder == range(3_000, 10_000)
    assert [layout.arm_for(b) for b in (0, 999, 1_000, 1_999, 2_000, 2_999, 3_000, 9_999)] == [
        Arm(ArmKind.HOLDOUT),
        Arm(ArmKind.HOLDOUT),
        Arm(ArmKind.VARIANT, "A"),
        Arm(ArmKind.VARIANT, "A"),
        Arm(ArmKind.VARIANT, "B"),
        Arm(ArmKind.VARIANT, "B"),
        Arm(ArmKind.REMAINDER),
        Arm(ArmKind.REMAINDER),
    ]


def test_without_a_staged_test_the_variants_share_everything_after_the_holdout():
    layout = bucket_layout([("A", 1), ("B", 2)], holdout_percent=Decimal("12.5"))
    assert layout.holdout == range(0, 1_250)
    # 8,750 buckets in the ratio 1:2: the cut at the floor of 8,750 / 3 = 2,916.67.
    assert layout.variants == (("A", range(1_250, 4_166)), ("B", range(4_166, 10_000)))
    assert len(layout.remainder) == 0


def test_a_zero_holdout_is_allowed():
    layout = bucket_layout([("A", 50), ("B", 50)], holdout_percent=0)
    assert len(layout.holdout) == 0 and layout.arm_for(0) == Arm(ArmKind.VARIANT, "A")


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=1, max_value=1_000), min_size=1, max_size=5),
    holdout=st.integers(min_value=0, max_value=5_000),
    test=st.one_of(st.none(), st.integers(min_value=500, max_value=5_000)),
)
def test_the_slices_tile_the_buckets_and_follow_the_weights(weights, holdout, test):
    test_size = BUCKETS - holdout if test is None else test
    # A slice too small to give a variant one bucket is refused (test_a_variant_without_buckets_is_refused).
    assume(min(weights) * test_size >= sum(weights))
    layout = bucket_layout(
        [(f"V{i}", w) for i, w in enumerate(weights)],
        holdout_percent=Decimal(holdout).scaleb(-2),
        test_percent=None if test is None else Decimal(test).scaleb(-2),
    )
    slices = [layout.holdout, *(buckets for _, buckets in layout.variants), layout.remainder]
    assert [b for s in slices for b in s] == list(range(BUCKETS))
    for (_, buckets), weight in zip(layout.variants, weights, strict=True):
        assert abs(len(buckets) - test_size * weight / sum(weights)) < 1


def test_a_variant_without_buckets_is_refused():
    with pytest.raises(DomainError, match="too small to give V0 any recipients"):
        bucket_layout([("V0", 1), ("V1", 1), ("V2", 1), ("V3", 498)], holdout_percent=0, test_percent=5)


def test_hashed_buckets_give_arm_sizes_the_sample_ratio_check_accepts():
    layout = bucket_layout([("A", 50), ("B", 50)], holdout_percent=10, test_percent=20)
    sizes = dict.fromkeys(["holdout", "A", "B", "remainder"], 0)
    for customer in range(100_000):
        digest = hashlib.sha256(f"salt:campaign-1:{customer}".encode()).digest()
        arm = layout.arm_for(int.from_bytes(digest[:8], "big") % BUCKETS)
        sizes[arm.variant or arm.kind] += 1
    weights = {"holdout": 10, "A": 10, "B": 10, "remainder": 70}
    check = check_sample_ratio([ArmSize(key, weights[key], sizes[key]) for key in sizes])
    assert not check.mismatch


@pytest.mark.parametrize(
    ("weights", "holdout", "test"),
    [
        ([("A", 50)], Decimal("10.005"), None),
        ([("A", 50)], 101, None),
        ([("A", 50)], 10, 95),
        ([("A", 50)], 10, 0),
        ([("A", 0)], 10, None),
        ([("A", 1), ("A", 1)], 10, None),
        ([("A", 1), ("B", 1)], 10, Decimal("0.01")),
        ([], 10, None),
        ([("A", Decimal("NaN"))], 10, None),
        ([("A", 1)], Decimal("Infinity"), None),
    ],
    ids=[
        "three decimals",
        "over 100",
        "holdout + test over 100",
        "empty test",
        "zero weight",
        "same name",
        "test too small to split",
        "no variants",
        "NaN weight",
        "infinite percent",
    ],
)
def test_impossible_layouts_are_refused_with_a_reason(weights, holdout, test):
    with pytest.raises(DomainError):
        bucket_layout(weights, holdout_percent=holdout, test_percent=test)


def test_a_bucket_outside_the_range_is_refused():
    with pytest.raises(DomainError, match="between 0 and 9999"):
        bucket_layout([("A", 1)], holdout_percent=10).arm_for(BUCKETS)


CLEAR = decide_winner([VariantCounts("A", 50, 2_000, 100, 0), VariantCounts("B", 50, 2_000, 160, 0)], "click")
UNCLEAR = decide_winner([VariantCounts("A", 50, 2_000, 100, 0), VariantCounts("B", 50, 2_000, 105, 0)], "click")


def test_the_remainder_waits_for_the_wait_even_with_a_winner_unless_released_early():
    before = SENT + WAIT - timedelta(seconds=1)
    waiting = remainder_release(CLEAR, test_sent_at=SENT, wait=WAIT, now=before)
    assert (waiting.release, waiting.reason, waiting.decide_at) == (False, ReleaseReason.WAITING, SENT + WAIT)
    early = remainder_release(CLEAR, test_sent_at=SENT, wait=WAIT, now=before, release_early=True)
    assert (early.release, early.variant, early.reason) == (True, "B", ReleaseReason.WINNER)
    unclear_early = remainder_release(UNCLEAR, test_sent_at=SENT, wait=WAIT, now=before, release_early=True)
    assert not unclear_early.release


def test_at_the_end_of_the_wait_the_winner_is_sent_to_the_rest():
    released = remainder_release(CLEAR, test_sent_at=SENT, wait=WAIT, now=SENT + WAIT)
    assert (released.release, released.variant, released.reason) == (True, "B", ReleaseReason.WINNER)


@pytest.mark.parametrize(
    ("fallback", "variant"),
    [(Fallback.BEST_OBSERVED, "B"), ("first_variant", "A"), (Fallback.NOTHING, None)],
)
def test_without_a_winner_the_fallback_rule_decides_once_the_wait_is_over(fallback, variant):
    released = remainder_release(UNCLEAR, test_sent_at=SENT, wait=WAIT, now=SENT + WAIT, fallback=fallback)
    assert (released.release, released.variant, released.reason) == (True, variant, ReleaseReason.FALLBACK)
    assert "The wait is over" in released.message


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"fallback": "coin_flip"}, "invalid_fallback"),
        ({"now": datetime(2026, 11, 27, 14, 0)}, "naive_datetime"),
        ({"wait": timedelta(hours=-1)}, "invalid_wait"),
    ],
    ids=["fallback", "naive", "negative wait"],
)
def test_bad_release_input_is_refused_with_a_reason(kwargs, code):
    arguments = {"test_sent_at": SENT, "wait": WAIT, "now": SENT + WAIT, **kwargs}
    with pytest.raises(DomainError) as refused:
        remainder_release(UNCLEAR, **arguments)
    assert refused.value.code == code

"""A/B statistics: the figures a marketer sees for a test, checked against hand computation and simulation."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns.statistics import (
    ArmSize,
    Metric,
    Proportion,
    Reason,
    VariantCounts,
    check_sample_ratio,
    compare_proportions,
    decide_winner,
    parse_metric,
)
from config.errors import DomainError


def variant(key, recipients, *, clicks=0, conversions=0, weight=50):
    return VariantCounts(key=key, weight=weight, recipients=recipients, clicks=clicks, conversions=conversions)


def test_two_proportion_test_matches_the_hand_computation():
    # 5.0% against 7.0% of 1,000 each: pooled rate 6%, pooled se = sqrt(.06 × .94 × (1/1000 + 1/1000)) = .010621,
    # z = .02 / .010621 = 1.883, two-sided p = .0597; Wald se = sqrt(.05 × .95/1000 + .07 × .93/1000) = .010611,
    # interval .02 ± 1.96 × .010611 = (-.0008, .0408).
    result = compare_proportions(Proportion(50, 1000), Proportion(70, 1000))
    assert result.control_rate == pytest.approx(0.05)
    assert result.treatment_rate == pytest.approx(0.07)
    assert result.difference == pytest.approx(0.02)
    assert result.p_value == pytest.approx(0.0597, abs=5e-4)
    assert result.ci_low == pytest.approx(-0.0008, abs=5e-5)
    assert result.ci_high == pytest.approx(0.0408, abs=5e-5)


def test_two_arms_that_never_vary_show_no_difference():
    assert compare_proportions(Proportion(0, 500), Proportion(0, 800)).p_value == 1.0
    assert compare_proportions(Proportion(500, 500), Proportion(800, 800)).p_value == 1.0


@pytest.mark.parametrize(("successes", "trials"), [(-1, 10), (11, 10), (1.5, 10), (True, 10), (1, "10")], ids=str)
def test_impossible_counts_are_refused_with_a_reason(successes, trials):
    with pytest.raises(DomainError) as refused:
        Proportion(successes, trials)
    assert refused.value.code == "invalid_count"


def test_an_empty_arm_cannot_be_compared():
    with pytest.raises(DomainError, match="at least one recipient"):
        compare_proportions(Proportion(0, 0), Proportion(3, 10))


counts = st.integers(min_value=1, max_value=200_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(a=counts, b=counts)
def test_comparisons_are_symmetric_and_bounded(a, b):
    forward = compare_proportions(Proportion(*a), Proportion(*b))
    backward = compare_proportions(Proportion(*b), Proportion(*a))
    assert 0.0 <= forward.p_value <= 1.0
    assert forward.p_value == pytest.approx(backward.p_value)
    assert forward.difference == pytest.approx(-backward.difference)
    assert forward.ci_low == pytest.approx(-backward.ci_high)
    assert forward.ci_low <= forward.difference <= forward.ci_high


def test_the_sample_ratio_check_flags_a_55_45_split_and_passes_a_50_50_one():
    lopsided = check_sample_ratio([ArmSize("A", 50, 5_500), ArmSize("B", 50, 4_500)])
    even = check_sample_ratio([ArmSize("A", 50, 5_010), ArmSize("B", 50, 4_990)])
    # chi² = 2 × 500² / 5000 = 100 for the 55/45 split; 2 × 10² / 5000 = .04 for the near-even one.
    assert lopsided.mismatch and lopsided.p_value < 1e-20
    assert not even.mismatch and even.p_value == pytest.approx(0.8415, abs=1e-4)
    assert lopsided.expected == {"A": 5000.0, "B": 5000.0}


@hypothesis_settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=10_000, max_value=5_000_000), weights=st.sampled_from([(50, 50), (1, 1), (5000, 5000)]))
def test_the_sample_ratio_check_detects_55_45_at_large_n_and_never_an_exact_50_50(n, weights):
    first = n * 55 // 100
    assert check_sample_ratio([ArmSize("A", weights[0], first), ArmSize("B", weights[1], n - first)]).mismatch
    half = n // 2
    exact = check_sample_ratio([ArmSize("A", weights[0], half), ArmSize("B", weights[1], half)])
    assert not exact.mismatch and exact.p_value == pytest.approx(1.0)


def test_the_sample_ratio_check_follows_uneven_weights_and_zero_weights():
    assert not check_sample_ratio([ArmSize("holdout", 10, 1_000), ArmSize("A", 90, 9_000)]).mismatch
    assert check_sample_ratio([ArmSize("holdout", 10, 5_000), ArmSize("A", 90, 5_000)]).mismatch
    paused = check_sample_ratio([ArmSize("A", 1, 400), ArmSize("B", 1, 410), ArmSize("C", 0, 0)])
    assert not paused.mismatch
    with pytest.raises(DomainError) as refused:
        ArmSize("A", Decimal("NaN"), 10)
    assert refused.value.code == "invalid_weight"
    leaked = check_sample_ratio([ArmSize("A", 1, 400), ArmSize("B", 1, 410), ArmSize("C", Decimal(0), 3)])
    assert leaked.mismatch and leaked.p_value == 0.0


@pytest.mark.parametrize("name", ["open", "opens", "OPEN", "open_rate"])
def test_opens_are_refused_as_a_winner_metric(name):
    with pytest.raises(DomainError) as refused:
        decide_winner([variant("A", 5000, clicks=10), variant("B", 5000, clicks=90)], name)
    assert refused.value.code == "metric_not_allowed"
    assert "privacy" in refused.value.message


def test_an_unknown_metric_names_the_ones_allowed():
    with pytest.raises(DomainError, match="'click' or 'conversion'") as refused:
        parse_metric("revenue")
    assert refused.value.code == "unknown_metric"


def test_a_clear_difference_declares_the_winner_on_the_chosen_metric():
    a = variant("A", 5_000, clicks=400, conversions=250)
    b = variant("B", 5_000, clicks=405, conversions=400)
    by_conversion = decide_winner([a, b], "conversion")
    assert by_conversion.winner == "B"
    assert by_conversion.reason is Reason.WINNER
    assert by_conversion.rates == {"A": 0.05, "B": 0.08}
    assert by_conversion.confidence > 0.99
    by_click = decide_winner([a, b], Metric.CLICK)
    assert by_click.winner is None
    assert by_click.reason is Reason.NO_SIGNIFICANT_DIFFERENCE
    assert by_click.best_observed == "B"


def test_too_few_recipients_declares_no_winner_whatever_the_rates():
    decision = decide_winner([variant("A", 99, clicks=0), variant("B", 5_000, clicks=4_000)], "click")
    assert decision.winner is None
    assert decision.reason is Reason.TOO_FEW_RECIPIENTS
    assert "A reached fewer than 100" in decision.message


def test_a_sample_ratio_mismatch_blocks_the_winner():
    skewed = [variant("A", 6_000, conversions=300), variant("B", 4_000, conversions=400)]
    decision = decide_winner(skewed, "conversion")
    assert decision.winner is None
    assert decision.reason is Reason.SAMPLE_RATIO_MISMATCH
    assert decision.sample_ratio.p_value < 0.001


def test_the_holdout_takes_part_in_the_sample_ratio_check():
    balanced = [variant("A", 4_500, conversions=225, weight=45), variant("B", 4_500, conversions=360, weight=45)]
    assert decide_winner(balanced, "conversion", holdout=ArmSize("holdout", 10, 1_000)).winner == "B"
    swollen = decide_winner(balanced, "conversion", holdout=ArmSize("holdout", 10, 2_000))
    assert swollen.winner is None
    assert swollen.reason is Reason.SAMPLE_RATIO_MISMATCH


def test_more_than_two_variants_are_corrected_for_the_number_of_pairs():
    # C against A or B alone: 6.6% vs 5.0% of 2,000, z = 2.165, p = .0304: a winner.
    # Among three variants the three pairs are adjusted (Holm–Šidák): the smallest p becomes 1 - (1 - p)³ = .0886,
    # about three times itself: no winner.
    a, b, c = variant("A", 2_000, clicks=100), variant("B", 2_000, clicks=100), variant("C", 2_000, clicks=132)
    assert decide_winner([a, c], "click").winner == "C"
    three = decide_winner([a, b, c], "click")
    assert three.winner is None
    assert three.reason is Reason.NO_SIGNIFICANT_DIFFERENCE
    against_c = [pair for pair in three.comparisons if "C" in (pair.control, pair.treatment)]
    assert [round(pair.comparison.p_value, 4) for pair in against_c] == [0.0304, 0.0304]
    assert [pair.adjusted_p_value for pair in against_c] == pytest.approx([0.0886, 0.0886], abs=1e-4)


def test_a_winner_among_three_must_beat_each_of_the_others():
    a, b, c = variant("A", 5_000, clicks=250), variant("B", 5_000, clicks=390), variant("C", 5_000, clicks=400)
    assert decide_winner([a, b, c], "click").winner is None
    assert decide_winner([a, variant("B", 5_000, clicks=260), c], "click").winner == "C"


def test_a_single_variant_has_no_winner_to_choose():
    with pytest.raises(DomainError) as refused:
        decide_winner([variant("A", 5_000)], "click")
    assert refused.value.code == "too_few_variants"


variants = st.lists(
    st.integers(min_value=100, max_value=20_000).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n))
    ),
    min_size=2,
    max_size=3,
)


@hypothesis_settings(max_examples=40, deadline=None)
@given(arms=variants, data=st.data())
def test_the_winner_does_not_depend_on_the_order_variants_are_listed(arms, data):
    listed = [variant(f"V{i}", n, clicks=clicks, weight=n) for i, (n, clicks) in enumerate(arms)]
    shuffled = data.draw(st.permutations(listed))
    assume(shuffled != listed)
    assert decide_winner(listed, "click").winner == decide_winner(shuffled, "click").winner


def test_a_thousand_a_a_tests_declare_a_winner_at_most_five_percent_of_the_time():
    # Two identical variants (5% click rate), 4,000 recipients split at random 50/50, decided once at the end.
    rng = np.random.default_rng(20261116)
    winners = 0
    for _ in range(1_000):
        size_a, size_b = (int(size) for size in rng.multinomial(4_000, [0.5, 0.5]))
        clicks_a, clicks_b = int(rng.binomial(size_a, 0.05)), int(rng.binomial(size_b, 0.05))
        decision = decide_winner(
            [variant("A", size_a, clicks=clicks_a), variant("B", size_b, clicks=clicks_b)], "click"
        )
        winners += decision.winner is not None
    assert winners <= 50

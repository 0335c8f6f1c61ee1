"""A/B statistics for campaigns: two-proportion tests, the sample-ratio check and the winner decision.

Pure: no database, no Django. Every input is a count a single SQL aggregate gives, so results are computed
from `GROUP BY variant` rows and never from per-recipient data:

    SELECT variant, count(*)                                   AS recipients,
                    count(*) FILTER (WHERE clicked_at IS NOT NULL)   AS clicks,
                    count(*) FILTER (WHERE converted_at IS NOT NULL) AS conversions
    FROM campaign assignments WHERE campaign = %s AND NOT holdout GROUP BY variant

Inputs (frozen dataclasses, validated on construction; bad input raises `config.errors.DomainError`, which the
API answers as a 400 naming the problem):

- `Proportion(successes, trials)`: how many of `trials` recipients did the thing.
- `VariantCounts(key, weight, recipients, clicks, conversions)`: one variant. `weight` is its configured split
  weight on any scale (50/50, 1/1 and 5000/5000 are the same split). Counts are recipients, not events: a
  recipient who clicked three times counts once in `clicks`. `recipients` counts everyone assigned to the
  variant, suppressed or not (intent-to-treat), which is what the sample-ratio check needs.
- `ArmSize(key, weight, recipients)`: an arm for the sample-ratio check only (the holdout, say).

Outputs: `ProportionComparison` (difference with its confidence interval and p-value), `SampleRatioCheck`,
`WinnerDecision` (the winner or None, with a machine-readable `reason` and a sentence for people).

The computing is done in floats by scipy/statsmodels; nothing here is money.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import combinations

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from config.errors import DomainError

CONFIDENCE = 0.95
# Below this the chi-squared test says the arms are not the sizes the weights promised: assignment is broken
# (a filter applied to one arm, a bug in bucketing), so no comparison of the arms can be trusted.
SRM_THRESHOLD = 0.001
# A comparison on a handful of recipients is noise even when "significant"; fewer than this in any variant
# and no winner is declared.
MIN_RECIPIENTS_PER_VARIANT = 100


class Metric(StrEnum):
    """What a winner is judged on. Opens are not offered: Apple's privacy proxy opens every email it receives."""

    CLICK = "click"
    CONVERSION = "conversion"


class Reason(StrEnum):
    WINNER = "winner"
    TOO_FEW_RECIPIENTS = "too_few_recipients"
    SAMPLE_RATIO_MISMATCH = "sample_ratio_mismatch"
    NO_SIGNIFICANT_DIFFERENCE = "no_significant_difference"


def invalid(code: str, message: str) -> DomainError:
    return DomainError(code=code, message=message)


def parse_metric(name: str) -> Metric:
    """The metric named `name`; 'open' (or anything else unknown) is refused with a reason."""
    if str(name).lower() in ("open", "opens", "open_rate"):
        raise invalid(
            "metric_not_allowed",
            "A winner cannot be chosen by opens: privacy proxies open emails nobody read. Use 'click' or 'conversion'.",
        )
    try:
        return Metric(name)
    except ValueError:
        raise invalid("unknown_metric", f"Unknown metric '{name}'; use 'click' or 'conversion'.") from None


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid("invalid_count", f"{name} must be a whole number of at least 0, not {value!r}.")


def is_number(value) -> bool:
    """A whole number or a finite Decimal: what weights and percentages may be (no floats, no NaN)."""
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int) and not isinstance(value, bool)


def _check_weight(name: str, weight) -> None:
    if not is_number(weight) or not weight >= 0:
        raise invalid("invalid_weight", f"The weight of {name} must be a number of at least 0, not {weight!r}.")


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int

    def __post_init__(self):
        _check_count("successes", self.successes)
        _check_count("trials", self.trials)
        if self.successes > self.trials:
            raise invalid("invalid_count", f"{self.successes} successes out of {self.trials} trials is impossible.")

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class ArmSize:
    key: str
    weight: int | Decimal
    recipients: int

    def __post_init__(self):
        _check_weight(self.key, self.weight)
        _check_count(f"The recipients of {self.key}", self.recipients)


@dataclass(frozen=True)
class VariantCounts:
    key: str
    weight: int | Decimal
    recipients: int
    clicks: int
    conversions: int

    def __post_init__(self):
        _check_weight(self.key, self.weight)
        for name in ("recipients", "clicks", "conversions"):
            _check_count(f"The {name} of {self.key}", getattr(self, name))
        if max(self.clicks, self.conversions) > self.recipients:
            raise invalid("invalid_count", f"{self.key} has more clicks or conversions than recipients.")

    def proportion(self, metric: Metric) -> Proportion:
        successes = self.clicks if metric is Metric.CLICK else self.conversions
        return Proportion(successes=successes, trials=self.recipients)

    @property
    def arm(self) -> ArmSize:
        return ArmSize(key=self.key, weight=self.weight, recipients=self.recipients)


@dataclass(frozen=True)
class ProportionComparison:
    """`treatment` against `control`: `difference` is treatment's rate minus control's."""

    control_rate: float
    treatment_rate: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float


def compare_proportions(control: Proportion, treatment: Proportion, *, confidence=CONFIDENCE) -> ProportionComparison:
    """The two-proportion z-test (pooled standard error) and the Wald interval of the difference.

    When neither arm varies (both 0% or both 100%) there is no evidence of a difference: p = 1.
    """
    if not control.trials or not treatment.trials:
        raise invalid("empty_arm", "Both arms need at least one recipient to be compared.")
    counts, trials = [treatment.successes, control.successes], [treatment.trials, control.trials]
    pooled = sum(counts) / sum(trials)
    if pooled in (0.0, 1.0):
        p_value = 1.0
    else:
        _, p_value = proportions_ztest(counts, trials)
    low, high = confint_proportions_2indep(
        treatment.successes,
        treatment.trials,
        control.successes,
        control.trials,
        method="wald",
        compare="diff",
        alpha=1 - confidence,
    )
    return ProportionComparison(
        control_rate=control.rate,
        treatment_rate=treatment.rate,
        difference=treatment.rate - control.rate,
        ci_low=float(low),
        ci_high=float(high),
        p_value=min(1.0, max(0.0, float(p_value))),
    )


@dataclass(frozen=True)
class SampleRatioCheck:
    p_value: float
    mismatch: bool
    expected: dict[str, float]
    observed: dict[str, int]


def check_sample_ratio(arms: Sequence[ArmSize], *, threshold=SRM_THRESHOLD) -> SampleRatioCheck:
    """Chi-squared goodness of fit of the observed arm sizes against the configured weights.

    An arm with weight 0 that received anyone is a mismatch outright (p = 0); arms with weight 0 and nobody
    in them take no part. With no recipients at all there is nothing to check (p = 1).
    """
    if len(arms) < 2:
        raise invalid("too_few_arms", "The sample-ratio check needs at least two arms.")
    if len({arm.key for arm in arms}) != len(arms):
        raise invalid("duplicate_arm", "Each arm needs its own key.")
    total_weight = sum(Decimal(arm.weight) for arm in arms)
    if not total_weight:
        raise invalid("invalid_weight", "At least one arm needs a weight above 0.")
    total = sum(arm.recipients for arm in arms)
    expected = {arm.key: float(total * Decimal(arm.weight) / total_weight) for arm in arms}
    observed = {arm.key: arm.recipients for arm in arms}
    weighted = [arm for arm in arms if arm.weight]
    if any(not arm.weight and arm.recipients for arm in arms):
        p_value = 0.0
    elif total == 0 or len(weighted) < 2:
        p_value = 1.0
    else:
        _, p_value = stats.chisquare([observed[a.key] for a in weighted], [expected[a.key] for a in weighted])
    p_value = float(p_value)
    return SampleRatioCheck(p_value=p_value, mismatch=p_value < threshold, expected=expected, observed=observed)


@dataclass(frozen=True)
class PairComparison:
    """One pair of variants compared; `adjusted_p_value` is corrected for the number of pairs (Holm–Šidák)."""

    control: str
    treatment: str
    comparison: ProportionComparison
    adjusted_p_value: float


@dataclass(frozen=True)
class WinnerDecision:
    metric: Metric
    winner: str | None
    reason: Reason
    message: str
    rates: dict[str, float]
    confidence: float | None
    sample_ratio: SampleRatioCheck
    comparisons: tuple[PairComparison, ...]

    @property
    def best_observed(self) -> str:
        """The variant with the highest observed rate (the first listed among equals), significant or not."""
        return max(self.rates, key=self.rates.__getitem__)


def decide_winner(
    variants: Sequence[VariantCounts],
    metric: Metric | str,
    *,
    holdout: ArmSize | None = None,
    alpha: float = 1 - CONFIDENCE,
    min_recipients: int = MIN_RECIPIENTS_PER_VARIANT,
    srm_threshold: float = SRM_THRESHOLD,
) -> WinnerDecision:
    """The winning variant by `metric`, or None with the reason.

    In order: every variant needs `min_recipients`; the arm sizes (and the holdout's, when given) must match
    their weights (sample-ratio check); then every pair of variants is compared with the two-proportion test,
    the p-values adjusted with the Holm–Šidák method for the number of pairs, and the variant with the highest rate
    wins only if it is significantly better than every other. With two variants there is one pair and the
    adjustment changes nothing. Comparing every pair keeps the chance of declaring a false winner at `alpha`
    however many variants there are.
    """
    metric = metric if isinstance(metric, Metric) else parse_metric(metric)
    if len(variants) < 2:
        raise invalid("too_few_variants", "A winner is chosen among at least two variants.")
    arms = [variant.arm for variant in variants] + ([holdout] if holdout is not None else [])
    sample_ratio = check_sample_ratio(arms, threshold=srm_threshold)
    rates = {variant.key: variant.proportion(metric).rate for variant in variants}

    def decision(reason: Reason, message: str, *, winner=None, confidence=None, comparisons=()) -> WinnerDecision:
        return WinnerDecision(metric, winner, reason, message, rates, confidence, sample_ratio, tuple(comparisons))

    small = [variant.key for variant in variants if variant.recipients < min_recipients]
    if small:
        return decision(
            Reason.TOO_FEW_RECIPIENTS,
            f"No winner yet: {', '.join(small)} reached fewer than {min_recipients} recipients.",
        )
    if sample_ratio.mismatch:
        return decision(
            Reason.SAMPLE_RATIO_MISMATCH,
            f"No winner: the arm sizes do not match their weights (p = {sample_ratio.p_value:.2g}), so the "
            "assignment is suspect and the comparison cannot be trusted.",
        )
    pairs = list(combinations(variants, 2))
    raw = [compare_proportions(a.proportion(metric), b.proportion(metric)) for a, b in pairs]
    # Holm–Šidák: valid for two-sided tests on jointly normal statistics whatever their correlation (pairs
    # that share a variant are correlated), and a little stronger than Holm.
    # A p-value of exactly 1 takes log(0) on the way to an adjusted 1; numpy warns, the result is right.
    with np.errstate(divide="ignore"):
        adjusted = multipletests([c.p_value for c in raw], method="holm-sidak")[1]
    comparisons = [
        PairComparison(control=a.key, treatment=b.key, comparison=c, adjusted_p_value=float(p))
        for (a, b), c, p in zip(pairs, raw, adjusted, strict=True)
    ]
    best = max(rates, key=rates.__getitem__)
    against_best = [c for c in comparisons if best in (c.control, c.treatment)]
    if all(c.adjusted_p_value < alpha for c in against_best):
        confidence = 1 - max(c.adjusted_p_value for c in against_best)
        return decision(
            Reason.WINNER,
            f"{best} wins on {metric} rate ({rates[best]:.2%}), better than every other variant "
            f"at {1 - alpha:.0%} confidence.",
            winner=best,
            confidence=confidence,
            comparisons=comparisons,
        )
    return decision(
        Reason.NO_SIGNIFICANT_DIFFERENCE,
        f"No winner: {best} has the highest {metric} rate ({rates[best]:.2%}) but the difference is not "
        f"significant at {1 - alpha:.0%} confidence.",
        comparisons=comparisons,
    )

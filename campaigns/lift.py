"""Lift against the holdout: what the campaign added over the customers it deliberately did not message.

Pure: no database, no Django. Both arms are described by SQL aggregates, so lift for a million recipients is a
two-row query, not a million-row read:

    -- per recipient: their attributed revenue r (0 for those who bought nothing) and whether they converted
    SELECT holdout, count(*)                         AS recipients,
                    count(*) FILTER (WHERE r > 0)    AS converted,
                    coalesce(sum(r), 0)              AS revenue,
                    coalesce(sum(r * r), 0)          AS revenue_squares
    FROM (assignments LEFT JOIN per-customer attributed revenue) GROUP BY holdout

Input: `ArmOutcomes(recipients, converted, revenue, revenue_squares)` per arm, the treated arm being every
recipient not in the holdout (suppressed ones included: intent-to-treat). `revenue` and `revenue_squares` are
Decimal; `converted` counts recipients, not orders.

Output: `HoldoutLift`. When there is no holdout, or it has nobody in it, `measurable` is False and `reason`
says why: lift is then unknown, which is not the same as zero. When measurable:
- `conversions`: treated and holdout conversion rates, the absolute difference (incremental conversions per
  recipient) with its confidence interval (Wald, as `compare_proportions`), the relative lift and the
  estimated incremental conversions over all treated recipients;
- `revenue`: revenue per recipient in each arm and the difference (incremental revenue per recipient) with
  its confidence interval from Welch's t (unequal variances, Welch–Satterthwaite degrees of freedom; for
  arms of thousands this is the normal approximation), and the estimated incremental revenue in total.
Money comes back as Decimal quantised to the currency's minor unit (`minor_unit_exponent`: 2 for USD, 0 for
JPY, 3 for KWD), ROUND_HALF_UP as the API contract says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from scipy import stats

from campaigns.statistics import CONFIDENCE, Proportion, compare_proportions, invalid
from config.numbers import signed_points


class LiftStatus(StrEnum):
    MEASURED = "measured"
    NO_HOLDOUT = "no_holdout"
    EMPTY_HOLDOUT = "empty_holdout"
    NO_TREATED = "no_treated_recipients"
    TOO_SMALL = "arm_too_small"


@dataclass(frozen=True)
class ArmOutcomes:
    recipients: int
    converted: int
    revenue: Decimal
    revenue_squares: Decimal

    def __post_init__(self):
        Proportion(successes=self.converted, trials=self.recipients)  # the same count checks
        for name in ("revenue", "revenue_squares"):
            if not isinstance(getattr(self, name), Decimal) or not getattr(self, name).is_finite():
                raise invalid("invalid_amount", f"{name} must be a finite Decimal, not {getattr(self, name)!r}.")
        # Cauchy–Schwarz: n·Σr² ≥ (Σr)²; anything else is not the sums of one set of numbers.
        with localcontext(prec=80):
            if self.recipients * self.revenue_squares < self.revenue * self.revenue:
                raise invalid("invalid_amount", "revenue_squares is too small to be the sum of squared revenues.")

    @property
    def conversion(self) -> Proportion:
        return Proportion(successes=self.converted, trials=self.recipients)


@dataclass(frozen=True)
class ConversionLift:
    treatment_rate: float
    control_rate: float
    absolute: float
    relative: float | None
    ci_low: float
    ci_high: float
    p_value: float
    incremental: float
    incremental_ci_low: float
    incremental_ci_high: float


@dataclass(frozen=True)
class RevenueLift:
    treatment_per_recipient: Decimal
    control_per_recipient: Decimal
    absolute: Decimal
    ci_low: Decimal
    ci_high: Decimal
    p_value: float
    incremental: Decimal
    incremental_ci_low: Decimal
    incremental_ci_high: Decimal


@dataclass(frozen=True)
class HoldoutLift:
    measurable: bool
    status: LiftStatus
    message: str
    treated_recipients: int
    holdout_recipients: int
    conversions: ConversionLift | None = None
    revenue: RevenueLift | None = None


_NOT_MEASURABLE = {  # {what}: "campaign" or "journey"
    LiftStatus.NO_HOLDOUT: "Lift cannot be measured: this {what} has no holdout group to compare with.",
    LiftStatus.EMPTY_HOLDOUT: "Lift cannot be measured: nobody was assigned to the holdout group.",
    LiftStatus.NO_TREATED: "Lift cannot be measured: nobody was assigned to receive the {what}.",
    LiftStatus.TOO_SMALL: "Lift cannot be measured: each group needs at least two recipients.",
}


def measure_lift(
    treated: ArmOutcomes,
    holdout: ArmOutcomes | None,
    *,
    minor_unit_exponent: int = 2,
    confidence: float = CONFIDENCE,
    what: str = "campaign",
) -> HoldoutLift:
    """Incremental conversions and revenue per recipient, treated minus holdout, each with its interval;
    `what` names the thing measured in the message."""
    status = _status(treated, holdout)
    holdout_recipients = holdout.recipients if holdout is not None else 0
    if status is not LiftStatus.MEASURED:
        message = _NOT_MEASURABLE[status].format(what=what)
        return HoldoutLift(False, status, message, treated.recipients, holdout_recipients)
    conversions = _conversion_lift(treated, holdout, confidence)
    revenue = _revenue_lift(treated, holdout, Decimal(1).scaleb(-minor_unit_exponent), confidence)
    message = (
        f"Against the holdout the {what} added {conversions.absolute * 100:+.2f} points of conversion rate "
        f"and {revenue.absolute:+} revenue per recipient."
    )
    return HoldoutLift(True, status, message, treated.recipients, holdout_recipients, conversions, revenue)


def _status(treated: ArmOutcomes, holdout: ArmOutcomes | None) -> LiftStatus:
    if holdout is None:
        return LiftStatus.NO_HOLDOUT
    if not holdout.recipients:
        return LiftStatus.EMPTY_HOLDOUT
    if not treated.recipients:
        return LiftStatus.NO_TREATED
    if min(treated.recipients, holdout.recipients) < 2:
        return LiftStatus.TOO_SMALL
    return LiftStatus.MEASURED


def _conversion_lift(treated: ArmOutcomes, holdout: ArmOutcomes, confidence: float) -> ConversionLift:
    c = compare_proportions(holdout.conversion, treated.conversion, confidence=confidence)
    n = treated.recipients
    return ConversionLift(
        treatment_rate=c.treatment_rate,
        control_rate=c.control_rate,
        absolute=c.difference,
        relative=c.difference / c.control_rate if c.control_rate else None,
        ci_low=c.ci_low,
        ci_high=c.ci_high,
        p_value=c.p_value,
        incremental=c.difference * n,
        incremental_ci_low=c.ci_low * n,
        incremental_ci_high=c.ci_high * n,
    )


def _mean_and_variance(arm: ArmOutcomes) -> tuple[Decimal, float]:
    """Mean (exact) and sample variance per recipient, both taken in Decimal.

    In floats Σr² − (Σr)²/n cancels catastrophically once sums reach millions; in Decimal it does not.
    """
    with localcontext(prec=80):
        n = arm.recipients
        variance = (arm.revenue_squares - arm.revenue * arm.revenue / n) / (n - 1)
        return arm.revenue / n, float(variance)


def _revenue_lift(treated: ArmOutcomes, holdout: ArmOutcomes, quantum: Decimal, confidence: float) -> RevenueLift:
    mean_t, var_t = _mean_and_variance(treated)
    mean_h, var_h = _mean_and_variance(holdout)
    n_t, n_h = treated.recipients, holdout.recipients
    with localcontext(prec=80):
        difference = mean_t - mean_h
    share_t, share_h = var_t / n_t, var_h / n_h
    standard_error = math.sqrt(share_t + share_h)
    if standard_error == 0:
        # Nobody's revenue varies in either arm: the difference is known exactly.
        low = high = difference
        p_value = 1.0 if difference == 0 else 0.0
    else:
        result = stats.ttest_ind_from_stats(
            float(mean_t), math.sqrt(var_t), n_t, float(mean_h), math.sqrt(var_h), n_h, equal_var=False
        )
        p_value = float(result.pvalue)
        # Welch–Satterthwaite degrees of freedom, the ones the t-test above uses.
        df = (share_t + share_h) ** 2 / (share_t**2 / (n_t - 1) + share_h**2 / (n_h - 1))
        bounds = stats.t.interval(confidence, df, loc=float(difference), scale=standard_error)
        # The bounds are floats around a rounded centre; keep the exact estimate inside them.
        low, high = min(Decimal(bounds[0]), difference), max(Decimal(bounds[1]), difference)

    def money(value: Decimal) -> Decimal:
        return value.quantize(quantum, rounding=ROUND_HALF_UP)

    return RevenueLift(
        treatment_per_recipient=money(mean_t),
        control_per_recipient=money(mean_h),
        absolute=money(difference),
        ci_low=money(low),
        ci_high=money(high),
        p_value=p_value,
        incremental=money(difference * n_t),
        incremental_ci_low=money(low * n_t),
        incremental_ci_high=money(high * n_t),
    )


NO_DATA = "no data yet"


def conversion_lift_text(lift: dict | None) -> str | None:
    """A measured conversion lift as a marketer reads it: "+1.23 points of conversion (95%: +0.50 to +1.96)".
    With no conversion on either side there is nothing to compare yet: "no data yet", not a lift of ±0.00
    between ±0.00 and ±0.00. None when it was not measured (the caller shows the reason)."""
    if lift is None:
        return None
    if not lift["treatment_rate"] and not lift["control_rate"]:
        return NO_DATA
    low, high = signed_points(lift["ci_low"]), signed_points(lift["ci_high"])
    return f"{signed_points(lift['absolute'])} points of conversion (95%: {low} to {high})"

"""Lift against the holdout: the headline figures, from SQL-style aggregates, against hand computation."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scipy import stats

from campaigns.lift import ArmOutcomes, LiftStatus, measure_lift
from config.errors import DomainError


def arm_of(revenues: list[Decimal]) -> ArmOutcomes:
    """The aggregates SQL would return for recipients with these attributed revenues."""
    return ArmOutcomes(
        recipients=len(revenues),
        converted=sum(1 for r in revenues if r > 0),
        revenue=sum(revenues, Decimal(0)),
        revenue_squares=sum((r * r for r in revenues), Decimal(0)),
    )


# 9,000 treated, 540 of whom bought for 50.00 each; 1,000 in the holdout, 40 of whom bought for 50.00.
TREATED = ArmOutcomes(recipients=9_000, converted=540, revenue=Decimal("27000.00"), revenue_squares=Decimal("1350000"))
HOLDOUT = ArmOutcomes(recipients=1_000, converted=40, revenue=Decimal("2000.00"), revenue_squares=Decimal("100000"))


def test_lift_matches_the_hand_computation():
    lift = measure_lift(TREATED, HOLDOUT)
    assert lift.measurable and lift.status is LiftStatus.MEASURED
    assert (lift.treated_recipients, lift.holdout_recipients) == (9_000, 1_000)
    conversions = lift.conversions
    # 6% against 4%: +2 points, +50%; se = sqrt(.06 × .94 / 9000 + .04 × .96 / 1000) = .006683,
    # interval .02 ± 1.96 × .006683 = (.0069, .0331); over 9,000 treated recipients 180 extra conversions.
    assert (conversions.treatment_rate, conversions.control_rate) == pytest.approx((0.06, 0.04))
    assert conversions.absolute == pytest.approx(0.02)
    assert conversions.relative == pytest.approx(0.5)
    assert (conversions.ci_low, conversions.ci_high) == pytest.approx((0.0069, 0.0331), abs=5e-5)
    assert conversions.incremental == pytest.approx(180)
    assert (conversions.incremental_ci_low, conversions.incremental_ci_high) == pytest.approx((62.1, 297.9), abs=0.1)
    revenue = lift.revenue
    # 3.00 against 2.00 per recipient; variances (1,350,000 − 27,000²/9,000)/8,999 = 141.016 and
    # (100,000 − 2,000²/1,000)/999 = 96.096; se = sqrt(141.016/9000 + 96.096/1000) = .3343;
    # interval 1.00 ± 1.96 × .3343 = (0.34, 1.66); over 9,000 recipients 9,000.00 (3,097 to 14,903).
    assert (revenue.treatment_per_recipient, revenue.control_per_recipient) == (Decimal("3.00"), Decimal("2.00"))
    assert revenue.absolute == Decimal("1.00")
    assert (revenue.ci_low, revenue.ci_high) == (Decimal("0.34"), Decimal("1.66"))
    assert revenue.incremental == Decimal("9000.00")
    assert revenue.incremental_ci_low == pytest.approx(Decimal("3097.5"), abs=Decimal("1.5"))
    assert revenue.incremental_ci_high == pytest.approx(Decimal("14902.5"), abs=Decimal("1.5"))
    assert revenue.p_value < 0.01


def test_money_is_quantised_to_the_currency_minor_unit():
    yen = measure_lift(TREATED, HOLDOUT, minor_unit_exponent=0).revenue
    dinar = measure_lift(TREATED, HOLDOUT, minor_unit_exponent=3).revenue
    assert (str(yen.absolute), str(yen.ci_low), str(yen.ci_high)) == ("1", "0", "2")
    assert (str(dinar.absolute), str(dinar.ci_low), str(dinar.ci_high)) == ("1.000", "0.344", "1.656")


@pytest.mark.parametrize(
    ("holdout", "status"),
    [
        (None, LiftStatus.NO_HOLDOUT),
        (ArmOutcomes(0, 0, Decimal(0), Decimal(0)), LiftStatus.EMPTY_HOLDOUT),
        (ArmOutcomes(1, 1, Decimal(5), Decimal(25)), LiftStatus.TOO_SMALL),
    ],
    ids=["no holdout", "empty holdout", "one in the holdout"],
)
def test_without_a_usable_holdout_lift_is_unknown_not_zero(holdout, status):
    lift = measure_lift(TREATED, holdout)
    assert not lift.measurable
    assert lift.status is status
    assert lift.conversions is None and lift.revenue is None
    assert lift.message.startswith("Lift cannot be measured")


def test_nobody_treated_cannot_be_measured():
    lift = measure_lift(ArmOutcomes(0, 0, Decimal(0), Decimal(0)), HOLDOUT)
    assert (lift.measurable, lift.status) == (False, LiftStatus.NO_TREATED)


def test_large_identical_revenues_keep_their_precision():
    # In floats Σr² − (Σr)²/n for a thousand 1,234,567.89 purchases is rounding noise (possibly negative).
    same = [Decimal("1234567.89")] * 1_000
    lift = measure_lift(arm_of(same), arm_of(same))
    assert (lift.revenue.absolute, lift.revenue.ci_low, lift.revenue.ci_high) == (Decimal("0.00"),) * 3
    assert lift.revenue.p_value == 1.0


def test_a_holdout_that_bought_nothing_has_no_relative_lift():
    lift = measure_lift(TREATED, ArmOutcomes(1_000, 0, Decimal(0), Decimal(0)))
    assert lift.conversions.relative is None
    assert lift.conversions.absolute == pytest.approx(0.06)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: ArmOutcomes(10, 11, Decimal(0), Decimal(0)), "invalid_count"),
        (lambda: ArmOutcomes(10, 1, 5.0, Decimal(25)), "invalid_amount"),
        (lambda: ArmOutcomes(10, 2, Decimal(10), Decimal(9)), "invalid_amount"),
        (lambda: ArmOutcomes(10, 2, Decimal("NaN"), Decimal(9)), "invalid_amount"),
    ],
    ids=["converted > recipients", "float revenue", "squares too small", "NaN"],
)
def test_inconsistent_aggregates_are_refused(make, code):
    with pytest.raises(DomainError) as refused:
        make()
    assert refused.value.code == code


revenues = st.lists(
    st.one_of(st.just(Decimal(0)), st.integers(min_value=1, max_value=10**7).map(lambda c: Decimal(c).scaleb(-2))),
    min_size=2,
    max_size=40,
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(treated=revenues, holdout=revenues)
def test_lift_from_aggregates_agrees_with_welch_on_the_raw_data_and_is_symmetric(treated, holdout):
    lift = measure_lift(arm_of(treated), arm_of(holdout))
    swapped = measure_lift(arm_of(holdout), arm_of(treated))
    money, rate = lift.revenue, lift.conversions
    assert money.ci_low <= money.absolute <= money.ci_high
    assert rate.ci_low <= rate.absolute <= rate.ci_high
    assert 0.0 <= money.p_value <= 1.0 and 0.0 <= rate.p_value <= 1.0
    assert abs(money.absolute + swapped.revenue.absolute) <= Decimal("0.01")
    assert money.p_value == pytest.approx(swapped.revenue.p_value)
    if len(set(treated)) > 1 and len(set(holdout)) > 1:  # scipy's raw-data test needs both arms to vary
        raw = stats.ttest_ind([float(r) for r in treated], [float(r) for r in holdout], equal_var=False)
        assert money.p_value == pytest.approx(float(raw.pvalue), rel=1e-6, abs=1e-9)

"""The lifetime-value model's arithmetic: likelihoods against values worked out by hand from the closed forms,
fits that recover the parameters data were simulated from, and a holdout check on simulated customers."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiences.clv import calibration
from audiences.clv import model as clv

SIMULATED = clv.PurchaseModel(r=0.6, alpha=12.0, a=0.9, b=4.0)


def test_a_customer_who_never_came_back_has_the_gamma_poisson_zero_probability():
    # x = 0: nothing bought in T days, so the likelihood is (alpha / (alpha + T)) ** r whatever a and b are.
    params = clv.PurchaseModel(r=0.5, alpha=3.0, a=2.0, b=5.0)
    expected = 0.5 * math.log(3.0 / (3.0 + 40.0))
    assert clv.bgnbd_log_likelihood(params, [0], [0], [40])[0] == pytest.approx(expected, rel=1e-12)


def test_a_repeat_buyer_likelihood_matches_the_hand_worked_closed_form():
    # r = a = b = 1, alpha = 2, x = 1, t_x = 3, T = 5: Γ(2)/Γ(1) · 2 · B(1, 2)/B(1, 1) · (7⁻² + 1/1 · 5⁻²)
    params = clv.PurchaseModel(r=1.0, alpha=2.0, a=1.0, b=1.0)
    expected = math.log(2 * 0.5 * (1 / 49 + 1 / 25))
    assert clv.bgnbd_log_likelihood(params, [1], [3], [5])[0] == pytest.approx(expected, rel=1e-12)


def test_the_gamma_gamma_likelihood_matches_the_hand_worked_density():
    # p = 1, q = 2, gamma = 3, one order of 2: Γ(3)/(Γ(1)Γ(2)) · 3² · 2⁰ · 1¹ / (3 + 2)³ = 18/125
    params = clv.SpendModel(p=1.0, q=2.0, gamma=3.0)
    assert clv.gamma_gamma_log_likelihood(params, [1], [2.0])[0] == pytest.approx(math.log(18 / 125), rel=1e-12)


def test_probability_alive_by_hand():
    params = clv.PurchaseModel(r=1.0, alpha=2.0, a=1.0, b=1.0)
    alive = clv.p_alive(params, [0, 1], [0, 3], [10, 5])
    # A one-time buyer is alive (BG/NBD drops out only after a repeat buy); x = 1: 1 / (1 + (7/5)²)
    assert alive.tolist() == pytest.approx([1.0, 25 / 74])


def test_churn_bands_follow_the_documented_thresholds():
    bands = clv.churn_risk(np.array([0.95, 0.7, 0.69, 0.3, 0.29, 0.0]))
    assert bands.tolist() == ["low", "low", "medium", "medium", "high", "high"]


def test_the_purchase_fit_recovers_the_parameters_of_simulated_customers():
    rng = np.random.default_rng(7)
    x, t_x, age = clv.simulate(SIMULATED, rng.uniform(150, 400, size=8000), rng)
    fitted = clv.fit_purchases(x, t_x, age)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(getattr(SIMULATED, name), rel=0.25), name


def test_the_spend_fit_recovers_the_mean_order_value_and_shape():
    rng = np.random.default_rng(11)
    p, q, gamma = 6.0, 4.0, 30.0  # mean order value p·gamma/(q-1) = 60
    frequency = rng.integers(1, 12, size=6000)
    scale_rates = rng.gamma(q, 1 / gamma, size=6000)
    monetary = np.array([rng.gamma(p, 1 / nu, size=n).mean() for n, nu in zip(frequency, scale_rates, strict=True)])
    fitted = clv.fit_spend(frequency, monetary)
    assert fitted.p == pytest.approx(p, rel=0.15)
    assert fitted.p * fitted.gamma / (fitted.q - 1) == pytest.approx(60.0, rel=0.05)
    # Someone who spent 200 a time over ten orders is expected to go on spending far above the average.
    assert clv.expected_order_value(fitted, [10], [200.0])[0] > 150


def test_a_fit_on_data_with_no_repeat_buyers_ends_at_the_iteration_bound():
    fitted = clv.fit_purchases(np.zeros(500), np.zeros(500), np.full(500, 100.0))
    assert all(math.isfinite(value) for value in (fitted.r, fitted.alpha, fitted.a, fitted.b))


def test_predicted_orders_match_what_simulated_customers_then_bought_per_decile():
    rng = np.random.default_rng(3)
    count, holdout = 40_000, 180.0
    ages = rng.uniform(60, 500, size=count)
    # One simulation over the whole span, cut at each customer's age: the past fits, the rest is the holdout.
    full_x, full_t, _ = _simulate_with_holdout(SIMULATED, ages, holdout, rng)
    fitted = clv.fit_purchases(full_x[0], full_t, ages)
    predicted = clv.expected_orders(fitted, holdout, full_x[0], full_t, ages)
    rows = calibration.decile_table(predicted, full_x[1])
    assert calibration.middle_within_tolerance(rows), [(row.decile, round(row.error, 3)) for row in rows]


def _simulate_with_holdout(params, ages, holdout, rng):
    """(orders before the cut, orders in the holdout), recency before the cut, per simulated customer."""
    count = len(ages)
    rates = rng.gamma(params.r, 1.0 / params.alpha, size=count)
    dropouts = rng.beta(params.a, params.b, size=count)
    before, after, recency = np.zeros(count), np.zeros(count, dtype=int), np.zeros(count)
    for index in range(count):
        moment = 0.0
        while True:
            moment += rng.exponential(1.0 / rates[index])
            if moment > ages[index] + holdout:
                break
            if moment <= ages[index]:
                before[index] += 1
                recency[index] = moment
            else:
                after[index] += 1
            if rng.random() < dropouts[index]:
                break
    return (before, after), recency, None


@settings(max_examples=60, deadline=None)
@given(
    frequency=st.integers(0, 40),
    recency_share=st.floats(0, 1),
    age=st.floats(1, 1000),
    horizon=st.floats(1, 730),
)
def test_predictions_are_probabilities_and_grow_with_the_horizon(frequency, recency_share, age, horizon):
    recency = age * recency_share if frequency else 0.0
    alive = clv.p_alive(SIMULATED, [frequency], [recency], [age])[0]
    shorter = clv.expected_orders(SIMULATED, horizon, [frequency], [recency], [age])[0]
    longer = clv.expected_orders(SIMULATED, horizon * 2, [frequency], [recency], [age])[0]
    assert 0 <= alive <= 1
    assert 0 <= shorter <= longer

"""BG/NBD (Fader, Hardie & Lee 2005) for how often a customer buys and whether they still do, Gamma-Gamma for
how much they spend per order; fitted by maximum likelihood over numpy arrays. Pure: no Django.

Time is in days. Per customer: `frequency` x = repeat purchase days (distinct purchase days less the first),
`recency` t_x = days from the first purchase day to the last, `age` T = days from the first purchase day to the
end of the observation, `monetary` = mean value of the repeat purchase days (0 when x = 0)."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

# The optimiser stops here whatever happens: a fit is a few dozen iterations, never a hang.
MAX_ITERATIONS = 300
# Parameters live in log space between these bounds, so none reaches 0 or overflows.
LOG_BOUNDS = (-9.0, 9.0)
# P(alive) at or above LOW_RISK is low churn risk, below HIGH_RISK high, medium between (docs/intelligence.md).
LOW_RISK = 0.7
HIGH_RISK = 0.3


@dataclass(frozen=True)
class PurchaseModel:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class SpendModel:
    p: float
    q: float
    gamma: float


def bgnbd_log_likelihood(params: PurchaseModel, frequency, recency, age) -> np.ndarray:
    """Each customer's log-likelihood of (x, t_x, T) under BG/NBD (equation 6 of the paper)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    big_t = np.asarray(age, dtype=float)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    a4 = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def gamma_gamma_log_likelihood(params: SpendModel, frequency, monetary) -> np.ndarray:
    """Each repeat customer's log-likelihood of their mean spend m_x over x orders under Gamma-Gamma."""
    p, q, gamma = params.p, params.q, params.gamma
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + gamma)
    )


def _fit(negative_log_likelihood, start: np.ndarray) -> np.ndarray:
    result = minimize(
        negative_log_likelihood,
        start,
        method="L-BFGS-B",
        bounds=[LOG_BOUNDS] * len(start),
        options={"maxiter": MAX_ITERATIONS},
    )
    return np.exp(result.x)


def fit_purchases(frequency, recency, age) -> PurchaseModel:
    """BG/NBD's r, alpha, a, b by maximum likelihood over the customers' (x, t_x, T)."""
    x, t_x, big_t = (np.asarray(values, dtype=float) for values in (frequency, recency, age))

    def negative(log_params):
        values = bgnbd_log_likelihood(PurchaseModel(*np.exp(log_params)), x, t_x, big_t)
        return -np.mean(np.where(np.isfinite(values), values, -1e6))

    return PurchaseModel(*map(float, _fit(negative, np.log([1.0, max(float(np.mean(big_t)), 1.0), 1.0, 1.0]))))


def fit_spend(frequency, monetary) -> SpendModel:
    """Gamma-Gamma's p, q, gamma over the repeat customers (x > 0, m_x > 0); the others carry no spend signal."""
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    kept = (x > 0) & (m > 0)
    x, m = x[kept], m[kept]

    def negative(log_params):
        values = gamma_gamma_log_likelihood(SpendModel(*np.exp(log_params)), x, m)
        return -np.mean(np.where(np.isfinite(values), values, -1e6))

    return SpendModel(*map(float, _fit(negative, np.log([1.0, 2.0, max(float(np.mean(m)) if len(m) else 1.0, 1.0)]))))


def p_alive(params: PurchaseModel, frequency, recency, age) -> np.ndarray:
    """The probability each customer has not dropped out; 1 for one-time buyers (BG/NBD drops only after a buy)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, big_t = (np.asarray(values, dtype=float) for values in (frequency, recency, age))
    repeat = x > 0
    odds = np.where(
        repeat,
        a / np.where(repeat, b + x - 1, 1.0) * np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))),
        0.0,
    )
    return 1.0 / (1.0 + odds)


def expected_orders(params: PurchaseModel, days: float, frequency, recency, age) -> np.ndarray:
    """Each customer's expected purchase days in the next `days` (equation 10 of the paper)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, big_t = (np.asarray(values, dtype=float) for values in (frequency, recency, age))
    horizon = alpha + big_t + days
    bought = 1.0 - np.exp((r + x) * (np.log(alpha + big_t) - np.log(horizon))) * hyp2f1(
        r + x, b + x, a + b + x - 1, days / horizon
    )
    return (a + b + x - 1) / (a - 1) * bought * p_alive(params, x, t_x, big_t)


def expected_order_value(params: SpendModel, frequency, monetary) -> np.ndarray:
    """Each customer's expected mean order value: their own mean shrunk toward the population's."""
    p, q, gamma = params.p, params.q, params.gamma
    x, m = np.asarray(frequency, dtype=float), np.asarray(monetary, dtype=float)
    return p * (gamma + x * m) / (p * x + q - 1)


def churn_risk(alive: np.ndarray) -> np.ndarray:
    """'low', 'medium' or 'high' from P(alive) (thresholds LOW_RISK and HIGH_RISK)."""
    return np.where(alive >= LOW_RISK, "low", np.where(alive < HIGH_RISK, "high", "medium"))


def simulate(
    params: PurchaseModel, ages: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) of customers drawn from BG/NBD, observed for `ages` days from their first purchase: each has a
    Poisson rate from Gamma(r, alpha) and a dropout probability from Beta(a, b), tried after each repeat buy."""
    count = len(ages)
    rates = rng.gamma(params.r, 1.0 / params.alpha, size=count)
    dropouts = rng.beta(params.a, params.b, size=count)
    frequency = np.zeros(count)
    recency = np.zeros(count)
    for index in range(count):
        moment, bought = 0.0, 0
        while True:
            moment += rng.exponential(1.0 / rates[index])
            if moment > ages[index]:
                break
            bought += 1
            recency[index] = moment
            if rng.random() < dropouts[index]:
                break
        frequency[index] = bought
    return frequency, recency, np.asarray(ages, dtype=float)

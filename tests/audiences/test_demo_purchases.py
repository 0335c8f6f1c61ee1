"""The demo's purchase process (audiences/demo/purchases.py): about the orders asked for, and the BG/NBD process the
lifetime-value model assumes, so that the model fitted to it predicts what its buyers then do. Pure: no database."""

import random

import numpy as np
import pytest

from audiences.clv import calibration, model
from audiences.demo.generator import order_windows
from audiences.demo.purchases import PurchaseProcess, TooManyOrders, purchase_process

HOLDOUT_DAYS = 180


def _buyers(customers: int, orders: int, seed: int) -> list[tuple[float, list[float]]]:
    """(window, order days from the window's start) of each customer who ordered, as the generator draws them."""
    process = purchase_process(customers, orders, order_windows())
    windows = order_windows(1000)
    rng = random.Random(seed)
    drawn = []
    for _ in range(customers):
        window = rng.choice(windows)
        if rng.random() < process.buyer_share and (days := process.orders_of_one_buyer(rng, window)):
            drawn.append((window, days))
    return drawn


@pytest.mark.parametrize(("customers", "orders"), [(5_000, 50_000), (20_000, 80_000), (20_000, 4_000)])
def test_the_customers_place_about_the_orders_asked_for(customers, orders):
    buyers = _buyers(customers, orders, seed=1)
    assert sum(len(days) for _, days in buyers) == pytest.approx(orders, rel=0.05)
    assert all(0 <= day <= window for window, days in buyers for day in days)
    if orders > customers:
        assert len(buyers) / customers == pytest.approx(0.87, abs=0.02)  # one in eight never orders
    else:
        assert len(buyers) / customers < 0.2  # fewer orders than customers: fewer buyers, not part-orders


def test_more_orders_than_the_customers_could_make_is_a_clear_error():
    with pytest.raises(TooManyOrders, match=r"10 customers make at most about [0-9,]+ orders; 5,000 were asked for"):
        purchase_process(10, 5_000, order_windows())


def test_no_orders_asked_for_means_no_buyers():
    assert purchase_process(100, 0, order_windows()).buyer_share == 0.0
    assert purchase_process(0, 0, order_windows()).buyer_share == 0.0


def test_a_buyer_with_no_rate_orders_once_and_one_whose_first_order_falls_after_the_window_not_at_all():
    class Draws(random.Random):
        def __init__(self, first: float, rate: float):
            super().__init__(0)
            self.first, self.rate = first, rate

        def expovariate(self, lambd):
            return self.first if lambd == 1 / 60.0 else super().expovariate(lambd)

        def gammavariate(self, alpha, beta):
            return self.rate

    process = PurchaseProcess(buyer_share=1.0, r=0.8, alpha=20.0, a=2.0, b=60.0)
    assert process.orders_of_one_buyer(Draws(first=10.0, rate=0.0), 100.0) == [10.0]
    assert process.orders_of_one_buyer(Draws(first=101.0, rate=0.5), 100.0) == []


def test_the_model_fitted_to_the_demo_purchases_predicts_the_holdout_per_decile():
    """The calibration `clv_calibrate` runs on seed_demo data, on this process's orders: fit on the orders before
    the last HOLDOUT_DAYS, predict each buyer's purchase days after, compare per decile of predicted orders."""
    frequency, recency, age, actual = [], [], [], []
    for window, days in _buyers(30_000, 120_000, seed=5):
        ago = sorted({int(window - day) for day in days}, reverse=True)  # purchase days before the end
        before = [day for day in ago if day >= HOLDOUT_DAYS]
        if before:
            frequency.append(len(before) - 1)
            recency.append(before[0] - before[-1])
            age.append(before[0] - HOLDOUT_DAYS)
            actual.append(len(ago) - len(before))
    fitted = model.fit_purchases(frequency, recency, age)
    predicted = model.expected_orders(fitted, HOLDOUT_DAYS, frequency, recency, age)
    rows = calibration.decile_table(predicted, np.array(actual))
    assert calibration.middle_within_tolerance(rows), [(row.decile, round(row.error, 3)) for row in rows]
    # and the fit finds the process's own parameters
    process = purchase_process(30_000, 120_000, order_windows())
    assert fitted.r == pytest.approx(process.r, rel=0.2)
    assert fitted.alpha == pytest.approx(process.alpha, rel=0.3)

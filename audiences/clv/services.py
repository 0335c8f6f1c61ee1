"""The nightly run: fit BG/NBD and Gamma-Gamma per currency, predict every buying customer, and replace their
predictions in batches (docs/intelligence.md)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from audiences.clv import calibration, model, selectors
from audiences.currencies import quantize
from audiences.models import CustomerPrediction
from config.bulk_writes import copy_writes
from config.table_swap import table_replaced

WRITE_BATCH = 5_000

Progress = Callable[[int, str], None]  # (customers done so far, currency being done)

_UPDATED = (
    "p_alive",
    "expected_orders_90",
    "expected_orders_365",
    "expected_order_value",
    "predicted_clv_12m",
    "currency",
    "churn_risk",
    "model_version",
    "computed_at",
)


@dataclass(frozen=True)
class Predictions:
    """One currency's fit and its per-customer arrays, in the order of `summary.customer_ids`."""

    summary: selectors.PurchaseSummary
    purchases: model.PurchaseModel
    spend: model.SpendModel
    p_alive: np.ndarray
    orders_90: np.ndarray
    orders_365: np.ndarray
    order_value: np.ndarray

    @property
    def clv_12m(self) -> np.ndarray:
        return self.orders_365 * self.order_value

    def version(self, as_of_day: str) -> str:
        p, s = self.purchases, self.spend
        return (
            f"bgnbd-gg {as_of_day} r{p.r:.3g} a{p.alpha:.3g} a{p.a:.3g} b{p.b:.3g} p{s.p:.3g} q{s.q:.3g} g{s.gamma:.3g}"
        )[:64]


def predictions_fitted(summary: selectors.PurchaseSummary) -> Predictions:
    x, t_x, age = summary.frequency, summary.recency, summary.age
    purchases = model.fit_purchases(x, t_x, age)
    spend = model.fit_spend(x, summary.monetary)
    return Predictions(
        summary=summary,
        purchases=purchases,
        spend=spend,
        p_alive=_finite(model.p_alive(purchases, x, t_x, age)),
        orders_90=_finite(model.expected_orders(purchases, 90, x, t_x, age)),
        orders_365=_finite(model.expected_orders(purchases, 365, x, t_x, age)),
        order_value=_finite(model.expected_order_value(spend, x, summary.monetary)),
    )


def _finite(values: np.ndarray) -> np.ndarray:
    """A degenerate fit (say, no repeat buyers at all) predicts nothing rather than storing NaN or a negative."""
    return np.clip(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)


@dataclass(frozen=True)
class PredictionsRun:
    customers: int
    currencies: int


def predictions_compute(*, now: datetime | None = None, progress: Progress | None = None) -> PredictionsRun:
    """Every buying customer's prediction; a customer who no longer qualifies (no placed order left in their
    currency) loses theirs. Safe to run twice: the second run's rows replace the first's. On PostgreSQL the table
    is replaced whole in one transaction (readers keep the last run's rows until it commits); elsewhere rows are
    upserted in batches."""
    now = now or timezone.now()
    if not copy_writes():
        run = _computed(now, progress, _upserted)
        CustomerPrediction.objects.filter(computed_at__lt=now).delete()
        return run
    with transaction.atomic(), table_replaced(CustomerPrediction) as table:
        return _computed(now, progress, lambda *batch: _copied(table, *batch))


def _computed(now: datetime, progress: Progress | None, write) -> PredictionsRun:
    as_of = timezone.localdate(now)
    customers = currencies = 0
    for currency in selectors.predicted_currencies():
        summary = selectors.purchase_summary(currency=currency, as_of=as_of, before=now)
        if len(summary.customer_ids) == 0:
            continue
        predictions = predictions_fitted(summary)
        version = predictions.version(as_of.isoformat())
        risks = model.churn_risk(predictions.p_alive)
        for start in range(0, len(summary.customer_ids), WRITE_BATCH):
            window = slice(start, start + WRITE_BATCH)
            write(predictions, risks, window, currency, version, now)
            customers += len(summary.customer_ids[window])
            if progress:
                progress(customers, currency)
        currencies += 1
    return PredictionsRun(customers=customers, currencies=currencies)


def _money(value: float, currency: str) -> Decimal:
    return quantize(Decimal(repr(float(value))), currency)


def _columns(predictions: Predictions, risks: np.ndarray, window: slice, currency: str):
    """(customer id, p_alive, orders in 90 and 365 days, order value, 12-month value, churn risk) per customer."""
    return zip(
        predictions.summary.customer_ids[window].tolist(),
        predictions.p_alive[window].tolist(),
        predictions.orders_90[window].tolist(),
        predictions.orders_365[window].tolist(),
        [_money(value, currency) for value in predictions.order_value[window].tolist()],
        [_money(value, currency) for value in predictions.clv_12m[window].tolist()],
        risks[window].tolist(),
        strict=True,
    )


@transaction.atomic
def _upserted(predictions: Predictions, risks: np.ndarray, window: slice, currency: str, version: str, now) -> None:
    CustomerPrediction.objects.bulk_create(
        [
            CustomerPrediction(
                customer_id=customer_id,
                p_alive=alive,
                expected_orders_90=orders_90,
                expected_orders_365=orders_365,
                expected_order_value=value,
                predicted_clv_12m=clv,
                currency=currency,
                churn_risk=risk,
                model_version=version,
                computed_at=now,
            )
            for customer_id, alive, orders_90, orders_365, value, clv, risk in _columns(
                predictions, risks, window, currency
            )
        ],
        update_conflicts=True,
        unique_fields=["customer"],
        update_fields=_UPDATED,
    )


def _copied(
    table: str, predictions: Predictions, risks: np.ndarray, window: slice, currency: str, version: str, now
) -> None:
    """One COPY of the window's rows into the table that replaces the predictions (floats by repr: exact)."""
    fixed = f"\t{currency}\t{{}}\t{version}\t{now.isoformat()}\n"
    text = "".join(
        f"{customer_id}\t{alive!r}\t{orders_90!r}\t{orders_365!r}\t{value}\t{clv}" + fixed.format(risk)
        for customer_id, alive, orders_90, orders_365, value, clv, risk in _columns(
            predictions, risks, window, currency
        )
    )
    columns = ", ".join(("customer_id", *_UPDATED))
    with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        copy.write(text)


@dataclass(frozen=True)
class CalibrationResult:
    currency: str
    customers: int
    rows: list[calibration.DecileRow]

    @property
    def passed(self) -> bool:
        return calibration.middle_within_tolerance(self.rows)


def clv_calibrate(*, cutoff: datetime, end: datetime) -> list[CalibrationResult]:
    """Per currency: fit on the orders before `cutoff`, predict each customer's orders from then to `end`, and
    set them beside the orders they placed, per decile of predicted orders. Writes nothing."""
    days = (end - cutoff).total_seconds() / 86_400
    results = []
    for currency in selectors.predicted_currencies():
        summary = selectors.purchase_summary(currency=currency, as_of=timezone.localdate(cutoff), before=cutoff)
        if len(summary.customer_ids) == 0:
            continue
        purchases = model.fit_purchases(summary.frequency, summary.recency, summary.age)
        predicted = _finite(model.expected_orders(purchases, days, summary.frequency, summary.recency, summary.age))
        actual = selectors.purchase_days_counted(currency=currency, since=cutoff, customer_ids=summary.customer_ids)
        results.append(
            CalibrationResult(
                currency=currency,
                customers=len(summary.customer_ids),
                rows=calibration.decile_table(predicted, actual),
            )
        )
    return results

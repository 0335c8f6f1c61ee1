"""Reads for the lifetime-value model: each customer's purchase summary (frequency, recency, age, monetary) as
numpy arrays, streamed in batches, and a customer's prediction."""

from array import array
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from django.db import connection
from django.db.models import Func, IntegerField, Sum
from django.db.models.functions import TruncDate

from audiences.models import Customer, CustomerPrediction, Order
from config.array_reads import columns_read

BATCH = 20_000


@dataclass(frozen=True)
class PurchaseSummary:
    """Per customer (by id): x repeat purchase days, t_x and T in days, mean value of the repeat days."""

    customer_ids: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    age: np.ndarray
    monetary: np.ndarray


def predicted_currencies() -> list[str]:
    return sorted(set(Customer.objects.exclude(currency="").values_list("currency", flat=True).distinct()))


def _purchase_days(currency: str, before: datetime | None, since: datetime | None):
    """(customer, day, total) of placed orders in the customer's own currency: cancelled orders are out, as in the
    order statistics, and a customer's orders in another currency never mix amounts with theirs."""
    orders = Order.objects.filter(
        status=Order.Status.PLACED, currency=currency, customer__currency=currency, customer__erased_at__isnull=True
    )
    if before is not None:
        orders = orders.filter(placed_at__lt=before)
    if since is not None:
        orders = orders.filter(placed_at__gte=since)
    return (
        orders.annotate(day=TruncDate("placed_at"))
        .values_list("customer_id", "day")
        .annotate(spent=Sum("total"))
        .order_by("customer_id", "day")
    )


def _day_arrays(currency: str, before: datetime | None, since: datetime | None):
    """(customer ids, days as ordinals, spent) of each customer's purchase days, by customer and day. On
    PostgreSQL the three columns cross as three arrays (config/array_reads.py), in one order, sorted here."""
    days = _purchase_days(currency, before, since)
    if connection.vendor != "postgresql":
        return _day_arrays_by_row(days)
    customers, ordinals, spent = columns_read(
        days.values_list("customer_id", _Ordinal("day"), "spent"), ("bigint", "bigint", "double precision")
    )
    order = np.lexsort((ordinals, customers))  # the order of the rows, lost in the aggregate's subquery
    return customers[order], ordinals[order], spent[order]


class _Ordinal(Func):
    """A date as `date.toordinal()` counts it: 1 for 0001-01-01 (PostgreSQL)."""

    template = "(%(expressions)s - DATE '0001-01-01' + 1)"
    output_field = IntegerField()


def _day_arrays_by_row(days):
    customers, ordinals, spent = array("q"), array("q"), array("d")
    for customer_id, day, total in days.iterator(chunk_size=BATCH):
        customers.append(customer_id)
        ordinals.append(day.toordinal())
        spent.append(float(total))  # model input only: the stored value is a Decimal again
    return (np.frombuffer(customers, dtype=np.int64), np.frombuffer(ordinals, dtype=np.int64), np.frombuffer(spent))


def purchase_summary(*, currency: str, as_of: date, before: datetime | None = None) -> PurchaseSummary:
    """The summary of every customer of `currency` with a placed order (before `before`), observed up to `as_of`."""
    customers, days, spent = _day_arrays(currency, before, None)
    ids, first_index, counts = np.unique(customers, return_index=True, return_counts=True)
    last_index = first_index + counts - 1
    first_day = days[first_index]
    totals = np.add.reduceat(spent, first_index) if len(ids) else np.zeros(0)
    frequency = counts - 1
    repeat_spent = totals - spent[first_index]
    return PurchaseSummary(
        customer_ids=ids,
        frequency=frequency.astype(float),
        recency=(days[last_index] - first_day).astype(float),
        age=(as_of.toordinal() - first_day).astype(float),
        monetary=np.divide(repeat_spent, frequency, out=np.zeros(len(ids)), where=frequency > 0),
    )


def purchase_days_counted(*, currency: str, since: datetime, customer_ids: np.ndarray) -> np.ndarray:
    """How many purchase days each of `customer_ids` had from `since` on (the calibration's actual orders)."""
    customers, _, _ = _day_arrays(currency, None, since)
    found, counts = np.unique(customers, return_counts=True)
    position = np.searchsorted(found, customer_ids)
    matched = (position < len(found)) & (found[np.minimum(position, max(len(found) - 1, 0))] == customer_ids)
    return np.where(matched, counts[np.minimum(position, max(len(found) - 1, 0))] if len(found) else 0, 0)


def customer_prediction(*, customer: Customer) -> CustomerPrediction | None:
    return CustomerPrediction.objects.filter(customer=customer).first()

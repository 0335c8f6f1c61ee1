"""The nightly run: every customer's top products, replaced whole in one transaction (docs/intelligence.md)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import CustomerRecommendation
from audiences.recommendations import fitting, selectors
from config.bulk_writes import copy_writes

# Dense scores of a batch of customers × the currency's products stay under ~32 MB of float64.
SCORES_PER_BATCH = 4_000_000

Progress = Callable[[int, str], None]  # (customers done so far, currency being done)

_COLUMNS = ("customer_id", "rank", "product_id", "score", "source", "computed_at")


@dataclass(frozen=True)
class RecommendationsRun:
    customers: int
    rows: int


@transaction.atomic
def recommendations_compute(*, now: datetime | None = None, progress: Progress | None = None) -> RecommendationsRun:
    """Replace every customer's recommendations, currency by currency. Safe to run twice: a second run replaces
    the first's rows; one started beside it waits for the first to commit, then replaces its rows."""
    now = now or timezone.now()
    count = settings.RECOMMENDATIONS_STORED
    if connection.vendor == "postgresql":  # SQLite has one writer at a time anyway
        with connection.cursor() as cursor:
            # Readers go on reading the last run's rows; a second run waits here, then replaces this one's.
            cursor.execute(f"LOCK TABLE {CustomerRecommendation._meta.db_table} IN EXCLUSIVE MODE")
    CustomerRecommendation.objects.all().delete()
    customers = rows = 0
    for currency in selectors.recommended_currencies():
        model = fitting.fitted(currency=currency)
        batch_size = max(500, SCORES_PER_BATCH // max(len(model.product_ids), 1))
        for customer_ids, store_ids in selectors.customer_batches(currency=currency, size=batch_size):
            products, scores, from_co_purchase = model.recommend(customer_ids, store_ids, count)
            batch = [
                (
                    int(customer_id),
                    rank + 1,
                    int(product_id),
                    float(score) if co_purchased else 0.0,
                    CustomerRecommendation.Source.CO_PURCHASE
                    if co_purchased
                    else CustomerRecommendation.Source.POPULAR,
                    now,
                )
                for customer_id, row, row_scores, row_co in zip(
                    customer_ids, products, scores, from_co_purchase, strict=True
                )
                for rank, (product_id, score, co_purchased) in enumerate(zip(row, row_scores, row_co, strict=True))
                if product_id
            ]
            _write(batch)
            customers += len(customer_ids)
            rows += len(batch)
            if progress:
                progress(customers, currency)
    return RecommendationsRun(customers=customers, rows=rows)


def _write(batch: list[tuple]) -> None:
    if not batch:
        return
    if not copy_writes():
        CustomerRecommendation.objects.bulk_create(
            (CustomerRecommendation(**dict(zip(_COLUMNS, row, strict=True))) for row in batch), batch_size=5000
        )
        return
    table = CustomerRecommendation._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy,
    ):
        for row in batch:
            copy.write_row(row)

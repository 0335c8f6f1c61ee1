"""The nightly run: every customer's top products, replaced whole in one transaction (docs/intelligence.md)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audiences.models import CustomerRecommendation
from audiences.recommendations import fitting, selectors
from audiences.recommendations.co_purchase import CO_PURCHASE, POPULAR
from config.bulk_writes import copy_writes
from config.table_swap import table_replaced

# Dense scores of a batch of customers × the currency's products stay under ~32 MB of float64.
SCORES_PER_BATCH = 4_000_000

Progress = Callable[[int, str], None]  # (customers done so far, currency being done)

_COLUMNS = ("customer_id", "rank", "product_id", "score", "source", "computed_at")
# COPY's binary form: its signature, flags and header extension length; a field count of -1 ends the data.
_BINARY_HEADER, _BINARY_TRAILER = b"PGCOPY\n\xff\r\n\x00" + bytes(8), b"\xff\xff"
_POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RecommendationsRun:
    customers: int
    rows: int


@transaction.atomic
def recommendations_compute(*, now: datetime | None = None, progress: Progress | None = None) -> RecommendationsRun:
    """Replace every customer's recommendations, currency by currency. Safe to run twice: a second run replaces
    the first's rows; one started beside it waits for the first to commit, then replaces its rows. Readers go on
    reading the last run's rows until this one commits."""
    now = now or timezone.now()
    if not copy_writes():
        if connection.vendor == "postgresql":  # SQLite has one writer at a time anyway
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {CustomerRecommendation._meta.db_table} IN EXCLUSIVE MODE")
        CustomerRecommendation.objects.all().delete()
        return _computed(now, progress, lambda *batch: _inserted(*batch, now))
    with table_replaced(CustomerRecommendation) as table:  # a new table, filled with COPY, then swapped in
        return _computed(now, progress, lambda *batch: _copied(table, *batch, now))


def _computed(now: datetime, progress: Progress | None, write) -> RecommendationsRun:
    count = settings.RECOMMENDATIONS_STORED
    customers = rows = 0
    for currency in selectors.recommended_currencies():
        model = fitting.fitted(currency=currency)
        batch_size = max(500, SCORES_PER_BATCH // max(len(model.product_ids), 1))
        for customer_ids, store_ids in selectors.customer_batches(currency=currency, size=batch_size):
            products, scores, from_co_purchase = model.recommend(customer_ids, store_ids, count)
            rows += write(*_rows(customer_ids, products, scores, from_co_purchase))
            customers += len(customer_ids)
            if progress:
                progress(customers, currency)
    return RecommendationsRun(customers=customers, rows=rows)


def _rows(customer_ids, products, scores, from_co_purchase) -> tuple[np.ndarray, ...]:
    """One batch's rows as columns (a product id of 0 is no row); the rank is the place in the customer's row."""
    ranks = np.broadcast_to(np.arange(1, products.shape[1] + 1), products.shape)
    kept = products > 0
    return (
        np.broadcast_to(customer_ids[:, np.newaxis], products.shape)[kept],
        ranks[kept],
        products[kept],
        np.where(from_co_purchase, scores, 0.0)[kept],
        from_co_purchase[kept],
    )


def _inserted(customer_ids, ranks, products, scores, co_purchased, now: datetime) -> int:
    CustomerRecommendation.objects.bulk_create(
        (
            CustomerRecommendation(
                customer_id=c, rank=r, product_id=p, score=s, source=CO_PURCHASE if k else POPULAR, computed_at=now
            )
            for c, r, p, s, k in zip(
                customer_ids.tolist(),
                ranks.tolist(),
                products.tolist(),
                scores.tolist(),
                co_purchased.tolist(),
                strict=True,
            )
        ),
        batch_size=5000,
    )
    return len(customer_ids)


def _copied(table: str, customer_ids, ranks, products, scores, co_purchased, now: datetime) -> int:
    """One COPY in PostgreSQL's binary form, built by numpy: co-purchase rows, then popularity rows (a row of each
    kind has a fixed size, its source's bytes included; the order of rows in a table is nobody's concern)."""
    moment = (now - _POSTGRES_EPOCH) // timedelta(microseconds=1)
    blocks = [_BINARY_HEADER]
    for source, rows in ((CO_PURCHASE, co_purchased), (POPULAR, ~co_purchased)):
        blocks.append(_binary_rows(customer_ids[rows], ranks[rows], products[rows], scores[rows], source, moment))
    blocks.append(_BINARY_TRAILER)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ({", ".join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)') as copy,
    ):
        copy.write(b"".join(blocks))
    return len(customer_ids)


def _binary_rows(customer_ids, ranks, products, scores, source: str, moment: int) -> bytes:
    """Rows of COPY's binary form: a field count, then each field's length and big-endian value (bigint, smallint,
    bigint, double precision, text, timestamp with time zone as microseconds since 2000)."""
    text = source.encode()
    layout = np.dtype(
        [("fields", ">i2")]
        + [
            field
            for name, kind in (
                ("customer", ">i8"),
                ("rank", ">i2"),
                ("product", ">i8"),
                ("score", ">f8"),
                ("source", f"S{len(text)}"),
                ("at", ">i8"),
            )
            for field in ((f"{name}_length", ">i4"), (name, kind))
        ]
    )
    rows = np.empty(len(customer_ids), dtype=layout)
    rows["fields"] = len(_COLUMNS)
    for name, values in (
        ("customer", customer_ids),
        ("rank", ranks),
        ("product", products),
        ("score", scores),
        ("source", text),
        ("at", moment),
    ):
        rows[f"{name}_length"] = layout[name].itemsize
        rows[name] = values
    return rows.tobytes()

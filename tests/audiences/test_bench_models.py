"""`bench_models` runs the nightly model job, committed, and reports each part against issue #21's targets."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audiences.models import CustomerPrediction, CustomerRecommendation
from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # each part commits in a process of its own, as a worker's task
@pytest.mark.parametrize("parallel", [False, True])
def test_the_job_writes_both_parts_and_reports_them_against_the_targets(parallel):
    store_upsert(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    for sku in ("PHONE", "CASE", "TV"):
        product_upsert(sku=sku, name=sku.title(), price=Decimal(100), currency="BDT")
    now = timezone.now()
    for number, skus in enumerate((["PHONE", "CASE"], ["PHONE"], ["TV"])):
        customer, _ = customer_upsert(external_id=f"C-{number}", store="DHK-01")
        for day in (40, 10):
            order_create(
                external_id=f"O-{number}-{day}",
                currency="BDT",
                placed_at=now - timedelta(days=day + number),
                customer=customer,
                lines=[OrderLineInput(sku=sku, quantity=1, unit_price=Decimal(100)) for sku in skus],
            )
    out = io.StringIO()
    call_command("bench_models", parallel=parallel, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("load average at the start: ")
    assert lines[2].startswith("predictions: 3 rows in ")
    assert lines[3].startswith("recommendations: 5 rows in ")  # the products each customer has not bought
    assert "peak RSS " in lines[3] and "its PostgreSQL backend " in lines[3]
    assert lines[4].startswith(f"job ({'parallel' if parallel else 'one part after the other'}): ")
    assert "(within 600 s)" in lines[4] and "(within 1 GB)" in lines[4]
    assert CustomerPrediction.objects.count() == 3
    assert CustomerRecommendation.objects.count() == 5

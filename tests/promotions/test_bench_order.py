"""`bench_order` places the load test's orders on a load-test database and reports their cost; elsewhere it refuses."""

import io

import pytest
from django.core.management import CommandError, call_command

from audiences.models import Order
from promotions import load_data

pytestmark = pytest.mark.django_db


def test_it_places_the_load_tests_orders_and_reports_cpu_and_statements_per_order():
    out = io.StringIO()
    load_data.customers_ensure(customers=12, orders=12, out=out)
    load_data.catalogue_ensure(skus=300, out=out)
    load_data.promotions_ensure(count=40, out=out)
    before = Order.objects.count()

    call_command("bench_order", orders=4, warmup=2, counted=3, session=True, stdout=out)

    assert Order.objects.count() == before + 2 + 4 + 3  # warm-up, timed and counted orders, all placed
    report = out.getvalue()
    assert "4 orders (each after its cart evaluated): process CPU per order mean" in report
    assert "statements per order (of 3 more, with their commit and what runs on it)" in report


def test_it_refuses_a_database_without_load_test_data():
    with pytest.raises(CommandError, match="No load-test data here"):
        call_command("bench_order", orders=1, stdout=io.StringIO())

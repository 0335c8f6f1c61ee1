"""`field__any_of`: the same rows as `field__in`, on PostgreSQL as one array parameter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audiences.models import Customer, Store

pytestmark = pytest.mark.django_db


def test_any_of_selects_what_in_selects_for_fields_and_foreign_keys():
    store = Store.objects.create(code="S1", name="One", timezone="UTC", currency="BDT")
    customers = [Customer.objects.create(external_id=f"A-{n}", store=store if n % 2 else None) for n in range(5)]
    wanted = [customers[1].pk, customers[3].pk, customers[4].pk]

    assert sorted(Customer.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == sorted(wanted)
    assert set(Customer.objects.filter(external_id__any_of=["A-0", "A-9"]).values_list("external_id", flat=True)) == {
        "A-0"
    }
    assert Customer.objects.filter(store_id__any_of=[store.pk]).count() == 2
    assert not Customer.objects.filter(pk__any_of=[]).exists()


def test_on_postgresql_any_batch_size_is_one_statement_text():
    if connection.vendor != "postgresql":
        pytest.skip("the array form is PostgreSQL's; elsewhere any_of is an IN list")
    with CaptureQueriesContext(connection) as queries:
        list(Customer.objects.filter(pk__any_of=[1, 2, 3]))
        list(Customer.objects.filter(pk__any_of=list(range(500))))
    first, second = (query["sql"] for query in queries.captured_queries)
    assert "= ANY(" in first
    assert first.split("ANY(")[0] == second.split("ANY(")[0]

"""`table_replaced`: a table's rows replaced whole through a new table, which takes the old one's place with its
constraints, indexes and privileges under their own names (PostgreSQL)."""

import pytest
from django.db import IntegrityError, connection, transaction

from audiences.models import Customer, CustomerPrediction, Store
from config.table_swap import NotSwappable, table_replaced

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the swap is PostgreSQL's"),
]

ROW = "\t0.5\t1.0\t2.0\t100.00\t200.00\tBDT\tlow\tv1\t2026-11-28T01:10:00+00:00\n"
COLUMNS = (
    "customer_id, p_alive, expected_orders_90, expected_orders_365, expected_order_value, predicted_clv_12m, "
    "currency, churn_risk, model_version, computed_at"
)


def _shape(table: str) -> tuple[list, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table])
        return constraints, cursor.fetchall()


def _copied(table: str, customer_ids) -> None:
    with connection.cursor() as cursor, cursor.cursor.copy(f'COPY "{table}" ({COLUMNS}) FROM STDIN') as copy:
        copy.write("".join(f"{customer_id}{ROW}" for customer_id in customer_ids))


def _replaced(capture, customer_ids) -> int:
    """Replace the predictions with rows of these customers, committed; how many rows were read before the swap."""
    with capture(execute=True), transaction.atomic(), table_replaced(CustomerPrediction) as staging:
        _copied(staging, customer_ids)
        return CustomerPrediction.objects.count()


@pytest.fixture
def customers():
    store = Store.objects.create(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    return [Customer.objects.create(external_id=f"C-{n}", store=store, currency="BDT") for n in range(3)]


def test_the_new_rows_replace_the_old_and_the_table_keeps_its_shape_and_grants(
    customers, django_capture_on_commit_callbacks
):
    table = CustomerPrediction._meta.db_table
    _replaced(django_capture_on_commit_callbacks, [customers[0].pk])
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS swap_reader")
        cursor.execute("CREATE ROLE swap_reader")
        cursor.execute(f'GRANT SELECT ON "{table}" TO swap_reader')
    shape = _shape(table)
    assert _replaced(django_capture_on_commit_callbacks, [customers[1].pk, customers[2].pk]) == 1
    assert sorted(CustomerPrediction.objects.values_list("customer_id", flat=True)) == [
        customers[1].pk,
        customers[2].pk,
    ]
    assert _shape(table) == shape  # the foreign key checked after the commit: no longer NOT VALID
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{table}_old"])
        assert cursor.fetchone()[0] is None  # the old table dropped after the commit
    with connection.cursor() as cursor:  # the role goes with the test's transaction
        cursor.execute("SELECT has_table_privilege('swap_reader', %s, 'SELECT')", [table])
        assert cursor.fetchone()[0]


def test_a_row_whose_customer_is_gone_fails_the_check_after_the_commit(customers, django_capture_on_commit_callbacks):
    committed, failed = (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(IntegrityError, match="customer"),
    )
    with failed, committed, transaction.atomic(), table_replaced(CustomerPrediction) as staging:
        _copied(staging, [customers[1].pk, 999_999_999])


@pytest.mark.django_db(transaction=True)
def test_it_runs_only_in_a_transaction_and_refuses_tables_with_a_sequence():
    with pytest.raises(transaction.TransactionManagementError), table_replaced(CustomerPrediction):
        pass
    refused = pytest.raises(NotSwappable, match="identity or serial columns \\(id\\)")
    with refused, transaction.atomic(), table_replaced(Store):
        pass

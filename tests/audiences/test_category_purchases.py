"""The purchase summary by category agrees with the placed order lines after every write that
records or cancels orders, and the segment answers read from it are those read from the lines."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Exists, OuterRef
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiences.models import Category, CategoryPurchase, Customer, Order, OrderLine, Product
from audiences.segments.selectors import matching_customers
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_cancel, order_create, orders_import

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalog(db):
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="electronics", name="Electronics")
    category_upsert(code="phones", name="Phones", parent_code="electronics")
    category_upsert(code="grocery", name="Grocery")
    product_upsert(sku="PHONE-1", name="Phone", category_code="phones", price=Decimal("15000"), currency="BDT")
    product_upsert(sku="TV-1", name="TV", category_code="electronics", price=Decimal("40000"), currency="BDT")
    product_upsert(sku="RICE", name="Rice", category_code="grocery", price=Decimal("100"), currency="BDT")


def line(sku: str) -> OrderLineInput:
    return OrderLineInput(sku=sku, quantity=1, unit_price=Decimal("100"), product=Product.objects.get(sku=sku))


def summary() -> dict[tuple[str, str], datetime]:
    return {
        (row.customer.external_id, row.category.code): row.last_placed_at
        for row in CategoryPurchase.objects.select_related("customer", "category")
    }


def summary_from_the_lines() -> dict[tuple[str, str], datetime]:
    """What the summary should hold, from each placed line as recorded."""
    latest: dict[tuple[str, str], datetime] = {}
    for order_line in OrderLine.objects.select_related("order__customer", "category"):
        order = order_line.order
        if order.status != Order.Status.PLACED or order.customer is None or order_line.category is None:
            continue
        key = (order.customer.external_id, order_line.category.code)
        latest[key] = max(latest.get(key, order.placed_at), order.placed_at)
    return latest


def place(customer: Customer, external_id: str, days_ago: int, *skus: str) -> Order:
    return order_create(
        external_id=external_id,
        currency="BDT",
        placed_at=NOW - timedelta(days=days_ago),
        customer=customer,
        lines=[line(sku) for sku in skus],
    )


def test_a_placement_records_the_latest_purchase_per_category_and_an_older_one_does_not_replace_it(catalog):
    rahim = customer_upsert(external_id="A")[0]
    place(rahim, "O-1", 10, "PHONE-1", "RICE")
    place(rahim, "O-2", 400, "PHONE-1")  # imported history, older than what is known
    assert summary() == {("A", "phones"): NOW - timedelta(days=10), ("A", "grocery"): NOW - timedelta(days=10)}


def test_a_cancellation_falls_back_to_the_purchase_before_it_and_the_last_one_removes_the_row(catalog):
    rahim = customer_upsert(external_id="A")[0]
    older = place(rahim, "O-1", 400, "PHONE-1")
    newer = place(rahim, "O-2", 10, "PHONE-1", "RICE")
    order_cancel(order=newer)
    assert summary() == {("A", "phones"): NOW - timedelta(days=400)}
    order_cancel(order=older)
    assert summary() == {}


def test_an_order_without_a_customer_or_a_category_leaves_no_row(catalog):
    order_create(external_id="O-1", currency="BDT", placed_at=NOW, lines=[line("PHONE-1")])
    rahim = customer_upsert(external_id="A")[0]
    order_create(
        external_id="O-2",
        currency="BDT",
        placed_at=NOW,
        customer=rahim,
        lines=[OrderLineInput(sku="GIFT-CARD", quantity=1, unit_price=Decimal("500"))],
    )
    assert summary() == {}


def imported(number: int, customer: str, days_ago: int, skus: list[str]) -> tuple[str, dict]:
    placed_at = NOW - timedelta(days=days_ago, hours=1)
    lines = [{"sku": sku, "quantity": 1, "unit_price": Decimal("100"), "discount": Decimal(0)} for sku in skus]
    order = {"customer": customer, "store": "", "channel": "pos", "currency": "BDT", "placed_at": placed_at}
    return f"O-{number}", {**order, "shipping_price": Decimal(0), "lines": lines}


writes = st.lists(
    st.tuples(
        st.sampled_from(["place", "import", "cancel"]),
        st.sampled_from(["A", "B", "C"]),
        st.lists(st.sampled_from(["PHONE-1", "TV-1", "RICE"]), min_size=1, max_size=3),
        st.integers(min_value=0, max_value=800),  # days ago
    ),
    max_size=10,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=writes)
def test_the_summary_agrees_with_the_lines_after_any_placements_imports_and_cancellations(catalog, writes):
    CategoryPurchase.objects.all().delete()  # the world of the previous example (orders are never deleted)
    Order.objects.all().delete()
    customers = {c: customer_upsert(external_id=c)[0] for c in ("A", "B", "C")}
    for number, (write, customer, skus, days_ago) in enumerate(writes):
        if write == "place":
            place(customers[customer], f"O-{number}", days_ago, *skus)
        elif write == "import":
            orders_import(orders=dict([imported(number, customer, days_ago, skus)]))
        else:
            placed = Order.objects.filter(customer=customers[customer], status=Order.Status.PLACED).first()
            if placed is not None:
                order_cancel(order=placed)
    assert summary() == summary_from_the_lines()


def bought_from_the_lines(codes: list[str], within_days: int | None) -> set[str]:
    """The purchase condition read from the lines alone, without the summary."""
    under = [c.pk for c in Category.objects.all() if any(f"/{code}/" in c.path for code in codes)]
    lines = OrderLine.objects.filter(customer=OuterRef("pk"), order_status=Order.Status.PLACED, category__in=under)
    if within_days is not None:
        lines = lines.filter(placed_at__gte=NOW - timedelta(days=within_days))
    return set(Customer.objects.filter(Exists(lines)).values_list("external_id", flat=True))


def test_on_the_demo_data_segments_count_the_same_with_and_without_the_summary():
    call_command(
        "seed_demo",
        "--customers=400",
        "--orders=4000",
        "--products=60",
        "--as-of=2026-11-27",
        "--no-progress",
        stdout=io.StringIO(),
    )
    assert CategoryPurchase.objects.count() > 400
    assert summary() == summary_from_the_lines()
    everyone = set(Customer.objects.values_list("external_id", flat=True))
    checked = 0
    for codes in (["phones"], ["electronics"], ["phones", "kitchen"], ["motorbikes"]):
        for within_days in (None, 30, 365):
            condition = {"field": "purchased_category", "op": "in", "value": codes}
            if within_days is not None:
                condition["within_days"] = within_days
            expected = bought_from_the_lines(codes, within_days)
            bought = set(matching_customers({"all": [condition]}, now=NOW).values_list("external_id", flat=True))
            not_bought = {**condition, "op": "not_in"}
            did_not = set(matching_customers({"all": [not_bought]}, now=NOW).values_list("external_id", flat=True))
            assert (bought, did_not) == (expected, everyone - expected), (codes, within_days)
            checked += bool(expected) and expected != everyone
    assert checked >= 8  # the fixture tells buyers from non-buyers for most of the conditions

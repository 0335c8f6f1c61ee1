"""Purchase-history conditions read the order lines' copies of the order's customer, time and status.

Every write that records or cancels an order keeps those copies true: an order placed through the
API, an order imported from a CSV file, a cancellation. The segment answers follow each of them,
and agree with the definition computed from the orders themselves on any mix of orders.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiences.models import CategoryPurchase, Order, OrderLine, Product, Segment, SegmentMembershipChange
from audiences.segments import services as segments
from audiences.segments.selectors import matching_customers
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_cancel, order_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PHONES_THIS_YEAR = {"all": [{"field": "purchased_category", "op": "eq", "value": "electronics", "within_days": 365}]}
NEVER_BOUGHT_A_PHONE = {"all": [{"field": "purchased_sku", "op": "not_in", "value": ["PHONE-1"]}]}


@pytest.fixture
def catalog(db):
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="electronics", name="Electronics")
    category_upsert(code="phones", name="Phones", parent_code="electronics")
    category_upsert(code="grocery", name="Grocery")
    product_upsert(sku="PHONE-1", name="Phone", category_code="phones", price=Decimal("15000"), currency="BDT")
    product_upsert(sku="RICE", name="Rice", category_code="grocery", price=Decimal("100"), currency="BDT")
    for external_id in ("A", "B"):
        customer_upsert(external_id=external_id)


def line(sku: str) -> OrderLineInput:
    """A line of a catalog product, so it takes the product's category as the API and imports do."""
    return OrderLineInput(sku=sku, quantity=1, unit_price=Decimal("100"), product=Product.objects.get(sku=sku))


def members(rules: dict, now: datetime = NOW) -> set[str]:
    return set(matching_customers(rules, now=now).values_list("external_id", flat=True))


def test_an_order_placed_through_the_api_puts_its_buyer_in_and_its_cancellation_takes_them_out(catalog, storefront):
    placed_at = (NOW - timedelta(days=3)).isoformat()
    body = {"external_id": "O-1", "customer": "A", "currency": "BDT", "placed_at": placed_at,
            "lines": [{"sku": "PHONE-1", "quantity": 1, "unit_price": "15000.00"}]}  # fmt: skip
    assert storefront.post("/api/v1/orders", body, format="json").status_code == 201
    line = OrderLine.objects.get(order__external_id="O-1")
    assert (line.customer.external_id, line.placed_at, line.order_status) == ("A", NOW - timedelta(days=3), "placed")
    assert members(PHONES_THIS_YEAR) == {"A"}
    assert members(NEVER_BOUGHT_A_PHONE) == {"B"}

    assert storefront.post("/api/v1/orders/O-1/cancel", {}, format="json").status_code == 200
    assert members(PHONES_THIS_YEAR) == set()
    assert members(NEVER_BOUGHT_A_PHONE) == {"A", "B"}


def test_orders_imported_from_a_csv_file_count_by_their_own_dates(catalog, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order,customer,store,channel,currency,placed_at,sku,quantity,unit_price\n"
        "O-OLD,A,,pos,BDT,2024-06-01T10:00:00+06:00,PHONE-1,1,15000\n"
        "O-NEW,B,,pos,BDT,2026-11-01T10:00:00+06:00,RICE,1,100\n"
        "O-NEW,B,,pos,BDT,2026-11-01T10:00:00+06:00,PHONE-1,1,15000\n"
    )
    call_command("import_csv", "orders", str(path))
    assert members(PHONES_THIS_YEAR) == {"B"}  # A's phone is two years old
    assert members({"all": [{"field": "purchased_category", "op": "eq", "value": "phones"}]}) == {"A", "B"}
    assert members({"all": [{"field": "purchased_sku", "op": "eq", "value": "RICE", "within_days": 30}]}) == {"B"}


def test_a_refresh_after_a_cancellation_records_the_exit(catalog):
    segment = segments.segment_create(code="phone_buyers", name="Phone buyers", rules=PHONES_THIS_YEAR)
    phone = line("PHONE-1")
    customer = customer_upsert(external_id="A")[0]
    order = order_create(
        external_id="O-1", currency="BDT", placed_at=NOW - timedelta(days=1), lines=[phone], customer=customer
    )
    assert segments.segment_refresh(segment=segment, now=NOW).entered == 1
    order_cancel(order=order)
    result = segments.segment_refresh(segment=segment, now=NOW)
    assert (result.count, result.exited) == (0, 1)
    assert SegmentMembershipChange.objects.filter(segment=segment, kind="exited").get().customer == customer
    assert Segment.objects.get(pk=segment.pk).member_count == 0


def bought_from_the_orders(category_codes: set[str], within_days: int | None) -> set[str]:
    """The condition's definition, from the orders and their lines as recorded (not the copies)."""
    since = NOW - timedelta(days=within_days) if within_days else None
    return {
        order.customer.external_id
        for order in Order.objects.filter(status=Order.Status.PLACED, customer__isnull=False)
        if (since is None or order.placed_at >= since)
        and any(line.category and line.category.code in category_codes for line in order.lines.all())
    }


orders_strategy = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.lists(st.sampled_from(["PHONE-1", "RICE"]), min_size=1, max_size=3),
        st.integers(min_value=0, max_value=800),  # days ago
        st.booleans(),  # cancelled afterwards
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders_strategy, within_days=st.sampled_from([None, 30, 365]))
def test_the_copies_answer_as_the_orders_do(catalog, orders, within_days):
    CategoryPurchase.objects.all().delete()  # the previous example's (orders are never deleted otherwise)
    Order.objects.all().delete()
    customers = {c: customer_upsert(external_id=c)[0] for c in ("A", "B", "C")}
    for number, (customer, skus, days_ago, cancelled) in enumerate(orders):
        order = order_create(
            external_id=f"O-{number}",
            currency="BDT",
            placed_at=NOW - timedelta(days=days_ago, hours=1),
            customer=customers[customer],
            lines=[line(sku) for sku in skus],
        )
        if cancelled:
            order_cancel(order=order)
    for code, descendants in (("electronics", {"electronics", "phones"}), ("grocery", {"grocery"})):
        condition = {"field": "purchased_category", "op": "eq", "value": code}
        if within_days:
            condition["within_days"] = within_days
        assert members({"all": [condition]}) == bought_from_the_orders(descendants, within_days)

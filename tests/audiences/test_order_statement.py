"""`order_create` writes an order in one statement on PostgreSQL and through the ORM elsewhere: the same rows."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from audiences.models import Customer, Order, OrderLine, Product, Store
from audiences.segments.models import MembershipRecheck
from audiences.services import order_statement
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import WRITTEN_LINES, OrderLineInput, order_create

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has only the ORM's way"),
]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORDER_FIELDS = ("customer_id", "store_id", "channel", "payment_method", "currency", "placed_at", "status",
                "subtotal", "discount_total", "shipping_price", "shipping_discount", "total", "attribution",
                "cancelled_at")  # fmt: skip
LINE_FIELDS = ("line_no", "sku", "product_id", "category_id", "quantity", "unit_price", "subtotal", "discount",
               "total", "customer_id", "placed_at", "order_status")  # fmt: skip
CUSTOMER_FIELDS = ("currency", "total_spent", "orders_count", "first_order_at", "last_order_at")


@pytest.fixture
def shop(db):
    store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="grocery", name="Grocery")
    product_upsert(sku="RICE", name="Rice", category_code="grocery", price=Decimal("100"), currency="BDT")


def _place(external_id: str, customer: Customer | None, placed_at: datetime, currency: str = "BDT") -> Order:
    return order_create(
        external_id=external_id, currency=currency, placed_at=placed_at, customer=customer,
        store=Store.objects.get(code="DHK-01"), channel="web", payment_method="card",
        discount_total=Decimal("15.50"), shipping_price=Decimal("60"), shipping_discount=Decimal("10"),
        attribution={"utm_source": "sms", "n": 2},
        lines=[
            OrderLineInput(sku="RICE", quantity=3, unit_price=Decimal("100.25"), discount=Decimal("15.50"),
                           product=Product.objects.select_related("category").get(sku="RICE")),
            OrderLineInput(sku="UNKNOWN", quantity=1, unit_price=Decimal("49.99")),
        ],
    )  # fmt: skip


def _rows(prefix: str):
    orders = Order.objects.filter(external_id__startswith=prefix).order_by("placed_at", "external_id")
    lines = OrderLine.objects.filter(order__external_id__startswith=prefix).order_by(
        "placed_at", "order__external_id", "line_no"
    )
    customers = Customer.objects.filter(external_id__startswith=prefix).order_by("external_id")
    return (
        list(orders.values_list(*ORDER_FIELDS)),
        list(lines.values_list(*LINE_FIELDS)),
        list(customers.values_list(*CUSTOMER_FIELDS)),
        MembershipRecheck.objects.filter(customer__external_id__startswith=prefix).count(),
    )


@pytest.mark.parametrize("one_statement", [True, False])
def test_both_ways_write_an_order_its_lines_and_its_customers_statistics(shop, monkeypatch, one_statement):
    monkeypatch.setattr(order_statement, "in_one_statement", lambda: one_statement)
    customer = customer_upsert(external_id="K-1")[0]
    marked_before = MembershipRecheck.objects.filter(customer=customer).count()
    first = _place("K-O1", customer, NOW)
    second = _place("K-O2", customer, NOW - timedelta(days=3))
    _place("K-O3", customer, NOW + timedelta(days=1), currency="TZS")  # another currency: not spent in theirs
    anonymous = _place("K-O4", None, NOW)

    orders, lines, customers, marks = _rows("K-")
    customer_id, store_id = customer.pk, Store.objects.get(code="DHK-01").pk
    rice = Product.objects.get(sku="RICE")
    total = Decimal("300.75") - Decimal("15.50") + Decimal("49.99") + Decimal("60") - Decimal("10")
    placed = [NOW - timedelta(days=3), NOW, NOW, NOW + timedelta(days=1)]
    expected = [(customer_id, "BDT", placed[0]), (customer_id, "BDT", placed[1]), (None, "BDT", placed[2]),
                (customer_id, "TZS", placed[3])]  # fmt: skip
    assert orders == [
        (c, store_id, "web", "card", currency, at, "placed", Decimal("350.74"), Decimal("15.50"), Decimal("60.00"),
         Decimal("10.00"), total, {"utm_source": "sms", "n": 2}, None)
        for c, currency, at in expected
    ]  # fmt: skip
    assert len(lines) == 8
    assert lines[:2] == [
        (1, "RICE", rice.pk, rice.category_id, 3, Decimal("100.25"), Decimal("300.75"), Decimal("15.50"),
         Decimal("285.25"), customer_id, placed[0], "placed"),
        (2, "UNKNOWN", None, None, 1, Decimal("49.99"), Decimal("49.99"), Decimal("0.00"), Decimal("49.99"),
         customer_id, placed[0], "placed"),
    ]  # fmt: skip
    assert customers == [("BDT", total * 2, 3, placed[0], placed[3])]
    assert tuple(getattr(customer, name) for name in CUSTOMER_FIELDS) == customers[0]  # the row at hand, too
    assert marks == marked_before + 3  # one per order of theirs
    for order in (first, second, anonymous):
        written = getattr(order, WRITTEN_LINES)
        assert order.pk is not None and order.created_at is not None
        assert [line.pk for line in written] == list(
            OrderLine.objects.filter(order=order).order_by("line_no").values_list("pk", flat=True)
        )
        assert Order.objects.get(pk=order.pk).external_id == order.external_id

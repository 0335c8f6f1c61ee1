"""Recommendations end to end: the nightly run, the storefront's endpoint, and the template variable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audiences.models import CustomerRecommendation, Product
from audiences.recommendations import selectors
from audiences.recommendations.services import recommendations_compute
from audiences.services.catalog import category_upsert, product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create
from audiences.tasks import recommendations_compute as recommendations_task
from messaging.context import message_context, provided_values
from messaging.rendering import render_text

pytestmark = pytest.mark.django_db

# Phones are bought with cases and earbuds; the TV sells most on its own. What each customer bought:
BASKETS = {
    "C-1": ["PHONE", "CASE"],
    "C-2": ["PHONE", "CASE", "EARBUDS"],
    "C-3": ["PHONE", "EARBUDS"],
    "C-4": ["TV"],
    "C-5": ["TV"],
    "C-6": ["TV", "BULBS"],
    "C-7": ["CASE"],
    "C-8": ["BULBS"],
}


@pytest.fixture
def shop():
    store_upsert(code="DHK-01", name="Dhaka", timezone="Asia/Dhaka", currency="BDT")
    category_upsert(code="phones", name="Phones")
    category_upsert(code="tv", name="TV")
    category_upsert(code="lighting", name="Lighting")
    for sku, category, extra in (
        ("PHONE", "phones", {}),
        ("CASE", "phones", {}),
        ("EARBUDS", "phones", {}),
        ("TV", "tv", {}),
        ("BULBS", "lighting", {"consumable": True}),
        ("CHARGER", "phones", {"in_stock": False}),
    ):
        product_upsert(sku=sku, name=sku.title(), price=Decimal(100), currency="BDT", category_code=category, **extra)
    now = timezone.now()
    for number, (external_id, skus) in enumerate(BASKETS.items()):
        customer, _ = customer_upsert(external_id=external_id, store="DHK-01")
        lines = [OrderLineInput(sku=sku, quantity=1, unit_price=Decimal(100)) for sku in skus]
        order_create(
            external_id=f"O-{number}",
            currency="BDT",
            placed_at=now - timedelta(days=10),
            customer=customer,
            lines=lines,
        )
    # The out-of-stock charger was bought with phones: co-purchase would offer it.
    charger_buyer, _ = customer_upsert(external_id="C-9", store="DHK-01")
    order_create(
        external_id="O-9",
        currency="BDT",
        placed_at=now - timedelta(days=5),
        customer=charger_buyer,
        lines=[
            OrderLineInput(sku="PHONE", quantity=1, unit_price=Decimal(100)),
            OrderLineInput(sku="CHARGER", quantity=1, unit_price=Decimal(100)),
        ],
    )
    customer_upsert(external_id="NEW", store="DHK-01")


def _skus(storefront, external_id, **query):
    response = storefront.get(f"/api/v1/customers/{external_id}/recommendations", query)
    assert response.status_code == 200, response.content
    return [row["sku"] for row in response.json()["recommendations"]], response.json()


def test_a_customer_is_offered_what_others_bought_with_theirs_first(shop, storefront):
    recommendations_compute()
    skus, answer = _skus(storefront, "C-7")  # bought a case
    # Cosine: phone and case were bought together by 2 of 4 and 3 buyers (2 / sqrt 12), earbuds and case by
    # 1 of 2 and 3 (1 / sqrt 6): the phone first, then the earbuds.
    assert skus[:2] == ["PHONE", "EARBUDS"]
    assert [row["source"] for row in answer["recommendations"][:2]] == ["co_purchase", "co_purchase"]
    assert answer["recommendations"][0]["score"] == pytest.approx(2 / 12**0.5)
    assert answer["recommendations"][0]["price"] == "100.00"
    assert answer["recommendations"][0]["currency"] == "BDT"
    assert answer["computed_at"]


def test_a_new_customer_gets_the_store_best_sellers(shop, storefront):
    recommendations_compute()
    skus, answer = _skus(storefront, "NEW", limit=3)
    assert skus[0] == "PHONE"  # four phones sold in the store, three TVs, three cases
    assert set(skus[1:]) == {"TV", "CASE"}
    assert {row["source"] for row in answer["recommendations"]} == {"popular"}


def test_what_was_bought_is_not_offered_again_unless_consumable(shop, storefront):
    recommendations_compute()
    skus, _ = _skus(storefront, "C-6")  # bought the TV and bulbs
    assert "TV" not in skus
    assert "BULBS" in skus


def test_out_of_stock_products_are_never_recommended(shop, storefront):
    recommendations_compute()
    for external_id in [*BASKETS, "C-9", "NEW"]:
        skus, _ = _skus(storefront, external_id, limit=20)
        assert "CHARGER" not in skus
        assert skus
    # A product out of stock since the nightly run is left out of every read until it is back.
    product_upsert(
        sku="PHONE", name="Phone", price=Decimal(100), currency="BDT", category_code="phones", in_stock=False
    )
    skus, _ = _skus(storefront, "C-7")
    assert "PHONE" not in skus
    rendered = render_text(
        "{% for product in recommendations %}{{ product.sku }} {% endfor %}",
        _context("C-7"),
        autoescape=False,
    )
    assert "PHONE" not in rendered.split()


def test_a_product_out_of_stock_at_the_customers_store_is_left_out_while_other_stores_have_it(shop, storefront):
    from audiences.services.stock import StockInput, stock_set

    store_upsert(code="CTG-01", name="Chattogram", timezone="Asia/Dhaka", currency="BDT")
    recommendations_compute()
    stock_set(levels=[StockInput("PHONE", "DHK-01", 0), StockInput("PHONE", "CTG-01", 5)])
    assert Product.objects.get(sku="PHONE").in_stock  # in stock somewhere
    skus, _ = _skus(storefront, "C-7")  # a Dhaka customer who bought a case
    assert "PHONE" not in skus and "EARBUDS" in skus
    rendered = render_text(
        "{% for product in recommendations %}{{ product.sku }} {% endfor %}", _context("C-7"), autoescape=False
    )
    assert "PHONE" not in rendered.split()
    customer_upsert(external_id="C-7", store="CTG-01")
    assert _skus(storefront, "C-7")[0][0] == "PHONE"


def _context(external_id):
    from audiences.models import Customer

    customer = Customer.objects.get(external_id=external_id)
    return message_context(customer=customer, extra={}, provided=provided_values([customer])[customer.pk], products={})


def test_templates_can_show_the_customer_recommendations(shop):
    recommendations_compute()
    rendered = render_text(
        "{% for product in recommendations %}{{ product.name }} ({{ product.price }} {{ product.currency }}); "
        "{% endfor %}",
        _context("C-7"),
        autoescape=False,
    )
    assert rendered.startswith("Phone (100.00 BDT); Earbuds (100.00 BDT); ")


def test_running_twice_replaces_the_rows(shop):
    first = recommendations_compute()
    rows = list(CustomerRecommendation.objects.values_list("customer_id", "rank", "product_id", "source"))
    assert recommendations_task.delay().get() == first.customers
    assert list(CustomerRecommendation.objects.values_list("customer_id", "rank", "product_id", "source")) == rows
    assert first.customers == len(BASKETS) + 2
    assert CustomerRecommendation.objects.filter(product__in=Product.objects.filter(in_stock=False)).count() == 0


def test_limits_are_checked_and_unknown_customers_are_404(shop, storefront):
    response = storefront.get("/api/v1/customers/C-7/recommendations", {"limit": "0"})
    assert response.status_code == 400
    assert "limit" in str(response.json())
    response = storefront.get("/api/v1/customers/C-7/recommendations", {"limit": "many"})
    assert response.status_code == 400
    response = storefront.get("/api/v1/customers/NOBODY/recommendations")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_before_the_first_run_the_list_is_empty(shop, storefront):
    skus, answer = _skus(storefront, "C-7")
    assert skus == []
    assert answer["computed_at"] is None


def test_copy_into_a_new_table_writes_what_the_orm_writes(shop, settings):
    now = timezone.now()
    written = {}
    for copy in (False, True):
        settings.BULK_WRITES_WITH_COPY = copy
        run = recommendations_compute(now=now)
        written[copy] = list(
            CustomerRecommendation.objects.order_by("customer_id", "rank").values_list(
                "customer_id", "rank", "product_id", "score", "source", "computed_at"
            )
        )
        assert run.rows == len(written[copy])
    assert written[True] == written[False]
    assert {row[4] for row in written[True]} == {"co_purchase", "popular"}


def test_the_buyers_read_as_arrays_are_the_lines_read_row_by_row(shop):
    catalogue = selectors.catalogue_arrays(currency="BDT")
    skus = {sku: column for column, sku in enumerate(catalogue["skus"].tolist())}
    customers, items = selectors.purchase_arrays(currency="BDT", skus=skus)
    by_row = selectors._purchase_arrays_by_row(selectors._placed_lines("BDT", None, None), skus)
    pairs = sorted(zip(customers.tolist(), items.tolist(), strict=True))
    assert pairs == sorted(zip(*(column.tolist() for column in by_row), strict=True))
    assert len(pairs) == sum(len(skus) for skus in BASKETS.values()) + 2

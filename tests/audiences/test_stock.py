"""Stock per store through the API, the catalog flag following it, and back_in_stock fired once per restock
to the recent viewers at the store, on a frozen clock."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from audiences.inventory import in_stock_at, interested_in_stock, out_of_stock_at
from audiences.models import Customer, CustomerRecommendation, Event, Product, StockLevel
from audiences.services import stock as stock_service
from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.stock import StockInput, stock_set

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(stock_service.timezone, "now", lambda: NOW)


@pytest.fixture
def lot(db):
    """Dealers X and Y; the Corolla and the Yaris. Viewers of the Corolla: ana (of X) twice, cai (no home
    store), ben (of Y), dan (of X) 31 days ago; eve (of X) viewed only the Yaris."""
    for code in ("DLR-X", "DLR-Y"):
        store_upsert(code=code, name=code, timezone="Africa/Dar_es_Salaam", currency="TZS")
    for sku, name in (("COR", "Corolla"), ("YAR", "Yaris")):
        product_upsert(sku=sku, name=name, price=Decimal("30000000"), currency="TZS")
    homes = {"ana": "DLR-X", "ben": "DLR-Y", "cai": None, "dan": "DLR-X", "eve": "DLR-X"}
    people = {name: customer_upsert(external_id=name, store=store)[0] for name, store in homes.items()}
    views = [("ana", "COR", 1), ("ana", "COR", 2), ("cai", "COR", 10), ("ben", "COR", 3), ("dan", "COR", 31)]
    views += [("eve", "YAR", 1)]
    events_record(
        events=[
            EventInput(
                customer=people[name],
                type="product_viewed",
                occurred_at=NOW - timedelta(days=days),
                properties={"sku": sku, "model": sku},
            )
            for name, sku, days in views
        ]
    )
    return people


def told() -> list[str]:
    return sorted(Event.objects.filter(type="back_in_stock").values_list("customer__external_id", flat=True))


def put(storefront, sku: str, store: str, quantity):
    return storefront.put(f"/api/v1/products/{sku}/stock", {"store": store, "quantity": quantity}, format="json")


def test_a_restock_tells_the_recent_viewers_at_the_store_once(lot, storefront):
    first = put(storefront, "COR", "DLR-X", 0)
    assert first.status_code == 200, first.content
    assert first.json() == {
        "sku": "COR",
        "store": "DLR-X",
        "quantity": 0,
        "restocked": False,
        "back_in_stock_events": 0,
    }
    assert put(storefront, "COR", "DLR-X", 3).json()["back_in_stock_events"] == 2
    assert told() == ["ana", "cai"], "ben is Y's, dan viewed 31 days ago, eve viewed the Yaris"
    event = Event.objects.filter(type="back_in_stock", customer__external_id="ana").get()
    assert event.properties == {"sku": "COR", "store": "DLR-X", "product": "Corolla"}
    assert event.occurred_at == NOW

    more = put(storefront, "COR", "DLR-X", 5).json()
    assert (more["restocked"], more["back_in_stock_events"]) == (False, 0)
    assert told() == ["ana", "cai"], "more stock is not a restock"

    put(storefront, "COR", "DLR-X", 0)
    assert put(storefront, "COR", "DLR-X", 1).json()["back_in_stock_events"] == 2
    assert told() == ["ana", "ana", "cai", "cai"], "a second restock tells them again, once"


def test_firing_a_restock_again_inserts_nothing(lot):
    stock_set(levels=[StockInput("COR", "DLR-X", 0)])
    stock_set(levels=[StockInput("COR", "DLR-X", 2)])
    level = StockLevel.objects.get()
    assert stock_service._back_in_stock_fire(level=level, sku="COR", store_code="DLR-X", now=NOW) == 0
    assert told() == ["ana", "cai"]


def test_a_store_reporting_a_product_the_catalog_had_out_of_stock_is_a_restock(lot):
    Product.objects.filter(sku="COR").update(in_stock=False)
    (change,) = stock_set(levels=[StockInput("COR", "DLR-Y", 4)])
    assert (change.restocked, change.back_in_stock_events) == (True, 2)
    assert told() == ["ben", "cai"]


def test_the_catalog_flag_follows_the_levels_and_a_store_without_one_reads_it(lot, storefront):
    corolla, yaris = Product.objects.get(sku="COR"), Product.objects.get(sku="YAR")
    x, y = (Customer.objects.get(external_id=name).store_id for name in ("ana", "ben"))
    answer = storefront.post(
        "/api/v1/stock",
        {"levels": [{"sku": "COR", "store": "DLR-X", "quantity": 0}, {"sku": "YAR", "store": "DLR-X", "quantity": 2}]},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert [level["quantity"] for level in answer.json()["levels"]] == [0, 2]
    assert in_stock_at([(corolla.pk, x), (corolla.pk, y), (corolla.pk, None), (yaris.pk, y)]) == {
        (corolla.pk, x): False,  # X says 0
        (corolla.pk, y): False,  # Y never said: the catalog's flag, now out of stock everywhere reported
        (corolla.pk, None): False,
        (yaris.pk, y): True,
    }
    product_upsert(sku="COR", name="Corolla", price=Decimal("30000000"), currency="TZS")
    assert not Product.objects.get(sku="COR").in_stock, "a catalog update does not override the stores' levels"
    stock = storefront.get("/api/v1/products/COR/stock").json()
    assert stock["in_stock"] is False
    assert [(level["store"], level["quantity"]) for level in stock["levels"]] == [("DLR-X", 0)]


def test_the_stock_rule_reads_the_same_in_python_and_in_sql(lot):
    """Recommendations leave out in SQL what `in_stock_at` says in Python is out of stock at the store."""
    stock_set(levels=[StockInput("COR", "DLR-X", 0), StockInput("COR", "DLR-Y", 4), StockInput("YAR", "DLR-X", 2)])
    product_upsert(sku="HIL", name="Hilux", price=Decimal("40000000"), currency="TZS")
    Product.objects.filter(sku="HIL").update(in_stock=False)  # no store ever reported it
    customers = list(Customer.objects.filter(external_id__in=["ana", "ben", "cai"]))
    products = list(Product.objects.all())
    CustomerRecommendation.objects.bulk_create(
        CustomerRecommendation(
            customer=customer, rank=rank, product=product, score=0, source="popular", computed_at=NOW
        )
        for customer in customers
        for rank, product in enumerate(products, start=1)
    )
    in_sql = {
        (row.product_id, row.customer.store_id): True
        for row in CustomerRecommendation.objects.select_related("customer").exclude(
            out_of_stock_at(product="product", store="customer__store")
        )
    }
    pairs = {(product.pk, customer.store_id) for customer in customers for product in products}
    in_python = in_stock_at(pairs)
    assert {pair: in_sql.get(pair, False) for pair in pairs} == in_python
    # The Corolla: X says 0, Y 4, no store reads the catalog (in stock somewhere); the Yaris: X says 2, Y and no
    # store read the catalog; the Hilux: out of stock in the catalog, so everywhere.
    assert sum(in_python.values()) == 5 and len(in_python) == 9


@pytest.mark.parametrize(
    ("sku", "body", "status", "field"),
    [
        ("COR", {"store": "DLR-Z", "quantity": 1}, 400, "store"),
        ("COR", {"store": "DLR-X", "quantity": -1}, 400, "quantity"),
        ("COR", {"store": "DLR-X", "quantity": "many"}, 400, "quantity"),
        ("COR", {"quantity": 1}, 400, "store"),
        ("NOPE", {"store": "DLR-X", "quantity": 1}, 404, None),
    ],
)
def test_bad_stock_is_refused_naming_the_problem(lot, storefront, sku, body, status, field):
    answer = storefront.put(f"/api/v1/products/{sku}/stock", body, format="json")
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] and answer.json()["message"]
    if field:
        assert field in answer.json()["fields"]
    assert not StockLevel.objects.exists()


def test_a_batch_naming_an_unknown_store_writes_nothing(lot, storefront):
    answer = storefront.post(
        "/api/v1/stock",
        {"levels": [{"sku": "COR", "store": "DLR-X", "quantity": 1}, {"sku": "COR", "store": "DLR-Q", "quantity": 1}]},
        format="json",
    )
    assert answer.status_code == 400
    assert "levels[1].store" in answer.json()["fields"]
    assert not StockLevel.objects.exists()


def test_interested_in_stock_lists_recent_views_in_stock_at_the_customers_store(lot):
    stock_set(levels=[StockInput("COR", "DLR-X", 2), StockInput("COR", "DLR-Y", 0), StockInput("YAR", "DLR-X", 0)])
    customers = list(Customer.objects.all())
    listed = {
        customer.external_id: [product["sku"] for product in products]
        for customer in customers
        for customer_id, products in interested_in_stock(customers, now=NOW).items()
        if customer_id == customer.pk
    }
    # ana at X: Corolla (2 there); ben at Y: none there; cai, no store: in stock somewhere; dan: too long ago;
    # eve at X: the Yaris is 0 there.
    assert listed == {"ana": ["COR"], "ben": [], "cai": ["COR"], "dan": [], "eve": []}
    ana = Customer.objects.get(external_id="ana")
    assert interested_in_stock([ana], now=NOW)[ana.pk] == [
        {"sku": "COR", "name": "Corolla", "price": "30000000.00", "currency": "TZS", "brand": ""}
    ]


def test_the_product_page_lists_its_stock_by_sku_and_store_code(lot, admin_client):
    stock_set(levels=[StockInput("COR", "DLR-X", 4), StockInput("COR", "DLR-Y", 0)])
    product = Product.objects.get(sku="COR")
    page = admin_client.get(f"/admin/audiences/product/{product.pk}/change/").content.decode()
    assert "COR at DLR-X: 4" in page and "COR at DLR-Y: 0" in page

import pytest

from audiences.models import Category, Product, Store

pytestmark = pytest.mark.django_db


def test_store_upsert_creates_then_updates(storefront):
    body = {"name": "Gulshan", "timezone": "Asia/Dhaka", "currency": "BDT", "city": "Dhaka"}
    created = storefront.put("/api/v1/stores/DHK-01", body, format="json")
    assert created.status_code == 201
    assert created.json() == {"code": "DHK-01", **body, "country": "BD", "latitude": None, "longitude": None}

    updated = storefront.put("/api/v1/stores/DHK-01", {**body, "name": "Gulshan 2"}, format="json")
    assert updated.status_code == 200
    assert Store.objects.get(code="DHK-01").name == "Gulshan 2"
    assert storefront.get("/api/v1/stores/DHK-01").json()["name"] == "Gulshan 2"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "timezone": "Mars/Olympus", "currency": "BDT"}, "timezone"),
        ({"name": "X", "timezone": "Asia/Dhaka", "currency": "XYZ"}, "currency"),
        ({"timezone": "Asia/Dhaka", "currency": "BDT"}, "name"),
        ({"name": "X", "timezone": "Asia/Dhaka", "currency": "BDT", "country": "XX"}, "country"),
    ],
)
def test_store_bad_input_names_the_field(storefront, body, field):
    response = storefront.put("/api/v1/stores/BAD", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Store.objects.exists()


def test_category_tree_paths_follow_a_move(storefront):
    storefront.put("/api/v1/categories/electronics", {"name": "Electronics"}, format="json")
    storefront.put("/api/v1/categories/tv", {"name": "TV", "parent": "electronics"}, format="json")
    storefront.put("/api/v1/categories/oled", {"name": "OLED", "parent": "tv"}, format="json")
    assert Category.objects.get(code="oled").lineage == ["oled", "tv", "electronics"]

    storefront.put("/api/v1/categories/home", {"name": "Home"}, format="json")
    moved = storefront.put("/api/v1/categories/tv", {"name": "TV", "parent": "home"}, format="json")
    assert moved.status_code == 200
    assert Category.objects.get(code="oled").path == "/home/tv/oled/"


def test_category_cycle_and_unknown_parent_are_rejected(storefront):
    storefront.put("/api/v1/categories/a", {"name": "A"}, format="json")
    storefront.put("/api/v1/categories/b", {"name": "B", "parent": "a"}, format="json")
    cycle = storefront.put("/api/v1/categories/a", {"name": "A", "parent": "b"}, format="json")
    assert cycle.status_code == 400
    assert "parent" in cycle.json()["fields"]
    unknown = storefront.put("/api/v1/categories/c", {"name": "C", "parent": "nope"}, format="json")
    assert unknown.status_code == 400
    assert "Unknown category 'nope'" in unknown.json()["fields"]["parent"][0]
    assert Category.objects.get(code="a").parent is None


def test_product_upsert_and_money_as_string(storefront):
    storefront.put("/api/v1/categories/tv", {"name": "TV"}, format="json")
    body = {"name": "55in TV", "category": "tv", "price": "54000", "currency": "BDT", "brand": "Walton"}
    response = storefront.put("/api/v1/products/TV-55", body, format="json")
    assert response.status_code == 201
    assert response.json()["price"] == "54000.00"
    assert response.json()["in_stock"] is True
    jpy = storefront.put(
        "/api/v1/products/CAM-1", {"name": "Camera", "price": "1500", "currency": "JPY"}, format="json"
    ).json()
    assert jpy["price"] == "1500"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": 12.5}, None),
        ({"price": "abc"}, "price"),
        ({"price": "-1"}, "price"),
        ({"price": "10.555", "currency": "BDT"}, "price"),
        ({"price": "10.5", "currency": "JPY"}, "price"),
        ({"category": "missing"}, "category"),
        ({"currency": "ABC"}, "currency"),
    ],
)
def test_product_bad_input(storefront, change, field):
    body = {"name": "Thing", "price": "10.00", "currency": "BDT", **change}
    response = storefront.put("/api/v1/products/SKU-1", body, format="json")
    if field is None:
        # JSON numbers are accepted as decimals (12.5 is exact); the stored value is a Decimal.
        assert response.status_code == 201
        assert response.json()["price"] == "12.50"
        return
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Product.objects.exists()


def test_unknown_product_is_404(storefront):
    response = storefront.get("/api/v1/products/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

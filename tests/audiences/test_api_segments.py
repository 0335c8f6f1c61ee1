import pytest

from audiences.models import Segment
from audiences.services.customers import customer_upsert

pytestmark = pytest.mark.django_db

VIP = {
    "code": "vip_dhaka",
    "name": "VIP in Dhaka",
    "rules": {
        "all": [
            {"field": "city", "op": "eq", "value": "Dhaka"},
            {"field": "attributes.vip", "op": "eq", "value": True},
        ]
    },
}


@pytest.fixture
def customers(db):
    for number in range(1, 76):
        customer_upsert(
            external_id=f"C-{number:03d}", city="Dhaka" if number % 3 else "Arusha", attributes={"vip": number <= 60}
        )


def test_create_refreshes_and_counts(marketer, customers):
    response = marketer.post("/api/v1/segments", VIP, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    # C-001..C-060 are VIP; every third of them lives in Arusha: 60 - 20 = 40.
    assert (body["code"], body["count"]) == ("vip_dhaka", 40)
    assert body["refreshed_at"] is not None
    assert marketer.get("/api/v1/segments/vip_dhaka").json()["count"] == 40


def test_members_are_paged_external_ids(marketer, customers):
    marketer.post("/api/v1/segments", VIP, format="json")
    first = marketer.get("/api/v1/segments/vip_dhaka/members").json()
    assert first["count"] == 40
    assert len(first["results"]) == 40
    assert first["results"][:3] == ["C-001", "C-002", "C-004"]
    second = marketer.get("/api/v1/segments/vip_dhaka/members?page=2")
    assert second.status_code == 404  # 40 members fit on the first page of 50


def test_patch_rules_and_refresh_on_demand(marketer, customers):
    marketer.post("/api/v1/segments", VIP, format="json")
    patched = marketer.patch(
        "/api/v1/segments/vip_dhaka",
        {"rules": {"all": [{"field": "city", "op": "eq", "value": "Arusha"}]}},
        format="json",
    )
    assert patched.status_code == 200
    assert patched.json()["count"] == 25
    customer_upsert(external_id="C-999", city="Arusha")
    refreshed = marketer.post("/api/v1/segments/vip_dhaka/refresh")
    assert refreshed.status_code == 202
    assert marketer.get("/api/v1/segments/vip_dhaka").json()["count"] == 26
    listed = {item["code"]: item["count"] for item in marketer.get("/api/v1/segments").json()["results"]}
    assert listed["vip_dhaka"] == 26


def test_customer_api_lists_segment_codes(marketer, storefront, customers):
    marketer.post("/api/v1/segments", VIP, format="json")
    assert storefront.get("/api/v1/customers/C-001").json()["segments"] == ["vip_dhaka"]
    assert storefront.get("/api/v1/customers/C-003").json()["segments"] == []


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        ({"all": [{"field": "favourite_colour", "op": "eq", "value": "red"}]}, "unknown field 'favourite_colour'"),
        ({"all": [{"field": "orders_count", "op": "gte", "value": "three"}]}, "expects a whole number"),
        ({"all": [{"field": "city", "op": "between", "value": ["a", "b"]}]}, "does not take operator 'between'"),
    ],
)
def test_bad_rules_are_400_naming_the_problem(marketer, rules, fragment):
    response = marketer.post("/api/v1/segments", {"code": "bad", "name": "Bad", "rules": rules}, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["fields"]["rules"][0]
    assert not Segment.objects.filter(code="bad").exists()


def test_cycle_is_400(marketer):
    marketer.post(
        "/api/v1/segments",
        {"code": "a", "name": "A", "rules": {"all": [{"field": "city", "op": "eq", "value": "x"}]}},
        format="json",
    )
    marketer.post("/api/v1/segments", {"code": "b", "name": "B", "rules": {"all": [{"segment": "a"}]}}, format="json")
    response = marketer.patch("/api/v1/segments/a", {"rules": {"any": [{"segment": "b"}]}}, format="json")
    assert response.status_code == 400
    assert "cycle" in response.json()["fields"]["rules"][0]


def test_duplicate_code_and_unknown_segment(marketer):
    body = {"code": "x", "name": "X", "rules": {"all": [{"field": "city", "op": "eq", "value": "x"}]}}
    assert marketer.post("/api/v1/segments", body, format="json").status_code == 201
    again = marketer.post("/api/v1/segments", body, format="json")
    assert again.status_code == 400
    assert "code" in again.json()["fields"]
    assert marketer.get("/api/v1/segments/nope").status_code == 404


def test_preview_counts_without_saving(analyst, customers):
    response = analyst.post("/api/v1/segments/preview", {"rules": VIP["rules"]}, format="json")
    assert response.status_code == 200
    assert response.json()["count"] == 40
    assert response.json()["sample"][:2] == ["C-001", "C-002"]


def test_analyst_reads_but_cannot_write(analyst, marketer, customers):
    marketer.post("/api/v1/segments", VIP, format="json")
    assert analyst.get("/api/v1/segments/vip_dhaka").status_code == 200
    assert analyst.post("/api/v1/segments", {**VIP, "code": "other"}, format="json").status_code == 403
    assert analyst.patch("/api/v1/segments/vip_dhaka", {"name": "X"}, format="json").status_code == 403
    assert analyst.post("/api/v1/segments/vip_dhaka/refresh").status_code == 403


def test_storefront_key_cannot_use_management_api(storefront):
    assert storefront.get("/api/v1/segments").status_code in (401, 403)


def test_an_amount_without_its_currency_is_a_400_and_saves_nothing(marketer, customers):
    rules = {"all": [{"field": "total_spent", "op": "gte", "value": "100000"}]}
    response = marketer.post("/api/v1/segments", {"code": "big", "name": "Big", "rules": rules}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert "name its currency" in body["fields"]["rules"][0]
    assert not Segment.objects.filter(code="big").exists()
    rules["all"][0]["currency"] = "BDT"
    assert marketer.post("/api/v1/segments/preview", {"rules": rules}, format="json").status_code == 200

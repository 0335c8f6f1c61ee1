"""Event conditions on properties ("viewed model Corolla at least twice in 30 days"), on a frozen clock, with
the answers worked out by hand from the events below; the same on PostgreSQL and SQLite."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from audiences.segments import services as segments
from audiences.segments.selectors import matching_customers
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def viewers(db):
    """ana: Corolla 1 and 30 days ago (the window's first instant), Camry 2 days ago.
    ben: Corolla 5 days ago and 30 days and a second ago (just outside 30 days).
    cai: Corolla 3 days ago and "corolla" (lower case, another text) 4 days ago.
    dan: asked for a test drive of a Toyota twice, viewed nothing.
    eve: Corolla of 2020 (a number) 6 days ago, Corolla of "2021" (a text), certified, 7 days ago."""
    people = {name: customer_upsert(external_id=name)[0] for name in ("ana", "ben", "cai", "dan", "eve", "fay")}

    def viewed(name: str, days: float, **properties) -> EventInput:
        return EventInput(customer=people[name], type="product_viewed", occurred_at=ago(days), properties=properties)

    events_record(
        events=[
            viewed("ana", 1, model="Corolla", sku="TOY-COR"),
            viewed("ana", 30, model="Corolla", sku="TOY-COR"),
            viewed("ana", 2, model="Camry", sku="TOY-CAM"),
            viewed("ben", 5, model="Corolla"),
            viewed("ben", 30 + 1 / 86400, model="Corolla"),
            viewed("cai", 3, model="Corolla"),
            viewed("cai", 4, model="corolla"),
            viewed("eve", 6, model="Corolla", year=2020),
            viewed("eve", 7, model="Corolla", year="2021", certified=True),
            *(
                EventInput(customer=people["dan"], type="test_drive_requested", occurred_at=ago(2), properties=p)
                for p in ({"make": "Toyota", "model": "Corolla"}, {"make": "Toyota", "model": "Yaris"})
            ),
        ]
    )
    return people


def matched(rules: dict) -> set[str]:
    return set(matching_customers(rules, now=NOW).values_list("external_id", flat=True))


def viewed_rule(properties: dict, **extra) -> dict:
    return {"all": [{"event": "product_viewed", "properties": properties, **extra}]}


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        # The example: twice in 30 days. ben's second view is a second too old; cai's second is "corolla".
        (viewed_rule({"model": "Corolla"}, min_count=2, within_days=30), {"ana", "eve"}),
        (viewed_rule({"model": "Corolla"}, min_count=2), {"ana", "ben", "eve"}),
        (viewed_rule({"model": "Corolla"}, within_days=30), {"ana", "ben", "cai", "eve"}),
        (viewed_rule({"model": "Corolla"}, min_count=3), set()),
        (viewed_rule({"model": "Corolla"}, within_days=5), {"ana", "ben", "cai"}),
        (viewed_rule({"model": {"in": ["Camry", "Civic"]}}), {"ana"}),
        (viewed_rule({"model": {"in": ["Camry", "corolla"]}}), {"ana", "cai"}),
        (viewed_rule({"model": {"in": ["Camry", "Corolla"]}}, min_count=3, within_days=30), {"ana"}),
        (viewed_rule({"year": 2020}), {"eve"}),
        (viewed_rule({"year": 2020.0}), {"eve"}),
        (viewed_rule({"year": "2020"}), set()),
        (viewed_rule({"year": "2021"}), {"eve"}),
        (viewed_rule({"certified": True}), {"eve"}),
        (viewed_rule({"certified": False}), set()),
        (viewed_rule({"model": "Corolla", "year": 2020}), {"eve"}),
        (viewed_rule({"model": "Corolla", "year": {"in": [2020, "2021"]}}, min_count=2), {"eve"}),
        (viewed_rule({"sku": "TOY-COR"}, min_count=2, within_days=30), {"ana"}),
        ({"all": [{"event": "test_drive_requested", "properties": {"make": "Toyota"}, "min_count": 2}]}, {"dan"}),
        ({"all": [{"event": "test_drive_requested", "properties": {"make": "Toyota", "model": "Yaris"}}]}, {"dan"}),
        ({"all": [{"event": "product_viewed", "properties": {"make": "Toyota"}}]}, set()),
        ({"not": viewed_rule({"model": "Corolla"}, min_count=2, within_days=30)}, {"ben", "cai", "dan", "fay"}),
    ],
)
def test_event_property_conditions(viewers, rules, expected):
    assert matched(rules) == expected


def test_a_segment_on_properties_is_saved_and_counted(viewers):
    rules = viewed_rule({"model": "Corolla"}, min_count=2, within_days=30)
    segment = segments.segment_create(code="corolla_fans", name="Corolla fans", rules=rules)
    refreshed = segments.segment_refresh(segment=segment, now=NOW)
    assert refreshed.count == 2


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ([], 'rules.all[0].properties: expects an object of property values such as {"model": "Corolla"}'),
        ({}, "rules.all[0].properties: expects an object"),
        ({"model": None}, "rules.all[0].properties.model: expects a text, number or true/false"),
        ({"model": ["Corolla"]}, "rules.all[0].properties.model: expects a text, number or true/false"),
        (
            {"model": {"eq": "Corolla"}},
            'rules.all[0].properties.model: expects a value or {"in": [...]}, got the keys eq',
        ),
        ({"model": {"in": []}}, "rules.all[0].properties.model.in: expects a list of 1 to 100 values"),
        ({"model": {"in": ["Corolla", {"x": 1}]}}, "rules.all[0].properties.model.in[1]: expects a text"),
        ({"model name": "Corolla"}, "rules.all[0].properties: property name 'model name' must be"),
        ({"model": "x" * 201}, "rules.all[0].properties.model: expects at most 200 characters"),
        ({f"k{n}": n for n in range(11)}, "rules.all[0].properties: expects at most 10 properties"),
    ],
)
def test_bad_properties_are_named(db, properties, message):
    with pytest.raises(ValidationError) as error:
        segments.segment_rules_check(rules={"all": [{"event": "product_viewed", "properties": properties}]})
    assert message in error.value.message_dict["rules"][0]


def test_the_preview_api_counts_a_property_condition_and_names_a_bad_one(viewers, analyst):
    good = analyst.post(
        "/api/v1/segments/preview",
        {"rules": viewed_rule({"model": {"in": ["Camry", "Civic"]}})},
        format="json",
    )
    assert good.status_code == 200, good.content
    assert good.json()["count"] == 1
    bad = analyst.post("/api/v1/segments/preview", {"rules": viewed_rule({"model": None})}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] and "properties.model" in bad.json()["message"] + str(bad.json().get("fields"))

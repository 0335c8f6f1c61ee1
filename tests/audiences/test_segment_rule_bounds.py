"""Hostile segment rules (issue #14 item 6) are a 400 naming the place, never a 500, and save nothing."""

import pytest

from audiences.models import Segment
from audiences.segments.language import validate_rules
from audiences.segments.values import RuleError
from audiences.services.customers import customer_upsert

pytestmark = pytest.mark.django_db


def _field(field: str, op: str, value, **extra) -> dict:
    return {"all": [{"field": field, "op": op, "value": value, **extra}]}


HOSTILE_RULES = {
    "within_days of millions": _field("last_order_at", "within_days", 999_999_999),
    "older_than_days of millions": _field("signed_up_at", "older_than_days", 999_999_999),
    "last_active within_days of millions": _field("last_active_at", "within_days", 999_999_999),
    "purchase within_days of millions": _field("purchased_sku", "eq", "TV-55", within_days=999_999_999),
    "event within_days of millions": {"all": [{"event": "page_viewed", "within_days": 999_999_999}]},
    "event min_count past a bigint": {"all": [{"event": "page_viewed", "min_count": 10**30}]},
    "orders_count past a bigint": _field("orders_count", "gt", 10**30),
    "amount past the column": _field("total_spent", "gte", "1e999999", currency="TZS"),
    "amount of 10^30": _field("total_spent", "gte", "1" + "0" * 30, currency="TZS"),
    "avg_order_value of 10^30": _field("avg_order_value", "gte", "1" + "0" * 30, currency="TZS"),
    "trend NaN": _field("spend_trend", "gt", "NaN"),
    "trend Infinity": _field("spend_trend", "gt", "Infinity"),
    "between NaN and 1": _field("spend_trend", "between", ["NaN", "1"]),
    "between text and number": _field("attributes.car_year", "between", ["a", 1]),
    "attributes.x__regex": _field("attributes.x__regex", "eq", ".*"),
    "year 0": _field("signed_up_at", "gt", "0000-01-01"),
    "year 9999 at the end of the day": _field("signed_up_at", "gt", "9999-12-31T23:59:59-05:00"),
    "offset +99:00": _field("signed_up_at", "gt", "2026-01-01T00:00:00+99:00"),
    "birth_month past a bigint": _field("birth_month", "eq", -(10**30)),
}


@pytest.fixture
def customer(db):
    customer_upsert(external_id="C-1", city="Dhaka", attributes={"car_year": 2017})


@pytest.mark.parametrize("rules", HOSTILE_RULES.values(), ids=HOSTILE_RULES.keys())
def test_a_hostile_rule_is_a_400_naming_it_and_saves_nothing(marketer, customer, rules):
    created = marketer.post("/api/v1/segments", {"code": "hostile", "name": "Hostile", "rules": rules}, format="json")
    assert created.status_code == 400, created.content
    body = created.json()
    assert body["code"] == "invalid"
    assert body["fields"]["rules"][0].startswith("rules.all[0]")
    assert not Segment.objects.filter(code="hostile").exists()
    previewed = marketer.post("/api/v1/segments/preview", {"rules": rules}, format="json")
    assert previewed.status_code == 400, previewed.content
    assert previewed.json()["fields"]["rules"] == body["fields"]["rules"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"field": "attributes.isnull", "op": "eq", "value": True}, ["C-LOOKUP-KEYS"]),
        ({"field": "attributes.contains", "op": "eq", "value": "x"}, ["C-LOOKUP-KEYS"]),
        ({"field": "attributes.contains", "op": "contains", "value": "X"}, ["C-LOOKUP-KEYS"]),
        ({"field": "attributes.regex", "op": "in", "value": [".*"]}, ["C-LOOKUP-KEYS"]),
        ({"field": "attributes.gt", "op": "between", "value": [1, 3]}, ["C-LOOKUP-KEYS"]),
    ],
)
def test_an_attribute_named_like_a_lookup_is_that_attribute(marketer, customer, rule, expected):
    """`attributes.isnull` is the customer's attribute "isnull", not Django's isnull on the whole field."""
    customer_upsert(external_id="C-LOOKUP-KEYS", attributes={"isnull": True, "contains": "x", "regex": ".*", "gt": 2})
    previewed = marketer.post("/api/v1/segments/preview", {"rules": {"all": [rule]}}, format="json")
    assert previewed.status_code == 200, previewed.content
    assert sorted(previewed.json()["sample"]) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [float("-inf"), 1]])
def test_an_attribute_compared_with_a_number_that_is_not_finite_is_refused(value):
    """The API's parser refuses NaN and Infinity; JSON read leniently (the admin's form) lets them through."""
    op = "between" if isinstance(value, list) else "gt"
    rules = {"all": [{"field": "attributes.car_year", "op": op, "value": value}]}
    with pytest.raises(RuleError, match=r"^rules\.all\[0\]\.value: .* expects a text, number or boolean"):
        validate_rules(rules, resolve=lambda code: None)

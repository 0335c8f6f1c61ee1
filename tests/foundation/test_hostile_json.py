"""Crafted JSON and URLs that reached the database as 500s are 400s in the error shape, writing nothing."""

import json

import pytest

from audiences.models import Customer, Event, Segment
from promotions.models import Promotion

pytestmark = pytest.mark.django_db

NUL = "\\u0000"
SURROGATE = "\\ud800"


def _with(template: str, value: str) -> str:
    """The raw JSON text `template` with `<>` replaced by `value` (escapes json.dumps would not write)."""
    return template.replace("<>", value)


def _send(client, method, path, raw_json: str):
    return client.generic(method, path, raw_json, content_type="application/json")


def _nested(depth: int, leaf: str = '"x"') -> str:
    return '{"a": ' * depth + leaf + "}" * depth


STOREFRONT_BODIES = [
    ("PUT", "/api/v1/customers/C-1", _with('{"first_name": "A", "attributes": {"nick": "a<>b"}}', NUL)),
    ("PUT", "/api/v1/customers/C-1", _with('{"first_name": "A", "attributes": {"ni<>ck": "ab"}}', NUL)),
    ("PUT", "/api/v1/customers/C-1", _with('{"first_name": "A", "attributes": {"nick": "a<>b"}}', SURROGATE)),
    ("POST", "/api/v1/events", _with('{"customer": "C-1", "type": "note", "properties": {"t": "<>"}}', NUL)),
    ("POST", "/api/v1/events", _with('{"customer": "C-1", "type": "note", "properties": <>}', _nested(1000))),
    ("POST", "/api/v1/events", '{"customer": "C-1", "type": "note", "properties": {"n": 1e999999}}'),
    (
        "POST",
        "/api/v1/orders",
        _with(
            '{"external_id": "O-1", "currency": "BDT", "lines": [{"sku": "A", "quantity": 1, "unit_price": "1.00"}],'
            ' "attribution": {"utm_campaign": "x<>y"}}',
            SURROGATE,
        ),
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), STOREFRONT_BODIES)
def test_storefront_bodies_are_400_and_write_nothing(storefront, method, path, body):
    response = _send(storefront, method, path, body)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "parse_error" and response.json()["message"]
    assert not Customer.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"name": "P", "reward": {"type": "percentage", "value": "5"}}).replace(
            '"reward"', '"target": {"skus": ["A\\u0000"]}, "reward"'
        ),
        _with('{"name": "P", "reward": {"type": "percentage", "value": "5"}, "target": {"skus": ["<>"]}}', SURROGATE),
    ],
)
def test_promotion_targets_with_nul_or_surrogates_are_400(marketer, body):
    response = _send(marketer, "POST", "/api/v1/promotions", body)
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert not Promotion.objects.exists()


@pytest.mark.parametrize(
    "rules",
    [
        _with('{"all": [{"field": "city", "op": "eq", "value": "Dhaka<>"}]}', NUL),
        _with('{"all": [<>]}', '{"not": ' * 3000 + '{"field": "city", "op": "eq", "value": "x"}' + "}" * 3000),
    ],
)
def test_segment_rules_with_nul_or_3000_levels_are_400(marketer, rules):
    before = Segment.objects.count()
    response = _send(marketer, "POST", "/api/v1/segments", _with('{"code": "x", "name": "X", "rules": <>}', rules))
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert Segment.objects.count() == before


@pytest.mark.parametrize("path", ["/api/v1/customers/A%00B", "/api/v1/orders/O%00/cancel"])
def test_a_nul_in_a_path_id_is_400(storefront, path):
    response = storefront.get(path) if "cancel" not in path else storefront.post(path)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_nul_in_a_filter_is_400(marketer):
    response = marketer.get("/api/v1/promotions?status=%00")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_ordinary_unicode_still_passes(storefront):
    body = {"first_name": "রহিম", "attributes": {"emoji": "🎉", "sw": "Habari"}}
    assert storefront.put("/api/v1/customers/C-9", body, format="json").status_code in (200, 201)
    assert Customer.objects.get(external_id="C-9").attributes["emoji"] == "🎉"


@pytest.mark.parametrize(
    ("method", "path", "form"),
    [
        ("get", "/admin/audiences/customer/?q=%00", None),
        ("get", "/admin/audiences/customer/A%00B/change/", None),
        ("get", "/admin/messaging/template/{template}/preview/?customer=%00", None),
        ("post", "/admin/messaging/template/{template}/preview/", {"customer": "C\x00", "to": "me@example.com"}),
    ],
)
def test_a_nul_outside_the_api_is_a_plain_400(admin_client, method, path, form):
    from messaging.models import Template

    template = Template.objects.create(code="nul", name="Nul", channel="email", kind="marketing")
    url = path.format(template=template.pk)
    response = admin_client.get(url) if method == "get" else admin_client.post(url, form)
    assert response.status_code == 400 and b"NUL character" in response.content

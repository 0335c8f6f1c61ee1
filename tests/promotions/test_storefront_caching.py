"""carts/evaluate on a warm path reads one query, and every write that changes what pricing sees shows at once."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from audiences.models import Customer
from audiences.pricing_inputs import pricing_inputs_changed
from audiences.segments.services import segment_refresh
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create
from config.api.permissions import VERIFIED_KEY_SECONDS, verified_keys
from promotions import customer_facts, storefront_cache
from tests.promotions.conftest import create_promotion, evaluate, segment, tv


def discount(storefront, **cart) -> str:
    return evaluate(storefront, [tv()], **cart)["discount_total"]


def test_a_warm_evaluate_reads_one_query_and_prices_as_a_cold_one(
    storefront, marketer, catalog, customer, django_assert_max_num_queries
):
    vip = segment("vip")
    customer_upsert(external_id=customer.external_id, city="vip")
    segment_refresh(segment=vip)
    create_promotion(marketer, name="VIP 10%", eligibility={"segments": ["vip"]})
    cold = evaluate(storefront, [tv()], customer=customer.external_id)
    with django_assert_max_num_queries(1):
        warm = evaluate(storefront, [tv()], customer=customer.external_id)
    assert warm == cold
    assert warm["discount_total"] == "5400.00"


def test_an_unknown_customer_is_still_refused_from_the_cache(storefront, catalog):
    for _ in range(2):
        response = storefront.post(
            "/api/v1/carts/evaluate", {"currency": "BDT", "lines": [tv()], "customer": "nobody"}, format="json"
        )
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Unknown customer 'nobody'."}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_revoked_key_is_refused_within_the_trust_period(storefront, catalog, api_key, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(verified_keys, "clock", clock)
    evaluate(storefront, [tv()])
    APIKey.objects.update(revoked=True)
    clock.now += VERIFIED_KEY_SECONDS - 0.5
    evaluate(storefront, [tv()])  # still trusted: the bound is the trust period, not zero
    clock.now += 1
    response = storefront.post("/api/v1/carts/evaluate", {"currency": "BDT", "lines": [tv()]}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_wrong_key_is_never_trusted_for_a_good_one(storefront, catalog):
    evaluate(storefront, [tv()])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION="Api-Key not.a-real-key")
    response = other.post("/api/v1/carts/evaluate", {"currency": "BDT", "lines": [tv()]}, format="json")
    assert response.status_code == 403


def test_a_segment_refresh_shows_in_the_next_price(storefront, marketer, catalog, customer):
    vip = segment("vip")
    create_promotion(marketer, name="VIP 10%", eligibility={"segments": ["vip"]})
    customer_upsert(external_id=customer.external_id, city="vip")
    assert discount(storefront, customer=customer.external_id) == "0.00"  # not refreshed into the segment yet
    segment_refresh(segment=vip)
    assert discount(storefront, customer=customer.external_id) == "5400.00"
    customer_upsert(external_id=customer.external_id, city="elsewhere")
    segment_refresh(segment=vip)
    assert discount(storefront, customer=customer.external_id) == "0.00"


def test_an_order_placed_ends_first_order_eligibility_at_once(storefront, marketer, catalog, customer):
    create_promotion(marketer, name="Welcome", eligibility={"first_order_only": True})
    assert discount(storefront, customer=customer.external_id) == "5400.00"
    order_create(
        external_id="O-1",
        currency="BDT",
        placed_at=datetime(2026, 1, 5, tzinfo=UTC),
        lines=[OrderLineInput(sku="TV-55", quantity=1, unit_price=Decimal("54000.00"))],
        customer=Customer.objects.get(pk=customer.pk),
    )
    assert discount(storefront, customer=customer.external_id) == "0.00"


def test_a_provider_fact_is_read_again_once_its_app_bumps_the_version(storefront, catalog, customer, monkeypatch):
    calls = []

    def points(customer):
        calls.append(customer.external_id)
        return {"extra": {"points": len(calls)}}

    monkeypatch.setattr(customer_facts, "_providers", [points])
    evaluate(storefront, [tv()], customer=customer.external_id)
    evaluate(storefront, [tv()], customer=customer.external_id)
    assert calls == ["C-1001"]
    pricing_inputs_changed()
    evaluate(storefront, [tv()], customer=customer.external_id)
    assert calls == ["C-1001", "C-1001"]


@pytest.fixture
def two_redis_clients(monkeypatch):
    """Two cache clients on one Redis database, as two web processes have."""
    location = "redis://127.0.0.1:6379/14"
    first, second = RedisCache(location, {}), RedisCache(location, {})
    try:
        first.clear()
    except Exception as error:  # noqa: BLE001 - the message says what is missing
        pytest.fail(f"These tests need Redis at {location}: {error}")
    yield first, second
    first.clear()


def test_a_bump_in_one_process_invalidates_the_copy_another_process_cached(
    db, customer, two_redis_clients, monkeypatch
):
    first, second = two_redis_clients
    monkeypatch.setattr(storefront_cache, "cache", first)
    before = storefront_cache.pricing_versions()
    assert storefront_cache.customer_by_external_id("C-1001", before).orders_count == 0
    Customer.objects.filter(pk=customer.pk).update(orders_count=3)  # behind the cache's back: no bump
    monkeypatch.setattr(storefront_cache, "cache", second)
    assert storefront_cache.customer_by_external_id("C-1001", before).orders_count == 0  # shared copy
    pricing_inputs_changed()
    after = storefront_cache.pricing_versions()
    assert after.inputs > before.inputs
    assert storefront_cache.customer_by_external_id("C-1001", after).orders_count == 3
    monkeypatch.setattr(storefront_cache, "cache", first)
    assert storefront_cache.customer_by_external_id("C-1001", after).orders_count == 3

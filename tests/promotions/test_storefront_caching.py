"""carts/evaluate on a warm path reads one query, and every write that changes what pricing sees shows at once."""

import os
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from audiences import pricing_inputs
from audiences.models import Category, Customer, Product, SegmentMembership
from audiences.pricing_inputs import COPY_SECONDS, pricing_inputs_changed
from audiences.segments.services import segment_refresh
from audiences.services.catalog import product_upsert, store_upsert
from audiences.services.customers import customer_upsert
from audiences.services.orders import OrderLineInput, order_create
from config.api.permissions import VERIFIED_KEY_SECONDS, verified_keys
from promotions import customer_facts, storefront_cache
from tests.promotions.conftest import create_promotion, evaluate, place, segment, tv
from tests.support.cache import KEY_PREFIX, cache_clear

T0 = datetime(2026, 1, 1, tzinfo=UTC)


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
def two_redis_clients():
    """Two cache clients on one Redis database, as two web processes have; keys under this test's own prefix.
    The run's own Redis database when it has one (CACHE_URL, else the broker's), so no other database is used."""
    urls = (os.environ.get("CACHE_URL", ""), os.environ.get("CELERY_BROKER_URL", ""))
    ours = [url for url in urls if url.startswith("redis")]
    location, prefix = (ours or ["redis://127.0.0.1:6379/14"])[0], f"{KEY_PREFIX}-{uuid4().hex}"
    first, second = RedisCache(location, {"KEY_PREFIX": prefix}), RedisCache(location, {"KEY_PREFIX": prefix})
    try:
        first.get("ping")
    except Exception as error:  # noqa: BLE001 - the message says what is missing
        pytest.fail(f"These tests need Redis at {location}: {error}")
    yield first, second
    redis = first._cache.get_client(write=True)
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


@pytest.fixture
def as_process(monkeypatch):
    """Make the storefront cache and the writers' tokens use `client`, as one process does."""

    def switch(client):
        monkeypatch.setattr(storefront_cache, "cache", client)
        monkeypatch.setattr(pricing_inputs, "cache", client)

    return switch


def test_a_bump_in_one_process_invalidates_the_copy_another_process_cached(db, customer, two_redis_clients, as_process):
    first, second = two_redis_clients
    as_process(first)
    before = storefront_cache.pricing_versions()
    assert storefront_cache.customer_by_external_id("C-1001", before)[0].orders_count == 0
    Customer.objects.filter(pk=customer.pk).update(orders_count=3)  # behind the cache's back: no bump
    as_process(second)
    assert storefront_cache.customer_by_external_id("C-1001", before)[0].orders_count == 0  # shared copy
    pricing_inputs_changed()
    after = storefront_cache.pricing_versions()
    assert after.inputs > before.inputs
    assert storefront_cache.customer_by_external_id("C-1001", after)[0].orders_count == 3
    as_process(first)
    assert storefront_cache.customer_by_external_id("C-1001", after)[0].orders_count == 3


def _segments_counted(calls):
    def compute(customer):
        calls.append(customer.external_id)
        return customer_facts.provided_facts(customer)

    return compute


def test_an_order_for_one_customer_renews_their_copies_in_every_process_and_no_one_elses(
    db, catalog, customer, two_redis_clients, as_process
):
    first, second = two_redis_clients
    other = customer_upsert(external_id="C-2002")[0]
    calls = []
    as_process(first)
    versions = storefront_cache.pricing_versions()
    for external_id in ("C-1001", "C-2002"):
        found, with_token = storefront_cache.customer_by_external_id(external_id, versions)
        storefront_cache.cached_facts(found, with_token, _segments_counted(calls), "")
    assert calls == ["C-1001", "C-2002"]

    as_process(second)  # another process takes the order
    order_create(
        external_id="O-1",
        currency="BDT",
        placed_at=datetime(2026, 1, 5, tzinfo=UTC),
        lines=[OrderLineInput(sku="TV-55", quantity=1, unit_price=Decimal("54000.00"))],
        customer=Customer.objects.get(pk=customer.pk),
    )
    Customer.objects.filter(pk=other.pk).update(orders_count=7)  # behind the cache's back: no renewal

    as_process(first)
    after = storefront_cache.pricing_versions()
    assert after.inputs == versions.inputs  # the global version stayed: only C-1001's token moved
    buyer, buyer_versions = storefront_cache.customer_by_external_id("C-1001", after)
    bystander, bystander_versions = storefront_cache.customer_by_external_id("C-2002", after)
    assert buyer.orders_count == 1
    assert bystander.orders_count == 0  # still the copy cached before: C-2002 was not invalidated
    storefront_cache.cached_facts(buyer, buyer_versions, _segments_counted(calls), "")
    storefront_cache.cached_facts(bystander, bystander_versions, _segments_counted(calls), "")
    assert calls == ["C-1001", "C-2002", "C-1001"]


def test_an_order_for_one_customer_leaves_the_next_customers_evaluate_at_one_query(
    storefront, marketer, catalog, customer, django_assert_max_num_queries
):
    create_promotion(marketer, name="Welcome", eligibility={"first_order_only": True})
    customer_upsert(external_id="C-2002")
    for external_id in ("C-1001", "C-2002"):
        assert discount(storefront, customer=external_id) == "5400.00"
    order_create(
        external_id="O-1",
        currency="BDT",
        placed_at=datetime(2026, 1, 5, tzinfo=UTC),
        lines=[OrderLineInput(sku="TV-55", quantity=1, unit_price=Decimal("54000.00"))],
        customer=Customer.objects.get(pk=customer.pk),
    )
    with django_assert_max_num_queries(1):
        assert discount(storefront, customer="C-2002") == "5400.00"
    assert discount(storefront, customer="C-1001") == "0.00"


def test_a_store_is_checked_from_the_cache_and_a_new_one_is_known_at_once(
    storefront, catalog, django_assert_max_num_queries
):
    evaluate(storefront, [tv()], store="DHK-01")
    with django_assert_max_num_queries(1):
        evaluate(storefront, [tv()], store="DHK-01")
    for _ in range(2):
        response = storefront.post(
            "/api/v1/carts/evaluate", {"currency": "BDT", "lines": [tv()], "store": "CTG-01"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {"store": ["Unknown store 'CTG-01'."]}
    store_upsert(code="CTG-01", name="Chattogram", timezone="Asia/Dhaka", currency="BDT")
    evaluate(storefront, [tv()], store="CTG-01")


def test_a_renamed_customer_is_not_found_under_their_old_id(storefront, catalog, customer):
    evaluate(storefront, [tv()], customer="C-1001")
    renamed = Customer.objects.get(pk=customer.pk)
    renamed.external_id = "C-1001-NEW"
    renamed.save()
    response = storefront.post(
        "/api/v1/carts/evaluate", {"currency": "BDT", "lines": [tv()], "customer": "C-1001"}, format="json"
    )
    assert response.status_code == 404
    evaluate(storefront, [tv()], customer="C-1001-NEW")


def test_an_evicted_token_never_brings_back_a_copy_made_under_an_earlier_one(db, customer):
    versions = storefront_cache.pricing_versions()
    assert storefront_cache.customer_by_external_id("C-1001", versions)[0].orders_count == 0
    Customer.objects.filter(pk=customer.pk).update(orders_count=5)  # behind the cache's back
    storefront_cache.cache.delete(pricing_inputs.customer_token_key("C-1001"))  # expired or evicted
    assert storefront_cache.customer_by_external_id("C-1001", versions)[0].orders_count == 5


def test_a_returning_customers_order_leaves_their_copies_warm_and_true(
    storefront, marketer, catalog, customer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    create_promotion(marketer, name="Welcome", eligibility={"first_order_only": True})
    assert discount(storefront, customer="C-1001") == "5400.00"
    with django_capture_on_commit_callbacks(execute=True):  # the order commits: its copies are renewed
        assert place(storefront, "O-1", [tv()], customer="C-1001", store="DHK-01").status_code == 201
    with django_assert_max_num_queries(1):  # the versions: the customer, their facts, the store from the cache
        assert discount(storefront, customer="C-1001", store="DHK-01") == "0.00"  # no longer a first order
    assert evaluate(storefront, [tv()], customer="C-1001") == evaluate(storefront, [tv()], customer="C-1001")
    cached, _ = storefront_cache.customer_by_external_id("C-1001", storefront_cache.pricing_versions())
    stored = Customer.objects.get(pk=customer.pk)
    for name in ("currency", "total_spent", "orders_count", "first_order_at", "last_order_at"):
        assert getattr(cached, name) == getattr(stored, name)


def test_a_change_another_transaction_commits_first_is_not_hidden_by_the_orders_copies(
    storefront, marketer, catalog, customer, django_capture_on_commit_callbacks
):
    vip = segment("vip")
    create_promotion(marketer, name="VIP 10%", eligibility={"segments": ["vip"]})
    assert discount(storefront, customer="C-1001") == "0.00"
    with django_capture_on_commit_callbacks(execute=True):
        assert place(storefront, "O-1", [tv()], customer="C-1001").status_code == 201
        # Another transaction puts the customer in the segment and commits before this order does: its renewal
        # of their token comes first (written here without the signals, as that other process's commit).
        SegmentMembership.objects.bulk_create([SegmentMembership(segment=vip, customer=customer, entered_at=T0)])
        pricing_inputs._renew_tokens(["C-1001"])
    assert discount(storefront, customer="C-1001") == "5400.00"


def test_a_change_committed_while_the_order_is_priced_is_not_hidden_by_the_orders_copies(
    storefront, marketer, catalog, customer, django_capture_on_commit_callbacks, monkeypatch
):
    import promotions.services.orders

    vip = segment("vip")
    create_promotion(marketer, name="VIP 10%", eligibility={"segments": ["vip"]})
    assert discount(storefront, customer="C-1001") == "0.00"
    real_cart_price = promotions.services.orders.cart_price

    def another_process_commits_meanwhile(*, request):
        pricing = real_cart_price(request=request)  # read the customer's copies under their token
        SegmentMembership.objects.bulk_create([SegmentMembership(segment=vip, customer=customer, entered_at=T0)])
        pricing_inputs._renew_tokens(["C-1001"])  # that process's commit renews the token
        return pricing

    monkeypatch.setattr(promotions.services.orders, "cart_price", another_process_commits_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        assert place(storefront, "O-1", [tv()], customer="C-1001").status_code == 201
    monkeypatch.undo()
    assert discount(storefront, customer="C-1001") == "5400.00"


def test_a_segment_change_in_the_orders_own_transaction_shows_in_the_next_price(
    storefront, marketer, catalog, customer, django_capture_on_commit_callbacks
):
    vip = segment("vip")
    create_promotion(marketer, name="VIP 10%", eligibility={"segments": ["vip"]})
    assert discount(storefront, customer="C-1001") == "0.00"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert place(storefront, "O-1", [tv()], customer="C-1001").status_code == 201
        SegmentMembership.objects.create(segment=vip, customer=customer, entered_at=T0)  # moves their token
    assert discount(storefront, customer="C-1001") == "5400.00"


def test_a_product_moved_to_another_category_is_priced_by_its_new_one_at_the_next_request(
    storefront, marketer, catalog
):
    create_promotion(marketer, name="TVs 10%", target={"categories": ["tv"]})
    assert discount(storefront) == "5400.00"
    assert discount(storefront) == "5400.00"  # warm: the product as this process copied it
    product_upsert(sku="TV-55", name="55in TV", price=54000, currency="BDT", category_code="grocery", brand="Walton")
    assert discount(storefront) == "0.00"


def test_a_warm_request_reads_products_from_its_process_until_they_are_as_old_as_a_shared_copy(
    storefront, marketer, catalog, monkeypatch
):
    clock = FakeClock()
    monkeypatch.setattr(storefront_cache, "clock", clock)
    create_promotion(marketer, name="TVs 10%", target={"categories": ["tv"]})
    assert discount(storefront) == "5400.00"
    # Behind every cache's back (no version moves) and with the shared copies gone: this process's copy is read.
    Product.objects.filter(sku="TV-55").update(category=Category.objects.get(code="grocery"))
    cache_clear()
    clock.now += COPY_SECONDS - 1
    assert discount(storefront) == "5400.00"
    clock.now += 2
    assert discount(storefront) == "0.00"

"""A rate or guessing counter changed on Redis is one round trip (a script), and counts as the cache API did.

On the run's own Redis (CACHE_URL, else the broker's), whatever cache the run's settings use: production's
counters are on Redis."""

import os
import uuid

import pytest
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.test import override_settings

from promotions.api.guessing import GuessingCounter
from tests.support.cache import KEY_PREFIX


@pytest.fixture
def redis_cache():
    urls = (os.environ.get("CACHE_URL", ""), os.environ.get("CELERY_BROKER_URL", ""))
    location = ([url for url in urls if url.startswith("redis")] or ["redis://127.0.0.1:6379/14"])[0]
    prefix = f"{KEY_PREFIX}-{uuid.uuid4().hex}"
    backend = {"BACKEND": "config.redis_cache.ReusedClientRedisCache", "LOCATION": location, "KEY_PREFIX": prefix}
    # The default cache, as production's settings make it: DRF's throttles reach it through Django's cache proxy.
    with override_settings(CACHES={DEFAULT_CACHE_ALIAS: backend}):
        cache = caches[DEFAULT_CACHE_ALIAS]
        try:
            cache.get("ping")
        except Exception as error:  # noqa: BLE001 - the message says what is missing
            pytest.fail(f"These tests need Redis at {location}: {error}")
        yield cache
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def commands(redis_cache, monkeypatch):
    """The commands sent to Redis, by name."""
    client = redis_cache._cache.get_client(write=True)
    sent = []
    execute = client.execute_command

    def counted(*args, **options):
        sent.append(args[0])
        return execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    return sent


def test_reserving_and_giving_back_are_one_round_trip_each_and_count_as_before(redis_cache, commands):
    counter = GuessingCounter("code_guessing_customer", uuid.uuid4().hex)  # 10/min in the test settings' rates
    assert counter.reserve(3) is True
    assert counter.reserve(3) is True
    counter.give_back(2)
    assert commands == ["EVAL", "EVAL", "EVAL"]
    assert redis_cache.get(counter.key) == 4
    assert counter.reserve(6) is True  # 4 spent before it: within 10
    assert counter.reserve(1) is False  # 10 spent before it
    client = redis_cache._cache.get_client()
    assert 0 < client.ttl(redis_cache.make_and_validate_key(counter.key)) <= 61  # the window's + 1 s
    redis_cache.delete(counter.key)  # the window expired: giving back creates no counter
    counter.give_back(1)
    assert redis_cache.get(counter.key) is None

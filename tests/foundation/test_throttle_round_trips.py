"""A rate or guessing counter changed on Redis is one round trip (a script), and counts as the cache API did."""

import uuid

import pytest
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache

from promotions.api.guessing import GuessingCounter

pytestmark = pytest.mark.skipif(
    not isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCache), reason="the counters' scripts are Redis's (CACHE_URL)"
)


@pytest.fixture
def commands(monkeypatch):
    """The commands sent to Redis, by name."""
    client = caches[DEFAULT_CACHE_ALIAS]._cache.get_client(write=True)
    sent = []
    execute = client.execute_command

    def counted(*args, **options):
        sent.append(args[0])
        return execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", counted)
    return sent


def test_reserving_and_giving_back_are_one_round_trip_each_and_count_as_before(commands):
    counter = GuessingCounter("code_guessing_customer", uuid.uuid4().hex)  # 10/min in the test settings' rates
    assert counter.reserve(3) is True
    assert counter.reserve(3) is True
    counter.give_back(2)
    assert commands == ["EVAL", "EVAL", "EVAL"]
    assert caches[DEFAULT_CACHE_ALIAS].get(counter.key) == 4
    assert counter.reserve(6) is True  # 4 spent before it: within 10
    assert counter.reserve(1) is False  # 10 spent before it
    cache = caches[DEFAULT_CACHE_ALIAS]
    assert 0 < cache._cache.get_client().ttl(cache.make_and_validate_key(counter.key)) <= 61  # the window's + 1 s
    cache.delete(counter.key)  # the window expired: giving back creates no counter
    counter.give_back(1)
    assert cache.get(counter.key) is None

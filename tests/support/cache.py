"""Each test process's own corner of a shared Redis.

Django's `cache.clear()` on Redis is FLUSHDB: it would empty the database under every other xdist worker and
every other test run (and their Celery queues) using the same Redis database. So each process (a run, or one
of its xdist workers) keys its cache under a prefix of its own, passes it to the processes it starts, and
clears only the keys under it.
"""

import os
from uuid import uuid4

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

KEY_PREFIX = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid4().hex[:12]}"


def prefixed(settings_caches: dict) -> dict:
    """CACHES with every cache under this process's prefix."""
    return {alias: {**options, "KEY_PREFIX": KEY_PREFIX} for alias, options in settings_caches.items()}


def cache_clear() -> None:
    """Empty this process's default cache, and no one else's."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()  # in-process: this process's alone
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{KEY_PREFIX}:*", count=1000))
    if keys:
        client.unlink(*keys)

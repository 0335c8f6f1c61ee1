"""Rate limits that hold under concurrency: one atomic counter per client and window.

DRF's `SimpleRateThrottle` reads a list of timestamps from the cache and writes it back, so parallel requests
each read the same list and all pass. Here each request increments a counter (on Redis one script: the window's
key set with its expiry if absent, then `INCRBY`; a locked increment in the in-process cache), so N parallel
requests see N different counts and exactly `limit` of them pass. Windows are fixed and aligned to the clock (a
minute, an hour); every request in a window counts, refused ones too, so hammering on a refusal earns nothing.
`CACHE_URL` must be Redis for the limit to hold across processes and machines (README, Production).
"""

import math
from contextlib import suppress

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import SimpleRateThrottle

# On Redis each change of a counter is one script, one round trip, instead of the cache API's two or three
# (SET NX then EXISTS and INCRBY; EXISTS and DECRBY). A script runs whole, so no expiry falls between its steps.
_COUNT = "redis.call('SET', KEYS[1], 0, 'NX', 'EX', ARGV[2]) return redis.call('INCRBY', KEYS[1], ARGV[1])"
_TAKE_BACK = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end return 0"


def _redis_client(cache):
    """The Redis client behind Django's Redis cache (the counters are plain integers there), else None. DRF's
    throttles hold `django.core.cache.cache`, a proxy to the default cache: the backend is looked up behind it."""
    backend = caches[DEFAULT_CACHE_ALIAS] if isinstance(cache, ConnectionProxy) else cache
    return backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None


class AtomicRateThrottle(SimpleRateThrottle):
    """Subclasses give `scope` (a rate in the settings) and `get_cache_key`, as for DRF's throttles."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        return self._count(self._in_window(key)) <= self.num_requests

    def _in_window(self, key: str) -> str:
        """The counter's name in the current clock-aligned window (and when that window ends, for wait())."""
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return f"{key}:{window}"

    def _count(self, key: str, amount: int = 1) -> int:
        """Add `amount` to the window's counter, starting it when absent; the count after adding."""
        timeout = self.duration + 1
        redis = _redis_client(self.cache)
        if redis is not None:  # one round trip: the start and the add in one script (atomic on the server)
            return redis.eval(_COUNT, 1, self.cache.make_and_validate_key(key), amount, timeout)
        for _ in range(2):  # the counter can expire between add and incr; the second round starts a new one
            self.cache.add(key, 0, timeout)
            try:
                return self.cache.incr(key, amount)
            except ValueError:
                continue
        return self.cache.incr(key, amount)

    def _take_back(self, key: str, amount: int) -> None:
        """Take `amount` off the window's counter; nothing when it has expired (nothing left to take from)."""
        redis = _redis_client(self.cache)
        if redis is not None:
            redis.eval(_TAKE_BACK, 1, self.cache.make_and_validate_key(key), amount)
            return
        with suppress(ValueError):
            self.cache.decr(key, amount)

    def wait(self):
        return max(1, math.ceil(self.window_ends_at - self.now))

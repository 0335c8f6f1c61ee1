"""Rate limits that hold under concurrency: one atomic counter per client and window.

DRF's `SimpleRateThrottle` reads a list of timestamps from the cache and writes it back, so parallel
requests each read the same list and all pass. Here each request increments a counter (`INCR` on Redis,
a locked increment in the in-process cache), so N parallel requests see N different counts and exactly
`limit` of them pass. Windows are fixed and aligned to the clock (a minute, an hour); every request in a
window counts, refused ones too, so hammering on a refusal earns nothing. `CACHE_URL` must be Redis
for the limit to hold across processes and machines (README, Production).
"""

import math

from rest_framework.throttling import SimpleRateThrottle


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
        for _ in range(2):  # the counter can expire between add and incr; the second round starts a new one
            self.cache.add(key, 0, timeout)
            try:
                return self.cache.incr(key, amount)
            except ValueError:
                continue
        return self.cache.incr(key, amount)

    def wait(self):
        return max(1, math.ceil(self.window_ends_at - self.now))

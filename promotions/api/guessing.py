"""One budget for guessing codes, per API key and per customer, shared by every door that says whether a code
exists: coupons/validate, carts/evaluate and orders.

What counts is each code that turns out unknown (`not_found`), not requests: a cart carrying 20 made-up codes
spends 20. A request naming a customer spends that customer's budget (`code_guessing_customer`, 10/min); one
naming none spends the key's budget for anonymous carts (`code_guessing_key`, 600/min); both also spend the
key's overall cap (`code_guessing_key_total`, 6000/min). So shoppers guessing anonymously cannot spend the
budget of the customers who check out with real codes (THROTTLE_CODE_GUESSING_KEY / _CUSTOMER / _KEY_TOTAL
set the rates). Counted in clock-aligned windows on the atomic counters of `config.api.throttling` (Redis
`INCR` when CACHE_URL is Redis).

The budget must be checked before the codes are looked at, or the refusal itself would tell a guess apart
from a real code. So a request first reserves one unit per distinct code on each counter, atomically; it is
refused (429, Retry-After, nothing evaluated, its reservation given back) when a counter was already spent
before its reservation; otherwise it is answered and gives back the reservation of every code that turned out
to exist. Parallel requests see each other's reservations, so however many run at once the unknown codes
answered in a window stay within the budget plus one request's codes. A request without codes reserves nothing
and is never refused: a storefront can always price a cart without codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import Throttled

from config.api.throttling import AtomicRateThrottle
from promotions.api.throttles import api_key_ident, digest
from promotions.engine.evaluate import normalize_code
from promotions.engine.types import Reason


class GuessingCounter(AtomicRateThrottle):
    """One budget's counter for one client (a key or a customer) and the current window."""

    def __init__(self, scope: str, ident: str):
        self.scope = scope
        super().__init__()
        self.ident = ident

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope)  # a budget left out of the settings is not counted

    def get_cache_key(self, request=None, view=None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}

    def reserve(self, amount: int) -> bool:
        """Reserve `amount` codes in this window; False when the budget was spent before them."""
        self.key = self._in_window(self.get_cache_key())
        return self._count(self.key, amount) - amount < self.num_requests

    def give_back(self, amount: int) -> None:
        self._take_back(self.key, amount)


class Guesses:
    """What a door found: `unknown(n)` records that n of the request's codes turned out not to exist."""

    def __init__(self):
        self.unknown_codes = 0

    def unknown(self, count: int) -> None:
        self.unknown_codes += count


@contextmanager
def code_guessing_budget(request, *, customer: str | None, codes: Iterable[str]) -> Iterator[Guesses]:
    """Reserve the request's codes on the key's (and the customer's) budget for the block; 429 when spent.

    The block evaluates the codes and reports the unknown ones; on leaving it, whatever happened, the
    reservation of every other code is given back.
    """
    reserved = len({normalize_code(code) for code in codes})
    guesses = Guesses()
    key = digest(api_key_ident(request))
    counters = [GuessingCounter("code_guessing_key_total", key)]
    if customer:
        counters.append(GuessingCounter("code_guessing_customer", digest(customer)))
    else:
        counters.append(GuessingCounter("code_guessing_key", key))
    counters = [counter for counter in counters if counter.rate is not None]
    if not reserved or not counters:
        yield guesses
        return
    refused = [counter for counter in counters if not counter.reserve(reserved)]
    if refused:
        for counter in counters:
            counter.give_back(reserved)
        raise Throttled(
            wait=max(counter.wait() for counter in refused),
            detail="Too many unknown codes have been tried; codes are not checked until the budget refills. "
            "A cart without codes is priced as usual.",
        )
    try:
        yield guesses
    finally:
        unused = reserved - min(guesses.unknown_codes, reserved)
        if unused:
            for counter in counters:
                counter.give_back(unused)


def unknown_codes(code_results) -> int:
    """How many of an evaluation's code results say the code does not exist."""
    return sum(1 for result in code_results if result.reason == Reason.NOT_FOUND)


GUESSING_LIMIT = (
    "Unknown codes are rate limited per key and per customer, answering 429 with `Retry-After` (guessing codes "
    "is an attack): each code that turns out unknown counts, against one budget shared with coupons/validate, "
    "carts/evaluate and orders: the customer's when the request names one, else the key's for anonymous carts, "
    "and the key's overall cap. While it is spent, a request carrying codes is refused whole (its codes are "
    "not looked at); one without codes is answered as usual."
)
GUESSING_REFUSAL = OpenApiResponse(
    description="Too many unknown codes from this key or customer: `Retry-After` says when codes are checked "
    "again. Send the request without codes to price the cart meanwhile."
)

"""Rate limits of coupons/validate (guessing codes is an attack): per API key and per customer.

Rates are the settings' `coupon_validate_key` and `coupon_validate_customer`; DRF answers 429
with `Retry-After`. Counters are atomic (`config.api.throttling`) and shared across processes
when CACHE_URL is Redis.

Each counter is keyed by what the view itself resolves, never by the raw request text: spelling
the header's keyword differently (`api-key`) or padding the customer id with spaces reaches the
same key and the same customer, so it must reach the same counter.
"""

import hashlib

from config.api.permissions import HasStorefrontKey
from config.api.throttling import AtomicRateThrottle


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class CouponKeyThrottle(AtomicRateThrottle):
    scope = "coupon_validate_key"

    def get_cache_key(self, request, view):
        # Permissions run before throttles, so the key has been found valid: its prefix names it.
        key = HasStorefrontKey.key_parser.get(request) or ""
        return self.cache_format % {"scope": self.scope, "ident": _digest(key.strip().partition(".")[0])}


class CouponCustomerThrottle(AtomicRateThrottle):
    scope = "coupon_validate_customer"

    def get_cache_key(self, request, view):
        customer = request.data.get("customer") if isinstance(request.data, dict) else None
        if not isinstance(customer, str) or not customer.strip():
            return None
        # The input serializer trims the id before the customer is looked up; so does the counter.
        return self.cache_format % {"scope": self.scope, "ident": _digest(customer.strip())}

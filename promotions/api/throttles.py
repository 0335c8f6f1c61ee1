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


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def api_key_ident(request) -> str:
    """The storefront key's prefix, which names it (permissions have found the key valid before this runs)."""
    key = HasStorefrontKey.key_parser.get(request) or ""
    return key.strip().partition(".")[0]


class CouponKeyThrottle(AtomicRateThrottle):
    scope = "coupon_validate_key"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": digest(api_key_ident(request))}


class CouponCustomerThrottle(AtomicRateThrottle):
    scope = "coupon_validate_customer"

    def get_cache_key(self, request, view):
        customer = request.data.get("customer") if isinstance(request.data, dict) else None
        if not isinstance(customer, str) or not customer.strip():
            return None
        # The input serializer trims the id before the customer is looked up; so does the counter.
        return self.cache_format % {"scope": self.scope, "ident": digest(customer.strip())}

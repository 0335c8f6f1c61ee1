"""Rate limits of coupons/validate (guessing codes is an attack): per API key and per customer.

Rates are the settings' `coupon_validate_key` and `coupon_validate_customer`; DRF answers 429
with `Retry-After`. The cache is shared across processes when CACHE_URL is Redis.
"""

import hashlib

from rest_framework.throttling import SimpleRateThrottle


class CouponKeyThrottle(SimpleRateThrottle):
    scope = "coupon_validate_key"

    def get_cache_key(self, request, view):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(header.encode()).hexdigest()}


class CouponCustomerThrottle(SimpleRateThrottle):
    scope = "coupon_validate_customer"

    def get_cache_key(self, request, view):
        customer = request.data.get("customer") if isinstance(request.data, dict) else None
        if not customer or not isinstance(customer, str):
            return None
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(customer.encode()).hexdigest()}

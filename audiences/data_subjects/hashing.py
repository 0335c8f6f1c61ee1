"""Salted hashes of an erased customer's addresses.

An HMAC-SHA-256 under `ERASURE_HASH_KEY` (a plain hash of a phone number is undone by trying every number):
set the key once and never change it, or the hashes already kept stop matching the addresses they stand for.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

from audiences.contact import normalised_email

SALT = "audiences.erased.contact"
# Marks a hashed address where a plain one could be (messaging's suppression list).
HASHED_PREFIX = "hmac:"


def contact_digest(address: str) -> str:
    """The hex HMAC of an address (an email is normalised first; a phone is E.164 already)."""
    value = normalised_email(address) if "@" in address else address.strip()
    return hmac.digest(_key(settings.ERASURE_HASH_KEY), value.encode(), "sha256").hex()


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    """Django's salted_hmac derivation, done once: a launch hashes every recipient's address."""
    return hashlib.sha256((SALT + secret).encode()).digest()


def hashed_address(address: str) -> str:
    """How a hashed address reads where plain ones are kept: `hmac:<hex>`."""
    return HASHED_PREFIX + contact_digest(address)

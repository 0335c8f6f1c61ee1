"""The HMAC an erased customer's address is kept as: keyed, and the same for any spelling of one address."""

from django.utils.crypto import salted_hmac

from audiences.data_subjects.hashing import SALT, contact_digest, hashed_address


def test_one_address_one_digest_under_one_key(settings):
    settings.ERASURE_HASH_KEY = "key-one"
    digest = contact_digest("rahim@example.com")

    assert contact_digest("  Rahim@Example.COM ") == digest
    assert digest == salted_hmac(SALT, "rahim@example.com", secret="key-one", algorithm="sha256").hexdigest()
    assert hashed_address("rahim@example.com") == f"hmac:{digest}"
    assert contact_digest("+8801712345678") != digest

    settings.ERASURE_HASH_KEY = "key-two"
    assert contact_digest("rahim@example.com") != digest  # without the key, no one can try every address

"""Unique coupon codes from a pattern: `#` is a random character from an unambiguous alphabet.

Pure: no database. The alphabet leaves out 0, 1, O and I (L stays: with no 1 it is unambiguous)
and has 32 characters, so each `#` carries exactly 5 bits and a random byte maps onto it
without bias (256 = 8 x 32).
"""

import os
import re

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BITS_PER_CHARACTER = 5
MIN_BITS = 40
PLACEHOLDER = "#"
LITERAL = re.compile(r"^[A-Z0-9#_-]+$")
_BYTE_TO_CHARACTER = bytes(ord(ALPHABET[value % 32]) for value in range(256))


class InvalidPattern(ValueError):
    pass


def pattern_bits(pattern: str) -> int:
    return pattern.count(PLACEHOLDER) * BITS_PER_CHARACTER


def validate_pattern(pattern: str) -> str:
    """Upper-case the pattern and check that it is safe; returns the normalised pattern."""
    normalised = pattern.strip().upper()
    if not normalised or len(normalised) > 64 or not LITERAL.match(normalised):
        raise InvalidPattern("Use up to 64 characters: letters, digits, '-', '_' and '#' for a random character.")
    if pattern_bits(normalised) < MIN_BITS:
        needed = -(-MIN_BITS // BITS_PER_CHARACTER)
        raise InvalidPattern(
            f"A unique code needs at least {MIN_BITS} bits of randomness: use at least {needed} '#' "
            f"(this pattern has {pattern_bits(normalised)} bits)."
        )
    return normalised


def codes_from_pattern(pattern: str, count: int) -> list[str]:
    """`count` random codes following `pattern` (which validate_pattern accepted)."""
    slots = pattern.count(PLACEHOLDER)
    randomness = os.urandom(slots * count).translate(_BYTE_TO_CHARACTER).decode("ascii")
    template = pattern.replace("%", "%%").replace(PLACEHOLDER, "%s")
    if slots == len(pattern):
        return [randomness[i : i + slots] for i in range(0, slots * count, slots)]
    return [template % tuple(randomness[i : i + slots]) for i in range(0, slots * count, slots)]

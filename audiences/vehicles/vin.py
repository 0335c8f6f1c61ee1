"""Which VINs are accepted: the one rule, pure (no Django).

A VIN (ISO 3779) has 17 characters, digits and capital letters except I, O and Q (they read as 1 and 0).
Position 9 is a check digit (49 CFR 565.15) where the market requires one: North America (the world
manufacturer identifier starts with 1 to 5) and China (L). Elsewhere, as for the Japanese and European
cars that Bangladesh and Tanzania import, position 9 is the maker's own and is not checked.
"""

import re

VIN_FORM = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
CHECK_DIGIT_REGIONS = frozenset("12345L")
_TRANSLITERATION = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


class InvalidVin(ValueError):
    """Says what is wrong with the VIN."""


def check_digit(vin: str) -> str:
    """The check digit position 9 should hold: the weighted sum modulo 11, 10 written X."""
    remainder = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def normalised_vin(raw: str) -> str:
    """The VIN in capitals without surrounding spaces; InvalidVin saying why it cannot be one."""
    vin = raw.strip().upper()
    if len(vin) != 17:
        raise InvalidVin(f"A VIN has 17 characters; '{raw}' has {len(vin)}.")
    if not VIN_FORM.match(vin):
        wrong = sorted({char for char in vin if not re.match(r"[A-HJ-NPR-Z0-9]", char)})
        raise InvalidVin(f"A VIN uses digits and letters other than I, O and Q; '{raw}' has {', '.join(wrong)}.")
    if vin[0] in CHECK_DIGIT_REGIONS and vin[8] != (expected := check_digit(vin)):
        raise InvalidVin(
            f"The check digit (9th character) of '{vin}' should be {expected} for a North American or Chinese VIN."
        )
    return vin

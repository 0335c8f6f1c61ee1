"""How an SMS text is encoded and into how many parts it is split (pure).

GSM 03.38 7-bit text: 160 septets in one message, 153 per part when concatenated (the user data
header takes 7); characters of the extension table (€ [ ] { } ^ ~ | \\ and form feed) take two
septets and are never split across parts. Any other character forces UCS-2: 70 UTF-16 code units
in one message, 67 per part; a character outside the Basic Multilingual Plane (an emoji) takes two
units and is never split either. Bengali text is always UCS-2.
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"gsm7": 160, "ucs2": 70}
PER_PART = {"gsm7": 153, "ucs2": 67}


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # "gsm7" or "ucs2"
    segments: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    ucs2_characters: tuple[str, ...]  # the characters that forced UCS-2, in order of appearance

    @property
    def single_limit(self) -> int:
        return SINGLE[self.encoding]

    @property
    def per_part(self) -> int:
        return PER_PART[self.encoding]


def _unit_sizes(text: str) -> tuple[str, list[int], tuple[str, ...]]:
    forcing = tuple(dict.fromkeys(c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION))
    if forcing:
        return "ucs2", [2 if ord(c) > 0xFFFF else 1 for c in text], forcing
    return "gsm7", [2 if c in GSM7_EXTENSION else 1 for c in text], ()


def sms_info(text: str) -> SmsInfo:
    encoding, sizes, forcing = _unit_sizes(text)
    units = sum(sizes)
    if units <= SINGLE[encoding]:
        return SmsInfo(encoding, 1 if text else 0, units, forcing)
    limit, segments, used = PER_PART[encoding], 1, 0
    for size in sizes:
        if used + size > limit:  # a two-unit character moves whole to the next part
            segments, used = segments + 1, 0
        used += size
    return SmsInfo(encoding, segments, units, forcing)

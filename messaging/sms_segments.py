"""How an SMS text is encoded and into how many parts it is split (pure).

GSM 03.38 7-bit text: 160 septets in one message, 153 per part when concatenated (the user data
header takes 7); characters of the extension table (€ [ ] { } ^ ~ | \\ and form feed) take two
septets and are never split across parts. Any other character forces UCS-2: 70 UTF-16 code units
in one message, 67 per part; a character outside the Basic Multilingual Plane (an emoji) takes two
units and is never split either. Bengali text is always UCS-2.

What a marketer is told: a text written in a script GSM-7 lacks (Bengali) is UCS-2 by nature, which is
information ("Bengali text is sent as Unicode (UCS-2)"); a GSM text with a few stray characters (a curly
quote, a dash) is a warning naming them, since replacing them sends 160 characters per message, not 70.
"""

import unicodedata
from collections import Counter
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
    script: str | None = None  # the script the text is written in when GSM-7 lacks it ("Bengali")

    @property
    def single_limit(self) -> int:
        return SINGLE[self.encoding]

    @property
    def per_part(self) -> int:
        return PER_PART[self.encoding]

    @property
    def length_summary(self) -> str:
        """E.g. "150 characters: 3 messages of up to 67" (characters as the network counts them: units)."""
        if not self.segments:
            return "No text."
        if self.segments == 1:
            return f"{self.units} characters: 1 message (up to {self.single_limit})"
        return f"{self.units} characters: {self.segments} messages of up to {self.per_part}"

    @property
    def encoding_note(self) -> str | None:
        if self.script is None:
            return None
        return (
            f"{self.script} text is sent as Unicode (UCS-2): {self.single_limit} characters per message, "
            f"{self.per_part} per part of a longer one."
        )

    @property
    def encoding_warning(self) -> str | None:
        if not self.ucs2_characters or self.script is not None:
            return None
        shown = " ".join(self.ucs2_characters[:10])
        return f"UCS-2 because of: {shown} — {self.single_limit} characters per SMS instead of 160."


def _unit_sizes(text: str) -> tuple[str, list[int], tuple[str, ...]]:
    forcing = tuple(dict.fromkeys(c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION))
    if forcing:
        return "ucs2", [2 if ord(c) > 0xFFFF else 1 for c in text], forcing
    return "gsm7", [2 if c in GSM7_EXTENSION else 1 for c in text], ()


def _script(text: str, forcing: tuple[str, ...]) -> str | None:
    """The script of a text mostly written outside GSM-7 (at least half its visible characters), named
    from Unicode ("BENGALI LETTER KA" -> "Bengali"); None for a GSM text with stray characters."""
    visible = [c for c in text if not c.isspace()]
    outside = set(forcing)
    if not visible or 2 * sum(c in outside for c in visible) < len(visible):
        return None
    scripts = Counter(
        unicodedata.name(c, "").split(" ")[0] for c in visible if c in outside and unicodedata.category(c)[0] in "LMN"
    )
    if not scripts:
        return None  # symbols only (emoji): each is worth naming
    name = scripts.most_common(1)[0][0]
    return name if len(name) <= 3 else name.capitalize()  # "CJK" stays an acronym


def sms_info(text: str) -> SmsInfo:
    encoding, sizes, forcing = _unit_sizes(text)
    units = sum(sizes)
    script = _script(text, forcing) if forcing else None
    if units <= SINGLE[encoding]:
        return SmsInfo(encoding, 1 if text else 0, units, forcing, script)
    limit, segments, used = PER_PART[encoding], 1, 0
    for size in sizes:
        if used + size > limit:  # a two-unit character moves whole to the next part
            segments, used = segments + 1, 0
        used += size
    return SmsInfo(encoding, segments, units, forcing, script)

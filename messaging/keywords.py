"""SMS and WhatsApp keywords (STOP, START, HELP) in English, Swahili and Bengali, and the
confirmations we answer them with, in the language of the keyword. Pure: no database.

English keywords are answered in English; ACHA, ANZA, MSAADA in Swahili; বন্ধ, চালু, সাহায্য in
Bengali: the customer reads the answer in the language they just wrote in.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

STOP, START, HELP = "stop", "start", "help"

_KEYWORDS = {
    **dict.fromkeys(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"], (STOP, "en")),
    **dict.fromkeys(["ACHA", "SITISHA"], (STOP, "sw")),
    "বন্ধ": (STOP, "bn"),
    **dict.fromkeys(["START", "UNSTOP", "YES"], (START, "en")),
    "ANZA": (START, "sw"),
    "চালু": (START, "bn"),
    **dict.fromkeys(["HELP", "INFO"], (HELP, "en")),
    "MSAADA": (HELP, "sw"),
    "সাহায্য": (HELP, "bn"),
}


@dataclass(frozen=True)
class Keyword:
    action: str  # STOP, START or HELP
    language: str


def keyword_of(body: str) -> Keyword | None:
    """The keyword a reply starts with (any case), or None for an ordinary reply."""
    words = body.strip().split()
    found = _KEYWORDS.get(words[0].upper()) if words else None
    return Keyword(*found) if found else None


def confirmation(keyword: Keyword) -> str:
    """What we answer STOP and START with, in the keyword's language."""
    with translation.override(keyword.language):
        if keyword.action == STOP:
            return gettext("You are unsubscribed and will get no more messages. Reply START to subscribe again.")
        return gettext("You are subscribed again. Reply STOP to unsubscribe.")

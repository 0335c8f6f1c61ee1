"""Signed links in messages: unsubscribe and preferences, tracked clicks, email confirmation.

A token is the signed payload itself (django.core.signing, keyed by SECRET_KEY and a salt per
purpose), so nothing is stored per link and a forged or altered token fails to load.
"""

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext

UNSUBSCRIBE_SALT = "messaging.unsubscribe"
CLICK_SALT = "messaging.click"
CONFIRM_SALT = "messaging.confirm-email"


class BadToken(ValueError):
    pass


def _load(token: str, salt: str) -> dict:
    try:
        payload = signing.loads(token, salt=salt)
    except signing.BadSignature:
        raise BadToken(gettext("This link is not valid: it was altered or not issued by us.")) from None
    if not isinstance(payload, dict):
        raise BadToken(gettext("This link is not valid."))
    return payload


def unsubscribe_token(*, customer_id: int, channel: str, topic: str, message_id: int | None = None) -> str:
    return signing.dumps({"c": customer_id, "ch": channel, "t": topic, "m": message_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_payload(token: str) -> dict:
    return _load(token, UNSUBSCRIBE_SALT)


@lru_cache(maxsize=16)
def _route_prefix(name: str) -> str:
    """The route up to the token, resolved once: links are made for every message."""
    return reverse(name, args=["-"]).removesuffix("-")


def _url_prefix(name: str) -> str:
    return settings.SITE_URL + _route_prefix(name)


def unsubscribe_url(token: str) -> str:
    return _url_prefix("messaging:unsubscribe") + token


def click_token(*, message_id: int, url: str) -> str:
    return signing.dumps({"m": message_id, "u": url}, salt=CLICK_SALT, compress=True)


def click_payload(token: str) -> dict:
    return _load(token, CLICK_SALT)


def click_url(*, message_id: int, url: str) -> str:
    return _url_prefix("messaging:click") + click_token(message_id=message_id, url=url)


def with_message_id(url: str, message_id: int) -> str:
    """The destination with `mid=<message id>` added, so the storefront can attribute the visit."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "mid"]
    query.append(("mid", str(message_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def confirm_token(*, customer_id: int, topic: str) -> str:
    return signing.dumps({"c": customer_id, "t": topic}, salt=CONFIRM_SALT)


def confirm_payload(token: str) -> dict:
    return _load(token, CONFIRM_SALT)


def confirm_url(token: str) -> str:
    return _url_prefix("messaging:confirm-email") + token

"""The address a request came from, as sign-in locks count it.

Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th address from the right
(the one the outermost trusted proxy saw); the entries left of it are whatever the client chose to send. With
no proxy (TRUSTED_PROXY_COUNT=0, the default) the header is ignored: anyone can write it.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")

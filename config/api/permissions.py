import hashlib
import threading
import time

from rest_framework import permissions
from rest_framework_api_key.permissions import HasAPIKey

NO_STOREFRONT_KEY_MESSAGE = "A valid API key is required: send 'Authorization: Api-Key <key>'."
WRONG_SCHEME_ON_STOREFRONT_MESSAGE = (
    "This storefront endpoint takes an API key: send 'Authorization: Api-Key <key>'. "
    "A user's token ('Authorization: Token ...') is for the management endpoints."
)
NO_USER_ON_MANAGEMENT_MESSAGE = (
    "This management endpoint needs a user's token: send 'Authorization: Token <token>' "
    "(python manage.py drf_create_token <username>), or sign in to the admin."
)
API_KEY_ON_MANAGEMENT_MESSAGE = NO_USER_ON_MANAGEMENT_MESSAGE + " An API key is for the storefront endpoints."


def authorization_scheme(request) -> str:
    """The scheme of the Authorization header, lower-cased ('api-key', 'token', ...); '' without one."""
    scheme, _, _ = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return scheme.lower()


def management_credentials_message(request) -> str:
    """Why a management endpoint found no user, and what to send instead."""
    if authorization_scheme(request) == "api-key":
        return API_KEY_ON_MANAGEMENT_MESSAGE
    return NO_USER_ON_MANAGEMENT_MESSAGE


# How long a verified key is trusted without looking again: a revoked or deleted key is refused within this.
VERIFIED_KEY_SECONDS = 5.0


class VerifiedKeys:
    """Keys verified in this process, by a fast hash of the key as presented, until their time is up.

    djangorestframework-api-key's hashing is slow on purpose (~1 ms); this verifies a key once per
    `ttl` seconds per process instead of on every request. `clock` is injectable for tests.
    """

    def __init__(self, ttl: float = VERIFIED_KEY_SECONDS, clock=time.monotonic):
        self.ttl, self.clock = ttl, clock
        self._until: dict[bytes, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _digest(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    def trusted(self, key: str) -> bool:
        until = self._until.get(self._digest(key))
        return until is not None and self.clock() < until

    def remember(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            # Expired entries go when one is added, so keys tried once do not accumulate.
            self._until = {digest: until for digest, until in self._until.items() if until > now}
            self._until[self._digest(key)] = now + self.ttl

    def forget_all(self) -> None:
        with self._lock:
            self._until = {}


verified_keys = VerifiedKeys()


class HasStorefrontKey(HasAPIKey):
    """`Authorization: Api-Key <key>`; keys are stored hashed by djangorestframework-api-key."""

    message = NO_STOREFRONT_KEY_MESSAGE

    def has_permission(self, request, view) -> bool:
        key = self.get_key(request)
        if key and verified_keys.trusted(key):
            return True
        if super().has_permission(request, view):
            verified_keys.remember(key)
            return True
        # DRF reads `message` off this instance, made for this request, once this answers False.
        if authorization_scheme(request) == "token":
            self.message = WRONG_SCHEME_ON_STOREFRONT_MESSAGE
        return False


class ModelPermissions(permissions.DjangoModelPermissions):
    """The admin's model permissions, reads included: an Analyst needs `view_*` to read.

    A view whose POST only reads (a preview) or changes (a refresh) says so with
    `permission_methods = {"POST": "GET"}`.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        method = getattr(view, "permission_methods", {}).get(request.method, request.method)
        model = self._queryset(view).model
        return request.user.has_perms(self.get_required_permissions(method, model))

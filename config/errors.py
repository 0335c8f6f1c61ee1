"""Domain errors: what a service raises when it refuses, below the API so every app may import them.

A domain error carries a stable machine-readable `code`, a `message` for people and `extra`
facts for the caller (which coupon, which promotion). It knows nothing of HTTP: the API's
exception handler (`config.api.errors`) picks the status from the error's class and writes the
one error shape `{"code", "message", ...extra}`. Invalid input stays Django's `ValidationError`,
which the admin, CSV imports and the API already share.
"""


class DomainError(Exception):
    """A refusal by a service, e.g. `usage_limit_reached`; subclasses say what kind."""

    def __init__(self, *, code: str, message: str, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class Conflict(DomainError):
    """The request is well formed but the state it meets refuses it (a use that can no longer be claimed)."""

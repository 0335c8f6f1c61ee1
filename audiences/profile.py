"""Extensions of the customer profile the API returns, registered by apps above audiences.

Loyalty registers "loyalty" (the member summary); audiences itself provides "segments" and
"consents". A provider takes a Customer and returns a JSON-ready value.
"""

from collections.abc import Callable

ProfileProvider = Callable[[object], object]

_providers: dict[str, ProfileProvider] = {}
_defaults: dict[str, object] = {"segments": [], "loyalty": None}


def register_profile_provider(key: str, provider: ProfileProvider) -> None:
    _providers[key] = provider


def profile_extensions(customer) -> dict[str, object]:
    extensions = dict(_defaults)
    for key, provider in _providers.items():
        extensions[key] = provider(customer)
    return extensions

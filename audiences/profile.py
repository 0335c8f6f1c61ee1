"""Sections of the customer profile the API returns, each registered by the app that owns it.

Audiences registers "segments"; an app above adds its own section under its own key. A provider
takes a Customer and returns a JSON-ready value. `schema` is the serializer field the OpenAPI
schema shows for the section and `example` the value its examples show, so the schema and its
examples list every section without audiences knowing them.
"""

from collections.abc import Callable
from dataclasses import dataclass

ProfileProvider = Callable[[object], object]


@dataclass(frozen=True)
class ProfileSection:
    provider: ProfileProvider
    schema: object
    example: object


_sections: dict[str, ProfileSection] = {}


def register_profile_provider(key: str, provider: ProfileProvider, *, schema, example) -> None:
    _sections[key] = ProfileSection(provider=provider, schema=schema, example=example)


def profile_sections() -> dict[str, ProfileSection]:
    return dict(_sections)


def profile_extensions(customer) -> dict[str, object]:
    return {key: section.provider(customer) for key, section in _sections.items()}

"""What each app holds about a customer: an exporter returning its section of the export, and an eraser
removing or anonymising its personal data. Audiences registers its own sections; an app above registers
its own in its `AppConfig.ready()`, so audiences never names them:

    register_data_section(DataSection(
        key="vehicles", title="Vehicles", export=vehicles_of, erase=vehicles_erase, size=vehicles_count,
    ))

`export(customer)` returns a JSON-ready value (lists of dicts); `erase(customer)` runs in its own
transaction, must be safe to run twice (a killed worker's request runs it again) and must leave what
accounting and campaign results need; `size(customer)` counts the rows `export` reads, so a big history
is exported in the background. Sections run in `position` order; the customer's own profile is erased last.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DataSection:
    key: str
    title: str
    export: Callable[[object], object]
    erase: Callable[[object], None] | None = None  # None: the section holds nothing personal to remove
    size: Callable[[object], int] | None = None
    position: int = 100


_sections: dict[str, DataSection] = {}


def register_data_section(section: DataSection) -> None:
    if section.key in _sections and _sections[section.key] != section:
        raise ValueError(f"The data section '{section.key}' is registered already.")
    _sections[section.key] = section


def unregister_data_section(key: str) -> None:
    """For tests that register a section for one test."""
    _sections.pop(key, None)


def data_sections() -> list[DataSection]:
    return sorted(_sections.values(), key=lambda section: (section.position, section.key))

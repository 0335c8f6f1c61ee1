"""The admin's navigation, grouped by what marketers do rather than by Django app.

Each model lands in a section: by default its app's (`SECTION_OF_APP`), or the one an app names for it with
`place_in_section("journeys", "campaigns.journey")`. Models of any other app (users, periodic tasks, tokens,
heartbeats, API keys, sign-in lockouts) fall in Settings, which only administrators see. A section with no
model the user may see is left out, so Journeys or Loyalty appear once their apps register models.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    administrators_only: bool = False


SECTIONS = [
    Section("campaigns", "Campaigns"),
    Section("journeys", "Journeys"),
    Section("promotions", "Promotions"),
    Section("audiences", "Audiences"),
    Section("messages", "Messages"),
    Section("loyalty", "Loyalty"),
    Section("reports", "Reports"),
    Section("settings", "Settings", administrators_only=True),
]
SECTION_KEYS = {section.key for section in SECTIONS}
SETTINGS = "settings"

SECTION_OF_APP = {
    "campaigns": "campaigns",
    "promotions": "promotions",
    "audiences": "audiences",
    "messaging": "messages",
    "loyalty": "loyalty",
}

# model label ("app.model", lower case) -> (section key, rank within the section)
_placements: dict[str, tuple[str, int]] = {}


def place_in_section(section: str, *model_labels: str) -> None:
    """Put models in a section; models placed this way come first there, in the order they were placed."""
    if section not in SECTION_KEYS:
        raise ValueError(f"Unknown admin section '{section}': one of {', '.join(sorted(SECTION_KEYS))}.")
    for model_label in model_labels:
        _placements[model_label.lower()] = (section, len(_placements))


def section_of(model_label: str) -> str:
    app_label = model_label.split(".")[0]
    placed = _placements.get(model_label)
    return placed[0] if placed else SECTION_OF_APP.get(app_label, SETTINGS)


def _rank(model_dict: dict) -> tuple:
    placed = _placements.get(model_dict["model"]._meta.label_lower)
    return (0, placed[1]) if placed else (1, str(model_dict["name"]))


def sections(app_list: list[dict], *, administrator: bool, url_of) -> list[dict]:
    """Django's per-app list regrouped into sections, in the shape the admin's templates expect."""
    grouped: dict[str, list[dict]] = {}
    for app in app_list:
        for model in app["models"]:
            grouped.setdefault(section_of(model["model"]._meta.label_lower), []).append(model)
    return [
        {
            "name": section.label,
            "app_label": section.key,
            "app_url": url_of(section.key),
            "has_module_perms": True,
            "models": sorted(grouped[section.key], key=_rank),
        }
        for section in SECTIONS
        if section.key in grouped and (administrator or not section.administrators_only)
    ]

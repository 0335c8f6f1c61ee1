"""The sections of the admin's customer page, registered by the apps that know something about the customer.

Audiences registers the profile, consents, segments, scores and orders; messaging the messages; promotions what
the customer qualifies for now. Loyalty (points and tier) and campaigns (journeys) add theirs the same way from
their own admin modules. A profile extension (audiences.profile) that no section presents is shown as it is, so
data an app already gives the API appears here before it has a section of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from audiences.profile import profile_extensions


@dataclass(frozen=True)
class CustomerSection:
    key: str
    title: str
    template: str  # rendered with the section's context and `customer`
    context: Callable[[object], dict]  # Customer -> the template's values; reads through selectors
    position: int = 100
    permission: str | None = None  # "messaging.view_message": shown only to users who may see those


_sections: dict[str, CustomerSection] = {}
EXTENSION_TEMPLATE = "admin/audiences/customer/sections/extension.html"


def register_customer_section(section: CustomerSection) -> None:
    _sections[section.key] = section


def customer_sections(customer, user) -> list[dict]:
    """The sections this user may see, in order, each with its context."""
    shown = sorted(_sections.values(), key=lambda section: (section.position, section.key))
    rendered = [
        {"key": section.key, "title": section.title, "template": section.template, **section.context(customer)}
        for section in shown
        if section.permission is None or user.has_perm(section.permission)
    ]
    for key, value in profile_extensions(customer).items():
        if key not in _sections and value not in (None, [], {}):
            title = key.replace("_", " ").capitalize()
            rendered.append({"key": key, "title": title, "template": EXTENSION_TEMPLATE, "value": value})
    return rendered


def changelist_of_customer(url_name: str, customer) -> str:
    """An admin list searched for the customer ("All orders", "All messages")."""
    return reverse(url_name) + "?" + urlencode({"q": customer.external_id})

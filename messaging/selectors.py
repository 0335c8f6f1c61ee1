"""Messaging's reads."""

from collections import defaultdict

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext

from audiences.models import Customer
from messaging import links
from messaging.models import Channel, Message, MessageStatus, Template, TemplateTranslation


def template_get(*, code: str) -> Template | None:
    return Template.objects.prefetch_related("translations").filter(code=code).first()


def template_list() -> QuerySet[Template]:
    return Template.objects.prefetch_related("translations").order_by("code")


def link_customer(payload: dict) -> Customer:
    """The customer a signed link was made for; BadToken when they have been deleted since."""
    customer = Customer.objects.filter(pk=payload.get("c")).first()
    if customer is None:
        raise links.BadToken(gettext("This link is for a customer who is no longer here."))
    return customer


def customer_messages(*, customer: Customer) -> QuerySet[Message]:
    """The customer's message history, newest first."""
    return Message.objects.filter(customer=customer).select_related("template").order_by("-created_at", "-id")


def customer_notifications(*, customer: Customer) -> QuerySet[Message]:
    """In-app messages the storefront shows: those delivered to the inbox, newest first."""
    return Message.objects.filter(
        customer=customer,
        channel=Channel.IN_APP,
        status__in=[MessageStatus.SENT, MessageStatus.OPENED, MessageStatus.CLICKED],
    ).order_by("-sent_at", "-id")


def notification_get(*, message_id: int) -> Message | None:
    return Message.objects.select_related("customer").filter(pk=message_id, channel=Channel.IN_APP).first()


def template_translations(template_ids: set[int]) -> dict[int, dict[str, dict]]:
    """{template id: {language: the translation's fields}}."""
    by_template: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in TemplateTranslation.objects.filter(template_id__in=template_ids).values():
        by_template[row["template_id"]][row["language"]] = row
    return by_template


def pick_language(available: dict[str, dict], wanted: str) -> str | None:
    """The customer's language if the template has it, else the site's, else English, else any."""
    for language in (wanted, settings.LANGUAGE_CODE.split("-")[0], "en"):
        if language in available:
            return language
    return min(available) if available else None

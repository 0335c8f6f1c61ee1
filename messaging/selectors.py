"""Messaging's reads."""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from audiences.data_subjects.hashing import hashed_address
from audiences.models import Customer
from messaging import links
from messaging.models import Channel, Message, MessageStatus, Suppression, Template, TemplateKind, TemplateTranslation
from messaging.policy import CAPPED_CHANNELS

# Messages that count toward frequency caps: everything that left, or is leaving, the outbox.
COUNTED_STATUSES = (
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.OPENED,
    MessageStatus.CLICKED,
    MessageStatus.BOUNCED,
)


def recent_marketing_sends(*, customer_ids: list[int], since: datetime) -> dict[int, dict[str, list[datetime]]]:
    """{customer: {capped channel: claim times since `since`}}: what the frequency caps count.

    The outbox's dispatch and a campaign launch's would-be decisions both read it. Unordered: Message has no
    ordering to pay for, and the caps only count.
    """
    recent: dict[int, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for customer_id, channel, claimed_at in (
        Message.objects.filter(
            customer_id__any_of=customer_ids,
            kind=TemplateKind.MARKETING,
            channel__in=CAPPED_CHANNELS,
            status__in=COUNTED_STATUSES,
            claimed_at__gte=since,
        )
        .order_by()
        .values_list("customer_id", "channel", "claimed_at")
    ):
        recent[customer_id][channel].append(claimed_at)
    return recent


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


# The Reports page's numbers (messaging/dashboard.py).
DELIVERED_OR_WORSE = [MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.OPENED, MessageStatus.CLICKED,
                      MessageStatus.BOUNCED]  # fmt: skip


def messages_sent_by_channel(*, since) -> list[tuple[str, int]]:
    """How many messages each channel sent since `since` (every channel, 0 for the quiet ones)."""
    counts = dict(
        Message.objects.filter(sent_at__gte=since).values("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    return [(channel, counts.get(channel, 0)) for channel in Channel.values]


def deliverability_by_channel(*, since) -> list[tuple[str, int, int, int]]:
    """(channel, sent, bounced, complaints) for messages sent since `since`, for channels that sent any."""
    sent = Message.objects.filter(sent_at__gte=since, status__in=DELIVERED_OR_WORSE)
    rows = sent.values("channel").annotate(
        sent=Count("id"),
        bounced=Count("id", filter=Q(status=MessageStatus.BOUNCED)),
        complaints=Count("tracking", filter=Q(tracking__event_type="complained"), distinct=True),
    )
    return [(row["channel"], row["sent"], row["bounced"], row["complaints"]) for row in rows.order_by("channel")]


def suppressed_addresses(addresses) -> set[tuple[str, str]]:
    """The (channel, address) pairs of `addresses` nothing may be sent to: suppressed as they are, or as the
    salted hash an erased customer's address is kept as (docs/privacy.md)."""
    plain = sorted({address for address in addresses if address})
    hashed = {hashed_address(address): address for address in plain}
    rows = Suppression.objects.filter(address__any_of=[*plain, *hashed]).order_by().values_list("channel", "address")
    return {(channel, hashed.get(address, address)) for channel, address in rows}

"""Deciding each claimed message: gather the facts the delivery policy needs in a few queries, ask the pure
policy (messaging/policy.py), and write the skips and deferrals."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings

from audiences.contact import normalised_email
from audiences.inventory import in_stock_at
from audiences.models import Consent, ConsentStatus, Customer
from messaging.models import Channel, Message, MessageStatus, Template, TemplateKind
from messaging.policy import CAPPED_CHANNELS, Cap, Decision, Policy, QuietHours, delivery_decision
from messaging.postal import postal_addresses
from messaging.selectors import recent_marketing_sends, suppressed_addresses
from messaging.services.dispatch_report import DispatchReport


def configured_policy(override: dict | None = None) -> Policy:
    override = override or {}
    return Policy(
        per_channel=Cap.parse(override.get("per_channel", settings.MESSAGING_CAP_PER_CHANNEL)),
        overall=Cap.parse(override.get("overall", settings.MESSAGING_CAP_OVERALL)),
        quiet_hours=QuietHours.parse(settings.MESSAGING_QUIET_HOURS),
    )


def message_address(message: Message) -> str:
    customer = message.customer
    if message.channel == Channel.EMAIL:
        return normalised_email(customer.email)
    if message.channel in (Channel.SMS, Channel.WHATSAPP):
        return customer.phone
    return ""


def _customer_timezone(customer: Customer) -> str:
    if customer.timezone:
        return customer.timezone
    return customer.store.timezone if customer.store else settings.TIME_ZONE


def delivery_decisions(messages: list[Message], now: datetime) -> list[tuple[Message, Decision]]:
    """Each message with its decision; a message to send gets its address, and counts toward the caps of
    the messages after it in this batch."""
    marketing_ids = sorted({m.customer_id for m in messages if m.kind == TemplateKind.MARKETING})
    default_policy = configured_policy()
    policy_of = {
        message.pk: configured_policy(message.frequency_cap) if message.frequency_cap else default_policy
        for message in messages
    }
    consents = set(
        Consent.objects.filter(customer_id__any_of=marketing_ids, status=ConsentStatus.OPTED_IN).values_list(
            "customer_id", "channel", "topic"
        )
    )
    addresses = {message.pk: message_address(message) for message in messages}
    suppressed = suppressed_addresses(addresses.values())
    postal = postal_addresses({m.customer.store_id for m in messages if m.kind == TemplateKind.MARKETING})
    windows = {
        pk: (start, end)
        for pk, start, end in Template.objects.filter(
            pk__in={m.template_id for m in messages}, send_window_start__isnull=False
        ).values_list("pk", "send_window_start", "send_window_end")
    }
    offers = offer_stock(messages)
    since = now - timedelta(days=max(policy.window_days for policy in policy_of.values()))
    recent = recent_marketing_sends(customer_ids=marketing_ids, since=since)

    decisions = []
    for message in messages:
        marketing = message.kind == TemplateKind.MARKETING
        address = addresses[message.pk]
        decision = delivery_decision(
            marketing=marketing,
            channel=message.channel,
            address=address,
            consented=(message.customer_id, message.channel, message.topic) in consents,
            suppressed=(message.channel, address) in suppressed,
            recent_by_channel=recent[message.customer_id],
            policy=policy_of[message.pk],
            now=now,
            timezone=_customer_timezone(message.customer),
            has_postal_address=bool(postal.get(message.customer.store_id)),
            send_window=windows.get(message.template_id),
            offer_in_stock=offers.get(message.pk, True),
        )
        if decision.action == "send":
            message.address = address
            if marketing and message.channel in CAPPED_CHANNELS:
                recent[message.customer_id][message.channel].append(now)
        decisions.append((message, decision))
    return decisions


def offer_stock(messages: list[Message]) -> dict[int, bool]:
    """{message id: its offer in stock at the customer's store?} for the messages whose template offers a product."""
    offer_of = dict(
        Template.objects.filter(pk__in={m.template_id for m in messages}, offer_product__isnull=False).values_list(
            "pk", "offer_product_id"
        )
    )
    offered = [m for m in messages if m.template_id in offer_of]
    stocked = in_stock_at((offer_of[m.template_id], m.customer.store_id) for m in offered)
    return {m.pk: stocked[(offer_of[m.template_id], m.customer.store_id)] for m in offered}


def decisions_record(decisions: list[tuple[Message, Decision]], report: DispatchReport) -> list[Message]:
    """Write the skips and deferrals (one UPDATE per reason); returns the messages to send."""
    to_send = []
    skipped: dict[str, list[int]] = defaultdict(list)
    deferred: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    for message, decision in decisions:
        if decision.action == "send":
            to_send.append(message)
        elif decision.action == "skip":
            skipped[decision.reason].append(message.pk)
        else:
            deferred[(decision.reason, decision.not_before)].append(message.pk)
    for reason, skipped_ids in skipped.items():
        Message.objects.filter(id__any_of=skipped_ids).update(
            status=MessageStatus.SKIPPED, reason=reason, claimed_until=None
        )
        report.skipped[reason] += len(skipped_ids)
    for (reason, not_before), deferred_ids in deferred.items():
        Message.objects.filter(id__any_of=deferred_ids).update(
            status=MessageStatus.DEFERRED, reason=reason, scheduled_for=not_before, claimed_until=None
        )
        report.deferred += len(deferred_ids)
    return to_send

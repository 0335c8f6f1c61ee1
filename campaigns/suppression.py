"""What the outbox would decide for each customer of a launch batch, in both arms (intent-to-treat).

The facts are gathered as the outbox's dispatch gathers them (the stock of the template's offer, consent
for the channel and topic, the suppression list, recent marketing messages for the caps, the sender's
postal address, quiet hours and the template's window), in a few queries per batch, and the same pure
policy decides. Holdout members get the decision their message would have got, so both arms lose the
same kinds of customers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from audiences.inventory import in_stock_at
from audiences.models import Consent, ConsentStatus
from messaging.models import Channel, Template, TemplateKind
from messaging.policy import Decision, delivery_decision
from messaging.postal import postal_addresses
from messaging.selectors import recent_marketing_sends, suppressed_addresses
from messaging.services.dispatch_decisions import configured_policy


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the launch reads of a customer: plain values, so a batch of thousands costs no model instances.

    `zone` is the customer's own zone, else their store's, else the installation's (as the outbox reads it).
    """

    pk: int
    email: str
    phone: str
    zone: str
    store_id: int | None


def recipient_zone(customer) -> str:
    """A Customer's own zone, else their store's, else the installation's (as the outbox reads it)."""
    if customer.timezone:
        return customer.timezone
    return customer.store.timezone if customer.store_id else settings.TIME_ZONE


def recipient_of(customer) -> Recipient:
    """The launch's view of one Customer already loaded (a journey's step)."""
    return Recipient(
        pk=customer.pk,
        email=customer.email,
        phone=customer.phone,
        zone=recipient_zone(customer),
        store_id=customer.store_id,
    )


def _address(customer: Recipient, channel: str) -> str:
    if channel == Channel.EMAIL:
        return customer.email.strip().lower()
    if channel in (Channel.SMS, Channel.WHATSAPP):
        return customer.phone
    return ""


def would_be_decisions(
    *, customers: list[Recipient], templates: list[Template], topic: str, moments: list[datetime]
) -> list[Decision]:
    """The delivery decision for each customer's message of `templates[i]` at `moments[i]`."""
    ids = [customer.pk for customer in customers]
    policy = configured_policy()
    addresses = [_address(c, t.channel) for c, t in zip(customers, templates, strict=True)]
    # Unordered: Consent's default ordering joins customers to sort by external id, which over a batch of
    # thousands costs a hash join of the whole customer table.
    consents = set(
        Consent.objects.filter(customer_id__any_of=ids, topic=topic, status=ConsentStatus.OPTED_IN)
        .order_by()
        .values_list("customer_id", "channel")
    )
    suppressed = suppressed_addresses(addresses)
    postal = postal_addresses({c.store_id for c in customers})
    recent = recent_marketing_sends(customer_ids=ids, since=min(moments) - timedelta(days=policy.window_days))
    stocked = in_stock_at(
        (t.offer_product_id, c.store_id) for c, t in zip(customers, templates, strict=True) if t.offer_product_id
    )
    # Most customers have no recent message: their decision then depends only on the facts in `key`, so a
    # batch of thousands asks the policy a handful of times.
    memo: dict[tuple, Decision] = {}
    decisions = []
    for customer, template, address, moment in zip(customers, templates, addresses, moments, strict=True):
        consented = (customer.pk, template.channel) in consents
        is_suppressed = (template.channel, address) in suppressed
        has_postal = bool(postal.get(customer.store_id))
        recent_by_channel = recent.get(customer.pk)
        in_stock = stocked[(template.offer_product_id, customer.store_id)] if template.offer_product_id else True
        key = (template.pk, bool(address), consented, is_suppressed, has_postal, in_stock, customer.zone, moment)
        if recent_by_channel is None and (known := memo.get(key)) is not None:
            decisions.append(known)
            continue
        window = (template.send_window_start, template.send_window_end) if template.send_window_start else None
        decision = delivery_decision(
            marketing=template.kind == TemplateKind.MARKETING,
            channel=template.channel,
            address=address,
            consented=consented,
            suppressed=is_suppressed,
            recent_by_channel=recent_by_channel or {},
            policy=policy,
            now=moment,
            timezone=customer.zone,
            has_postal_address=has_postal,
            send_window=window,
            offer_in_stock=in_stock,
        )
        if recent_by_channel is None:
            memo[key] = decision
        decisions.append(decision)
    return decisions

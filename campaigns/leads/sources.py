"""Which campaign or journey a lead came from: the customer's last touch before it, by the attribution rules.

A lead is judged like an order without coupons (campaigns/attribution.py): the last click in its campaign's click
window, else the last message received in its receipt window. Journeys' messages compete with campaigns' on the
same rules, under the default windows (a journey has no window settings). The message is the source's latest
message to the customer touched at or before the lead.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q

from campaigns import attribution
from campaigns.conversions import TOUCH_FIELDS, campaigns_windows, touch_horizon
from campaigns.models import Journey
from messaging.models import Message

CAMPAIGN, JOURNEY = "campaign", "journey"


@dataclass(frozen=True)
class Source:
    campaign_id: int | None = None
    journey_id: int | None = None
    message_id: int | None = None


NO_SOURCE = Source()


def _source_key(campaign_id, journey_code) -> tuple[str, int | str]:
    return (CAMPAIGN, campaign_id) if campaign_id is not None else (JOURNEY, journey_code)


def leads_sources(moments: Iterable[tuple[int, datetime]]) -> dict[tuple[int, datetime], Source]:
    """For each (customer id, when the lead came), its source (NO_SOURCE: none). One query for the touches."""
    moments = list(set(moments))
    if not moments:
        return {}
    since = min(at for _, at in moments) - max(touch_horizon(), attribution.DEFAULT_WINDOWS.click)
    until = max(at for _, at in moments)
    in_range = Q()
    for name in TOUCH_FIELDS:
        in_range |= Q(**{f"{name}__gte": since, f"{name}__lte": until})
    rows = (
        Message.objects.filter(customer_id__in={customer for customer, _ in moments})
        .filter(Q(campaign_id__isnull=False) | ~Q(journey=""))
        .filter(in_range)
        .order_by()
        .values_list("pk", "campaign_id", "journey", "customer_id", "channel", *TOUCH_FIELDS)
    )
    touches, messages = [], defaultdict(list)
    for message_id, campaign_id, journey_code, customer_id, channel, *times in rows:
        key = _source_key(campaign_id, journey_code)
        for kind, at in zip(TOUCH_FIELDS.values(), times, strict=True):
            if at is not None:
                touches.append(attribution.Touch(key, customer_id, kind, channel, at))
                messages[(customer_id, key)].append((at, message_id))
    windows = {
        (CAMPAIGN, campaign): window
        for campaign, window in campaigns_windows({t.campaign_id[1] for t in touches if t.campaign_id[0] == CAMPAIGN})
        .items()
    }  # fmt: skip
    by_customer = defaultdict(list)
    for touch in touches:
        by_customer[touch.customer_id].append(touch)
    found = {}
    for customer_id, at in moments:
        lead = attribution.Order(order_id=None, customer_id=customer_id, placed_at=at, revenue=Decimal(0))
        found[(customer_id, at)] = attribution.order_attribution(
            lead, by_customer.get(customer_id, ()), windows_by_campaign=windows
        )
    journeys = dict(
        Journey.objects.filter(code__in={key[1] for key in found.values() if key and key[0] == JOURNEY}).values_list(
            "code", "pk"
        )
    )
    return {moment: _source(moment, key, messages, journeys) for moment, key in found.items()}


def _source(moment, key, messages, journeys) -> Source:
    if key is None:
        return NO_SOURCE
    customer_id, at = moment
    message_id = max((touched, pk) for touched, pk in messages[(customer_id, key)] if touched <= at)[1]
    if key[0] == CAMPAIGN:
        return Source(campaign_id=key[1], message_id=message_id)
    return Source(journey_id=journeys.get(key[1]), message_id=message_id)

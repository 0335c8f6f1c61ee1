"""Engagement records: what happened after the hand-off (provider events, opens, clicks, in-app reads)."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audiences.contact import normalised_email
from audiences.models import ConsentTopic
from audiences.services.events import EventInput, events_record
from messaging import links
from messaging.models import Channel, Message, MessageStatus, SuppressionReason, TrackingEvent
from messaging.services.suppression import opt_out_everywhere, suppression_add
from messaging.signals import message_engaged

_STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.DEFERRED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.OPENED: 4,
    MessageStatus.CLICKED: 5,
}
_STAMP = {
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.OPENED: "opened_at",
    MessageStatus.CLICKED: "clicked_at",
}
ENGAGEMENT_EVENTS = {MessageStatus.OPENED: "message_opened", MessageStatus.CLICKED: "message_clicked"}


def message_engagement_record(*, message: Message, status: str, at: datetime, key: str, detail: dict) -> None:
    """A delivery, open or click: the status only moves forward; opens and clicks become events. The first of each
    kind is announced (`message_engaged`, after commit) with when it happened."""
    stamp = _STAMP[status]
    first = Message.objects.filter(pk=message.pk, **{f"{stamp}__isnull": True}).update(**{stamp: at})
    if first and message_engaged.has_listeners():
        # Robust: what a listener does after the record is its own; a failure there is logged, never the webhook's.
        transaction.on_commit(
            lambda: message_engaged.send(sender=Message, message=message, status=status, at=at), robust=True
        )
    lower = [name for name, rank in _STATUS_RANK.items() if rank < _STATUS_RANK[status]]
    Message.objects.filter(pk=message.pk, status__in=lower).update(status=status)
    if status in ENGAGEMENT_EVENTS:
        events_record(
            events=[
                EventInput(
                    customer=message.customer,
                    type=ENGAGEMENT_EVENTS[status],
                    occurred_at=at,
                    # Who sent it, so a journey can follow up a campaign's clicks or its own reads.
                    properties={
                        "message": message.pk,
                        "channel": message.channel,
                        "campaign": message.campaign_id,
                        "journey": message.journey,
                        **detail,
                    },
                    idempotency_key=key,
                )
            ]
        )


def _is_soft_bounce(event) -> bool:
    if event.event_type == "deferred":
        return True
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    return event.event_type == "bounced" and esp_event.get("Type") in {"SoftBounce", "Transient", "DnsError"}


@transaction.atomic
def tracking_event_record(*, provider: str, event) -> bool:
    """Apply an anymail tracking event once; False when this provider event was seen before."""
    at = event.timestamp or timezone.now()
    recipient = normalised_email(event.recipient or "")
    event_id = (
        event.event_id
        or hashlib.sha256(f"{event.message_id}|{event.event_type}|{recipient}|{at.isoformat()}".encode()).hexdigest()
    )
    kind = "soft_bounce" if _is_soft_bounce(event) else event.event_type
    message = None
    mid = str((event.metadata or {}).get("mid", ""))
    if mid.isdigit():
        message = Message.objects.select_related("customer").filter(pk=int(mid)).first()
    try:
        with transaction.atomic():
            TrackingEvent.objects.create(
                provider=provider,
                event_id=event_id,
                event_type=kind,
                recipient=recipient,
                message=message,
                occurred_at=at,
                detail=(event.description or event.mta_response or "")[:500],
            )
    except IntegrityError:
        return False

    if kind == "soft_bounce":
        soft_bounces = TrackingEvent.objects.filter(recipient=recipient, event_type="soft_bounce").count()
        if recipient and soft_bounces >= settings.MESSAGING_SOFT_BOUNCE_LIMIT:
            suppression_add(
                channel=Channel.EMAIL, address=recipient, reason=SuppressionReason.SOFT_BOUNCES, source=provider
            )
    elif kind in ("delivered", "opened", "clicked") and message is not None:
        detail = {"url": event.click_url} if kind == "clicked" and event.click_url else {}
        message_engagement_record(message=message, status=kind, at=at, key=f"{provider}:{event_id}", detail=detail)
    elif kind == "bounced":
        if message is not None:
            Message.objects.filter(pk=message.pk).update(status=MessageStatus.BOUNCED, reason="hard_bounce")
        if recipient:
            suppression_add(
                channel=Channel.EMAIL, address=recipient, reason=SuppressionReason.HARD_BOUNCE, source=provider
            )
    elif kind in ("rejected", "failed") and message is not None:
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, reason="rejected")
    elif kind == "complained" and recipient:
        suppression_add(channel=Channel.EMAIL, address=recipient, reason=SuppressionReason.COMPLAINT, source=provider)
        opt_out_everywhere(
            channel=Channel.EMAIL, address=recipient, source=f"complaint:{provider}", topics=[ConsentTopic.MARKETING]
        )
    elif kind == "unsubscribed" and recipient:
        opt_out_everywhere(
            channel=Channel.EMAIL, address=recipient, source=f"unsubscribe:{provider}", topics=[ConsentTopic.MARKETING]
        )
    return True


@transaction.atomic
def click_record(*, token: str) -> str:
    """A tracked link was followed: record the click and return where to send the visitor."""
    payload = links.click_payload(token)
    url = payload.get("u", "")
    message = Message.objects.select_related("customer").filter(pk=payload.get("m")).first()
    if message is None:
        return url
    key = "click:" + hashlib.sha256(f"{message.pk}|{url}".encode()).hexdigest()[:40]
    message_engagement_record(
        message=message, status=MessageStatus.CLICKED, at=timezone.now(), key=key, detail={"url": url}
    )
    return links.with_message_id(url, message.pk)


@transaction.atomic
def notification_read(*, message: Message) -> Message:
    if message.channel != Channel.IN_APP:
        raise ValidationError({"id": "Only in-app messages can be marked read."})
    message_engagement_record(
        message=message, status=MessageStatus.OPENED, at=timezone.now(), key=f"in-app-read:{message.pk}", detail={}
    )
    message.refresh_from_db()
    return message

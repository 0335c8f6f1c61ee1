"""Messaging's write paths: templates, the outbox and its dispatch, suppression, delivery events.

The outbox guarantees: a message is a row with a unique idempotency key, so asking twice queues it
once; workers claim due rows with SELECT ... FOR UPDATE SKIP LOCKED, so no two workers hold the
same message; hand-offs to the provider are confirmed a small group at a time
(MESSAGING_HANDOFF_GROUP, default 20), so a worker killed mid-batch leaves at most that group
unconfirmed. Those messages are claimed again when their lease ends and handed off with the same
idempotency keys, which providers that honour idempotency keys (and our file and locmem backends)
take once; set the group to 1 for the narrowest window with a provider that does not.
"""

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import Consent, ConsentStatus, ConsentTopic, Customer
from audiences.services import DOUBLE_OPT_IN_SOURCE, EventInput, consent_record, events_record
from messaging import keywords, links
from messaging.context import message_context, products_by_sku, provided_values
from messaging.models import (
    Channel,
    Message,
    MessageStatus,
    Suppression,
    SuppressionReason,
    Template,
    TemplateKind,
    TemplateTranslation,
    TrackingEvent,
)
from messaging.policy import Cap, Policy, QuietHours, delivery_decision
from messaging.postal import postal_addresses
from messaging.rendering import (
    RenderedMessage,
    TemplateRenderError,
    TemplateTextError,
    render_translation,
    translation_errors,
)
from messaging.selectors import pick_language, template_translations
from messaging.senders import Outgoing, Sender, Unsendable

# --- templates --------------------------------------------------------------------------------


def _check_translations(translations: list[dict]) -> None:
    errors = {}
    languages = set()
    for index, translation in enumerate(translations):
        language = translation.get("language")
        if language in languages:
            errors[f"translations[{index}].language"] = f"'{language}' is given twice."
        languages.add(language)
        for name, problem in translation_errors(translation).items():
            errors[f"translations[{index}].{name}"] = problem
    if errors:
        raise ValidationError(errors)


def _save_translations(template: Template, translations: list[dict]) -> None:
    for translation in translations:
        values = {name: translation.get(name) or "" for name in ("subject", "preheader", "html", "text", "body")}
        TemplateTranslation.objects.update_or_create(
            template=template, language=translation["language"], defaults=values
        )


def _apply_timing(template: Template, timing: dict) -> None:
    """Set the given timing fields; a send window needs both its ends."""
    for name, value in timing.items():
        setattr(template, name, value)
    if (template.send_window_start is None) != (template.send_window_end is None):
        raise ValidationError({"timing": "A send window needs both send_window_start and send_window_end."})


@transaction.atomic
def template_create(
    *,
    code: str,
    name: str,
    channel: str,
    kind: str,
    topic: str = ConsentTopic.MARKETING,
    translations: list[dict],
    timing: dict | None = None,
) -> Template:
    if Template.objects.filter(code=code).exists():
        raise ValidationError({"code": f"A template with code '{code}' already exists."})
    if not translations:
        raise ValidationError({"translations": "Give at least one language."})
    _check_translations(translations)
    template = Template(code=code, name=name, channel=channel, kind=kind, topic=topic)
    _apply_timing(template, timing or {})
    template.save()
    _save_translations(template, translations)
    return template


@transaction.atomic
def template_update(
    *, template: Template, translations: list[dict] | None = None, timing: dict | None = None, **fields
) -> Template:
    """Change the given fields and timing; each given translation replaces that language's, others stay."""
    if translations is not None:
        _check_translations(translations)
        _save_translations(template, translations)
    for name, value in fields.items():
        setattr(template, name, value)
    _apply_timing(template, timing or {})
    template.save()
    return template


# --- the outbox: queueing -----------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRequest:
    customer_id: int
    template: Template
    idempotency_key: str
    context: dict = field(default_factory=dict)
    campaign_id: int | None = None
    journey: str = ""
    variant: str = ""
    scheduled_for: datetime | None = None
    frequency_cap: dict | None = None


def _check_frequency_cap(override: dict | None) -> None:
    if not override:
        return
    unknown = set(override) - {"per_channel", "overall"}
    if unknown:
        raise ValidationError({"frequency_cap": f"Unknown cap(s): {', '.join(sorted(unknown))}."})
    for text in override.values():
        try:
            Cap.parse(text)
        except ValueError as error:
            raise ValidationError({"frequency_cap": str(error)}) from None


def _dispatch_soon() -> None:
    from messaging.tasks import outbox_dispatch_task  # tasks import this module

    outbox_dispatch_task.delay()


@transaction.atomic
def messages_enqueue(*, requests: Iterable[MessageRequest], chunk_size: int = 5000) -> int:
    """Queue messages; a key already in the outbox keeps its message. Returns how many were new."""
    now = timezone.now()
    created = 0
    pending = iter(requests)
    while chunk := list(islice(pending, chunk_size)):
        for request in chunk:
            _check_frequency_cap(request.frequency_cap)
        keys = [request.idempotency_key for request in chunk]
        existing = set(Message.objects.filter(idempotency_key__any_of=keys).values_list("idempotency_key", flat=True))
        Message.objects.bulk_create(
            [
                Message(
                    idempotency_key=request.idempotency_key,
                    customer_id=request.customer_id,
                    template=request.template,
                    channel=request.template.channel,
                    kind=request.template.kind,
                    topic=request.template.topic,
                    campaign_id=request.campaign_id,
                    journey=request.journey,
                    variant=request.variant,
                    context=request.context,
                    frequency_cap=request.frequency_cap,
                    scheduled_for=request.scheduled_for or now,
                )
                for request in chunk
                if request.idempotency_key not in existing
            ],
            ignore_conflicts=True,
        )
        created += len(set(keys) - existing)
    if created:
        transaction.on_commit(_dispatch_soon)
    return created


def message_enqueue(*, customer: Customer, template: Template, idempotency_key: str, **options) -> tuple[Message, bool]:
    created = messages_enqueue(
        requests=[
            MessageRequest(customer_id=customer.pk, template=template, idempotency_key=idempotency_key, **options)
        ]
    )
    return Message.objects.get(idempotency_key=idempotency_key), bool(created)


# --- the outbox: dispatch -----------------------------------------------------------------------

DUE_STATUSES = (MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.SENDING)
# Messages that count toward frequency caps: everything that left, or is leaving, the outbox.
COUNTED_STATUSES = (
    MessageStatus.SENDING,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.OPENED,
    MessageStatus.CLICKED,
    MessageStatus.BOUNCED,
)
CAPPED_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)


@dataclass
class DispatchReport:
    batches: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    skipped: Counter = field(default_factory=Counter)


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
        return customer.email.strip().lower()
    if message.channel in (Channel.SMS, Channel.WHATSAPP):
        return customer.phone
    return ""


def _customer_timezone(customer: Customer) -> str:
    if customer.timezone:
        return customer.timezone
    return customer.store.timezone if customer.store else settings.TIME_ZONE


def outbox_dispatch(*, batch_size: int | None = None, max_batches: int | None = None) -> DispatchReport:
    """Send every due message, batch by batch, until none is due (or `max_batches` were taken)."""
    report = DispatchReport()
    size = batch_size or settings.MESSAGING_BATCH_SIZE
    with _commits_without_flush_wait():
        while max_batches is None or report.batches < max_batches:
            claimed = _outbox_claim(size=size, report=report)
            if claimed is None:
                break
            report.batches += 1
            to_send, translations = claimed
            if to_send:
                _outbox_send(to_send, translations, report)
    return report


@contextmanager
def _commits_without_flush_wait():
    """Hand-off confirmations commit often; on PostgreSQL they do not wait for the WAL flush. A
    killed worker loses nothing by it (the server has the commit); only a crash of the database
    server itself could forget the last moment's confirmations, whose messages would then be
    handed off again, with the same idempotency keys, when their lease ends."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _outbox_claim(*, size: int, report: DispatchReport):
    """Claim a batch of due messages and apply the delivery policy.

    Returns (messages to send, their templates' translations), or None when nothing is due."""
    now = timezone.now()
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer__store")
            .filter(status__in=DUE_STATUSES, scheduled_for__lte=now)
            .filter(~Q(status=MessageStatus.SENDING) | Q(claimed_until__lt=now))
            .order_by("scheduled_for", "id")[:size]
        )
        if not messages:
            return None
        marketing_ids = sorted({m.customer_id for m in messages if m.kind == TemplateKind.MARKETING})
        if marketing_ids:
            # Two workers holding messages of one customer count caps one after the other.
            list(
                Customer.objects.select_for_update(no_key=True)
                .filter(id__any_of=marketing_ids)
                .order_by("id")
                .values("id")
            )
        decisions = _decide(messages, marketing_ids, now)
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
        translations = template_translations({m.template_id for m in to_send})
        untranslated = []
        for message in to_send:
            message.claimed_at = now  # the claim's identity: whoever holds a message has this time on it
            message.language = pick_language(translations[message.template_id], message.customer.language) or ""
            if not message.language:
                untranslated.append(message.pk)
        if untranslated:
            Message.objects.filter(id__any_of=untranslated).update(
                status=MessageStatus.FAILED, reason="template_error", error="The template has no translation."
            )
            report.failed += len(untranslated)
            to_send = [message for message in to_send if message.language]
        # One UPDATE per channel and language (not per message): the address comes from the customer row.
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for message in to_send:
            groups[(message.channel, message.language)].append(message.pk)
        for (channel, language), group_ids in groups.items():
            Message.objects.filter(id__any_of=group_ids).update(
                status=MessageStatus.SENDING,
                claimed_at=now,
                claimed_until=now + timedelta(seconds=settings.MESSAGING_LEASE_SECONDS),
                attempts=F("attempts") + 1,
                language=language,
                address=_address_expression(channel),
            )
    return to_send, translations


def _address_expression(channel: str):
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    if channel == Channel.EMAIL:
        return Subquery(customer.values(address=Lower(Trim("email")))[:1])
    if channel in (Channel.SMS, Channel.WHATSAPP):
        return Subquery(customer.values("phone")[:1])
    return Value("")


def _decide(messages: list[Message], marketing_ids: list[int], now: datetime):
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
    suppressed = set(
        Suppression.objects.filter(address__any_of=sorted({a for a in addresses.values() if a})).values_list(
            "channel", "address"
        )
    )
    postal = postal_addresses({m.customer.store_id for m in messages if m.kind == TemplateKind.MARKETING})
    windows = {
        pk: (start, end)
        for pk, start, end in Template.objects.filter(
            pk__in={m.template_id for m in messages}, send_window_start__isnull=False
        ).values_list("pk", "send_window_start", "send_window_end")
    }
    since = now - timedelta(days=max(policy.window_days for policy in policy_of.values()))
    recent: dict[int, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for customer_id, channel, claimed_at in Message.objects.filter(
        customer_id__any_of=marketing_ids,
        kind=TemplateKind.MARKETING,
        channel__in=CAPPED_CHANNELS,
        status__in=COUNTED_STATUSES,
        claimed_at__gte=since,
    ).values_list("customer_id", "channel", "claimed_at"):
        recent[customer_id][channel].append(claimed_at)

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
        )
        if decision.action == "send":
            message.address = address
            if marketing and message.channel in CAPPED_CHANNELS:
                recent[message.customer_id][message.channel].append(now)
        decisions.append((message, decision))
    return decisions


def _throttle(channel: str, count: int) -> None:
    """Wait until this channel's provider may take `count` more sends this second (all workers)."""
    limit = settings.MESSAGING_RATE_LIMITS.get(channel)
    if not limit:
        return
    while True:
        now = time.time()
        key = f"messaging:rate:{channel}:{int(now)}"
        cache.add(key, 0, timeout=5)
        taken = cache.incr(key, count)
        if taken <= limit or taken == count:  # a group larger than the limit goes alone in its second
            return
        time.sleep(int(now) + 1 - now)


def _outbox_send(messages: list[Message], translations: dict[int, dict[str, dict]], report: DispatchReport) -> None:
    """Render each message and hand them off per channel a group at a time (MESSAGING_HANDOFF_GROUP):
    a group is one provider call where the provider takes batches, and one confirming UPDATE."""
    templates = {t.pk: t for t in Template.objects.filter(pk__in={m.template_id for m in messages})}
    products = products_by_sku(sku for m in messages for sku in (m.context.get("products") or []))
    provided = provided_values(list({m.customer_id: m.customer for m in messages}.values()))
    postal = postal_addresses({m.customer.store_id for m in messages if m.kind == TemplateKind.MARKETING})
    senders: dict[str, Sender] = {}
    staged: dict[str, list[Outgoing]] = defaultdict(list)
    try:
        for message in messages:
            message.template = templates[message.template_id]
            sender = senders.get(message.channel)
            if sender is None:
                channel = message.channel
                sender = senders[channel] = Sender.for_channel(channel, lambda count, c=channel: _throttle(c, count))
            unsubscribe = ""
            if message.kind == TemplateKind.MARKETING and message.channel != Channel.IN_APP:
                unsubscribe = links.unsubscribe_url(
                    links.unsubscribe_token(
                        customer_id=message.customer_id,
                        channel=message.channel,
                        topic=message.topic,
                        message_id=message.pk,
                    )
                )
            context = message_context(
                customer=message.customer,
                extra=message.context,
                provided=provided.get(message.customer_id, {}),
                products=products,
                unsubscribe_url=unsubscribe,
            )
            try:
                rendered = _render(translations[message.template_id][message.language], context, message.pk)
                outgoing = Outgoing(message, rendered, unsubscribe, postal.get(message.customer.store_id, ""))
                message.content = sender.check(outgoing)
            except Unsendable as error:
                _fail(message, error.reason, str(error), report)
                continue
            group = staged[message.channel]
            group.append(outgoing)
            if len(group) >= settings.MESSAGING_HANDOFF_GROUP:
                _hand_off(sender, _still_held(group), report)
                group.clear()
        for channel, group in staged.items():
            if group:
                _hand_off(senders[channel], _still_held(group), report)
    finally:
        for sender in senders.values():
            sender.close()


def _render(translation: dict, context: dict, message_id: int) -> RenderedMessage:
    """The message as it leaves: its links tracked, within the same render budget."""
    try:
        return render_translation(
            translation, context, tracked_url=lambda url: links.click_url(message_id=message_id, url=url)
        )
    except TemplateRenderError as error:  # recorded on this message; the batch goes on
        if error.over_limit:
            raise Unsendable("template_limit", f"The template went over a render limit: {error}") from error
        raise Unsendable("template_error", f"The template failed for this message: {error}") from error
    except TemplateTextError as error:  # saved before a rule that now refuses it
        raise Unsendable("template_error", f"The template cannot be rendered: {error}") from error


def _still_held(group: list[Outgoing]) -> list[Outgoing]:
    """The messages of a group this worker may still hand off.

    A batch slowed down (a low rate limit, a slow provider) can outlive its lease, and another worker
    may then claim what it has not sent yet. So past half the lease the group about to leave renews
    its lease, and any message another worker took over in the meantime is left to that worker."""
    claimed_at = group[0].message.claimed_at
    lease = timedelta(seconds=settings.MESSAGING_LEASE_SECONDS)
    if timezone.now() - claimed_at < lease / 2:
        return group
    with transaction.atomic():
        held = list(
            Message.objects.select_for_update()
            .filter(pk__any_of=[o.message.pk for o in group], status=MessageStatus.SENDING, claimed_at=claimed_at)
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__any_of=held).update(claimed_until=timezone.now() + lease)
    held_ids = set(held)
    return [outgoing for outgoing in group if outgoing.message.pk in held_ids]


def _hand_off(sender: Sender, group: list[Outgoing], report: DispatchReport) -> None:
    taken = []
    for outgoing, error in sender.hand_off(group):
        if error is None:
            taken.append(outgoing.message)
        else:
            _retry_or_fail(outgoing.message, str(error), transient=error.transient, report=report)
    report.sent += _confirm_sent(taken)


def _confirm_sent(messages: list[Message]) -> int:
    """One UPDATE for a group of hand-offs; in-app messages also keep their rendered content."""
    if not messages:
        return 0
    now = timezone.now()
    for message in messages:
        if message.content:
            Message.objects.filter(pk=message.pk).update(content=message.content)
    Message.objects.filter(pk__any_of=[m.pk for m in messages], status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, sent_at=now, reason="", error="", claimed_until=None
    )
    return len(messages)


def _fail(message: Message, reason: str, detail: str, report: DispatchReport) -> None:
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.FAILED, reason=reason, error=detail[:2000], claimed_until=None
    )
    report.failed += 1


def _retry_or_fail(message: Message, detail: str, *, transient: bool, report: DispatchReport) -> None:
    attempts = message.attempts + 1  # the claim counted this attempt in the database
    if not transient:
        _fail(message, "rejected", detail, report)
    elif attempts >= settings.MESSAGING_MAX_ATTEMPTS:
        _fail(message, "provider_error", detail, report)
    else:
        backoff = timedelta(minutes=5 ** (attempts - 1))  # 1, 5, 25, 125 minutes
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED,
            reason="retry",
            error=detail[:2000],
            scheduled_for=timezone.now() + backoff,
            claimed_until=None,
        )
        report.retried += 1


# --- suppression --------------------------------------------------------------------------------


def suppression_add(*, channel: str, address: str, reason: str, source: str = "") -> Suppression:
    address = address.strip().lower() if channel == Channel.EMAIL else address.strip()
    suppression, _ = Suppression.objects.get_or_create(
        channel=channel, address=address, defaults={"reason": reason, "source": source}
    )
    return suppression


def suppression_remove(*, channel: str, address: str, reasons: Iterable[str] | None = None) -> int:
    suppressions = Suppression.objects.filter(channel=channel, address=address)
    if reasons is not None:
        suppressions = suppressions.filter(reason__in=list(reasons))
    return suppressions.delete()[0]


# --- what happened after the hand-off -----------------------------------------------------------

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
    """A delivery, open or click: the status only moves forward; opens and clicks become events."""
    stamp = _STAMP[status]
    Message.objects.filter(pk=message.pk, **{f"{stamp}__isnull": True}).update(**{stamp: at})
    lower = [name for name, rank in _STATUS_RANK.items() if rank < _STATUS_RANK[status]]
    Message.objects.filter(pk=message.pk, status__in=lower).update(status=status)
    if status in ENGAGEMENT_EVENTS:
        events_record(
            events=[
                EventInput(
                    customer=message.customer,
                    type=ENGAGEMENT_EVENTS[status],
                    occurred_at=at,
                    properties={"message": message.pk, "channel": message.channel, **detail},
                    idempotency_key=key,
                )
            ]
        )


def _customers_with(channel: str, address: str):
    if channel == Channel.EMAIL:
        return Customer.objects.filter(email__iexact=address)
    return Customer.objects.filter(phone=address)


def _opt_out_everywhere(*, channel: str, address: str, source: str, topics: Iterable[str]) -> None:
    for customer in _customers_with(channel, address):
        for topic in topics:
            consent_record(
                customer=customer, channel=channel, topic=topic, status=ConsentStatus.OPTED_OUT, source=source
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
    recipient = (event.recipient or "").strip().lower()
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
        _opt_out_everywhere(
            channel=Channel.EMAIL, address=recipient, source=f"complaint:{provider}", topics=[ConsentTopic.MARKETING]
        )
    elif kind == "unsubscribed" and recipient:
        _opt_out_everywhere(
            channel=Channel.EMAIL, address=recipient, source=f"unsubscribe:{provider}", topics=[ConsentTopic.MARKETING]
        )
    return True


# --- inbound SMS keywords -----------------------------------------------------------------------

OPTED_OUT_TOPICS = (ConsentTopic.MARKETING, ConsentTopic.LOYALTY)


@transaction.atomic
def inbound_text_handle(*, channel: str, from_number: str, body: str, provider_id: str = "") -> str:
    """An SMS or WhatsApp reply: STOP / START / HELP keywords, anything else a `message_replied` event.

    Returns the reply to send back ("" for none).
    """
    keyword = keywords.keyword_of(body)
    action = keyword.action if keyword else None
    if action == keywords.STOP:
        suppression_add(channel=channel, address=from_number, reason=SuppressionReason.SMS_STOP, source="keyword")
        _opt_out_everywhere(channel=channel, address=from_number, source="sms_keyword", topics=OPTED_OUT_TOPICS)
        return keywords.confirmation(keyword)
    if action == keywords.START:
        suppression_remove(channel=channel, address=from_number, reasons=[SuppressionReason.SMS_STOP])
        for customer in _customers_with(channel, from_number):
            consent_record(customer=customer, channel=channel, status=ConsentStatus.OPTED_IN, source="sms_keyword")
        return keywords.confirmation(keyword)
    if action == keywords.HELP:
        return settings.MESSAGING_SMS_HELP_TEXT
    events_record(
        events=[
            EventInput(
                customer=customer,
                type="message_replied",
                properties={"channel": channel, "text": body[:1000]},
                idempotency_key=f"reply:{channel}:{provider_id}:{customer.pk}" if provider_id else None,
            )
            for customer in _customers_with(channel, from_number)
        ]
    )
    return ""


# --- unsubscribe, preferences, clicks, confirmation ---------------------------------------------


@transaction.atomic
def unsubscribe_one_click(*, token: str) -> tuple[Customer, str, str]:
    """RFC 8058 one-click: opt the token's customer out of that channel and topic."""
    payload = links.unsubscribe_payload(token)
    customer = Customer.objects.filter(pk=payload.get("c")).first()
    if customer is None:
        raise links.BadToken(gettext("This link is for a customer who is no longer here."))
    consent_record(
        customer=customer,
        channel=payload["ch"],
        topic=payload["t"],
        status=ConsentStatus.OPTED_OUT,
        source="unsubscribe_link",
    )
    return customer, payload["ch"], payload["t"]


@transaction.atomic
def preferences_update(*, customer: Customer, choices: dict[tuple[str, str], bool]) -> int:
    """Save the preference centre's choices; only changed ones are recorded. Returns how many changed."""
    current = {
        (consent.channel, consent.topic): consent.status == ConsentStatus.OPTED_IN
        for consent in customer.consents.all()
    }
    changed = 0
    for (channel, topic), wanted in choices.items():
        if current.get((channel, topic), False) != wanted:
            status = ConsentStatus.OPTED_IN if wanted else ConsentStatus.OPTED_OUT
            consent_record(customer=customer, channel=channel, topic=topic, status=status, source="preference_centre")
            changed += 1
    return changed


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
def email_consent_confirm(*, token: str) -> Customer:
    payload = links.confirm_payload(token)
    customer = Customer.objects.filter(pk=payload.get("c")).first()
    if customer is None:
        raise links.BadToken(gettext("This link is for a customer who is no longer here."))
    consent_record(
        customer=customer,
        channel=Channel.EMAIL,
        topic=payload.get("t", ConsentTopic.MARKETING),
        status=ConsentStatus.OPTED_IN,
        source=DOUBLE_OPT_IN_SOURCE,
    )
    return customer


DOUBLE_OPT_IN_TEMPLATE = "double_opt_in"


def email_confirmation_request(*, customer: Customer, topic: str) -> Message | None:
    """Queue the double opt-in email (transactional) with its signed confirmation link."""
    template = Template.objects.filter(code=DOUBLE_OPT_IN_TEMPLATE).first()
    if template is None:
        return None
    url = links.confirm_url(links.confirm_token(customer_id=customer.pk, topic=topic))
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    message, _ = message_enqueue(
        customer=customer,
        template=template,
        idempotency_key=f"double-opt-in:{customer.pk}:{topic}:{stamp}",
        context={"confirm_url": url},
    )
    return message


@transaction.atomic
def notification_read(*, message: Message) -> Message:
    if message.channel != Channel.IN_APP:
        raise ValidationError({"id": "Only in-app messages can be marked read."})
    message_engagement_record(
        message=message, status=MessageStatus.OPENED, at=timezone.now(), key=f"in-app-read:{message.pk}", detail={}
    )
    message.refresh_from_db()
    return message

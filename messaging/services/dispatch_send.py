"""Sending claimed messages: render each, hand them off per channel a group at a time, record the outcome."""

import time
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from messaging import links
from messaging.context import message_context, products_by_sku, provided_values
from messaging.models import Channel, Message, MessageStatus, Template, TemplateKind
from messaging.postal import postal_addresses
from messaging.rendering import RenderedMessage, TemplateRenderError, TemplateTextError, render_translation
from messaging.senders import Outgoing, Sender, Unsendable
from messaging.services.dispatch_report import DispatchReport
from messaging.signals import messages_sent


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


def messages_send(messages: list[Message], translations: dict[int, dict[str, dict]], report: DispatchReport) -> None:
    """Render each message and hand them off per channel a group at a time (MESSAGING_HANDOFF_GROUP):
    a group is one provider call where the provider takes batches, and one confirming UPDATE."""
    templates = {t.pk: t for t in Template.objects.filter(pk__in={m.template_id for m in messages})}
    products = products_by_sku(sku for m in messages for sku in (m.context.get("products") or []))
    texts = [
        str(text)
        for template_id in templates
        for translation in translations[template_id].values()
        for text in translation.values()
        if isinstance(text, str)
    ]
    provided = provided_values(list({m.customer_id: m.customer for m in messages}.values()), texts=texts)
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
    if messages_sent.has_listeners():
        transaction.on_commit(lambda: messages_sent.send(sender=Message, messages=messages))
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

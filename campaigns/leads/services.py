"""Leads' writes: created by the API, the admin or an event; moved along the pipeline (campaigns/leads/pipeline.py)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error
from audiences.models import Customer, Event, Order, Product, Store
from campaigns.leads import pipeline, sources
from campaigns.leads.models import Lead
from campaigns.models import Campaign, Journey
from config.errors import DomainError
from messaging.models import Message

# Events that create a lead (one per event), with the properties they may carry: product (a sku), vin, model (free
# text), store (a code), value and currency.
LEAD_EVENT_TYPES = ("lead_created", "test_drive_requested")


@dataclass(frozen=True)
class LeadInput:
    customer: Customer
    product: Product | None = None
    vehicle_vin: str = ""
    interest: str = ""
    store: Store | None = None
    value: Decimal | None = None
    currency: str = ""
    note: str = ""
    external_id: str | None = None
    owner: object | None = None
    campaign: Campaign | None = None
    journey: Journey | None = None
    message: Message | None = None
    created_at: datetime | None = None


def _currency(given: str, *, store: Store | None, campaign: Campaign | None, product: Product | None) -> str:
    """The given currency, else the store's, the campaign's or the product's, else the configured default."""
    for candidate in (given, store and store.currency, campaign and campaign.currency, product and product.currency):
        if candidate:
            return candidate
    return settings.DEFAULT_CURRENCY


def _checked_value(value: Decimal | None, currency: str) -> Decimal | None:
    if currency not in CURRENCY_EXPONENTS:
        raise ValidationError({"currency": [f"Unknown currency '{currency}'."]})
    if value is None:
        return None
    if value < 0:
        raise ValidationError({"value": ["A lead's value is at least 0."]})
    if error := minor_unit_error(value, currency):
        raise ValidationError({"value": [error]})
    return value


@transaction.atomic
def lead_create(*, lead: LeadInput) -> tuple[Lead, bool]:
    """A new lead, or the one already recorded under its `external_id` (then nothing changes: False).

    The source is the campaign, journey or message given; when none is, the customer's last touch before the lead.
    """
    if lead.external_id and (existing := Lead.objects.filter(external_id=lead.external_id).first()):
        return existing, False
    created_at = lead.created_at or timezone.now()
    campaign, journey, message = lead.campaign, lead.journey, lead.message
    if message is not None and campaign is None and journey is None:
        campaign = Campaign.objects.filter(pk=message.campaign_id).first() if message.campaign_id else None
        journey = Journey.objects.filter(code=message.journey).first() if message.journey else None
    if campaign is None and journey is None:
        found = sources.leads_sources([(lead.customer.pk, created_at)])[(lead.customer.pk, created_at)]
        campaign_id, journey_id, message_id = found.campaign_id, found.journey_id, found.message_id
    else:
        campaign_id, journey_id = campaign and campaign.pk, journey and journey.pk
        message_id = message and message.pk
    currency = _currency(lead.currency, store=lead.store, campaign=campaign, product=lead.product)
    record = Lead(
        external_id=lead.external_id or None,
        customer=lead.customer,
        campaign_id=campaign_id,
        journey_id=journey_id,
        message_id=message_id,
        product=lead.product,
        vehicle_vin=lead.vehicle_vin,
        interest=lead.interest,
        store=lead.store,
        value=_checked_value(lead.value, currency),
        currency=currency,
        note=lead.note,
        owner=lead.owner,
        created_at=created_at,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # The same external_id was recorded meanwhile by a concurrent request: answer that one.
        existing = Lead.objects.filter(external_id=lead.external_id).first()
        if existing is None:
            raise
        return existing, False
    return record, True


UNSET = object()
DETAILS = ("product", "vehicle_vin", "interest", "store")


@transaction.atomic
def lead_update(
    *,
    lead_id: int,
    status: str | None = None,
    lost_reason: str | None = None,
    value: Decimal | object | None = UNSET,
    order: Order | object | None = UNSET,
    owner: object = UNSET,
    note: str | None = None,
    at: datetime | None = None,
    details: dict | None = None,
) -> Lead:
    """Change what is given: a status move (checked by the pipeline; stamps when it was reached), the value, the
    closing order, the owner, the note, and `details` (what the customer is interested in, and where: the admin's
    form). Raises `invalid_transition` (a Conflict), `lost_reason_required`,
    `value_required`."""
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    for name, given in (details or {}).items():
        if name not in DETAILS:
            raise ValueError(f"{name} is not a detail of a lead.")
        setattr(lead, name, given)
    if value is not UNSET:
        lead.value = _checked_value(value, lead.currency)
    if order is not UNSET:
        lead.order = order
    if owner is not UNSET:
        lead.owner = owner
    if note is not None:
        lead.note = note
    if status is not None:
        reason = lost_reason or lead.lost_reason
        target = pipeline.check_move(lead.status, status, lost_reason=reason, has_value=lead.value is not None)
        if target != lead.status:
            lead.status = target
            setattr(lead, pipeline.REACHED_AT[target], at or timezone.now())
            if target is pipeline.LeadStatus.LOST:
                lead.lost_reason = reason
    if lead.status == pipeline.LeadStatus.WON and lead.value is None:
        raise DomainError(code="value_required", message="A won lead keeps its value (the sale's amount).")
    lead.save()
    return lead


# The largest value a lead's column holds (MONEY: 16 digits, 3 places); a bigger one in an event is left out.
MAX_LEAD_VALUE = Decimal("9999999999999.99")


def _money(raw, currency: str) -> Decimal | None:
    """An event's value when it is an amount of its currency; anything else is left out (the event is recorded)."""
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or not 0 <= value <= MAX_LEAD_VALUE or currency not in CURRENCY_EXPONENTS:
        return None
    try:
        return None if minor_unit_error(value, currency) else value
    except InvalidOperation:
        return None


def _text(raw, limit: int) -> str:
    return str(raw)[:limit] if isinstance(raw, str | int) else ""


def leads_from_events(*, event_ids: Iterable[int]) -> int:
    """One lead per lead event among these (`LEAD_EVENT_TYPES`), set-based and idempotent: an event that already
    has its lead is skipped, and a concurrent run's lead wins at the unique `source_event`. Answers how many were
    created. A property that names nothing known (an unknown sku or store, a malformed value) is left out."""
    events = list(
        Event.objects.filter(pk__in=list(event_ids), type__in=LEAD_EVENT_TYPES, lead__isnull=True).order_by("pk")
    )
    if not events:
        return 0
    found = sources.leads_sources((event.customer_id, event.occurred_at) for event in events)
    properties = [event.properties if isinstance(event.properties, dict) else {} for event in events]
    products = Product.objects.in_bulk({_text(p.get("product"), 64) for p in properties} - {""}, field_name="sku")
    stores = Store.objects.in_bulk({_text(p.get("store"), 64) for p in properties} - {""}, field_name="code")
    campaigns = Campaign.objects.in_bulk({source.campaign_id for source in found.values()} - {None})
    leads = []
    for event, given in zip(events, properties, strict=True):
        source = found[(event.customer_id, event.occurred_at)]
        product = products.get(_text(given.get("product"), 64))
        store = stores.get(_text(given.get("store"), 64))
        named = _text(given.get("currency"), 3).upper()
        currency = _currency(
            named if named in CURRENCY_EXPONENTS else "",
            store=store,
            campaign=campaigns.get(source.campaign_id),
            product=product,
        )
        leads.append(
            Lead(
                customer_id=event.customer_id,
                campaign_id=source.campaign_id,
                journey_id=source.journey_id,
                message_id=source.message_id,
                source_event=event,
                product=product,
                vehicle_vin=_text(given.get("vin"), 17).upper(),
                interest=_text(given.get("model") or given.get("interest"), 200),
                store=store,
                value=_money(given.get("value"), currency) if given.get("value") is not None else None,
                currency=currency,
                note="Test drive requested." if event.type == "test_drive_requested" else "",
                created_at=event.occurred_at,
            )
        )
    with transaction.atomic():
        before = Lead.objects.filter(source_event__in=events).count()
        Lead.objects.bulk_create(leads, ignore_conflicts=True)
        return Lead.objects.filter(source_event__in=events).count() - before

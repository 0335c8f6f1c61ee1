"""The demo's leads: a few customers who clicked the finished demo campaign's SMS asked about a product, and the
store worked them through the pipeline; three were won, so the campaign's results show won leads beside its
orders. One came from a `test_drive_requested` event, as a storefront would record it. Recorded through the
services (the source is the customer's last touch, as in production) under ids of their own, so seeding again
keeps them."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audiences.models import Product
from audiences.services.events import EventInput, events_record
from campaigns.demo_history import FINISHED_CAMPAIGN, SEED
from campaigns.leads.models import Lead
from campaigns.leads.services import LeadInput, lead_create, lead_update, leads_from_events
from campaigns.models import Campaign
from messaging.models import Message

PREFIX = "demo-lead-"
# Where each demo lead ends, in order: (status, days after it came in, lost reason)
PATHS = [
    ("won", 3, ""), ("won", 5, ""), ("won", 2, ""), ("test_drive", 2, ""), ("contacted", 1, ""),
    ("lost", 4, "price"), ("new", 0, ""),
]  # fmt: skip
STEPS = ("contacted", "test_drive")


@transaction.atomic
def demo_leads_install() -> int:
    """Leads of the clickers of the finished demo campaign; answers how many it has (0: none created now)."""
    campaign = Campaign.objects.filter(name=FINISHED_CAMPAIGN).first()
    if campaign is None or Lead.objects.filter(external_id__startswith=PREFIX).exists():
        return 0
    clicks = list(
        Message.objects.filter(campaign_id=campaign.pk, clicked_at__isnull=False)
        .select_related("customer")
        .order_by("clicked_at", "pk")[: len(PATHS) + 1]
    )
    products = list(Product.objects.filter(currency=campaign.currency).order_by("-price", "pk")[:20])
    store = campaign.stores.first()
    if not clicks or not products or store is None:
        return 0
    rng = random.Random(SEED)
    now = timezone.now()
    for number, (message, (status, days, reason)) in enumerate(zip(clicks, PATHS, strict=False)):
        product = rng.choice(products)
        came = message.clicked_at + timedelta(hours=2)
        lead, _ = lead_create(
            lead=LeadInput(
                customer=message.customer, product=product, interest=product.name[:200], store=store,
                value=product.price, currency=campaign.currency, external_id=f"{PREFIX}{number}", created_at=came,
            )
        )  # fmt: skip
        _walk(lead, status, came, min(came + timedelta(days=days), now), reason)
    if len(clicks) > len(PATHS):
        message = clicks[len(PATHS)]
        [(event, _)] = events_record(
            events=[
                EventInput(
                    customer=message.customer,
                    type="test_drive_requested",
                    occurred_at=message.clicked_at + timedelta(hours=1),
                    properties={"product": products[0].sku, "store": store.code},
                    idempotency_key=f"{PREFIX}event",
                )
            ]
        )
        leads_from_events(event_ids=[event.pk])
    return Lead.objects.filter(campaign=campaign).count()


def _walk(lead: Lead, status: str, came, until, reason: str) -> None:
    """Through the steps before `status`, a day apart at most, then `status` at `until`."""
    if status == "new":
        return
    for step in STEPS:
        if step == status:
            break
        lead_update(lead_id=lead.pk, status=step, at=min(came + timedelta(hours=20), until))
    lead_update(lead_id=lead.pk, status=status, lost_reason=reason or None, at=until)


def demo_leads_remove() -> None:
    """The flush replaces every customer: their leads go first (its plain DELETEs would meet them)."""
    Lead.objects.all().delete()

"""Reads of campaigns: the audience a launch freezes, the live count before it, progress (results: results.py)."""

from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet, Sum

from audiences.local_calendar import country_name, public_holidays
from audiences.models import Consent, ConsentStatus, Customer, SegmentMembership, Store
from audiences.places.segment_fields import nearest_to_one_of
from campaigns import scheduling
from campaigns.models import Assignment, Campaign, Conversion, StoreMatch
from campaigns.staged_test import bucket_layout
from campaigns.statistics import ArmSize, VariantCounts, WinnerDecision, decide_winner
from campaigns.suppression import Recipient
from messaging.models import Message, MessageStatus
from promotions.models import Redemption

# Outbox statuses that mean the message left (or is leaving) for the provider.
SENT_STATUSES = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.OPENED,
    MessageStatus.CLICKED,
    MessageStatus.BOUNCED,
)


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.prefetch_related(
        "variants__template", "variants__promotion", "stores", "include_segments", "exclude_segments", "promotions"
    )


def campaign_get(*, campaign_id: int) -> Campaign | None:
    return campaign_list().filter(pk=campaign_id).first()


def reference_zone(campaign: Campaign) -> str:
    """The zone its start time is read in: its first store's, else the installation's."""
    store = campaign.stores.order_by("code").first()
    return store.timezone if store else settings.TIME_ZONE


def send_day_holidays(campaign: Campaign) -> list[str]:
    """What a marketer should know before sending: each public holiday that the campaign's start falls on in the
    country of one of its stores (every store without any), read on that store's own calendar day."""
    if campaign.starts_at is None:
        return []
    stores = list(campaign.stores.all()) if campaign.pk else []
    if not stores:
        stores = list(Store.objects.exclude(country=""))
    # A store without a country has no known public holidays; the stores at hand carry their countries.
    country_days = {
        (store.country, campaign.starts_at.astimezone(scheduling.zone(store.timezone)).date())
        for store in stores
        if store.country
    }
    found = {
        (occasion.country, occasion.name, occasion.estimated, day)
        for country, day in country_days
        for occasion in public_holidays(country, start=day, end=day)
    }
    return [
        f"This send falls on a public holiday in {country_name(country)}: {name}"
        f"{' (an estimated date)' if estimated else ''}, {day:%a %d %b %Y}."
        for country, name, estimated, day in sorted(found)
    ]


def audience(campaign: Campaign, *, after: int = 0, upto: int | None = None) -> QuerySet[Customer]:
    """Members of any included segment (everyone without one), in none of the excluded, of its stores.

    `after`: only customers with a greater id (the launch's keyset), said in the membership subqueries too so
    that they start at the cursor in the (segment, customer) index instead of scanning from the first member;
    `upto`: none with a greater id (the end of a launch's slice).
    """
    customers = Customer.objects.filter(id__gt=after) if after else Customer.objects.all()
    memberships = SegmentMembership.objects.filter(customer=OuterRef("pk"))
    if after:
        memberships = memberships.filter(customer_id__gt=after)
    if upto is not None:
        customers = customers.filter(id__lte=upto)
        memberships = memberships.filter(customer_id__lte=upto)
    stores = list(campaign.stores.all())
    if stores and campaign.store_match == StoreMatch.NEAREST:
        customers = customers.filter(nearest_to_one_of(stores))
    elif stores:
        customers = customers.filter(store_id__in=[store.pk for store in stores])
    include_ids = [segment.pk for segment in campaign.include_segments.all()]
    if include_ids:
        customers = customers.filter(Exists(memberships.filter(segment_id__in=include_ids)))
    exclude_ids = [segment.pk for segment in campaign.exclude_segments.all()]
    if exclude_ids:
        customers = customers.exclude(Exists(memberships.filter(segment_id__in=exclude_ids)))
    return customers


def customer_id_range() -> tuple[int | None, int | None]:
    """The first and last customer ids (None, None without customers): what a launch cuts into slices."""
    bounds = Customer.objects.aggregate(first=Min("id"), last=Max("id"))
    return bounds["first"], bounds["last"]


def launch_recipients(campaign: Campaign, *, after: int, upto: int | None = None, limit: int) -> list[Recipient]:
    """The next `limit` customers of its audience by id after `after` (the launch's keyset) up to `upto`, as plain
    values."""
    rows = (
        audience(campaign, after=after, upto=upto)
        .order_by("id")
        .values_list("id", "email", "phone", "timezone", "store_id", "store__timezone")[:limit]
    )
    return [
        Recipient(pk=pk, email=email, phone=phone, zone=own_zone or store_zone or settings.TIME_ZONE, store_id=store)
        for pk, email, phone, own_zone, store, store_zone in rows
    ]


def remainder_recipients(campaign: Campaign, *, after: int, limit: int) -> tuple[list[Recipient], list[int]]:
    """A staged test's next `limit` customers still waiting for the winner, by id after `after`; and their buckets."""
    rows = (
        Assignment.objects.filter(campaign=campaign, status=Assignment.Status.REMAINDER, customer_id__gt=after)
        .order_by("customer_id")
        .values_list(
            "customer_id",
            "bucket",
            "customer__email",
            "customer__phone",
            "customer__timezone",
            "customer__store_id",
            "customer__store__timezone",
        )[:limit]
    )
    recipients, buckets = [], []
    for pk, bucket, email, phone, own_zone, store, store_zone in rows:
        recipients.append(
            Recipient(
                pk=pk, email=email, phone=phone, zone=own_zone or store_zone or settings.TIME_ZONE, store_id=store
            )
        )
        buckets.append(bucket)
    return recipients, buckets


def staged_test_decision(campaign: Campaign) -> WinnerDecision:
    """The staged test's verdict on its metric, from the test slice's recipients only (the buckets below the
    remainder's), so it reads the same before and after the winner went to the rest.

    Each variant's expected share is its part of `test_percent`; the holdout is checked with them.
    """
    variants = list(campaign.variants.order_by("id"))
    layout = bucket_layout(
        [(variant.name, variant.weight) for variant in variants],
        holdout_percent=campaign.holdout_percent,
        test_percent=campaign.test_percent,
    )
    tested = Assignment.objects.filter(
        campaign=campaign, variant__isnull=False, bucket__lt=layout.remainder.start
    ).values("customer_id")
    assigned = dict(
        Assignment.objects.filter(campaign=campaign, variant__isnull=False, bucket__lt=layout.remainder.start)
        .values("variant_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("variant_id", "count")
    )
    clicked = dict(
        Message.objects.filter(campaign_id=campaign.pk, clicked_at__isnull=False, customer_id__in=tested)
        .values("variant")
        .annotate(count=Count("customer_id", distinct=True))
        .order_by()
        .values_list("variant", "count")
    )
    converted = dict(
        Conversion.objects.filter(
            campaign=campaign, model=Conversion.Model.LAST_TOUCH, variant__isnull=False, customer_id__in=tested
        )
        .values("variant_id")
        .annotate(count=Count("customer_id", distinct=True))
        .order_by()
        .values_list("variant_id", "count")
    )
    total_weight = sum(variant.weight for variant in variants)
    counts = [
        VariantCounts(
            variant.name,
            campaign.test_percent * variant.weight / total_weight,
            assigned.get(variant.pk, 0),
            clicked.get(variant.name, 0),
            converted.get(variant.pk, 0),
        )
        for variant in variants
    ]
    holdout = ArmSize("holdout", campaign.holdout_percent, campaign.held_out) if campaign.holdout_percent else None
    return decide_winner(counts, campaign.test_metric, holdout=holdout)


def consent_channels(campaign: Campaign) -> list[str]:
    """The consent channels its messages need (in-app needs none)."""
    channels = set(campaign.channels) | {
        variant.template.channel for variant in campaign.variants.all() if variant.template_id
    }
    return sorted(channels - {"in_app"})


def audience_count(campaign: Campaign) -> dict[str, int]:
    """{"audience": included minus excluded, "consenting": of them, those opted in to one of its channels}."""
    customers = audience(campaign)
    channels = consent_channels(campaign)
    consenting = customers.filter(
        Exists(
            Consent.objects.filter(
                customer=OuterRef("pk"),
                channel__in=channels,
                topic=campaign.consent_topic,
                status=ConsentStatus.OPTED_IN,
            )
        )
    )
    counts = customers.aggregate(audience=Count("pk"))
    counts["consenting"] = consenting.count() if channels else counts["audience"]
    return counts


def discount_cost(campaign: Campaign) -> Decimal:
    """Discounts its linked or offered promotions gave to customers in its treated arm since it started."""
    promotion_ids = {promotion.pk for promotion in campaign.promotions.all()} | {
        variant.promotion_id for variant in campaign.variants.all() if variant.promotion_id
    }
    if not promotion_ids or campaign.launch_started_at is None:
        return Decimal(0)
    # From the redemptions (few) to their assignment (one index probe each), never across all assignments.
    treated = Assignment.objects.filter(campaign=campaign, customer_id=OuterRef("customer_id"), variant__isnull=False)
    total = (
        Redemption.objects.filter(
            promotion_id__in=promotion_ids, status=Redemption.Status.ACTIVE, created_at__gte=campaign.launch_started_at
        )
        .filter(Exists(treated))
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or Decimal(0)


def budget_spent(campaign: Campaign) -> Decimal:
    return campaign.sending_cost + discount_cost(campaign)


def _message_counts(campaign: Campaign) -> tuple[dict[str, Counter], Counter]:
    """Per variant name: outbox messages by status; and outbox skips by reason."""
    by_variant: dict[str, Counter] = {}
    skipped: Counter = Counter()
    rows = (
        Message.objects.filter(campaign_id=campaign.pk)
        .values("variant", "status", "reason")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        by_variant.setdefault(row["variant"], Counter())[row["status"]] += row["count"]
        if row["status"] == MessageStatus.SKIPPED:
            skipped[row["reason"] or "skipped"] += row["count"]
    return by_variant, skipped


def campaign_waiting(campaign: Campaign) -> list[dict]:
    """Its messages not sent yet, by status and why (quiet hours, a frequency cap, a retry...), each group with
    the moment the first of them is due: what a marketer reads when "queued" is high and "sent" is not."""
    rows = (
        Message.objects.filter(
            campaign_id=campaign.pk,
            status__in=[MessageStatus.QUEUED, MessageStatus.DEFERRED, MessageStatus.SENDING],
        )
        .values("status", "reason")
        .annotate(count=Count("pk"), next_at=Min("scheduled_for"))
        .order_by("next_at", "status", "reason")
    )
    return list(rows)


def campaign_progress(campaign: Campaign) -> dict:
    """What a launch has done so far: frozen, holdout, queued, sent, skipped by reason (at launch and at send)."""
    by_variant, outbox_skipped = _message_counts(campaign)
    sent = sum(counts[status] for counts in by_variant.values() for status in SENT_STATUSES)
    skipped = Counter(campaign.skipped) + outbox_skipped
    return {
        "status": campaign.status,
        "launch_started_at": campaign.launch_started_at,
        "launch_finished_at": campaign.launch_finished_at,
        "frozen": campaign.frozen,
        "holdout": campaign.held_out,
        "queued": campaign.queued,
        "sent": sent,
        "skipped": dict(sorted(skipped.items())),
        "holdout_would_skip": dict(sorted(campaign.holdout_skipped.items())),
        "staged_test": staged_test_status(campaign),
    }


def staged_test_status(campaign: Campaign) -> dict | None:
    """Where a staged test stands: waiting (and until when), decided (the winner and why), the rest's sends."""
    if not campaign.staged:
        return None
    if campaign.test_decided_at is not None:
        state = "released" if campaign.remainder_finished_at else "releasing"
    elif campaign.test_decide_at is not None:
        state = "waiting"
    else:
        state = "testing"
    return {
        "state": state,
        "test_percent": campaign.test_percent,
        "metric": campaign.test_metric,
        "fallback": campaign.test_fallback,
        "decide_at": campaign.test_decide_at,
        "decided_at": campaign.test_decided_at,
        "winner": campaign.test_winner.name if campaign.test_winner_id else None,
        "outcome": campaign.test_outcome,
        "decision": campaign.test_decision,
        "remainder_waiting": (
            Assignment.objects.filter(campaign=campaign, status=Assignment.Status.REMAINDER).count()
            if campaign.launch_started_at
            else 0
        ),
        "remainder_queued": campaign.remainder_queued,
    }


def customer_assignments(*, customer_id: int, limit: int = 10) -> list[Assignment]:
    """The campaigns the customer was in, latest first, with the arm each put them in; a queued one carries
    `message_status`, where its message is now (sent, delivered, clicked…), read in one more query."""
    assignments = Assignment.objects.filter(customer_id=customer_id).select_related("campaign", "variant")
    found = list(assignments.order_by("-created_at", "-id")[:limit])
    queued = [assignment.campaign_id for assignment in found if assignment.status == Assignment.Status.QUEUED]
    statuses = (
        dict(
            Message.objects.filter(customer_id=customer_id, campaign_id__in=queued)
            .order_by("campaign_id", "id")  # the latest last: it wins in the dict
            .values_list("campaign_id", "status")
        )
        if queued
        else {}
    )
    for assignment in found:
        status = statuses.get(assignment.campaign_id)
        assignment.message_status = MessageStatus(status).label if status else ""
    return found

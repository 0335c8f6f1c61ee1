"""The launch: freeze the audience in batches, assign each customer once, queue the treated ones' messages.

Each batch is one transaction holding the campaign's row: it reads the next customers after the keyset
cursor (never the whole audience), writes their assignments, queues their messages under idempotency
keys and moves the cursor. A worker killed mid-batch leaves nothing of that batch behind, and a second
launch waits for the row, then starts after the first one's cursor: nobody is assigned or queued twice.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns import costs, lifecycle, scheduling
from campaigns.assignment import bucket_of, holdout_buckets, pick
from campaigns.launch_writes import Frozen, assignments_write
from campaigns.models import Assignment, Campaign, Variant
from campaigns.selectors import budget_spent, launch_recipients, reference_zone
from campaigns.signals import campaign_budget_alert
from campaigns.suppression import Recipient, would_be_decisions
from messaging.models import Channel
from messaging.services.outbox import MessageRequest, messages_enqueue
from messaging.sms_segments import sms_info
from promotions.code_patterns import codes_from_pattern
from promotions.models import PromotionCode

BUDGET_EXHAUSTED = "budget_exhausted"


@dataclass(frozen=True)
class Plan:
    """What every batch of one launch needs, read once."""

    variants: list[Variant]
    weights: list[int]
    holdout: int
    message_costs: list[Decimal]  # per variant
    wall: datetime | None  # the local send time, when each recipient gets it in their own zone
    sends: bool

    @classmethod
    def of(cls, campaign: Campaign) -> "Plan":
        variants = list(campaign.variants.select_related("template", "promotion").order_by("id"))
        prices = costs.Prices(campaign.price_per_email, campaign.price_per_sms_segment, campaign.price_per_whatsapp)
        sends = campaign.type == Campaign.Type.BROADCAST
        wall = None
        if campaign.send_mode == Campaign.SendMode.RECIPIENT_LOCAL_TIME and campaign.starts_at:
            wall = scheduling.wall_clock(campaign.starts_at, reference_zone(campaign))
        return cls(
            variants=variants,
            weights=[variant.weight for variant in variants],
            holdout=holdout_buckets(campaign.holdout_percent),
            message_costs=[
                prices.message(variant.template.channel, _sms_segments(variant)) if sends else Decimal(0)
                for variant in variants
            ],
            wall=wall,
            sends=sends,
        )


def _sms_segments(variant: Variant) -> int:
    """The most segments any translation of an SMS template takes (its placeholders counted as written)."""
    if variant.template.channel != Channel.SMS:
        return 1
    bodies = variant.template.translations.values_list("body", flat=True)
    return max((sms_info(body).segments for body in bodies if body), default=1)


def campaign_launch_run(*, campaign_id: int, batch_size: int | None = None) -> Campaign | None:
    """Run (or resume) the launch to its end, a batch per transaction. Safe to run twice, or at once."""
    batch_size = batch_size or settings.CAMPAIGN_LAUNCH_BATCH_SIZE
    plan = None
    while True:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update(of=("self",)).filter(pk=campaign_id).first()
            if campaign is None or campaign.status != Campaign.Status.RUNNING or not campaign.launch_running:
                return campaign
            plan = plan or Plan.of(campaign)
            if not _launch_batch(campaign, plan, batch_size, now=timezone.now()):
                return campaign


def _launch_batch(campaign: Campaign, plan: Plan, batch_size: int, *, now: datetime) -> bool:
    """Freeze and queue the next batch; False once the launch is finished."""
    customers = launch_recipients(campaign, after=campaign.launch_cursor, limit=batch_size)
    if not customers:
        _finish(campaign, now)
        return False
    salt, campaign_id = campaign.salt, campaign.pk
    buckets = [bucket_of(salt=salt, campaign_id=campaign_id, customer_id=c.pk) for c in customers]
    arms = [pick(bucket, holdout=plan.holdout, weights=plan.weights) for bucket in buckets]
    # The holdout's would-be message: the variant its bucket picks with no holdout (stable, weighted).
    shadows = [
        arm if arm is not None else pick(bucket, holdout=0, weights=plan.weights)
        for arm, bucket in zip(arms, buckets, strict=True)
    ]
    moments = _send_moments(campaign, plan, customers, now)
    decisions = (
        would_be_decisions(
            customers=customers,
            templates=[plan.variants[index].template for index in shadows],
            topic=campaign.consent_topic,
            moments=moments,
        )
        if plan.sends
        else [None] * len(customers)
    )

    # The budget: messages in customer order until the next one would not fit; the rest of the audience
    # (both arms, so the comparison stays fair) is left unfrozen.
    spent = budget_spent(campaign) if campaign.budget is not None else campaign.sending_cost
    to_send = [
        i
        for i, (arm, decision) in enumerate(zip(arms, decisions, strict=True))
        if arm is not None and decision and decision.action != "skip"
    ]
    fitting = costs.affordable(
        costs=[plan.message_costs[arms[i]] for i in to_send], budget=campaign.budget, spent=spent
    )
    cutoff = to_send[fitting] if fitting < len(to_send) else len(customers)

    frozen: list[Frozen] = []
    requests: list[MessageRequest] = []
    skipped, holdout_skipped, held_out = dict(campaign.skipped), dict(campaign.holdout_skipped), 0
    queued_per_arm = [0] * len(plan.variants)
    coupons = _coupons(campaign, plan, [i for i in to_send if i < cutoff], arms)
    for i in range(cutoff):
        customer_id, arm, decision = customers[i].pk, arms[i], decisions[i]
        reason = decision.reason if decision else ""
        if arm is None:
            held_out += 1
            if decision and decision.action == "skip":
                holdout_skipped[reason] = holdout_skipped.get(reason, 0) + 1
            frozen.append(Frozen(customer_id, buckets[i], None, Assignment.Status.HOLDOUT, reason, ""))
            continue
        variant = plan.variants[arm]
        if not plan.sends:
            status = Assignment.Status.ASSIGNED
        elif decision.action == "skip":
            status = Assignment.Status.SKIPPED
            skipped[reason] = skipped.get(reason, 0) + 1
        else:
            status = Assignment.Status.QUEUED
            queued_per_arm[arm] += 1
            coupon = coupons.get(i)
            requests.append(
                MessageRequest(
                    customer_id=customer_id,
                    template=variant.template,
                    idempotency_key=f"campaign:{campaign_id}:{variant.pk}:{customer_id}",
                    context={"coupon": {"code": coupon, "description": variant.promotion.name}} if coupon else {},
                    campaign_id=campaign_id,
                    variant=variant.name,
                    scheduled_for=moments[i],
                )
            )
        frozen.append(Frozen(customer_id, buckets[i], variant.pk, status, reason, coupons.get(i, "")))
    assignments_write(campaign_id=campaign_id, frozen=frozen, now=now)
    messages_enqueue(requests=requests)

    cost = sum((count * price for count, price in zip(queued_per_arm, plan.message_costs, strict=True)), Decimal(0))
    campaign.launch_cursor = customers[cutoff - 1].pk if cutoff else campaign.launch_cursor
    campaign.frozen += len(frozen)
    campaign.held_out += held_out
    campaign.queued += sum(queued_per_arm)
    campaign.skipped, campaign.holdout_skipped = skipped, holdout_skipped
    campaign.sending_cost += cost
    campaign.launch_touched_at = now
    fields = [
        "launch_cursor",
        "frozen",
        "held_out",
        "queued",
        "skipped",
        "holdout_skipped",
        "sending_cost",
        "launch_touched_at",
    ]
    if campaign.budget_alerted_at is None and costs.alert_due(
        budget=campaign.budget, spent=spent + cost, alert_percent=campaign.budget_alert_percent
    ):
        campaign.budget_alerted_at = now
        fields.append("budget_alerted_at")
        transaction.on_commit(
            lambda: campaign_budget_alert.send(sender=Campaign, campaign=campaign, spent=spent + cost)
        )
    campaign.save(update_fields=fields)
    if cutoff < len(customers):
        campaign.budget_exhausted_at = now
        campaign.save(update_fields=["budget_exhausted_at"])
        _finish(campaign, now)
        return False
    return True


def _send_moments(campaign: Campaign, plan: Plan, customers: list[Recipient], now: datetime) -> list[datetime]:
    if plan.wall is not None:
        return [scheduling.recipient_moment(wall=plan.wall, recipient_zone=c.zone, now=now) for c in customers]
    return [max(campaign.starts_at or now, now)] * len(customers)


def _finish(campaign: Campaign, now: datetime) -> None:
    campaign.launch_finished_at = now
    fields = ["launch_finished_at"]
    if campaign.ends_at is None:
        # A broadcast without a window is done once everyone is queued.
        campaign.status = lifecycle.transition(campaign.status, "complete")
        fields.append("status")
    campaign.save(update_fields=fields)


def _coupons(campaign: Campaign, plan: Plan, indexes: list[int], arms: list[int | None]) -> dict[int, str]:
    """A unique single-use code of the variant's promotion for each of `indexes` (by position in the batch)."""
    wanted = [i for i in indexes if campaign.coupon_pattern and plan.variants[arms[i]].promotion_id]
    if not wanted:
        return {}
    for _attempt in range(3):
        codes = dict(zip(wanted, codes_from_pattern(campaign.coupon_pattern.upper(), len(wanted)), strict=True))
        try:
            with transaction.atomic():
                PromotionCode.objects.bulk_create(
                    [
                        PromotionCode(promotion_id=plan.variants[arms[i]].promotion_id, code=code, usage_limit=1)
                        for i, code in codes.items()
                    ]
                )
            return codes
        except IntegrityError:
            continue  # a code already existed (vanishingly rare with 40+ random bits): draw them all again
    raise IntegrityError("Could not draw unique coupon codes for the campaign three times in a row.")

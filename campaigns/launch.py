"""The launch: freeze the audience in batches, assign each customer once, queue the treated ones' messages.

The audience is cut by customer id into slices (LaunchSlice), which workers launch at once. Each batch is one
transaction holding its slice's row: it reads the slice's next customers after its keyset cursor (never the
whole audience), writes their assignments, queues their messages under idempotency keys, moves the cursor and,
holding the campaign's row for that moment only, adds to its counters. A worker killed mid-batch leaves nothing
of that batch behind, and a second worker on the same slice waits for its row, then starts after the first
one's cursor: nobody is assigned or queued twice. With a budget there is one slice and each batch holds the
campaign's row throughout, so what is spent is read and added to by one batch at a time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns import costs, lifecycle, scheduling
from campaigns.assignment import BUCKETS, bucket_of, holdout_buckets, pick
from campaigns.launch_best_hours import BestHours, best_hour_moments
from campaigns.launch_writes import Frozen, assignments_write
from campaigns.models import Assignment, Campaign, LaunchSlice, Variant
from campaigns.selectors import budget_spent, customer_id_range, launch_recipients, reference_zone
from campaigns.signals import campaign_budget_alert
from campaigns.staged_test import ArmKind, bucket_layout
from campaigns.suppression import Recipient, would_be_decisions
from messaging.models import Channel
from messaging.services.outbox import MessageRequest, messages_enqueue
from messaging.sms_segments import sms_info
from promotions.code_patterns import codes_from_pattern
from promotions.models import PromotionCode

BUDGET_EXHAUSTED = "budget_exhausted"


REMAINDER = -1  # the arm of a staged test's rest: assigned the winner later (campaigns/remainder.py)


@dataclass(frozen=True)
class Plan:
    """What every batch of one launch needs, read once."""

    variants: list[Variant]
    weights: list[int]
    holdout: int
    message_costs: list[Decimal]  # per variant
    wall: datetime | None  # the local send time, when each recipient gets it in their own zone
    best: BestHours | None  # for a best-hour campaign: its window, arms and the groups' hours
    sends: bool
    # Per bucket, worked out once instead of per customer: its arm (a variant's index, None for the holdout,
    # REMAINDER for a staged test's rest) and the variant a held-out bucket would have got.
    arms: tuple[int | None, ...]
    shadows: tuple[int, ...]

    @classmethod
    def of(cls, campaign: Campaign) -> "Plan":
        variants = list(campaign.variants.select_related("template", "promotion").order_by("id"))
        prices = costs.Prices(campaign.price_per_email, campaign.price_per_sms_segment, campaign.price_per_whatsapp)
        sends = campaign.type == Campaign.Type.BROADCAST
        wall = None
        if campaign.send_mode == Campaign.SendMode.RECIPIENT_LOCAL_TIME and campaign.starts_at:
            wall = scheduling.wall_clock(campaign.starts_at, reference_zone(campaign))
        best = None
        if campaign.send_mode == Campaign.SendMode.BEST_HOUR and campaign.starts_at and sends:
            best = BestHours.of(campaign)
        weights = [variant.weight for variant in variants]
        holdout = holdout_buckets(campaign.holdout_percent)
        return cls(
            variants=variants,
            weights=weights,
            holdout=holdout,
            message_costs=[
                prices.message(variant.template.channel, _sms_segments(variant)) if sends else Decimal(0)
                for variant in variants
            ],
            wall=wall,
            best=best,
            sends=sends,
            arms=_arms(campaign, weights, holdout),
            shadows=tuple(pick(bucket, holdout=0, weights=weights) for bucket in range(BUCKETS)),
        )


def _arms(campaign: Campaign, weights: list[int], holdout: int) -> tuple[int | None, ...]:
    if not campaign.staged:
        return tuple(pick(bucket, holdout=holdout, weights=weights) for bucket in range(BUCKETS))
    layout = bucket_layout(
        [(str(index), weight) for index, weight in enumerate(weights)],
        holdout_percent=campaign.holdout_percent,
        test_percent=campaign.test_percent,
    )
    kinds = {ArmKind.HOLDOUT: None, ArmKind.REMAINDER: REMAINDER}
    arms = (layout.arm_for(bucket) for bucket in range(BUCKETS))
    return tuple(int(arm.variant) if arm.kind == ArmKind.VARIANT else kinds[arm.kind] for arm in arms)


def _sms_segments(variant: Variant) -> int:
    """The most segments any translation of an SMS template takes (its placeholders counted as written)."""
    if variant.template.channel != Channel.SMS:
        return 1
    bodies = variant.template.translations.values_list("body", flat=True)
    return max((sms_info(body).segments for body in bodies if body), default=1)


def campaign_launch_run(
    *, campaign_id: int, batch_size: int | None = None, slice_number: int | None = None
) -> Campaign | None:
    """Run (or resume) the launch to its end, a batch per transaction: each unfinished slice in turn, or only
    `slice_number`. Safe to run twice, or at once."""
    batch_size = batch_size or settings.CAMPAIGN_LAUNCH_BATCH_SIZE
    plans: dict[int, Plan] = {}
    for number in launch_slices_ready(campaign_id=campaign_id):
        if slice_number is None or number == slice_number:
            while _launch_batch(campaign_id, number, plans, batch_size):
                pass
    return Campaign.objects.filter(pk=campaign_id).first()


@transaction.atomic
def launch_slices_ready(*, campaign_id: int, count: int | None = None) -> list[int]:
    """The numbers of the launch's unfinished slices (none once it stopped), cut on its first call: `count`
    (CAMPAIGN_LAUNCH_SLICES) ranges of customer ids, the last with no end; one with a budget."""
    campaign = _locked(campaign_id)
    if not _launching(campaign):
        return []
    if not campaign.launch_slices.exists():
        count = 1 if campaign.budget is not None else count or settings.CAMPAIGN_LAUNCH_SLICES
        first, last = customer_id_range()
        if first is None or count <= 1:
            edges = [0, None]
        else:
            edges = [first - 1 + (last - first + 1) * i // count for i in range(count)] + [None]
        LaunchSlice.objects.bulk_create(
            LaunchSlice(campaign=campaign, number=i, cursor=start, last_id=end)
            for i, (start, end) in enumerate(pairwise(edges))
        )
    unfinished = campaign.launch_slices.filter(finished_at__isnull=True).order_by("number")
    return list(unfinished.values_list("number", flat=True))


def _locked(campaign_id: int) -> Campaign | None:
    # FOR NO KEY UPDATE: it waits for other batches' hold on the counters, not for their foreign-key checks (FOR KEY
    # SHARE of the same row), which a FOR UPDATE would wait for while they wait for it.
    return Campaign.objects.select_for_update(of=("self",), no_key=True).filter(pk=campaign_id).first()


def _launching(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign.status == Campaign.Status.RUNNING and campaign.launch_running


@dataclass
class Treatment:
    """A batch's outcome: its assignments, its messages, and what to add to the campaign's counters."""

    frozen: list[Frozen]
    requests: list[MessageRequest]
    held_out: int
    queued: int
    skipped: dict[str, int]  # this batch's, per reason
    holdout_skipped: dict[str, int]
    cost: Decimal
    spent_before: Decimal
    budget_cut: bool  # the budget ran out inside this batch: the customers after the cut are left alone


def treat(
    campaign: Campaign, plan: Plan, customers: list[Recipient], buckets: list[int], arms: list[int | None], now
) -> Treatment:
    """Decide, for each customer in order, their assignment and message (campaign launch and staged release).

    `arms[i]`: a variant's index, None for the holdout, REMAINDER for a staged test's rest (no decision yet).
    """
    campaign_id = campaign.pk
    moments, time_arms = _send_moments(campaign, plan, customers, now)
    # Everyone but the remainder is decided, the holdout on the message its bucket would have got.
    decided = [i for i, arm in enumerate(arms) if arm != REMAINDER]
    decisions: list = [None] * len(customers)
    if plan.sends and decided:
        found = would_be_decisions(
            customers=[customers[i] for i in decided],
            templates=[
                plan.variants[arms[i] if arms[i] is not None else plan.shadows[buckets[i]]].template for i in decided
            ],
            topic=campaign.consent_topic,
            moments=[moments[i] for i in decided],
        )
        for i, decision in zip(decided, found, strict=True):
            decisions[i] = decision

    # The budget: messages in customer order until the next one would not fit; the rest of the batch
    # (both arms, so the comparison stays fair) is left as it was.
    spent = budget_spent(campaign) if campaign.budget is not None else campaign.sending_cost
    to_send = [
        i
        for i, (arm, decision) in enumerate(zip(arms, decisions, strict=True))
        if arm is not None and arm != REMAINDER and decision and decision.action != "skip"
    ]
    fitting = costs.affordable(
        costs=[plan.message_costs[arms[i]] for i in to_send], budget=campaign.budget, spent=spent
    )
    cutoff = to_send[fitting] if fitting < len(to_send) else len(customers)

    frozen: list[Frozen] = []
    requests: list[MessageRequest] = []
    skipped: dict[str, int] = {}
    holdout_skipped: dict[str, int] = {}
    held_out = 0
    queued_per_arm = [0] * len(plan.variants)
    coupons = _coupons(campaign, plan, [i for i in to_send if i < cutoff], arms)
    contexts = [{} for _variant in plan.variants]
    for i in range(cutoff):
        customer_id, arm, decision = customers[i].pk, arms[i], decisions[i]
        reason = decision.reason if decision else ""
        if arm is None:
            held_out += 1
            if decision and decision.action == "skip":
                holdout_skipped[reason] = holdout_skipped.get(reason, 0) + 1
            frozen.append(Frozen(customer_id, buckets[i], None, Assignment.Status.HOLDOUT, reason, ""))
            continue
        if arm == REMAINDER:
            frozen.append(Frozen(customer_id, buckets[i], None, Assignment.Status.REMAINDER, "", ""))
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
                    context={"coupon": {"code": coupon, "description": variant.promotion.name}}
                    if coupon
                    else contexts[arm],
                    campaign_id=campaign_id,
                    variant=variant.name,
                    scheduled_for=moments[i],
                )
            )
        frozen.append(Frozen(customer_id, buckets[i], variant.pk, status, reason, coupons.get(i, ""), time_arms[i]))
    cost = sum((count * price for count, price in zip(queued_per_arm, plan.message_costs, strict=True)), Decimal(0))
    return Treatment(
        frozen=frozen,
        requests=requests,
        held_out=held_out,
        queued=sum(queued_per_arm),
        skipped=skipped,
        holdout_skipped=holdout_skipped,
        cost=cost,
        spent_before=spent,
        budget_cut=cutoff < len(customers),
    )


def record(campaign: Campaign, treatment: Treatment, now: datetime, fields: list[str]) -> None:
    """Add a batch's counters to the campaign (with `fields` the caller changed), alerting on the budget."""
    campaign.queued += treatment.queued
    campaign.skipped = _added(campaign.skipped, treatment.skipped)
    campaign.holdout_skipped = _added(campaign.holdout_skipped, treatment.holdout_skipped)
    campaign.sending_cost += treatment.cost
    fields = [*fields, "queued", "skipped", "holdout_skipped", "sending_cost"]
    spent = treatment.spent_before + treatment.cost
    if campaign.budget_alerted_at is None and costs.alert_due(
        budget=campaign.budget, spent=spent, alert_percent=campaign.budget_alert_percent
    ):
        campaign.budget_alerted_at = now
        fields.append("budget_alerted_at")
        transaction.on_commit(lambda: campaign_budget_alert.send(sender=Campaign, campaign=campaign, spent=spent))
    if treatment.budget_cut:
        campaign.budget_exhausted_at = now
        fields.append("budget_exhausted_at")
    campaign.save(update_fields=fields)


def _added(counts: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    return {reason: counts.get(reason, 0) + more.get(reason, 0) for reason in counts.keys() | more.keys()}


class _Stopped(Exception):
    """The campaign was paused or stopped while a batch ran: the batch is taken back."""


def _launch_batch(campaign_id: int, number: int, plans: dict[int, Plan], batch_size: int) -> bool:
    """Freeze and queue the slice's next batch; False once the slice is finished or the launch stopped."""
    try:
        with transaction.atomic():
            return _slice_batch(campaign_id, number, plans, batch_size)
    except _Stopped:
        return False


def _slice_batch(campaign_id: int, number: int, plans: dict[int, Plan], batch_size: int) -> bool:
    launch_slice = LaunchSlice.objects.select_for_update().filter(campaign_id=campaign_id, number=number).first()
    if launch_slice is None or launch_slice.finished_at is not None:
        return False
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None and campaign.budget is not None:
        campaign = _locked(campaign_id)
    if not _launching(campaign):
        return False
    plan = plans.get(campaign_id) or plans.setdefault(campaign_id, Plan.of(campaign))
    now = timezone.now()
    customers = launch_recipients(campaign, after=launch_slice.cursor, upto=launch_slice.last_id, limit=batch_size)
    if not customers:
        campaign = _locked(campaign_id)
        if not _launching(campaign):
            raise _Stopped  # paused meanwhile: the slice finishes on resume, and the launch with the last one
        launch_slice.finished_at = now
        launch_slice.save(update_fields=["finished_at"])
        if not campaign.launch_slices.filter(finished_at__isnull=True).exclude(pk=launch_slice.pk).exists():
            _finish(campaign, now)
        return False
    salt = campaign.salt
    buckets = [bucket_of(salt=salt, campaign_id=campaign_id, customer_id=c.pk) for c in customers]
    arms = [plan.arms[bucket] for bucket in buckets]
    treatment = treat(campaign, plan, customers, buckets, arms, now)
    assignments_write(campaign_id=campaign_id, frozen=treatment.frozen, now=now)
    # Their keys are new: these customers' assignments were just written under the (campaign, customer) unique
    # constraint, so nobody in the batch was queued by this campaign before.
    messages_enqueue(requests=treatment.requests, keys_are_new=True)
    if treatment.frozen:
        launch_slice.cursor = treatment.frozen[-1].customer_id
        launch_slice.save(update_fields=["cursor"])
    _foreign_keys_checked_now()

    campaign = _locked(campaign_id)
    if not _launching(campaign):
        raise _Stopped
    campaign.frozen += len(treatment.frozen)
    campaign.held_out += treatment.held_out
    campaign.launch_touched_at = now
    record(campaign, treatment, now, ["frozen", "held_out", "launch_touched_at"])
    if treatment.budget_cut:
        _finish(campaign, now)
        return False
    return True


def _foreign_keys_checked_now() -> None:
    """The batch's deferred foreign-key checks (a query per row) run now instead of at commit: before the campaign's
    row is locked for the counters, so that slices launched at once do not wait for each other's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _send_moments(
    campaign: Campaign, plan: Plan, customers: list[Recipient], now: datetime
) -> tuple[list[datetime], list[str]]:
    """Each customer's send moment, and their best-hour arm ("" for other campaigns)."""
    if plan.best is not None:
        return best_hour_moments(campaign, plan.best, customers, now)
    if plan.wall is not None:
        moments = [scheduling.recipient_moment(wall=plan.wall, recipient_zone=c.zone, now=now) for c in customers]
    else:
        moments = [max(campaign.starts_at or now, now)] * len(customers)
    return moments, [""] * len(customers)


def _finish(campaign: Campaign, now: datetime) -> None:
    campaign.launch_finished_at = now
    fields = ["launch_finished_at"]
    if campaign.staged and campaign.budget_exhausted_at is None:
        # The rest waits for the winner: decided this long after the test's last message was queued.
        campaign.test_decide_at = now + timedelta(hours=campaign.test_wait_hours)
        fields.append("test_decide_at")
    elif campaign.ends_at is None:
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

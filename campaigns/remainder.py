"""A staged test's second step: once the wait is over, pick the winner and send it to the rest of the audience.

The launch sent the variants to the test share only and assigned the rest as `remainder` (campaigns/launch.py).
When `test_decide_at` passes, the minute tick starts this release. The winner is decided once, under the
campaign's row lock, by the same statistics as the results (click or conversion, a sample-ratio mismatch blocks
it), and stored with the campaign (`test_winner`, `test_outcome`, `test_decision`); without a significant winner
the campaign's `test_fallback` decides. A rerun continues with the stored variant, never a new decision.

The rest is then released in batches, each one transaction holding the campaign's row: the next remainder
customers by id after `remainder_cursor` get the winner, the outbox's decision (skips recorded as at launch) and
their message under the key `campaign:<campaign>:<variant>:<customer>`, and the cursor moves. A worker killed
mid-batch leaves nothing of that batch; the next run starts after the last committed one, and only rows still
`remainder` are updated, so nobody gets the winner twice.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns import lifecycle
from campaigns.launch import Plan, record, treat
from campaigns.launch_writes import assignments_release
from campaigns.models import Campaign
from campaigns.selectors import remainder_recipients, staged_test_decision
from campaigns.staged_test import remainder_release
from messaging.services.outbox import messages_enqueue


def campaign_remainder_run(
    *, campaign_id: int, batch_size: int | None = None, now: datetime | None = None
) -> Campaign | None:
    """Decide (once) and release the rest of a staged test when its wait is over. Safe to run twice, or at once."""
    batch_size = batch_size or settings.CAMPAIGN_LAUNCH_BATCH_SIZE
    plan = None
    while True:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update(of=("self",)).filter(pk=campaign_id).first()
            if not _releasable(campaign):
                return campaign
            moment = now or timezone.now()
            if campaign.test_decided_at is None:
                if not _decide(campaign, moment):
                    return campaign
                continue  # the decision is committed before anyone is sent the winner
            plan = plan or Plan.of(campaign)
            if not _release_batch(campaign, plan, batch_size, moment):
                return campaign


def _releasable(campaign: Campaign | None) -> bool:
    return (
        campaign is not None
        and campaign.staged
        and campaign.status == Campaign.Status.RUNNING
        and campaign.launch_finished_at is not None
        and campaign.budget_exhausted_at is None
        and campaign.remainder_finished_at is None
    )


def _decide(campaign: Campaign, now: datetime) -> bool:
    """Store the winner, or the fallback, once the wait is over; False while it is not."""
    release = remainder_release(
        staged_test_decision(campaign),
        test_sent_at=campaign.launch_finished_at,
        wait=timedelta(hours=campaign.test_wait_hours),
        now=now,
        fallback=campaign.test_fallback,
    )
    if not release.release:
        return False
    campaign.test_decided_at = now
    campaign.test_winner = campaign.variants.filter(name=release.variant).first() if release.variant else None
    campaign.test_outcome = release.reason
    campaign.test_decision = release.message
    fields = ["test_decided_at", "test_winner", "test_outcome", "test_decision"]
    campaign.save(update_fields=fields)
    if campaign.test_winner is None:
        _finish(campaign, now)  # the fallback is to send nothing
    return True


def _release_batch(campaign: Campaign, plan: Plan, batch_size: int, now: datetime) -> bool:
    """Send the winner to the next batch of the rest; False once the rest is done."""
    customers, buckets = remainder_recipients(campaign, after=campaign.remainder_cursor, limit=batch_size)
    if not customers:
        _finish(campaign, now)
        return False
    winner = next(index for index, variant in enumerate(plan.variants) if variant.pk == campaign.test_winner_id)
    treatment = treat(campaign, plan, customers, buckets, [winner] * len(customers), now)
    assignments_release(campaign_id=campaign.pk, released=treatment.frozen)
    messages_enqueue(requests=treatment.requests)
    if treatment.frozen:
        campaign.remainder_cursor = treatment.frozen[-1].customer_id
    campaign.remainder_queued += treatment.queued
    campaign.remainder_touched_at = now
    record(campaign, treatment, now, ["remainder_cursor", "remainder_queued", "remainder_touched_at"])
    if treatment.budget_cut:
        _finish(campaign, now)
        return False
    return True


def _finish(campaign: Campaign, now: datetime) -> None:
    campaign.remainder_finished_at = now
    fields = ["remainder_finished_at"]
    if campaign.ends_at is None:
        # Without a window, a staged broadcast is done once the rest has been sent.
        campaign.status = lifecycle.transition(campaign.status, "complete")
        fields.append("status")
    campaign.save(update_fields=fields)

"""Celery tasks: take ids, call one service, safe to run twice."""

from celery import shared_task

from campaigns import services
from campaigns.launch import campaign_launch_run, launch_slices_ready
from campaigns.remainder import campaign_remainder_run


@shared_task(name="campaigns.launch", ignore_result=True)
def campaign_launch_task(campaign_id: int, slice_number: int | None = None) -> int:
    """Freeze and queue a running campaign's audience: without a slice, hands each unfinished slice to a task of
    its own, so that workers launch them at once; a slice resumes from its cursor, several may run at once."""
    if slice_number is None:
        for number in launch_slices_ready(campaign_id=campaign_id):
            campaign_launch_task.delay(campaign_id, number)
        return 0
    campaign = campaign_launch_run(campaign_id=campaign_id, slice_number=slice_number)
    return campaign.frozen if campaign else 0


@shared_task(name="campaigns.advance_lifecycle", ignore_result=True)
def advance_lifecycle_task() -> dict:
    return services.campaigns_lifecycle_advance()


@shared_task(name="campaigns.release_remainder", ignore_result=True)
def campaign_remainder_task(campaign_id: int) -> int:
    """A staged test's wait is over: decide once, then send the winner to the rest; resumes from its cursor."""
    campaign = campaign_remainder_run(campaign_id=campaign_id)
    return campaign.remainder_queued if campaign else 0

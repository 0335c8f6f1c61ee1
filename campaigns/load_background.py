"""The back-office work `make loadtest` runs beside the storefront mix in one of its steps (issue #22): a campaign
launched to part of the customers and a journey with a send due for as many, both run by a real Celery worker,
so the step shows what a launch and a tick cost the storefront on the same machine."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audiences.models import Customer, Segment, SegmentMembership
from campaigns.journeys.entry import Entry, journeys_enter
from campaigns.journeys.models import Enrollment, Journey, JourneyStep, JourneyStepTemplate, JourneyVersion, StepRun
from campaigns.journeys.services import journey_version_publish
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message, Template, TemplateTranslation

NAME = "loadtest background"


@dataclass(frozen=True)
class BackgroundWork:
    campaign_id: int
    version_id: int
    customer_ids: list[int]


def background_prepare(*, customers: int) -> BackgroundWork:
    """A draft campaign to the first `customers` customers and a published journey that sends at once; nothing
    runs yet. What an earlier run left is removed first."""
    background_remove()
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:customers])
    template = Template.objects.create(code="loadtest-bg", name=NAME, channel="sms", kind="marketing")
    TemplateTranslation.objects.create(template=template, language="en", body="Offer for {{ customer.first_name }}")
    segment = Segment.objects.create(code="loadtest-bg", name=NAME, rules={"all": []})
    moment = timezone.now()
    SegmentMembership.objects.bulk_create(
        (SegmentMembership(segment=segment, customer_id=pk, entered_at=moment) for pk in ids), batch_size=5_000
    )
    campaign = campaign_create(name=NAME, include_segments=[segment], holdout_percent=Decimal(0),
                               variants=[{"name": "A", "template": template}])  # fmt: skip
    journey = Journey.objects.create(code="loadtest-bg", name=NAME, active=True)
    version = JourneyVersion.objects.create(journey=journey, trigger="event", event_type="loadtest_bg")
    step = JourneyStep.objects.create(version=version, position=1, kind="send")
    JourneyStepTemplate.objects.create(step=step, template=template, order=1)
    journey_version_publish(version=version)
    return BackgroundWork(campaign.pk, version.pk, ids)


def background_start(work: BackgroundWork) -> None:
    """Launch the campaign and enter every customer into the journey: the worker takes it from there."""
    now = timezone.now()
    with transaction.atomic():
        campaign_launch(campaign=Campaign.objects.get(pk=work.campaign_id), now=now)
    version = JourneyVersion.objects.get(pk=work.version_id)
    for start in range(0, len(work.customer_ids), 500):
        journeys_enter(entries=[Entry(version, pk) for pk in work.customer_ids[start : start + 500]], now=now)


def background_progress(work: BackgroundWork) -> dict:
    campaign = Campaign.objects.get(pk=work.campaign_id)
    enrollments = Enrollment.objects.filter(version_id=work.version_id)
    return {
        "launch_queued": campaign.queued,
        "launch_finished": campaign.launch_finished_at is not None,
        "journey_steps_done": StepRun.objects.filter(enrollment__in=enrollments, status="done").count(),
        "journey_enrolled": enrollments.count(),
    }


def background_remove() -> None:
    """Everything the background work made, its messages included."""
    Message.objects.filter(template__code="loadtest-bg").delete()
    Enrollment.objects.filter(version__journey__code="loadtest-bg").delete()
    Journey.objects.filter(code="loadtest-bg").delete()
    for campaign in Campaign.objects.filter(name=NAME):
        campaign.assignments.all().delete()
        campaign.delete()
    Segment.objects.filter(code="loadtest-bg").delete()
    Template.objects.filter(code="loadtest-bg").delete()

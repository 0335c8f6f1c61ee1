"""The demo's campaign: a win-back SMS broadcast to `inactive_90d` with a 30% comeback code each and a 10%
holdout, launched at seeding. It is a staged test of two wordings (the guide's SMS and a shorter one): 20% of
the audience gets them first, and a day later the winner (or, without one, the guide's) goes to the rest.
Its launch is a background task: `make run` refreshes the segments before it
starts the worker, which then freezes the segment's members and queues their messages. A campaign of the
same name already there is kept."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences.models import Segment
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Message, Template, TemplateTranslation
from promotions.models import Promotion
from promotions.services.definitions import promotion_create

DEMO_CAMPAIGN = "Win back: 30% to come back (demo)"
DEMO_PROMOTION = "Comeback 30% (demo campaign codes)"
DEMO_BEST_HOUR_CAMPAIGN = "New this weekend, at each one's best hour (demo)"


@transaction.atomic
def demo_campaign_launch() -> Campaign | None:
    if Campaign.objects.filter(name=DEMO_CAMPAIGN).exists():
        return None
    segment = Segment.objects.filter(code="inactive_90d").first()
    template = Template.objects.filter(code="guide_comeback_30").first()
    if segment is None or template is None:
        return None
    promotion = Promotion.objects.filter(name=DEMO_PROMOTION).first() or promotion_create(
        name=DEMO_PROMOTION,
        status=Promotion.Status.ACTIVE,
        trigger=Promotion.Trigger.CODE,
        usage_limit_per_customer=1,
        reward={"type": "percentage", "value": "30", "max_discount": "3000.00"},
    )
    campaign = campaign_create(
        name=DEMO_CAMPAIGN,
        objective=Campaign.Objective.REACTIVATION,
        type=Campaign.Type.BROADCAST,
        include_segments=[segment],
        exclude_segments=list(Segment.objects.filter(code="complaint")),
        promotions=[promotion],
        coupon_pattern="WB-####-####",
        currency="BDT",
        budget=Decimal("5000.00"),
        variants=[
            {"name": "A", "weight": 1, "template": template, "promotion": promotion},
            {"name": "B (short)", "weight": 1, "template": _short_template(template), "promotion": promotion},
        ],
        test_percent=Decimal(20),
        test_wait_hours=24,
        test_metric="click",
        test_fallback="first_variant",
    )
    campaign_launch(campaign=campaign)
    return campaign


@transaction.atomic
def demo_best_hour_campaign_schedule() -> Campaign | None:
    """An SMS to the `loyal` segment scheduled for tomorrow, each at their best hour from 09:00 to 21:00 in their
    own zone, with 10% exploring and 10% at 09:00 as the control (its results compare their clicks)."""
    if Campaign.objects.filter(name=DEMO_BEST_HOUR_CAMPAIGN).exists():
        return None
    segment = Segment.objects.filter(code="loyal").first()
    if segment is None:
        return None
    template, created = Template.objects.get_or_create(
        code="demo_new_this_weekend",
        defaults={
            "name": "New this weekend (demo best hour)",
            "channel": "sms",
            "kind": "marketing",
            "topic": "marketing",
        },
    )
    if created:
        TemplateTranslation.objects.create(
            template=template, language="en", body="New in store this weekend: come and see. Reply STOP to opt out."
        )
    tomorrow = timezone.localdate() + timedelta(days=1)
    campaign = campaign_create(
        name=DEMO_BEST_HOUR_CAMPAIGN,
        objective=Campaign.Objective.RETENTION,
        type=Campaign.Type.BROADCAST,
        include_segments=[segment],
        currency="BDT",
        starts_at=datetime.combine(tomorrow, time(9), tzinfo=ZoneInfo(settings.TIME_ZONE)),
        send_mode=Campaign.SendMode.BEST_HOUR,
        variants=[{"name": "A", "weight": 1, "template": template}],
    )
    return campaign_launch(campaign=campaign)


def _short_template(guide: Template) -> Template:
    """The demo's second wording: the same offer in fewer words."""
    template, created = Template.objects.get_or_create(
        code="demo_comeback_short",
        defaults={
            "name": "Comeback, short (demo A/B)",
            "channel": guide.channel,
            "kind": guide.kind,
            "topic": guide.topic,
        },
    )
    if created:
        TemplateTranslation.objects.create(
            template=template,
            language="en",
            body="30% off to come back: code {{ coupon.code }}. Reply STOP to opt out.",
        )
    return template


def demo_campaign_remove() -> None:
    """Before the demo's customers are flushed: the demo campaign's assignments and messages refer to them."""
    for campaign in Campaign.objects.filter(name__in=[DEMO_CAMPAIGN, DEMO_BEST_HOUR_CAMPAIGN]):
        Message.objects.filter(campaign_id=campaign.pk).delete()
        campaign.assignments.all().delete()
        campaign.delete()

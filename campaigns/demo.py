"""The demo's campaign: a win-back SMS broadcast to `inactive_90d` with a 30% comeback code each and a 10%
holdout, launched at seeding so the admin shows its progress and the outbox sends it. A campaign of the
same name already there is kept."""

from decimal import Decimal

from django.db import transaction

from audiences.models import Segment
from audiences.segments.services import segment_refresh
from campaigns.launch import campaign_launch_run
from campaigns.models import Campaign
from campaigns.services import campaign_create, campaign_launch
from messaging.models import Template
from promotions.models import Promotion
from promotions.services import promotion_create

DEMO_CAMPAIGN = "Win back: 30% to come back (demo)"
DEMO_PROMOTION = "Comeback 30% (demo campaign codes)"


@transaction.atomic
def demo_campaign_install() -> Campaign | None:
    if Campaign.objects.filter(name=DEMO_CAMPAIGN).exists():
        return None
    segment = Segment.objects.filter(code="inactive_90d").first()
    template = Template.objects.filter(code="guide_comeback_30").first()
    if segment is None or template is None:
        return None
    segment_refresh(segment=segment)
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
        variants=[{"name": "A", "weight": 1, "template": template, "promotion": promotion}],
    )
    campaign_launch(campaign=campaign)
    return campaign


def demo_campaign_launch() -> Campaign | None:
    """Install the demo campaign and run its launch here (the demo may have no worker yet)."""
    campaign = demo_campaign_install()
    return campaign_launch_run(campaign_id=campaign.pk) if campaign else None

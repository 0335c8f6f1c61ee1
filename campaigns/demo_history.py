"""The demo's finished campaign: an A/B SMS test (20% against 10% off) with a 10% holdout, launched two weeks
before seeding and played out through the real services, so its results page has something to show out of
the box: deliveries, clicks, orders with its coupons, a winner, lift against the holdout, a daily series.

What a provider and shoppers would have done is simulated with a fixed seed: messages handed off and
delivered (`message_engagement_record`, as a delivery webhook would), a share clicked, and orders placed
through `order_place` (so the order hooks credit them exactly as in production). Treated customers who click
order more often than those who only received it, and both more than the holdout. A campaign of the same
name already there is kept. Its orders come from the services, with coupon codes and ids of their own, so
they are not part of the seed's promise of identical rows; `DEMO_CAMPAIGN_HISTORY=0` leaves it out.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audiences.models import Customer, Product, Store
from campaigns.launch import campaign_launch_run
from campaigns.models import Assignment, Campaign
from campaigns.services import campaign_create, campaign_launch, campaigns_lifecycle_advance
from messaging.models import Message, MessageStatus, Template
from messaging.services.templates import template_create
from messaging.services.tracking import message_engagement_record
from promotions.models import Promotion
from promotions.selectors import LineInput, PricingRequest
from promotions.services.definitions import promotion_create
from promotions.services.orders import DROP_UNREDEEMABLE, order_place

FINISHED_CAMPAIGN = "VIP thank-you: 20% or 10% off (demo, finished)"
SEED = 20261127
DAYS_AGO = 14
RUN_DAYS = 7
# (share delivered, share of the delivered who click, clickers who order, other receivers who order)
VARIANT_BEHAVIOUR = {"A": (0.96, 0.22, 0.45, 0.04), "B": (0.96, 0.16, 0.30, 0.04)}
HOLDOUT_ORDER_RATE = 0.025
ORDER_PREFIX = "demo-vip-ab-"
TEN_PERCENT_TEMPLATE = "demo_vip_10"
TEN_PERCENT_BODIES = {
    "en": "Thank you for shopping with us! 10% off your next order with code {{ coupon.code }}. Reply STOP to opt out.",
    "bn": "আমাদের সাথে কেনাকাটার জন্য ধন্যবাদ! {{ coupon.code }} কোডে পরের অর্ডারে ১০% ছাড়। বন্ধ করতে 'বন্ধ' লিখে পাঠান।",
    "sw": "Asante kwa kununua kwetu! Punguzo la 10% kwenye oda yako ijayo kwa msimbo {{ coupon.code }}. "
    "Tuma ACHA kujiondoa.",
}


def demo_finished_campaign_install() -> Campaign | None:
    if not settings.DEMO_CAMPAIGN_HISTORY or Campaign.objects.filter(name=FINISHED_CAMPAIGN).exists():
        return None
    store = Store.objects.filter(currency="BDT").order_by("pk").first()
    twenty = Template.objects.filter(code="guide_vip_20").first()
    if store is None or twenty is None:
        return None
    now = timezone.now()
    started = now - timedelta(days=DAYS_AGO)
    campaign = _launched(store, twenty, started)
    rng = random.Random(SEED)
    _hand_off_and_engage(campaign, started, rng)
    _orders(campaign, store, started, rng)
    Campaign.objects.filter(pk=campaign.pk).update(
        launch_started_at=started, launch_touched_at=started, launch_finished_at=started + timedelta(minutes=1)
    )
    campaigns_lifecycle_advance(now=now)
    return campaign


@transaction.atomic
def _launched(store: Store, twenty: Template, started: datetime) -> Campaign:
    ten = Template.objects.filter(code=TEN_PERCENT_TEMPLATE).first() or template_create(
        code=TEN_PERCENT_TEMPLATE,
        name="Thank you: 10% off the next order (demo)",
        channel="sms",
        kind="marketing",
        translations=[{"language": language, "body": body} for language, body in TEN_PERCENT_BODIES.items()],
    )
    offers = [_promotion(f"VIP thank-you {percent}% (demo A/B)", percent) for percent in (20, 10)]
    campaign = campaign_create(
        name=FINISHED_CAMPAIGN,
        objective=Campaign.Objective.LOYALTY,
        type=Campaign.Type.BROADCAST,
        currency="BDT",
        budget=Decimal("20000.00"),
        coupon_pattern="VIP-####-####",
        promotions=offers,
        variants=[
            {"name": "A", "weight": 1, "template": twenty, "promotion": offers[0]},
            {"name": "B", "weight": 1, "template": ten, "promotion": offers[1]},
        ],
    )
    campaign.stores.set([store])
    # Its window closes RUN_DAYS after the launch, so the lifecycle tick completes it once it is played out.
    campaign_launch(campaign=campaign, now=started)
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=started + timedelta(days=RUN_DAYS))
    return campaign


def _promotion(name: str, percent: int) -> Promotion:
    return Promotion.objects.filter(name=name).first() or promotion_create(
        name=name,
        status=Promotion.Status.ACTIVE,
        trigger=Promotion.Trigger.CODE,
        usage_limit_per_customer=1,
        reward={"type": "percentage", "value": str(percent), "max_discount": "2000.00"},
    )


def _hand_off_and_engage(campaign: Campaign, started: datetime, rng: random.Random) -> None:
    """The launch itself (inline), then what the SMS provider reported: hand-off, delivery, clicks."""
    campaign_launch_run(campaign_id=campaign.pk)
    messages = list(Message.objects.filter(campaign_id=campaign.pk).select_related("customer").order_by("pk"))
    for position, message in enumerate(messages):
        message.status = MessageStatus.SENT
        message.sent_at = started + timedelta(seconds=position // 20)
        message.scheduled_for = started
    Message.objects.bulk_update(messages, ["status", "sent_at", "scheduled_for"])
    for message in messages:
        delivered, clicks, _, _ = VARIANT_BEHAVIOUR.get(message.variant, VARIANT_BEHAVIOUR["A"])
        if rng.random() >= delivered:
            continue
        at = message.sent_at + timedelta(seconds=rng.randint(5, 90))
        message_engagement_record(message=message, status=MessageStatus.DELIVERED, at=at, key="", detail={})
        if rng.random() < clicks:
            clicked = at + timedelta(minutes=rng.randint(2, 36 * 60))
            message_engagement_record(
                message=message, status=MessageStatus.CLICKED, at=clicked, key=f"demo-click-{message.pk}", detail={}
            )


def _orders(campaign: Campaign, store: Store, started: datetime, rng: random.Random) -> None:
    """Orders in the campaign's week: coupon orders by clickers, plain ones by receivers and the holdout."""
    products = list(Product.objects.filter(currency="BDT", in_stock=True).order_by("pk")[:60])
    if not products:
        return
    engagement = {
        customer_id: (variant, clicked_at)
        for customer_id, variant, clicked_at in Message.objects.filter(campaign_id=campaign.pk).values_list(
            "customer_id", "variant", "clicked_at"
        )
    }
    assignments = Assignment.objects.filter(campaign=campaign).order_by("customer_id")
    # Which customers land in which variant follows their ids, so on a small demo a variant's few clickers
    # could all pass by chance; its first clicker always orders, so each variant shows a conversion.
    converted_variants = set()
    for customer_id, status, code in assignments.values_list("customer_id", "status", "coupon_code"):
        if status == Assignment.Status.HOLDOUT:
            if rng.random() < HOLDOUT_ORDER_RATE:
                _place(customer_id, store, products, started + timedelta(hours=rng.randint(2, RUN_DAYS * 24)), [], rng)
            continue
        if customer_id not in engagement:
            continue
        variant, clicked_at = engagement[customer_id]
        _, _, clicker_rate, receiver_rate = VARIANT_BEHAVIOUR.get(variant, VARIANT_BEHAVIOUR["A"])
        if clicked_at is not None and (variant not in converted_variants or rng.random() < clicker_rate):
            converted_variants.add(variant)
            _place(customer_id, store, products, clicked_at + timedelta(minutes=rng.randint(5, 600)), [code], rng)
        elif rng.random() < receiver_rate:
            _place(customer_id, store, products, started + timedelta(hours=rng.randint(1, RUN_DAYS * 24)), [], rng)


def _place(customer_id: int, store: Store, products: list, placed_at: datetime, codes: list, rng) -> None:
    chosen = rng.sample(products, k=rng.randint(1, 3))
    order_place(
        external_id=f"{ORDER_PREFIX}{customer_id}",
        pricing_request=PricingRequest(
            currency="BDT",
            lines=[
                LineInput(
                    sku=product.sku,
                    quantity=rng.randint(1, 2),
                    unit_price=product.price,
                    category=None,
                )
                for product in chosen
            ],
            customer=Customer.objects.get(pk=customer_id),
            store=store.code,
            channel="web",
            codes=[code for code in codes if code],
            now=placed_at,
        ),
        placed_at=placed_at,
        on_unredeemable_code=DROP_UNREDEEMABLE,
    )


def demo_finished_campaign_remove() -> None:
    """Before the demo's customers are flushed (promotions removes the redemptions of its orders)."""
    for campaign in Campaign.objects.filter(name=FINISHED_CAMPAIGN):
        Message.objects.filter(campaign_id=campaign.pk).delete()
        campaign.conversions.all().delete()
        campaign.assignments.all().delete()
        campaign.delete()

"""The demo's loyalty program: one per currency of the demo stores, with tiers, a category multiplier, a
reward, and the points of the most recent orders, so `make run` shows members with balances and tiers.
Seeding again (after `--flush`) keeps the program and gives the new customers their points."""

from decimal import Decimal

from django.db import transaction

from audiences.models import Category, Order, Store
from loyalty.models import Allocation, EarningRule, LedgerEntry, Lot, Member, Program, Reward, RewardIssue, Tier
from loyalty.services.earning import order_points_earn
from promotions.models import Promotion
from promotions.services.definitions import promotion_create

DEMO_ORDERS = 400  # the most recent orders of each currency earn their points
POINTS_PER_UNIT = {"TZS": Decimal("0.0005")}  # a point per 2,000 shillings, about a point per 100 taka
TIERS = (("silver", 1_000), ("gold", 5_000), ("platinum", 20_000))


@transaction.atomic
def demo_program_install() -> None:
    for currency in Store.objects.values_list("currency", flat=True).distinct().order_by("currency"):
        program, _ = Program.objects.get_or_create(
            currency=currency,
            defaults={"name": f"Club {currency} (demo)", "expiry": "end_of_year", "negative_balance_limit": 500,
                      "points_per_unit": POINTS_PER_UNIT.get(currency, Decimal("0.01"))},
        )  # fmt: skip
        for name, threshold in TIERS:
            Tier.objects.get_or_create(program=program, name=name, defaults={"threshold": threshold})
        if not program.rules.filter(tier__isnull=False).exists():
            EarningRule.objects.create(program=program, tier=program.tiers.get(name="gold"), multiplier=Decimal("1.5"))
        category = Category.objects.filter(parent__isnull=True).order_by("code").first()
        if category and not program.rules.filter(category__isnull=False).exists():
            EarningRule.objects.create(program=program, category=category, multiplier=2)
        if not program.rewards.exists():
            promotion = promotion_create(
                name=f"Loyalty reward 10% ({currency} demo)",
                status=Promotion.Status.ACTIVE,
                trigger=Promotion.Trigger.CODE,
                reward={"type": "percentage", "value": "10"},
            )
            Reward.objects.create(program=program, name="10% off your next order", promotion=promotion, points_cost=500)
        orders = Order.objects.filter(currency=currency, customer__isnull=False, status=Order.Status.PLACED)
        for order in orders.select_related("customer", "store").order_by("-placed_at")[:DEMO_ORDERS][::-1]:
            order_points_earn(order=order)


@transaction.atomic
def demo_loyalty_remove() -> None:
    """The members and their ledgers go with the demo customers, and rules with the demo catalog."""
    for model in (RewardIssue, Allocation, Lot, LedgerEntry, Member):
        model.objects.all().delete()
    EarningRule.objects.filter(tier__isnull=True).delete()

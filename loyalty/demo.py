"""The demo's loyalty program: one per currency of the demo stores, with tiers (one level down after a 30-day
grace), a category multiplier, a reward, a referral promotion, the points of the most recent orders, a
partial return, referral codes and a checkout's hold, so `make run` shows members with balances and tiers.
Seeding again (after `--flush`) keeps the program and gives the new customers their points."""

from decimal import Decimal

from django.db import transaction

from audiences.models import Category, Order, Store
from audiences.services.returns import ReturnLineInput, order_lines_return
from loyalty.models import (
    Allocation,
    EarningRule,
    LedgerEntry,
    Lot,
    Member,
    Program,
    Referral,
    ReferralCode,
    Reservation,
    Reward,
    RewardIssue,
    Tier,
)
from loyalty.services.earning import order_points_earn, tier_upgrade
from loyalty.services.ledger import spendable_points
from loyalty.services.referrals import referral_code_issue
from loyalty.services.reservations import MAX_HOLD, points_reserve
from loyalty.services.tiers import loyalty_notices_record
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
        if program.referral_promotion_id is None:
            program.referral_promotion = promotion_create(
                name=f"Referral welcome 10% ({currency} demo)",
                status=Promotion.Status.ACTIVE,
                trigger=Promotion.Trigger.CODE,
                reward={"type": "percentage", "value": "10"},
                eligibility={"first_order_only": True},
            )
            program.referrer_points, program.referee_points = 200, 100
            program.downgrade_policy, program.downgrade_grace_days = Program.Downgrade.ONE_LEVEL, 30
            program.save()
        orders = Order.objects.filter(currency=currency, customer__isnull=False, status=Order.Status.PLACED)
        last_order_at = {}
        for order in orders.select_related("customer", "store").order_by("-placed_at")[:DEMO_ORDERS][::-1]:
            order_points_earn(order=order, tier_check=False)
            last_order_at[order.customer_id] = order.placed_at
        # Tiers once per member, as of their last order (not after each order: the demo's earning was most of
        # seed_demo's time).
        for member in Member.objects.filter(program=program, customer_id__in=last_order_at).select_related(
            "program", "tier", "customer"
        ):
            tier_upgrade(member=member, reached_at=last_order_at[member.customer_id])
        _demo_activity(program)
    loyalty_notices_record()


def _demo_activity(program: Program) -> None:
    """What the member pages show besides earning: referral codes, a partial return, a checkout's hold."""
    members = list(Member.objects.filter(program=program).select_related("program").order_by("id")[:3])
    for member in members:
        referral_code_issue(member=member)
    earned = LedgerEntry.objects.filter(member__program=program, kind=LedgerEntry.Kind.EARN, source_type="order")
    earning_orders = [int(order_id) for order_id in earned.values_list("source_id", flat=True)]
    order = Order.objects.filter(pk__in=earning_orders, lines__quantity__gt=1).order_by("-id").first()
    if order is not None and not order.returns.exists():
        line = order.lines.filter(quantity__gt=1).first()
        order_lines_return(order=order, return_id="DEMO-RETURN-1", lines=[ReturnLineInput(line.line_no, 1)])
    if members and spendable_points(members[0]) > 0 and not members[0].reservations.exists():
        points_reserve(customer=members[0].customer, order="DEMO-CHECKOUT-1",
                       points=min(100, spendable_points(members[0])), hold=MAX_HOLD)  # fmt: skip


@transaction.atomic
def demo_loyalty_remove() -> None:
    """The members and their ledgers go with the demo customers, and rules with the demo catalog."""
    for model in (Referral, ReferralCode, Reservation, RewardIssue, Allocation, Lot, LedgerEntry, Member):
        model.objects.all().delete()
    EarningRule.objects.filter(tier__isnull=True).delete()

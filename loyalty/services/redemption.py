"""Spending points on a reward: one single-use code of the reward's promotion; and giving them back."""

import uuid

from django.db import transaction
from django.utils import timezone

from audiences.models import Customer
from audiences.services.events import EventInput, events_record
from config.errors import Conflict
from loyalty.errors import InsufficientPoints
from loyalty.models import LedgerEntry, Member, Reward, RewardIssue
from loyalty.services.ledger import entry_record, lot_restore, lots_take, member_lock, spendable_points
from promotions.code_patterns import codes_from_pattern
from promotions.models import PromotionCode

REWARD_CODE_PATTERN = "PTS-##########"


@transaction.atomic
def reward_redeem(*, customer: Customer, reward: Reward) -> tuple[RewardIssue, int]:
    """Spend the reward's points, oldest-expiry lots first, and issue its code. Returns (issue, balance left)."""
    member = Member.objects.filter(customer=customer, program_id=reward.program_id).first()
    if member is None:
        raise InsufficientPoints(needed=reward.points_cost, balance=0)
    member = member_lock(member.pk)
    balance = spendable_points(member)
    if balance < reward.points_cost:
        raise InsufficientPoints(needed=reward.points_cost, balance=balance)
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.REDEEM, source_type="reward", source_id=uuid.uuid4().hex,
        rule="redeem", occurred_at=timezone.now(), reason=reward.name,
    )  # fmt: skip
    if lots_take(entry, reward.points_cost) < reward.points_cost:
        # Lots expired between the balance and the spending: refuse rather than spend less.
        raise InsufficientPoints(needed=reward.points_cost, balance=spendable_points(member))
    code = PromotionCode.objects.create(
        promotion=reward.promotion, code=codes_from_pattern(REWARD_CODE_PATTERN, 1)[0], usage_limit=1
    )
    issue = RewardIssue.objects.create(entry=entry, reward=reward, code=code)
    events_record(
        events=[
            EventInput(
                customer=customer,
                type="loyalty_reward_redeemed",
                properties={"program": reward.program_id, "reward": reward.pk, "points": reward.points_cost},
                idempotency_key=f"loyalty:redeem:{issue.pk}",
            )
        ]
    )
    return issue, balance - reward.points_cost


@transaction.atomic
def redemption_reverse(*, issue: RewardIssue) -> LedgerEntry:
    """Give back the points of a reward whose code was never used, to exactly the lots they came from;
    points of a lot that has expired since stay expired. The code stops working."""
    redeemed = issue.entry
    member_lock(redeemed.member_id)
    code = PromotionCode.objects.select_for_update().get(pk=issue.code_id)
    if code.used:
        raise Conflict(code="reward_used", message=f"The code {code.code} was already used.")
    reversal = entry_record(
        member=redeemed.member, kind=LedgerEntry.Kind.REVERSE, source_type="reward", source_id=redeemed.source_id,
        rule="reverse", occurred_at=timezone.now(), reason=f"{issue.reward.name} given back",
    )  # fmt: skip
    for allocation in redeemed.allocations.select_related("lot").select_for_update(of=("lot",)).order_by("lot_id"):
        if allocation.lot.status != allocation.lot.Status.EXPIRED:
            lot_restore(reversal, allocation.lot, -allocation.points)
    PromotionCode.objects.filter(pk=code.pk).update(retired_at=timezone.now())
    return reversal

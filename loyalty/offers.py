"""A loyalty reward's promotion is offered only to members of the reward's program: its codes are issued for
points, so a customer outside the program (another currency's, or none) cannot get it."""

from audiences.models import Customer
from loyalty.models import Reward


def rewards_not_for(customer: Customer, promotion_ids: set[int]) -> set[int]:
    rewards = Reward.objects.filter(promotion_id__in=promotion_ids)
    theirs = rewards.filter(program__members__customer=customer)
    return set(rewards.values_list("promotion_id", flat=True)) - set(theirs.values_list("promotion_id", flat=True))

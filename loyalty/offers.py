"""A loyalty reward's promotion is offered only to members of the reward's program: its codes are issued for
points, so a customer outside the program (another currency's, or none) cannot get it."""

from audiences.models import Customer
from loyalty.models import Member, Reward


def rewards_not_for(customer: Customer, promotion_ids: set[int]) -> set[int]:
    # One array parameter each (config/lookups.py): the storefront asks with every live promotion's id.
    rewards = list(
        Reward.objects.filter(promotion_id__any_of=list(promotion_ids)).values_list("promotion_id", "program_id")
    )
    if not rewards:
        return set()
    programs = list({program_id for _, program_id in rewards})
    theirs = set(
        Member.objects.filter(customer=customer, program_id__any_of=programs).values_list("program_id", flat=True)
    )
    return {pk for pk, _ in rewards} - {pk for pk, program_id in rewards if program_id in theirs}

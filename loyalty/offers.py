"""A loyalty reward's promotion is offered only to members of the reward's program: its codes are issued for
points, so a customer outside the program (another currency's, or none) cannot get it.

The rewards' promotions are read once per compiled promotion index (`promotions.offer_filters`): a reward
or program saved or deleted bumps the index version (loyalty/receivers.py), so the next answer reads them again."""

from collections.abc import Mapping

from audiences.models import Customer
from loyalty.models import Member, Reward


def reward_programs() -> dict[int, frozenset[int]]:
    """Each reward's promotion → the programs whose members may get it: none where the reward, or its program,
    is switched off (points cannot be spent on it there)."""
    programs: dict[int, set[int]] = {}
    rows = Reward.objects.values_list("promotion_id", "program_id", "active", "program__active")
    for promotion_id, program_id, active, program_active in rows:
        open_to = programs.setdefault(promotion_id, set())
        if active and program_active:
            open_to.add(program_id)
    return {promotion_id: frozenset(ids) for promotion_id, ids in programs.items()}


def rewards_not_for(customer: Customer, programs: Mapping[int, frozenset[int]]) -> set[int]:
    """`programs`: the reward promotions the customer qualifies for → their programs."""
    wanted = list(set().union(*programs.values()))
    theirs = set(
        Member.objects.filter(customer=customer, program_id__any_of=wanted).values_list("program_id", flat=True)
    )
    return {pk for pk, program_ids in programs.items() if not program_ids & theirs}

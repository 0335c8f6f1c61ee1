"""The customer page offers a loyalty reward only to members of its program, and nothing in another currency
(issue #19: a BDT customer who is no member was offered the TZS program's reward)."""

from decimal import Decimal

from audiences.models import Customer
from loyalty.models import Member, Program, Reward
from promotions.offers import customer_offers
from promotions.services.definitions import promotion_create

PERCENT = {"type": "percentage", "value": "10"}


def offered(customer) -> set[str]:
    return {offer.rule.name for offer in customer_offers(customer=customer).offers}


def test_rewards_are_offered_to_their_program_members_and_nothing_in_another_currency(program):
    tanzania = Program.objects.create(name="Club TZ", currency="TZS", points_per_unit=Decimal("0.01"))
    for club, currency in ((program, "BDT"), (tanzania, "TZS")):
        promotion = promotion_create(name=f"{currency} reward", status="active", reward=PERCENT, currency=currency)
        Reward.objects.create(program=club, name=f"10% off ({currency})", promotion=promotion, points_cost=100)
    promotion_create(name="Everyone", status="active", reward=PERCENT)
    promotion_create(name="Taka weekend", status="active", reward=PERCENT, currency="BDT")
    promotion_create(name="Shilingi weekend", status="active", reward=PERCENT, currency="TZS")

    outsider = Customer.objects.create(external_id="C-22", currency="BDT")
    assert offered(outsider) == {"Everyone", "Taka weekend"}
    Member.objects.create(customer=outsider, program=program)
    assert offered(outsider) == {"Everyone", "Taka weekend", "BDT reward"}

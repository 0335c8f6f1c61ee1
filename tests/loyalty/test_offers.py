"""The customer page offers a loyalty reward only to members of its program, and nothing in another currency
(issue #19: a BDT customer who is no member was offered the TZS program's reward)."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audiences.models import Customer
from loyalty.models import Member, Program, Reward
from promotions.offers import customer_offers
from promotions.services.definitions import promotion_create, promotion_update

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


def test_a_new_reward_a_removed_reward_and_a_changed_shared_code_show_in_the_next_answer(program):
    """What is a reward and which shared code a promotion has are read once per promotion index: the writes that
    change them make the next answer read them again."""
    member = Customer.objects.create(external_id="C-23", currency="BDT")
    outsider = Customer.objects.create(external_id="C-24", currency="BDT")
    Member.objects.create(customer=member, program=program)
    promotion = promotion_create(name="Weekend", status="active", reward=PERCENT, trigger="code", code="WEEKEND")
    assert offered(outsider) == offered(member) == {"Weekend"}
    assert [offer.code for offer in customer_offers(customer=outsider).offers] == ["WEEKEND"]

    reward = Reward.objects.create(program=program, name="10% off", promotion=promotion, points_cost=100)
    assert (offered(member), offered(outsider)) == ({"Weekend"}, set())

    promotion_update(promotion=promotion, code="LONGWEEKEND")
    assert [offer.code for offer in customer_offers(customer=member).offers] == ["LONGWEEKEND"]

    reward.delete()
    assert offered(outsider) == {"Weekend"}


def test_a_paused_reward_or_program_is_offered_to_no_one(program):
    """A member cannot spend points on a reward that is off, or in a program that is off: its promotion is no
    offer for anyone, and comes back when switched on again."""
    member = Customer.objects.create(external_id="C-25", currency="BDT")
    Member.objects.create(customer=member, program=program)
    promotion = promotion_create(name="Reward", status="active", reward=PERCENT, currency="BDT")
    reward = Reward.objects.create(program=program, name="10% off", promotion=promotion, points_cost=100)
    assert offered(member) == {"Reward"}

    reward.active = False
    reward.save()
    assert offered(member) == set()
    reward.active = True
    reward.save()
    program.active = False
    program.save()
    assert offered(member) == set()
    program.active = True
    program.save()
    assert offered(member) == {"Reward"}


def test_the_answer_reads_as_much_whatever_the_number_of_promotions(program):
    """Rewards and shared codes are not looked up per request: a customer outside the program who qualifies for
    none of its rewards costs no loyalty query, with 3 live promotions or 30."""
    reward = promotion_create(name="Reward", status="active", reward=PERCENT, currency="TZS")
    Reward.objects.create(program=program, name="10% off", promotion=reward, points_cost=100)
    customer = Customer.objects.create(external_id="C-25", currency="BDT")
    counts = []
    for count in (3, 30):
        for number in range(len(counts) * 3, count):
            promotion_create(name=f"Code {number}", status="active", reward=PERCENT, trigger="code",
                             code=f"CODE{number}")  # fmt: skip
        assert len(offered(customer)) == count  # the first answer of a new index reads its codes and rewards
        with CaptureQueriesContext(connection) as queries:
            assert len(offered(customer)) == count
        assert not [query for query in queries.captured_queries if "loyalty_reward" in query["sql"]]
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]

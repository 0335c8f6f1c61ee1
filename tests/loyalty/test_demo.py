"""The demo data set gets a loyalty program whose members hold the points of their recent orders."""

from decimal import Decimal

import pytest

from audiences.models import Customer, Store
from audiences.services.orders import OrderLineInput, order_create
from loyalty.demo import demo_loyalty_remove, demo_program_install
from loyalty.models import LedgerEntry, Member
from loyalty.selectors import member_summary
from tests.loyalty.conftest import T0

pytestmark = pytest.mark.django_db


def test_the_demo_program_gives_recent_orders_their_points_and_goes_with_the_demo(catalog):
    customer = Customer.objects.create(external_id="C-1", currency="BDT")
    order_create(external_id="O-1", currency="BDT", placed_at=T0, customer=customer,
                 store=Store.objects.get(code="DHK-01"),
                 lines=[OrderLineInput(sku="RICE", quantity=2, unit_price=Decimal("50000"))])  # fmt: skip
    demo_program_install()
    demo_program_install()  # seeding again earns nothing twice
    member = Member.objects.get(customer=customer)
    assert (member.program.currency, member.tier.name) == ("BDT", "silver")
    entries = LedgerEntry.objects.filter(member=member).order_by("id").values_list("kind", "points")
    assert list(entries) == [("earn", 1000), ("reverse", -500)]  # one of the two bags came back
    summary = member_summary(member=member)
    assert (summary["points_balance"], summary["points_reserved"]) == (400, 100)  # a checkout holds 100
    assert member.referral_code.code.code.startswith("REF-")
    assert member.program.referral_promotion is not None and member.program.downgrade_policy == "one_level"
    demo_loyalty_remove()
    assert not Member.objects.exists()

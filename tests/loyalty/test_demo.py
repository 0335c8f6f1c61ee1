"""The demo data set gets a loyalty program whose members hold the points of their recent orders."""

from decimal import Decimal

import pytest

from audiences.models import Customer, Store
from audiences.services.orders import OrderLineInput, order_create
from loyalty.demo import demo_loyalty_remove, demo_program_install
from loyalty.models import LedgerEntry, Member
from tests.loyalty.conftest import T0

pytestmark = pytest.mark.django_db


def test_the_demo_program_gives_recent_orders_their_points_and_goes_with_the_demo(catalog):
    customer = Customer.objects.create(external_id="C-1", currency="BDT")
    order_create(external_id="O-1", currency="BDT", placed_at=T0, customer=customer,
                 store=Store.objects.get(code="DHK-01"),
                 lines=[OrderLineInput(sku="RICE", quantity=1, unit_price=Decimal("100000"))])  # fmt: skip
    demo_program_install()
    demo_program_install()  # seeding again earns nothing twice
    member = Member.objects.get(customer=customer)
    assert (member.program.currency, member.tier.name) == ("BDT", "silver")
    assert LedgerEntry.objects.get(member=member).points == 1000
    demo_loyalty_remove()
    assert not Member.objects.exists()

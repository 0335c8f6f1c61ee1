"""Loyalty's tests price carts through promotions' API, with its catalog and customer, and a BDT program."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from audiences.models import Customer
from audiences.services.orders import OrderLineInput, order_create
from audiences.tasks import order_placed_task
from loyalty.models import Member, Program, Tier
from loyalty.services.earning import order_points_earn
from tests.promotions.conftest import catalog, customer  # noqa: F401 (fixtures)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def program(db):
    """1 point per 10 taka, spendable at once, points expire 90 days after earning."""
    program = Program.objects.create(
        name="Club BD", currency="BDT", points_per_unit=Decimal("0.1"), expiry="days", expiry_n=90,
        negative_balance_limit=100,
    )  # fmt: skip
    Tier.objects.create(program=program, name="silver", threshold=1000)
    Tier.objects.create(program=program, name="gold", threshold=5000)
    return program


@pytest.fixture
def queued(monkeypatch):
    """The ids of the orders whose `order_placed` went to the broker (no worker runs them here)."""
    ids = []
    monkeypatch.setattr(order_placed_task, "delay", ids.append)
    return ids


def earn(member: Member, points: int, *, external_id: str, placed_at: datetime = T0, quantity: int = 1) -> int:
    """An order of `quantity` items worth `points` each (10 taka a point) placed by the member, earned through
    the order hook."""
    with transaction.atomic():
        return _earn(member, points, external_id, placed_at, quantity)


def _earn(member, points, external_id, placed_at, quantity):
    order = order_create(
        external_id=external_id,
        currency=member.program.currency,
        placed_at=placed_at,
        lines=[OrderLineInput(sku="ANY", quantity=quantity, unit_price=Decimal(points * 10))],
        customer=member.customer,
    )
    return order_points_earn(order=order)["points_earned"]


def new_member(program: Program, external_id: str) -> Member:
    person = Customer.objects.create(external_id=external_id, currency=program.currency)
    return Member.objects.create(customer=person, program=program)


def days(n: int) -> timedelta:
    return timedelta(days=n)

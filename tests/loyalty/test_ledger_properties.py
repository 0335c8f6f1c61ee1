"""Random sequences of earn, redeem, return, expire, transfer and adjust: every balance always equals the sum of
its ledger and of its lots, and no lot is ever negative."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from audiences.models import Order, OrderReturnLine
from audiences.services.orders import order_cancel
from audiences.services.returns import ReturnLineInput, order_lines_return
from config.errors import Conflict
from loyalty.errors import InsufficientPoints
from loyalty.models import LedgerEntry, Member, Program, Reward
from loyalty.services.adjustments import points_adjust, points_transfer
from loyalty.services.ledger import spendable_points
from loyalty.services.lots import lots_activate, lots_expire
from loyalty.services.redemption import reward_redeem
from tests.loyalty.conftest import T0, earn, new_member
from tests.loyalty.helpers import assert_ledger_consistent
from tests.promotions.conftest import create_promotion

_ids = itertools.count()


class LedgerMachine(RuleBasedStateMachine):
    program: Program
    reward_promotion_id: int

    @initialize()
    def start(self):
        run = next(_ids)
        self.members = [new_member(self.program, f"SM-{run}-{n}") for n in range(2)]
        self.rewards = {
            cost: Reward.objects.create(program=self.program, name=f"{cost}", promotion_id=self.reward_promotion_id,
                                        points_cost=cost)
            for cost in (10, 45, 120)
        }  # fmt: skip
        self.orders: list[str] = []
        self.now = T0
        self.prefix = f"SM-{run}"

    @rule(who=st.integers(0, 1), points=st.integers(1, 100), quantity=st.integers(1, 3), back=st.integers(0, 60))
    def earn(self, who, points, quantity, back):
        external_id = f"{self.prefix}-O{len(self.orders)}"
        placed_at = self.now - timedelta(days=back)
        earn(self.members[who], points, external_id=external_id, placed_at=placed_at, quantity=quantity)
        self.orders.append(external_id)

    @rule(who=st.integers(0, 1), cost=st.sampled_from([10, 45, 120]))
    def redeem(self, who, cost):
        try:
            reward_redeem(customer=self.members[who].customer, reward=self.rewards[cost])
        except InsufficientPoints:
            assert spendable_points(Member.objects.get(pk=self.members[who].pk)) < cost

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def return_order(self, data):
        external_id = data.draw(st.sampled_from(self.orders))
        with transaction.atomic():
            order_cancel(order=Order.objects.get(external_id=external_id))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), quantity=st.integers(1, 3))
    def return_lines(self, data, quantity):
        order = Order.objects.get(external_id=data.draw(st.sampled_from(self.orders)))
        returned_before = sum(r.quantity for r in OrderReturnLine.objects.filter(line__order=order))
        try:
            order_lines_return(order=order, return_id=f"R{next(_ids)}", lines=[ReturnLineInput(1, quantity)])
        except ValidationError:
            assert returned_before + quantity > order.lines.get().quantity
        except Conflict:
            assert order.status == Order.Status.CANCELLED

    @rule(days=st.integers(0, 120))
    def time_passes(self, days):
        self.now += timedelta(days=days)
        lots_activate(now=self.now)
        lots_expire(now=self.now)

    @rule(who=st.integers(0, 1), points=st.integers(-150, 150).filter(bool))
    def adjust(self, who, points):
        try:
            points_adjust(member=self.members[who], points=points, reason="property test")
        except InsufficientPoints:
            assert points < 0

    @rule(points=st.integers(1, 150))
    def transfer(self, points):
        try:
            points_transfer(sender=self.members[0], receiver=self.members[1], points=points)
        except InsufficientPoints:
            assert spendable_points(Member.objects.get(pk=self.members[0].pk)) < points

    @invariant()
    def balances_add_up(self):
        if hasattr(self, "members"):
            for member in self.members:
                assert_ledger_consistent(member)
            # Cancels and returns never take back more than an order earned, however they interleave.
            earned = dict(
                LedgerEntry.objects.filter(rule="earn", source_type="order").values_list("source_id", "points")
            )
            reversed_ = (
                LedgerEntry.objects.filter(kind="reverse", source_type="order", source_id__in=list(earned))
                .values("source_id")
                .annotate(owed=Sum(F("written_off") - F("points")))
            )
            for row in reversed_:
                assert row["owed"] <= earned[row["source_id"]]


@pytest.mark.django_db
def test_the_ledger_never_drifts(program, marketer):
    program.negative_balance_limit = 50
    program.points_per_unit = Decimal("0.1")
    program.save()
    LedgerMachine.program = program
    LedgerMachine.reward_promotion_id = create_promotion(marketer, trigger="code", code="")["id"]
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30, stateful_step_count=25, deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )  # fmt: skip

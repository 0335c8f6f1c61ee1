"""Two redemptions at once on two real connections never spend the same points twice; expiry on two
connections expires each due lot once."""

import threading

import pytest
from django.db import connection

from loyalty.errors import InsufficientPoints
from loyalty.models import LedgerEntry, Reward
from loyalty.services.lots import lots_expire
from loyalty.services.redemption import reward_redeem
from tests.loyalty.conftest import T0, days, earn, new_member
from tests.loyalty.helpers import assert_ledger_consistent
from tests.promotions.conftest import create_promotion


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overspend(program, marketer):
    member = new_member(program, "C-1")
    earn(member, 100, external_id="O-1", placed_at=T0)
    promotion = create_promotion(marketer, trigger="code", code="")
    reward = Reward.objects.create(program=program, name="60", promotion_id=promotion["id"], points_cost=60)
    start = threading.Barrier(2)
    outcomes = []

    def redeem():
        try:
            start.wait()
            reward_redeem(customer=member.customer, reward=reward)
            outcomes.append("redeemed")
        except InsufficientPoints:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["redeemed", "refused"]
    assert LedgerEntry.objects.filter(member=member, kind="redeem").count() == 1
    assert assert_ledger_consistent(member) == 40


@pytest.mark.django_db(transaction=True)
def test_expiry_on_two_connections_expires_every_due_lot_once(program):
    members = [new_member(program, f"C-{n}") for n in range(6)]
    for n, member in enumerate(members):
        earn(member, 100 + n, external_id=f"O-{n}", placed_at=T0)
        earn(member, 50, external_id=f"O-late-{n}", placed_at=T0 + days(30))
    due_at = T0 + days(100)  # the first lot of each member is due, the second is not

    assert lots_expire(now=due_at, batch=2, connections=2) == 6  # ranges of two lot ids, two at a time
    assert lots_expire(now=due_at, batch=2, connections=2) == 0
    assert sorted(LedgerEntry.objects.filter(kind="expire").values_list("points", flat=True)) == [
        -105, -104, -103, -102, -101, -100,
    ]  # fmt: skip
    assert [assert_ledger_consistent(member) for member in members] == [50] * 6

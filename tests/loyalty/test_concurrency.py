"""Two redemptions at once on two real connections never spend the same points twice."""

import threading

import pytest
from django.db import connection

from loyalty.errors import InsufficientPoints
from loyalty.models import LedgerEntry, Reward
from loyalty.services.redemption import reward_redeem
from tests.loyalty.conftest import T0, earn, new_member
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

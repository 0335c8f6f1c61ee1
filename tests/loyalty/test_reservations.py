"""Points reserved at checkout: held against every other spending, spent when the order is placed, given
back on a cancel, spendable again when the hold lapses; two checkouts at once never hold the same points."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from loyalty.errors import InsufficientPoints
from loyalty.models import Member, Reservation, Reward
from loyalty.services.reservations import points_reserve, reservations_lapse
from tests.loyalty.conftest import T0, earn, new_member
from tests.loyalty.helpers import assert_ledger_consistent
from tests.promotions.conftest import create_promotion, place, rice

RESERVE = "/api/v1/loyalty/members/C-1001/reservations"


def _balance(client):
    return client.get("/api/v1/loyalty/members/C-1001").json()["points_balance"]


@pytest.mark.django_db
def test_reserved_points_are_held_then_spent_by_the_order_and_given_back_on_a_cancel(
    storefront, marketer, catalog, customer, program
):
    place(storefront, "O-1", [rice(20)], customer="C-1001", placed_at=T0.isoformat())  # 200 points
    held = storefront.post(RESERVE, {"order": "O-2", "points": 150}, format="json")
    assert held.status_code == 201
    assert (held.json()["status"], held.json()["points_balance"]) == ("held", 50)
    assert storefront.get("/api/v1/loyalty/members/C-1001").json()["points_reserved"] == 150
    promotion = create_promotion(marketer, trigger="code", code="")
    reward = Reward.objects.create(program=program, name="100", promotion_id=promotion["id"], points_cost=100)
    refused = storefront.post("/api/v1/loyalty/members/C-1001/redemptions", {"reward": reward.pk}, format="json")
    assert refused.status_code == 409  # the held points cannot be spent twice
    assert storefront.post(RESERVE, {"order": "O-3", "points": 60}, format="json").status_code == 409

    placed = place(storefront, "O-2", [rice(1)], customer="C-1001")
    assert (placed.json()["points_spent"], placed.json()["points_earned"]) == (150, 10)
    assert _balance(storefront) == 60
    again = storefront.post(RESERVE, {"order": "O-2", "points": 10}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "order_placed")

    cancelled = storefront.post("/api/v1/orders/O-2/cancel").json()
    assert (cancelled["points_refunded"], cancelled["points_reversed"]) == (150, 10)
    assert storefront.post("/api/v1/orders/O-2/cancel").json()["points_refunded"] == 150  # once
    assert _balance(storefront) == 200
    assert assert_ledger_consistent(Member.objects.get(customer=customer)) == 200


@pytest.mark.django_db
def test_a_released_or_lapsed_hold_spends_nothing(storefront, catalog, customer, program):
    place(storefront, "O-1", [rice(20)], customer="C-1001", placed_at=T0.isoformat())
    storefront.post(RESERVE, {"order": "O-2", "points": 150}, format="json")
    released = storefront.delete(f"{RESERVE}/O-2")
    assert (released.status_code, released.json()["status"], released.json()["points_balance"]) == (
        200,
        "released",
        200,
    )
    assert storefront.delete(f"{RESERVE}/O-404").status_code == 404

    now = timezone.now()
    points_reserve(customer=customer, order="O-3", points=120, hold=timedelta(minutes=30), now=now - timedelta(hours=1))
    assert _balance(storefront) == 200  # the hold passed: spendable again before the job runs
    assert reservations_lapse(now=now) == 1
    assert reservations_lapse(now=now) == 0
    assert place(storefront, "O-3", [rice(1)], customer="C-1001").json()["points_spent"] == 0
    assert Reservation.objects.get(order="O-3").status == "released"


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_at_once_never_hold_the_same_points(program):
    member = new_member(program, "C-1")
    earn(member, 100, external_id="O-1", placed_at=T0)
    start = threading.Barrier(2)
    outcomes = []

    def reserve(order):
        try:
            start.wait()
            points_reserve(customer=member.customer, order=order, points=60, hold=timedelta(minutes=30))
            outcomes.append("held")
        except InsufficientPoints:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve, args=(f"O-{n}",)) for n in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["held", "refused"]
    assert Reservation.objects.filter(member=member, status="held").count() == 1

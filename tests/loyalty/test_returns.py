"""Returning some lines of an order takes back the points of what came back, once, under the program's policy."""

import pytest

from loyalty.models import LedgerEntry, Member, Reward
from loyalty.services.redemption import reward_redeem
from tests.loyalty.conftest import T0, days
from tests.loyalty.helpers import assert_ledger_consistent
from tests.promotions.conftest import create_promotion, hdmi, place, rice

pytestmark = pytest.mark.django_db


def _return(client, order, return_id, *lines):
    body = {"return_id": return_id, "lines": [{"line_no": n, "quantity": q} for n, q in lines]}
    return client.post(f"/api/v1/orders/{order}/returns", body, format="json")


def _balance(client):
    return client.get("/api/v1/loyalty/members/C-1001").json()["points_balance"]


def test_returning_some_lines_takes_back_their_points_once_and_a_cancel_only_the_rest(
    storefront, catalog, customer, program
):
    placed = place(storefront, "O-1", [rice(10), hdmi(2)], customer="C-1001", placed_at=T0.isoformat())
    assert placed.json()["points_earned"] == 190  # 1,000 taka of rice and 900 of cables

    first = _return(storefront, "O-1", "R-1", (1, 4))
    assert first.status_code == 201
    assert first.json()["points_reversed"] == 40
    assert first.json()["amount"] == "400.00"
    assert first.json()["lines"] == [{"line_no": 1, "sku": "RICE", "quantity": 4, "amount": "400.00"}]
    again = _return(storefront, "O-1", "R-1", (1, 4))
    assert (again.status_code, again.json()) == (200, first.json())
    assert _balance(storefront) == 150

    too_many = _return(storefront, "O-1", "R-2", (1, 7))
    assert too_many.status_code == 400
    assert "only 6 left to return" in str(too_many.json())
    assert _return(storefront, "O-1", "R-2", (9, 1)).status_code == 400
    assert _return(storefront, "O-404", "R-2", (1, 1)).status_code == 404
    assert _balance(storefront) == 150  # the refused returns wrote nothing

    assert _return(storefront, "O-1", "R-3", (2, 1), (1, 6)).json()["points_reversed"] == 105
    assert storefront.post("/api/v1/orders/O-1/cancel").json()["points_reversed"] == 45  # only the last cable
    assert _balance(storefront) == 0
    summary = storefront.get("/api/v1/loyalty/members/C-1001").json()
    assert (summary["lifetime_points"], summary["qualifying_points"]) == (0, 0)
    refused = _return(storefront, "O-1", "R-4", (2, 1))
    assert (refused.status_code, refused.json()["code"]) == (409, "order_cancelled")
    assert assert_ledger_consistent(Member.objects.get(customer=customer)) == 0


def test_a_return_of_spent_points_claws_back_then_goes_negative_down_to_the_limit(
    storefront, marketer, catalog, customer, program
):
    promotion = create_promotion(marketer, trigger="code", code="")
    reward = Reward.objects.create(program=program, name="250", promotion_id=promotion["id"], points_cost=250)
    place(storefront, "O-1", [rice(30)], customer="C-1001", placed_at=T0.isoformat())  # 300 points
    place(storefront, "O-2", [rice(5)], customer="C-1001", placed_at=(T0 + days(1)).isoformat())  # 50 points
    reward_redeem(customer=customer, reward=reward)  # 250 of O-1's 300: 50 left there, O-2's 50 untouched

    # 10 of O-1's 30 bags: 100 points; its own lot has 50 left, O-2's lot gives the other 50.
    assert _return(storefront, "O-1", "R-1", (1, 10)).json()["points_reversed"] == 100
    assert _balance(storefront) == 0
    # 10 more: nothing left to take, 100 becomes debt (the program's limit); 10 more are written off.
    assert _return(storefront, "O-1", "R-2", (1, 10)).json()["points_reversed"] == 100
    assert _return(storefront, "O-1", "R-3", (1, 10)).json()["points_reversed"] == 0
    assert _balance(storefront) == -100
    written_off = LedgerEntry.objects.filter(kind="reverse", written_off__gt=0).values_list("written_off", flat=True)
    assert list(written_off) == [100]
    summary = storefront.get("/api/v1/loyalty/members/C-1001").json()
    assert summary["qualifying_points"] == 50  # O-1 no longer counts, written off or not
    assert storefront.post("/api/v1/orders/O-1/cancel").json()["points_reversed"] == 0  # all of it came back
    assert assert_ledger_consistent(Member.objects.get(customer=customer)) == -100

"""Spending, expiry and returns on the ledger: FIFO by expiry, expiry of what is left, a return of spent points."""

import pytest
from django.utils import timezone

from loyalty.models import LedgerEntry, Lot, Member, Reward
from loyalty.services.adjustments import points_adjust, points_transfer
from loyalty.services.lots import lots_expire
from loyalty.services.redemption import redemption_reverse, reward_redeem
from tests.loyalty.conftest import T0, days, earn, new_member
from tests.loyalty.helpers import assert_ledger_consistent
from tests.promotions.conftest import create_promotion, evaluate, place, rice

pytestmark = pytest.mark.django_db


@pytest.fixture
def reward(marketer, program):
    promotion = create_promotion(marketer, name="Rice voucher", trigger="code", code="",
                                 reward={"type": "fixed_amount", "value": "50.00"})  # fmt: skip
    return Reward.objects.create(program=program, name="50 off", promotion_id=promotion["id"], points_cost=150)


def _remaining(member):
    return list(Lot.objects.filter(member=member).order_by("entry__occurred_at").values_list("remaining", "status"))


def test_spending_takes_the_soonest_to_expire_lots_first_and_expiry_takes_only_what_is_left(program, reward):
    member = new_member(program, "C-1")
    earn(member, 200, external_id="O-2", placed_at=T0 + days(10))
    earn(member, 100, external_id="O-1", placed_at=T0)  # earned later, expires first
    earn(member, 300, external_id="O-3", placed_at=T0 + days(20))
    reward_redeem(customer=member.customer, reward=reward)
    assert _remaining(member) == [(0, "active"), (150, "active"), (300, "active")]

    assert lots_expire(now=T0 + days(100)) == 1  # the spent lot needs no entry; the half-spent one gives 150
    assert lots_expire(now=T0 + days(100)) == 0  # twice is once
    assert _remaining(member) == [(0, "expired"), (0, "expired"), (300, "active")]
    expiry = LedgerEntry.objects.get(member=member, kind="expire")
    assert expiry.points == -150
    assert assert_ledger_consistent(member) == 300


def test_redeeming_issues_a_single_use_code_and_refuses_what_the_balance_cannot_pay(
    storefront, catalog, customer, program, reward
):
    place(storefront, "O-1", [rice(20)], customer="C-1001", placed_at=T0.isoformat())  # 200 points
    body = {"reward": reward.pk}
    redeemed = storefront.post("/api/v1/loyalty/members/C-1001/redemptions", body, format="json")
    assert redeemed.status_code == 201
    assert redeemed.json()["points_spent"] == 150 and redeemed.json()["points_balance"] == 50
    code = redeemed.json()["code"]
    assert evaluate(storefront, [rice(10)], codes=[code], customer="C-1001")["discount_total"] == "50.00"

    refused = storefront.post("/api/v1/loyalty/members/C-1001/redemptions", body, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "insufficient_points"
    assert refused.json()["message"] == "This needs 150 points and the balance is 50."
    redemptions = "/api/v1/loyalty/members/C-1001/redemptions"
    assert storefront.post(redemptions, {"reward": 999}, format="json").status_code == 404
    assert storefront.post(redemptions, {"reward": "x"}, format="json").status_code == 400
    catalog_answer = storefront.get("/api/v1/loyalty/rewards").json()
    assert [(r["name"], r["points_cost"], r["currency"]) for r in catalog_answer] == [("50 off", 150, "BDT")]
    assert Member.objects.get(customer=customer).entries.filter(kind="redeem").count() == 1


def test_a_return_of_spent_points_claws_back_then_goes_negative_down_to_the_limit(
    storefront, catalog, customer, program, reward
):
    place(storefront, "O-1", [rice(10)], customer="C-1001", placed_at=T0.isoformat())  # 100 points, expire first
    place(storefront, "O-2", [rice(30)], customer="C-1001", placed_at=(T0 + days(5)).isoformat())  # 300 points
    member = Member.objects.get(customer=customer)
    reward_redeem(customer=customer, reward=reward)  # 100 from O-1's lot, 50 from O-2's
    reward_redeem(customer=customer, reward=reward)  # 150 more from O-2's: 100 left

    first = storefront.post("/api/v1/orders/O-1/cancel").json()
    assert first["points_reversed"] == 100  # O-1's lot is empty: taken back from O-2's
    assert storefront.post("/api/v1/orders/O-1/cancel").json()["points_reversed"] == 100  # once
    assert storefront.get("/api/v1/loyalty/members/C-1001").json()["points_balance"] == 0

    second = storefront.post("/api/v1/orders/O-2/cancel").json()
    # Nothing left to take: 100 becomes debt (the program's limit), 200 are written off.
    assert second["points_reversed"] == 100
    summary = storefront.get("/api/v1/loyalty/members/C-1001").json()
    assert (summary["points_balance"], summary["lifetime_points"], summary["qualifying_points"]) == (-100, 0, 0)
    last_reversal = member.entries.get(rule="reverse", debt_change=100)
    assert (last_reversal.points, last_reversal.written_off) == (-100, 200)

    place(storefront, "O-3", [rice(12)], customer="C-1001", placed_at=T0.isoformat())  # 120 points pay the debt
    assert storefront.get("/api/v1/loyalty/members/C-1001").json()["points_balance"] == 20
    assert assert_ledger_consistent(member) == 20


def test_a_reward_given_back_restores_exactly_the_lots_it_took_from(program, reward):
    member = new_member(program, "C-1")
    earn(member, 100, external_id="O-1", placed_at=T0)
    earn(member, 100, external_id="O-2", placed_at=T0 + days(1))
    issue, _ = reward_redeem(customer=member.customer, reward=reward)
    earn(member, 100, external_id="O-3", placed_at=T0 - days(1))  # now the soonest to expire
    redemption_reverse(issue=issue)
    assert sorted(Lot.objects.filter(member=member).values_list("remaining", flat=True)) == [100, 100, 100]
    assert assert_ledger_consistent(member) == 300


def test_adjustments_need_a_reason_and_transfers_keep_expiry_dates(program, admin_user):
    from django.core.exceptions import ValidationError

    sender, receiver = new_member(program, "C-1"), new_member(program, "C-2")
    with pytest.raises(ValidationError):
        points_adjust(member=sender, points=50, reason=" ")
    entry = points_adjust(member=sender, points=50, reason="Goodwill for a late delivery", created_by=admin_user)
    assert (entry.points, entry.created_by, entry.reason) == (50, admin_user, "Goodwill for a late delivery")
    points_transfer(sender=sender, receiver=receiver, points=30)
    expiries = set(Lot.objects.filter(member__in=[sender, receiver]).values_list("expires_at", flat=True))
    assert len(expiries) == 1 and next(iter(expiries)) > timezone.now()
    assert (assert_ledger_consistent(sender), assert_ledger_consistent(receiver)) == (20, 30)

"""Tier reviews under each downgrade policy, with and without grace, on a frozen clock (every job takes `now`);
spend and membership-year programs; the notices journeys send."""

from datetime import UTC, datetime

import pytest

from audiences.models import Event, Order
from audiences.services.returns import ReturnLineInput, order_lines_return
from loyalty.models import Member, Program
from loyalty.selectors import qualifying_points
from loyalty.services.tiers import loyalty_notices_record, tiers_review
from tests.loyalty.conftest import T0, days, earn, new_member

pytestmark = pytest.mark.django_db
REVIEW = T0 + days(365)  # the frozen review date of every member here
NEXT_REVIEW = datetime(2028, 11, 1, 9, tzinfo=UTC)  # a calendar year later


def _gold_member(program, external_id, *, kept_points: int) -> Member:
    """Gold through 6,000 points earned before this review's year, and `kept_points` within it."""
    member = new_member(program, external_id)
    earn(member, 6_000, external_id=f"{external_id}-old", placed_at=T0 - days(10))
    if kept_points:
        earn(member, kept_points, external_id=f"{external_id}-new", placed_at=T0 + days(5))
    Member.objects.filter(pk=member.pk).update(tier_review_at=REVIEW)
    member.refresh_from_db()
    assert member.tier.name == "gold"  # upgraded at once
    return member


def _tier(member) -> str | None:
    member.refresh_from_db()
    return member.tier.name if member.tier else None


def _policy(program, policy, grace=0):
    program.downgrade_policy, program.downgrade_grace_days = policy, grace
    program.save()


def test_a_member_who_still_reaches_the_tier_keeps_it_and_is_reviewed_a_year_later(program):
    _policy(program, "by_balance")
    member = _gold_member(program, "C-1", kept_points=5_000)
    assert tiers_review(now=REVIEW) == 0
    member.refresh_from_db()
    assert (member.tier.name, member.tier_review_at) == ("gold", NEXT_REVIEW)
    assert tiers_review(now=REVIEW) == 0  # not due again


@pytest.mark.parametrize(
    ("policy", "kept_points", "tier"),
    [
        ("none", 0, "gold"),
        ("one_level", 0, "silver"),  # one level down at most, even with nothing earned
        ("by_balance", 1_200, "silver"),
        ("by_balance", 0, None),
    ],
)
def test_downgrade_policies(program, policy, kept_points, tier):
    _policy(program, policy)
    member = _gold_member(program, "C-1", kept_points=kept_points)
    tiers_review(now=REVIEW - days(1))
    assert _tier(member) == "gold"  # not due yet
    tiers_review(now=REVIEW)
    assert _tier(member) == tier
    tiers_review(now=REVIEW)  # twice is once
    assert _tier(member) == tier


@pytest.mark.parametrize("policy", ["one_level", "by_balance"])
def test_a_grace_period_keeps_the_tier_and_earning_it_back_within_it_keeps_it_for_good(program, policy):
    _policy(program, policy, grace=30)
    lapsing, returning = _gold_member(program, "C-1", kept_points=0), _gold_member(program, "C-2", kept_points=0)
    tiers_review(now=REVIEW)
    assert (_tier(lapsing), _tier(returning)) == ("gold", "gold")
    assert lapsing.tier_grace_until == REVIEW + days(30)
    earn(returning, 5_000, external_id="C-2-back", placed_at=REVIEW + days(10))
    tiers_review(now=REVIEW + days(29))
    assert (_tier(lapsing), _tier(returning)) == ("gold", "gold")
    tiers_review(now=REVIEW + days(30))
    assert (_tier(lapsing), _tier(returning)) == ("silver" if policy == "one_level" else None, "gold")
    returning.refresh_from_db()
    assert (returning.tier_grace_until, returning.tier_review_at) == (None, NEXT_REVIEW)


def test_spend_over_the_membership_year_counts_what_was_paid_less_returns(program):
    program.tier_basis, program.tier_period = Program.TierBasis.SPEND, Program.TierPeriod.MEMBERSHIP_YEAR
    program.save()
    member = new_member(program, "C-1")
    Member.objects.filter(pk=member.pk).update(joined_at=T0 - days(30))
    member.refresh_from_db()
    earn(member, 40, external_id="O-1", placed_at=T0 - days(40), quantity=2)  # before the membership year: 800
    earn(member, 30, external_id="O-2", placed_at=T0 - days(20), quantity=2)  # 600 taka this membership year
    order_lines_return(order=Order.objects.get(external_id="O-2"), return_id="R-1", lines=[ReturnLineInput(1, 1)])
    assert qualifying_points(member=member, now=T0) == 300  # paid less returned, in taka
    assert qualifying_points(member=member, now=T0 + days(340)) == 0  # a new membership year began at T0 + 335


def test_notices_are_recorded_once_30_days_before_a_downgrade_and_30_and_7_days_before_points_expire(program):
    _policy(program, "by_balance")
    member = _gold_member(program, "C-1", kept_points=0)
    assert loyalty_notices_record(now=REVIEW - days(31)) == 0
    assert loyalty_notices_record(now=REVIEW - days(30)) == 1
    assert loyalty_notices_record(now=REVIEW - days(20)) == 0  # once
    notice = Event.objects.get(type="tier_will_downgrade")
    assert notice.properties == {"program": "Club BD", "tier": "gold", "review_on": "2027-11-01",
                                 "qualifying": 0, "needed": 5000}  # fmt: skip

    Event.objects.all().delete()
    expires = T0 + days(5) + days(90)  # the kept lot of a member who earned at T0 + 5 days (90-day expiry)
    keeper = new_member(program, "C-2")
    earn(keeper, 100, external_id="O-K", placed_at=T0 + days(5))
    expiring = Event.objects.filter(type="points_expiring", customer=keeper.customer).order_by("id")
    for moment, recorded in ((expires - days(31), 0), (expires - days(30), 1), (expires - days(20), 1),
                             (expires - days(7), 2), (expires - days(3), 2)):  # fmt: skip
        loyalty_notices_record(now=moment)
        assert expiring.count() == recorded
    assert [(e.properties["days_before"], e.properties["points"]) for e in expiring] == [(30, 100), (7, 100)]
    assert member.customer_id not in {e.customer_id for e in expiring}

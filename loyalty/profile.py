"""Loyalty's section of the customer profile: the member summary, null while they are not a member."""

from rest_framework import serializers

from loyalty import selectors

MEMBER_SUMMARY_FIELD = serializers.JSONField(
    allow_null=True,
    help_text="The customer's loyalty membership (as GET /loyalty/members/{customer}); null while "
    "they are not a member.",
)
MEMBER_SUMMARY_EXAMPLE = {
    "program": "Club BD",
    "currency": "BDT",
    "points_balance": 1250,
    "points_reserved": 0,
    "pending_points": 540,
    "tier": "silver",
    "next_tier": "gold",
    "points_to_next_tier": 3210,
    "qualifying_points": 1790,
    "lifetime_points": 2340,
    "expiring": [{"points": 300, "expires_on": "2026-12-31"}],
}


def member_summary(customer) -> dict | None:
    member = selectors.member_of(customer=customer)
    return None if member is None else selectors.member_summary(member=member)

"""Loyalty's section of a customer's data: memberships, the points ledger and its lots, rewards (their codes),
reservations and referrals. The ledger is a record of points and names no one once the customer is erased,
so erasure leaves it: balances, tiers and the drift check stay true. A referee's phone and email are kept
only as HMACs already (loyalty/services/referrals.py)."""

from audiences.data_subjects.registry import DataSection, register_data_section
from loyalty.models import LedgerEntry, Lot, Member, Referral, Reservation, RewardIssue


def _loyalty(customer) -> list[dict]:
    members = []
    for member in Member.objects.filter(customer=customer).select_related("program", "tier").order_by("id"):
        members.append(
            {
                "program": member.program.name,
                "tier": member.tier.name if member.tier_id else None,
                "joined_at": member.joined_at,
                "debt": member.debt,
                "ledger": list(
                    LedgerEntry.objects.filter(member=member)
                    .order_by("occurred_at", "id")
                    .values("kind", "points", "source_type", "source_id", "rule", "reason", "occurred_at")
                ),
                "lots": list(
                    Lot.objects.filter(member=member)
                    .order_by("created_at", "id")
                    .values("amount", "remaining", "status", "activates_at", "expires_at", "created_at")
                ),
                "rewards": list(
                    RewardIssue.objects.filter(entry__member=member)
                    .order_by("id")
                    .values("reward__name", "code__code", "entry__occurred_at")
                ),
                "reservations": list(
                    Reservation.objects.filter(member=member)
                    .order_by("created_at", "id")
                    .values("order", "points", "status", "expires_at", "created_at")
                ),
                "referrals_made": list(
                    Referral.objects.filter(referrer=member).order_by("id").values("order__external_id", "status")
                ),
            }
        )
    return members


def _loyalty_size(customer) -> int:
    return LedgerEntry.objects.filter(member__customer=customer).count()


def register_loyalty_data_sections() -> None:
    register_data_section(DataSection("loyalty", "Loyalty points", _loyalty, size=_loyalty_size, position=80))

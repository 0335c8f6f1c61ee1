"""Reads: members, balances derived from lots, the summary the API and the profile show, the catalog."""

from datetime import datetime, timedelta

from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Floor
from django.utils import timezone

from audiences.models import MONEY, Customer, Order, OrderLine, OrderReturnLine
from loyalty.models import LedgerEntry, Lot, Member, Program, Reservation, Reward, Tier
from loyalty.tiers import period_start

MONEY_FIELD = DecimalField(**MONEY)
EXPIRING_WINDOW = timedelta(days=90)
HELD_SOON = Q(status__in=[Lot.Status.PENDING, Lot.Status.ACTIVE], remaining__gt=0, expires_at__isnull=False)
# What counts toward a tier: points earned on orders, less what cancels and returns took back (written-off
# points too); an order's first-order bonus is not earned on it.
QUALIFYING = Q(source_type="order") & (Q(rule="earn") | Q(kind=LedgerEntry.Kind.REVERSE))


def member_of(*, customer: Customer) -> Member | None:
    """The customer's membership: in the program of their currency, else their first."""
    members = Member.objects.filter(customer=customer).select_related("program", "tier")
    return next((m for m in members if m.program.currency == customer.currency), None) or members.order_by("id").first()


def member_by_external_id(*, external_id: str) -> Member | None:
    customer = Customer.objects.filter(external_id=external_id).first()
    return None if customer is None else member_of(customer=customer)


def with_qualifying(members, *, program: Program, since, until):
    """`members` annotated with `qualifying`: what counts toward the program's tiers between `since` and
    `until` (expressions over the member row, or values): qualifying points, or spend (the net paid amount of
    the member's placed orders in the program's currency, less what was returned), in one query."""
    members = members.annotate(window_since=since, window_until=until)
    if program.tier_basis == Program.TierBasis.SPEND:
        lines = OrderLine.objects.filter(
            customer=OuterRef("customer_id"), order_status=Order.Status.PLACED, order__currency=program.currency,
            placed_at__gt=OuterRef("window_since"), placed_at__lte=OuterRef("window_until"),
        )  # fmt: skip
        returned = OrderReturnLine.objects.filter(
            line__customer=OuterRef("customer_id"), line__order_status=Order.Status.PLACED,
            line__order__currency=program.currency, line__placed_at__gt=OuterRef("window_since"),
            line__placed_at__lte=OuterRef("window_until"),
        )  # fmt: skip
        spent = _sum(lines, "customer", Sum("total"), MONEY_FIELD) - _sum(
            returned, "line__customer", Sum("amount"), MONEY_FIELD
        )
        return members.annotate(qualifying=Cast(Floor(spent), IntegerField()))
    entries = LedgerEntry.objects.filter(
        QUALIFYING, member=OuterRef("pk"), occurred_at__gt=OuterRef("window_since"),
        occurred_at__lte=OuterRef("window_until"),
    )  # fmt: skip
    return members.annotate(qualifying=_sum(entries, "member", Sum(F("points") - F("written_off")), IntegerField()))


def _sum(queryset, group: str, total, output_field):
    per_member = queryset.order_by().values(group).annotate(total=total).values("total")[:1]
    return Coalesce(Subquery(per_member, output_field=output_field), Value(0), output_field=output_field)


def qualifying_points(*, member: Member, now: datetime) -> int:
    """What counts toward the member's tier in the period running now (rolling 12 months or membership year)."""
    return _qualifying(member, now).values_list("qualifying", flat=True).first() or 0


def tier_reached(*, member: Member, now: datetime) -> Tier | None:
    """The highest tier of the member's program that what counts toward it now reaches (one query)."""
    qualifying = Subquery(_qualifying(member, now).values("qualifying")[:1])
    tiers = Tier.objects.filter(program_id=member.program_id, threshold__lte=Coalesce(qualifying, Value(0)))
    return tiers.order_by("-threshold").first()


def _qualifying(member: Member, now: datetime):
    program = member.program
    since = period_start(program.tier_period, member.joined_at, now)
    return with_qualifying(Member.objects.filter(pk=member.pk), program=program, since=Value(since), until=Value(now))


def with_points_balance(members, *, now: datetime):
    """`members` annotated with `points_balance` as `member_summary` counts it (active lots, less debt and the
    points held for checkouts), in the same query: a list of members reads it without a query per row."""
    active = Lot.objects.filter(member=OuterRef("pk"), status=Lot.Status.ACTIVE)
    held = Reservation.objects.filter(member=OuterRef("pk"), status=Reservation.Status.HELD, expires_at__gt=now)
    return members.annotate(
        points_balance=_sum(active, "member", Sum("remaining"), IntegerField())
        - F("debt")
        - _sum(held, "member", Sum("points"), IntegerField())
    )


def lot_points(*, member: Member, status: str) -> int:
    return Lot.objects.filter(member=member, status=status).aggregate(total=Sum("remaining"))["total"] or 0


def member_summary(*, member: Member, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    active = lot_points(member=member, status=Lot.Status.ACTIVE)
    qualifying = qualifying_points(member=member, now=now)
    next_tier = (
        Tier.objects.filter(program_id=member.program_id, threshold__gt=member.tier.threshold if member.tier else -1)
        .order_by("threshold")
        .first()
    )
    lifetime = LedgerEntry.objects.filter(member=member, kind__in=[LedgerEntry.Kind.EARN, LedgerEntry.Kind.REVERSE])
    expiring: dict[str, int] = {}
    soon = Lot.objects.filter(HELD_SOON, member=member, expires_at__lte=now + EXPIRING_WINDOW).order_by("expires_at")
    for expires_at, points in soon.values_list("expires_at", "remaining"):
        # The last day the points can be spent (a lot expires at the first instant after it).
        last_day = (expires_at - timedelta(microseconds=1)).date().isoformat()
        expiring[last_day] = expiring.get(last_day, 0) + points
    held = Reservation.objects.filter(member=member, status=Reservation.Status.HELD, expires_at__gt=now)
    reserved = held.aggregate(total=Sum("points"))["total"] or 0
    return {
        "program": member.program.name,
        "currency": member.program.currency,
        "points_balance": active - member.debt - reserved,
        "points_reserved": reserved,
        "pending_points": lot_points(member=member, status=Lot.Status.PENDING),
        "tier": member.tier.name if member.tier else None,
        "next_tier": next_tier.name if next_tier else None,
        "points_to_next_tier": max(0, next_tier.threshold - qualifying) if next_tier else None,
        "qualifying_points": qualifying,
        "lifetime_points": lifetime.aggregate(total=Sum(F("points") - F("written_off")))["total"] or 0,
        "expiring": [{"points": points, "expires_on": day} for day, points in expiring.items()],
    }


def member_ledger(*, member: Member):
    return LedgerEntry.objects.filter(member=member).prefetch_related("allocations")


def reward_catalog():
    return Reward.objects.filter(active=True, program__active=True).select_related("program", "promotion")


def reward_get(*, reward_id) -> Reward | None:
    return reward_catalog().filter(pk=reward_id).first()


def customer_tier_name(*, customer_id: int) -> str | None:
    """The customer's highest tier across programs (what a `loyalty_tiers` condition checks)."""
    member = (
        Member.objects.filter(customer_id=customer_id, tier__isnull=False)
        .select_related("tier")
        .order_by("-tier__threshold")
        .first()
    )
    return member.tier.name if member else None


def members_per_tier() -> list[tuple[str, str, int]]:
    """(program, tier or "", members) for every tier of every active program, lowest tier first, members without
    a tier first of all; for the Reports page's loyalty tiers chart."""
    counts = {
        (row["program_id"], row["tier_id"]): row["n"]
        for row in Member.objects.values("program_id", "tier_id").annotate(n=Count("pk")).order_by()
    }
    rows = []
    for program in Program.objects.filter(active=True).order_by("name").prefetch_related("tiers"):
        rows.append((program.name, "", counts.get((program.pk, None), 0)))
        for tier in sorted(program.tiers.all(), key=lambda t: t.threshold):
            rows.append((program.name, tier.name, counts.get((program.pk, tier.pk), 0)))
    return rows


def reservation_get(*, customer: Customer, order: str) -> Reservation | None:
    return Reservation.objects.filter(member__customer=customer, order=order).first()

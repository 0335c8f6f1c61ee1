"""Loyalty's fields of the segment rule language (`audiences.segments.fields`), registered in LoyaltyConfig.ready:
`loyalty_tier` (the name of a tier the customer holds in any program) and `loyalty_points` (the spendable
balance of their membership: active points less debt). A customer who is no member has neither: only
`exists: false` (or `ne` / `not_in` on the tier) matches them. Balances change without telling segments, so
live rechecks do not follow them; the nightly refresh does."""

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from audiences.segments.fields import COMPARISON, Condition, SegmentField, register_segment_field
from loyalty.models import Lot, Member

_TIER_OPS = ("eq", "ne", "in", "not_in", "exists")
_POINTS_LOOKUPS = {"eq": "exact", "ne": "exact", "in": "in", "not_in": "in", "gt": "gt", "gte": "gte", "lt": "lt",
                   "lte": "lte"}  # fmt: skip


def _tier(condition: Condition, value) -> Q:
    members = Member.objects.filter(customer=OuterRef("pk"))
    if condition.op == "exists":
        held = Exists(members.filter(tier__isnull=False))
        return Q(held) if value else ~Q(held)
    names = value if isinstance(value, list) else [value]
    held = Exists(members.filter(tier__name__in=names))
    return ~Q(held) if condition.op in ("ne", "not_in") else Q(held)


def _points(condition: Condition, value) -> Q:
    members = Member.objects.all()
    if condition.op == "exists":
        held = Exists(members.filter(customer=OuterRef("pk")))
        return Q(held) if value else ~Q(held)
    active = (
        Lot.objects.filter(member=OuterRef("pk"), status=Lot.Status.ACTIVE)
        .values("member")
        .annotate(total=Sum("remaining"))
        .values("total")
    )
    balances = members.annotate(balance=Coalesce(Subquery(active, output_field=IntegerField()), Value(0)) - F("debt"))
    if condition.op == "between":
        matching = balances.filter(balance__gte=value[0], balance__lte=value[1])
    else:
        matching = balances.filter(**{f"balance__{_POINTS_LOOKUPS[condition.op]}": value})
    within = Q(pk__in=matching.values("customer_id"))
    return ~within & Q(Exists(members.filter(customer=OuterRef("pk")))) if condition.op in ("ne", "not_in") else within


def register_loyalty_segment_fields() -> None:
    register_segment_field(
        SegmentField(
            name="loyalty_tier", label="Loyalty tier", kind="text", ops=_TIER_OPS, compile=_tier,
            description="A loyalty tier the customer holds (its name, e.g. gold), in any program.",
        )
    )  # fmt: skip
    register_segment_field(
        SegmentField(
            name="loyalty_points", label="Loyalty points", kind="integer", ops=COMPARISON, compile=_points,
            description="The loyalty member's spendable points (active points less any debt); members only.",
        )
    )  # fmt: skip

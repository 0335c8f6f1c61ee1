"""Earning: points for an order (the order hook), bonus events, and the tier they may lift the member to."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from audiences.models import Customer, Order, OrderLine
from audiences.pricing_inputs import customers_changed
from audiences.services.events import EventInput, events_record
from audiences.services.orders import WRITTEN_LINES
from loyalty.earning import EarnLine, EarnPolicy, expiry_of, line_values, order_points, pending_days_for
from loyalty.models import BonusEvent, EarningRule, LedgerEntry, Member, Program, Tier
from loyalty.selectors import tier_reached
from loyalty.services.ledger import debt_settle, entry_find, entry_record, lot_grant, member_lock
from loyalty.tiers import first_review

ORDER = "order"


def member_enrol(*, customer: Customer, program: Program) -> Member:
    member, _ = Member.objects.get_or_create(customer=customer, program=program)
    return member


def order_points_earn(*, order: Order, recorded_now: bool = False, tier_check: bool = True) -> dict:
    """The points an order earns, recorded in its transaction; a customer earning the first time joins.
    `recorded_now`: the order was recorded in this transaction, so nothing can have earned on it yet.
    `tier_check=False`: a caller earning many orders at once calls `tier_upgrade` once per member after."""
    if order.customer_id is None:
        return {"points_earned": 0}
    member = member_lock_in_program(customer=order.customer, currency=order.currency)
    if member is None:
        return {"points_earned": 0}
    if not recorded_now:
        earned = entry_find(ORDER, order.pk, "earn")
        if earned is not None:
            return {"points_earned": earned.points}
    program = member.program
    points = order_points(_earn_lines(_with_earn_lines(order)), _policy(program, order, member))
    if points == 0:
        return {"points_earned": 0}
    days = pending_days_for(
        order.store.code if order.store_id else None,
        order.channel,
        program.pending_days_by_store,
        program.pending_days_by_channel,
        program.pending_days,
    )
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.EARN, source_type=ORDER, source_id=order.pk, rule="earn",
        occurred_at=order.placed_at, points=points,
    )  # fmt: skip
    _grant(entry, member, program, points, earned_at=order.placed_at, pending_days=days, qualifying=True, counted=True)
    if tier_check:
        tier_upgrade(member=member, reached_at=order.placed_at)
    return {"points_earned": points}


def member_lock_in_program(*, customer: Customer, currency: str) -> Member | None:
    """The customer's membership of the active program in `currency`, locked, with its program and tier (one
    query when they are a member); they join when not; None when no active program earns in that currency."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("program", "tier")
        .filter(customer_id=customer.pk, program__currency=currency, program__active=True)
        .first()
    )
    if member is not None:
        return member
    program = Program.objects.filter(currency=currency, active=True).first()
    if program is None:
        return None
    member = member_lock(member_enrol(customer=customer, program=program).pk)
    member.program = program
    return member


@transaction.atomic
def bonus_award(
    *, customer: Customer, event_type: str, source_type: str, source_id, occurred_at: datetime | None = None
) -> int:
    """A bonus event's points, once per source (an event, an order): returns the points awarded."""
    occurred_at = occurred_at or timezone.now()
    awarded = 0
    for bonus in BonusEvent.objects.filter(event_type=event_type, active=True, program__active=True).select_related(
        "program"
    ):
        member = member_lock(member_enrol(customer=customer, program=bonus.program).pk)
        rule = f"bonus:{bonus.pk}"
        if entry_find(source_type, source_id, rule) is not None:
            continue
        entry = entry_record(
            member=member, kind=LedgerEntry.Kind.EARN, source_type=source_type, source_id=source_id, rule=rule,
            occurred_at=occurred_at, reason=f"Bonus for {event_type}",
        )  # fmt: skip
        _grant(entry, member, bonus.program, bonus.points, earned_at=occurred_at, pending_days=0, qualifying=False)
        awarded += bonus.points
    return awarded


def tier_upgrade(*, member: Member, now: datetime | None = None, reached_at: datetime | None = None) -> Tier | None:
    """Lift the member at once to the highest tier what counts toward it reaches; never lowers it. A tier
    reached is reviewed a year later (or at the end of the membership year), and ends any grace period.
    `reached_at`: when the event says it was reached (the order's time when an order earned it; else now)."""
    now = now or timezone.now()
    reached = tier_reached(member=member, now=now)
    if reached is not None and (member.tier is None or reached.threshold > member.tier.threshold):
        member.tier = reached
        member.tier_review_at = first_review(member.program.tier_period, member.joined_at, now)
        member.tier_grace_until = None
        Member.objects.filter(pk=member.pk).update(
            tier=reached, tier_review_at=member.tier_review_at, tier_grace_until=None
        )
        customers_changed(customer_ids=[member.customer_id])  # the tier is a pricing fact (loyalty.eligibility)
        # An audiences event, so journeys (a VIP welcome) and segments can react to the new tier.
        events_record(
            events=[
                EventInput(
                    customer=member.customer,
                    type="loyalty_tier_reached",
                    occurred_at=reached_at or now,
                    properties={"program": member.program_id, "tier": reached.name},
                    idempotency_key=f"loyalty:tier:{member.pk}:{reached.pk}",
                )
            ]
        )
    return member.tier


def _grant(entry, member, program, points, *, earned_at, pending_days, qualifying, counted=False) -> None:
    now = timezone.now()
    lot = lot_grant(
        entry,
        points,
        activates_at=earned_at + timedelta(days=pending_days),
        expires_at=expiry_of(earned_at, program.expiry, program.expiry_n),
        qualifying=qualifying,
        now=now,
        counted=counted,
    )
    debt_settle(entry, member, lot)


def order_line_values(*, order: Order, member: Member) -> dict[int, tuple[Decimal, int]]:
    """Per line number: what the line earns on before the rate (`line_values`) and the quantity bought."""
    lines = _with_earn_lines(order)
    values = line_values(_earn_lines(lines), _policy(member.program, order, member))
    return {line.line_no: (value, line.quantity) for line, value in zip(lines, values, strict=True)}


def _with_earn_lines(order: Order) -> list[OrderLine]:
    """The order's lines in line order with what earning reads of them; an order `order_create` just recorded
    has them already (no query). A Prefetch each time: prefetching marks its queryset."""
    lines = OrderLine.objects.select_related("category", "product__category").order_by("line_no")
    prefetch_related_objects([order], Prefetch("lines", queryset=lines, to_attr=WRITTEN_LINES))
    return getattr(order, WRITTEN_LINES)


def _earn_lines(lines) -> list[EarnLine]:
    earn_lines = []
    for line in lines:
        category = line.category or (line.product.category if line.product else None)
        categories = tuple(category.lineage) if category else ()
        earn_lines.append(EarnLine(sku=line.sku, net=line.total, categories=categories))
    return earn_lines


def _policy(program: Program, order: Order, member: Member) -> EarnPolicy:
    rules = list(EarningRule.objects.filter(program=program, active=True).select_related("category"))
    category_multipliers = {}
    for rule in rules:
        if rule.category_id:
            code = rule.category.code
            category_multipliers[code] = max(rule.multiplier, category_multipliers.get(code, rule.multiplier))
    store = max((r.multiplier for r in rules if r.store_id and r.store_id == order.store_id), default=1)
    tier = max((r.multiplier for r in rules if r.tier_id and r.tier_id == member.tier_id), default=1)
    return EarnPolicy(
        points_per_unit=program.points_per_unit,
        rounding=program.rounding,
        excluded_skus=frozenset(program.excluded_skus),
        excluded_categories=frozenset(program.excluded_categories),
        category_multipliers=category_multipliers,
        order_multiplier=store * tier,
    )

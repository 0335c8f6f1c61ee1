"""Earning: points for an order (the order hook), bonus events, and the tier they may lift the member to."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils import timezone

from audiences.models import Customer, Order, OrderLine
from audiences.pricing_inputs import customers_changed
from audiences.services.events import EventInput, events_record
from audiences.services.orders import WRITTEN_LINES
from loyalty.earning import EarnLine, EarnPolicy, expiry_of, line_values, order_points, pending_days_for
from loyalty.models import (
    Allocation,
    BonusEvent,
    LedgerEntry,
    Lot,
    Member,
    Program,
    Reservation,
    RulesVersion,
    Tier,
)
from loyalty.program_rules import ProgramRules, program_rules, program_rules_load
from loyalty.selectors import tier_reached
from loyalty.services.ledger import debt_settle, entry_find, entry_record, lot_grant, member_lock
from loyalty.tiers import first_review

ORDER = "order"
_MEMBER, _PROGRAM, _RESERVATION, _VERSION, _ENTRY, _LOT, _ALLOCATION = (
    model._meta.db_table for model in (Member, Program, Reservation, RulesVersion, LedgerEntry, Lot, Allocation)
)
# The customer's membership of the active program in a currency, locked, with the rules' version token and
# whether a reservation of theirs is held for the order (parameters: customer, order's external id, customer,
# currency). SQLite locks the whole database on a write: no FOR UPDATE there (`_locking`).
_ORDER_MEMBER_LOCKED = f"""
SELECT m.*, (SELECT token FROM {_VERSION} WHERE id = 1) AS rules_token,
  EXISTS (SELECT 1 FROM {_RESERVATION} r INNER JOIN {_MEMBER} h ON h.id = r.member_id
          WHERE h.customer_id = %s AND r."order" = %s AND r.status = 'held') AS hold_awaits
FROM {_MEMBER} m INNER JOIN {_PROGRAM} p ON p.id = m.program_id
WHERE m.customer_id = %s AND p.currency = %s AND p.active
"""  # noqa: S608 (table names from the models)
# A customer joins the active program in a currency, unless they are a member (or no program earns in it).
_MEMBER_JOIN = f"""
INSERT INTO {_MEMBER} (customer_id, program_id, debt, order_points_earned, joined_at)
SELECT %s, id, 0, 0, %s FROM {_PROGRAM} WHERE currency = %s AND active
ON CONFLICT (customer_id, program_id) DO NOTHING
"""  # noqa: S608
# An order's earn entry with its lot and allocation, and the member's order_points_earned, in one statement.
_ORDER_EARN = f"""
WITH entry AS (
  INSERT INTO {_ENTRY} (member_id, kind, points, source_type, source_id, rule, reason, debt_change, written_off,
                        created_by_id, occurred_at)
  VALUES (%(member)s, 'earn', %(points)s, 'order', %(order)s, 'earn', '', 0, 0, NULL, %(occurred_at)s)
  RETURNING id
), lot AS (
  INSERT INTO {_LOT} (member_id, entry_id, amount, remaining, status, qualifying, activates_at, expires_at,
                      created_at)
  SELECT %(member)s, id, %(points)s, %(points)s, %(status)s, true, %(activates_at)s, %(expires_at)s, %(now)s
  FROM entry RETURNING id, entry_id
), allocation AS (
  INSERT INTO {_ALLOCATION} (entry_id, lot_id, points) SELECT entry_id, id, %(points)s FROM lot
)
UPDATE {_MEMBER} SET order_points_earned = order_points_earned + %(points)s WHERE id = %(member)s
"""  # noqa: S608


def member_enrol(*, customer: Customer, program: Program) -> Member:
    member, _ = Member.objects.get_or_create(customer=customer, program=program)
    return member


@dataclass(frozen=True)
class OrderMember:
    member: Member  # locked, with its program, tier and customer at hand
    rules: ProgramRules
    hold_awaits: bool  # a checkout's reservation may wait for the order: `reservation_commit` looks


def order_points_earn(*, order: Order, recorded_now: bool = False, tier_check: bool = True) -> dict:
    """The points an order earns, recorded in its transaction; a customer earning the first time joins.
    `recorded_now`: the order was recorded in this transaction, so nothing can have earned on it yet.
    `tier_check=False`: a caller earning many orders at once calls `tier_upgrade` once per member after."""
    held = order_member_lock(order=order)
    if held is None:
        return {"points_earned": 0}
    return order_points_earn_locked(order=order, held=held, recorded_now=recorded_now, tier_check=tier_check)


def order_member_lock(*, order: Order) -> OrderMember | None:
    """The order's customer's membership of the active program in the order's currency, locked, with the
    program's rules and whether a reservation may await the order: one query for a member (the rules from the
    process's copy); a customer who is not one joins (two more). None without a customer or such a program."""
    if order.customer_id is None:
        return None
    member = _order_member_locked(order)
    if member is None:  # the customer joins the program (or not: none earns in the order's currency)
        with connection.cursor() as cursor:
            cursor.execute(_MEMBER_JOIN, [order.customer_id, timezone.now(), order.currency])
        member = _order_member_locked(order)
        if member is None:
            return None
    rules = program_rules(currency=order.currency, token=member.rules_token)
    if rules is None or rules.program.pk != member.program_id:  # the copy is of rules changed meanwhile
        rules = program_rules(currency=order.currency, token=None)
        if rules is None:
            return None
    hold_awaits = bool(member.hold_awaits)
    member.program, member.tier, member.customer = rules.program, rules.tier(member.tier_id), order.customer
    return OrderMember(member=member, rules=rules, hold_awaits=hold_awaits)


def _order_member_locked(order: Order) -> Member | None:
    params = [order.customer_id, order.external_id, order.customer_id, order.currency]
    locking = " FOR UPDATE OF m" if connection.features.has_select_for_update_of else ""
    return next(iter(Member.objects.raw(_ORDER_MEMBER_LOCKED + locking, params)), None)


def order_points_earn_locked(*, order: Order, held: OrderMember, recorded_now: bool, tier_check: bool = True) -> dict:
    """`order_points_earn` for a member `order_member_lock` locked."""
    member, rules = held.member, held.rules
    if not recorded_now:
        earned = entry_find(ORDER, order.pk, "earn")
        if earned is not None:
            return {"points_earned": earned.points}
    points = order_points(_earn_lines(_with_earn_lines(order)), _policy(rules, order, member))
    if points == 0:
        return {"points_earned": 0}
    program = rules.program
    days = pending_days_for(
        order.store.code if order.store_id else None,
        order.channel,
        program.pending_days_by_store,
        program.pending_days_by_channel,
        program.pending_days,
    )
    _order_earn_record(order, member, program, points, pending_days=days)
    if tier_check and _tier_within_reach(member, rules):
        tier_upgrade(member=member, reached_at=order.placed_at)
    return {"points_earned": points}


def _tier_within_reach(member: Member, rules: ProgramRules) -> bool:
    """Whether the member's next tier may be reached now. Qualifying points never exceed every point the member's
    orders earned (reversals only take away), so below that the tier query is spared."""
    next_tier = rules.next_tier(member.tier)
    if next_tier is None:
        return False
    return rules.program.tier_basis != Program.TierBasis.POINTS or member.order_points_earned >= next_tier.threshold


def _order_earn_record(order: Order, member: Member, program: Program, points: int, *, pending_days: int) -> None:
    """The earn entry, its lot and allocation, and the member's `order_points_earned`: one statement on
    PostgreSQL for a member without debt (prebuilt, no ORM); else through the ledger's building blocks."""
    now = timezone.now()
    activates_at = order.placed_at + timedelta(days=pending_days)
    expires_at = expiry_of(order.placed_at, program.expiry, program.expiry_n)
    member.order_points_earned += points
    if member.debt == 0 and connection.vendor == "postgresql":
        status = Lot.Status.PENDING if activates_at > now else Lot.Status.ACTIVE
        with connection.cursor() as cursor:
            cursor.execute(_ORDER_EARN, {
                "member": member.pk, "points": points, "order": str(order.pk), "occurred_at": order.placed_at,
                "status": status, "activates_at": activates_at, "expires_at": expires_at, "now": now,
            })  # fmt: skip
        return
    entry = entry_record(
        member=member, kind=LedgerEntry.Kind.EARN, source_type=ORDER, source_id=order.pk, rule="earn",
        occurred_at=order.placed_at, points=points,
    )  # fmt: skip
    _grant(entry, member, program, points, earned_at=order.placed_at, pending_days=pending_days, qualifying=True,
           counted=True)  # fmt: skip
    Member.objects.filter(pk=member.pk).update(order_points_earned=F("order_points_earned") + points)


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
    values = line_values(_earn_lines(lines), _policy(program_rules_load(member.program), order, member))
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


def _policy(rules: ProgramRules, order: Order, member: Member) -> EarnPolicy:
    return rules.policy(store_id=order.store_id, tier_id=member.tier_id)

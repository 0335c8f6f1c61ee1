"""Redemption: claiming an order's uses, then writing them to the ledger, inside the order's transaction.

Exactness under concurrency comes from the database's row locks, never from Python's memory: the counters'
rows are locked (`SELECT .. FOR UPDATE`), checked as locked, and counted by an UPDATE that repeats the checks
in its conditions (`used = used + 1 WHERE used < usage_limit`, `budget_spent + amount <= budget`); check
constraints back it up. There are three kinds of claim, always made in the same order
(the promotions by id, then their codes by id, then the customer's uses) so that concurrent orders
cannot deadlock; the first that fails refuses the whole order with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, Value, When
from django.utils import timezone

from audiences.models import MONEY, Customer, Order
from promotions.engine.evaluate import normalize_code
from promotions.engine.reasons import reason_message
from promotions.engine.types import Applied, Reason
from promotions.errors import RedemptionConflict
from promotions.models import CustomerPromotionUsage, Promotion, PromotionCode, Redemption
from promotions.selectors import Pricing

MONEY_FIELD = DecimalField(**MONEY)


def redemptions_claim(*, order: Order, pricing: Pricing, customer: Customer | None) -> None:
    """Claim every use the order's pricing applied and record each in the ledger; a RedemptionConflict
    names the first that can no longer be claimed."""
    if not pricing.result.applied:  # most orders: nothing to claim, not even an empty statement to build
        return
    currency = pricing.result.currency
    applied = sorted(pricing.result.applied, key=lambda item: item.promotion_id)
    limits = _promotion_uses_claim(applied, currency)
    codes = {item.promotion_id: pricing.codes[normalize_code(item.code)] for item in applied if item.code}
    _code_uses_claim(codes, currency)
    if customer is not None:
        _customer_uses_claim(applied, customer, currency, limits)
    _redemptions_record(order, applied, codes, customer, currency)


def _redemptions_record(order, applied: list[Applied], codes: dict[int, PromotionCode], customer, currency) -> None:
    """The ledger's rows: a prebuilt INSERT on PostgreSQL (the ORM built it on every order), the ORM elsewhere."""
    if connection.vendor != "postgresql":
        Redemption.objects.bulk_create(
            Redemption(
                order=order,
                promotion_id=item.promotion_id,
                code=codes.get(item.promotion_id),
                customer=customer,
                amount=item.amount,
                currency=currency,
            )
            for item in applied
        )
        return
    code_ids = [codes[item.promotion_id].pk if item.promotion_id in codes else None for item in applied]
    with connection.cursor() as cursor:
        cursor.execute(_REDEMPTIONS_INSERT, {
            "order": order.pk, "promotions": [item.promotion_id for item in applied], "codes": code_ids,
            "customer": customer.pk if customer is not None else None, "amounts": [item.amount for item in applied],
            "currency": currency, "status": Redemption.Status.ACTIVE, "now": timezone.now(),
        })  # fmt: skip


_REDEMPTIONS_INSERT = f"""
INSERT INTO {Redemption._meta.db_table} (order_id, promotion_id, code_id, customer_id, amount, currency, status,
                                         created_at, released_at)
SELECT %(order)s, claim.promotion_id, claim.code_id, %(customer)s::bigint, claim.amount, %(currency)s, %(status)s,
       %(now)s, NULL
FROM unnest(%(promotions)s::bigint[], %(codes)s::bigint[], %(amounts)s::numeric[])
     AS claim (promotion_id, code_id, amount)
"""  # noqa: S608


def _promotion_uses_claim(applied: list[Applied], currency: str) -> dict[int, int | None]:
    """One use of each promotion and its amount of the budget, within its usage limit and budget; returns each
    promotion's limit per customer.

    The rows are locked in id order and checked as locked, and counted by an UPDATE whose conditions repeat the
    checks: on PostgreSQL one prebuilt statement (`_PROMOTION_USES_COUNT`), elsewhere two ORM statements. A
    refusal raises, and the order's transaction rolls back what was counted."""
    if connection.vendor == "postgresql":
        locked, counted = _promotion_uses_count_prebuilt(applied)
    else:
        locked, counted = _promotion_uses_count_orm(applied)
    for item in applied:
        row = locked[item.promotion_id]
        if row.usage_limit is not None and row.used >= row.usage_limit:
            reason = Reason.USAGE_LIMIT_REACHED
        elif row.budget is not None and row.budget_spent + item.amount > row.budget:
            reason = Reason.BUDGET_EXHAUSTED
        else:
            continue
        raise _conflict(reason, promotion_id=item.promotion_id, code=item.code, currency=currency)
    if counted != len(applied):  # cannot happen while the rows are locked; never count a use unchecked
        raise RuntimeError(f"Counted {counted} of {len(applied)} locked promotions' uses.")
    return {pk: row.usage_limit_per_customer for pk, row in locked.items()}


@dataclass(frozen=True)
class _Counter:
    usage_limit: int | None
    used: int
    budget: Decimal | None
    budget_spent: Decimal
    usage_limit_per_customer: int | None


def _promotion_uses_count_orm(applied: list[Applied]) -> tuple[dict[int, _Counter], int]:
    fields = ("usage_limit", "used", "budget", "budget_spent", "usage_limit_per_customer")
    locked = {
        row["pk"]: _Counter(*(row[name] for name in fields))
        for row in Promotion.objects.select_for_update()
        .filter(pk__in=[item.promotion_id for item in applied])
        .order_by("pk")
        .values("pk", *fields)
    }
    amount = Case(*[When(pk=item.promotion_id, then=Value(item.amount)) for item in applied], output_field=MONEY_FIELD)
    within_limits = (Q(usage_limit__isnull=True) | Q(used__lt=F("usage_limit"))) & (
        Q(budget__isnull=True) | Q(budget_spent__lte=F("budget") - amount)
    )
    counted = Promotion.objects.filter(within_limits, pk__in=list(locked)).update(
        used=F("used") + 1, budget_spent=F("budget_spent") + amount
    )
    return locked, counted


def _promotion_uses_count_prebuilt(applied: list[Applied]) -> tuple[dict[int, _Counter], int]:
    """The rows as locked (before this order's use) and how many the UPDATE counted, in one round trip."""
    ids = [item.promotion_id for item in applied]
    amounts = [item.amount for item in applied]
    with connection.cursor() as cursor:
        cursor.execute(_PROMOTION_USES_COUNT, {"ids": ids, "amounts": amounts})
        rows = cursor.fetchall()
    locked = {row[0]: _Counter(*row[1:6]) for row in rows}
    return locked, rows[0][6] if rows else 0


# The promotions' rows locked in id order (`locked`, materialized: the UPDATE joins it, so it locks them first,
# in that order, whatever plan the UPDATE gets), then counted within their limits as locked: READ COMMITTED
# re-checks an UPDATE's conditions on a row's newest version. The rows come back as `locked` read them.
_PROMOTION_USES_COUNT = f"""
WITH locked AS MATERIALIZED (
  SELECT id, usage_limit, used, budget, budget_spent, usage_limit_per_customer FROM {Promotion._meta.db_table}
  WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE
), counted AS (
  UPDATE {Promotion._meta.db_table} AS p SET used = p.used + 1, budget_spent = p.budget_spent + claim.amount
  FROM locked, unnest(%(ids)s::bigint[], %(amounts)s::numeric[]) AS claim (id, amount)
  WHERE p.id = locked.id AND claim.id = locked.id
    AND (p.usage_limit IS NULL OR p.used < p.usage_limit)
    AND (p.budget IS NULL OR p.budget_spent + claim.amount <= p.budget)
  RETURNING p.id
)
SELECT id, usage_limit, used, budget, budget_spent, usage_limit_per_customer, (SELECT count(*) FROM counted)
FROM locked ORDER BY id
"""  # noqa: S608


def _code_uses_claim(codes: dict[int, PromotionCode], currency: str) -> None:
    """One use of each code (promotion id to the code that triggered it), within the code's own limit."""
    for promotion_id, code in sorted(codes.items(), key=lambda pair: pair[1].pk):
        with connection.cursor() as cursor:
            cursor.execute(_CODE_USE_COUNT, [code.pk])
            counted = cursor.rowcount
        if not counted:
            raise _conflict(Reason.USAGE_LIMIT_REACHED, promotion_id=promotion_id, code=code.code, currency=currency)


# Prebuilt (the ORM compiled the same UPDATE on every order); SQLite runs it too.
_CODE_USE_COUNT = (
    f"UPDATE {PromotionCode._meta.db_table} SET used = used + 1 "  # noqa: S608
    "WHERE id = %s AND (usage_limit IS NULL OR used < usage_limit)"
)


def _customer_uses_claim(
    applied: list[Applied], customer: Customer, currency: str, limits: dict[int, int | None]
) -> None:
    """One use of each promotion by the customer, within its limit per customer: the counters made where
    missing or counted where not, locked in promotion order, in one statement; a count past a limit refuses the
    order, and the transaction's rollback takes the count back."""
    rows = ", ".join(["(%s, %s, 1)"] * len(applied))
    params = [value for item in applied for value in (item.promotion_id, customer.pk)]
    with connection.cursor() as cursor:
        cursor.execute(_CUSTOMER_USES_COUNT.format(rows=rows), params)
        counted = dict(cursor.fetchall())
    for item in applied:
        limit = limits[item.promotion_id]
        if limit is not None and counted[item.promotion_id] > limit:
            raise _conflict(
                Reason.CUSTOMER_LIMIT_REACHED, promotion_id=item.promotion_id, code=item.code, currency=currency
            )


# Rows in promotion order (the caller's), so concurrent orders lock the counters in one order: no deadlock.
# SQLite runs it too (upsert and RETURNING since 3.35).
_CUSTOMER_USES_COUNT = (
    f"INSERT INTO {CustomerPromotionUsage._meta.db_table} AS usage (promotion_id, customer_id, used) "  # noqa: S608
    "VALUES {rows} ON CONFLICT (promotion_id, customer_id) DO UPDATE SET used = usage.used + 1 "
    "RETURNING promotion_id, used"
)


def _conflict(reason: str, *, promotion_id: int, code: str | None, currency: str) -> RedemptionConflict:
    rule_name = Promotion.objects.filter(pk=promotion_id).values_list("name", flat=True).first()
    return RedemptionConflict(
        reason=reason,
        message=reason_message(reason, code or rule_name or "", None, currency),
        coupon=code,
        promotion=promotion_id,
    )

"""The pipeline: which promotions apply to a cart, how much each takes off, and why a code was refused.

1. Every entered code is resolved and checked (dates, store, customer, counters); automatic
   promotions come from the index and pass the same checks silently.
2. Scenarios: all combinable promotions together, and each exclusive promotion alone. Each runs
   the pipeline item-level -> order-level -> shipping on the running prices; thresholds are
   checked on the cart's running subtotal when the stage starts.
3. The scenario that gives the customer most wins (ties: combinable set, then priority order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from promotions.engine.conditions import condition
from promotions.engine.index import PromotionIndex
from promotions.engine.money import ZERO, allocate
from promotions.engine.rewards import NON_MONETARY, Tiered
from promotions.engine.types import (
    Applied,
    Cart,
    CodeRecord,
    CodeResult,
    Context,
    GiftResult,
    LineResult,
    PromotionRule,
    Reason,
    Result,
    Stacking,
    Stage,
    Trigger,
)

STAGES = (Stage.ITEM, Stage.ORDER, Stage.SHIPPING)


def normalize_code(code: str) -> str:
    return code.strip().upper()


@dataclass(slots=True)
class _Entry:
    rule: PromotionRule
    code: str | None
    matched: list[int]
    stage: int = 0

    def __post_init__(self):
        self.stage = self.rule.reward.stage


@dataclass(slots=True)
class _Given:
    """What one promotion took off in a scenario; becomes an `Applied` only if the scenario wins."""

    rule: PromotionRule
    code: str | None
    amount: Decimal
    line_discounts: dict[int, Decimal]
    shipping_discount: Decimal


@dataclass(slots=True)
class _Run:
    running: list[Decimal]
    shipping_discount: Decimal = ZERO
    applied: list[_Given] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)
    gifts: list[GiftResult] = field(default_factory=list)
    discount: Decimal = ZERO


def evaluate(cart: Cart, context: Context, index: PromotionIndex) -> Result:
    lines = cart.lines
    code_results: dict[str, CodeResult] = {}
    entries: list[_Entry] = []
    promotions_by_code: set[int] = set()

    def matched_lines(rule: PromotionRule) -> list[int]:
        return [i for i, line in enumerate(lines) if rule.target.matches(line)]

    for raw_code in cart.codes:
        code = normalize_code(raw_code)
        if code in code_results:
            continue
        record = context.codes.get(code)
        rule = None
        if record is not None:
            rule = index.by_id.get(record.promotion_id) or context.extra_rules.get(record.promotion_id)
        if rule is None or rule.trigger != Trigger.CODE:
            code_results[code] = _rejected(raw_code, Reason.NOT_FOUND, None, cart)
            continue
        reason = static_reason(rule, cart, context, record)
        if reason is None and rule.id in promotions_by_code:
            reason = Reason.NOT_COMBINABLE  # a second code of the same promotion: never twice
        if reason is not None:
            code_results[code] = _rejected(raw_code, reason, rule, cart)
            continue
        promotions_by_code.add(rule.id)
        code_results[code] = CodeResult(code=raw_code, status="applied", promotion_id=rule.id)
        entries.append(_Entry(rule, raw_code, matched_lines(rule)))

    for rule, hit_lines in index.candidates_with_lines(cart, context.store):
        if static_reason(rule, cart, context, None) is None:
            target = rule.target
            if target.exclude_skus or target.exclude_categories:
                hit_lines = [i for i in hit_lines if target.matches(lines[i])]
            entries.append(_Entry(rule, None, hit_lines))
    entries.sort(key=lambda entry: entry.rule.sort_key)

    combinable = [entry for entry in entries if entry.rule.stacking != Stacking.EXCLUSIVE]
    scenarios = [combinable] + [[entry] for entry in entries if entry.rule.stacking == Stacking.EXCLUSIVE]
    subtotals = [line.subtotal for line in lines]
    runs = [_run(scenario, cart, context, subtotals) for scenario in scenarios]
    best_position = max(range(len(runs)), key=lambda position: (runs[position].discount, -position))
    best = runs[best_position]

    applied_ids = {given.rule.id for given in best.applied}
    for position, scenario in enumerate(scenarios):
        run = runs[position]
        for entry in scenario:
            if entry.code is None or entry.rule.id in applied_ids:
                continue
            # It failed on this cart in its own scenario, or it lost to a better combination.
            reason = run.failures.get(entry.rule.id, Reason.NOT_COMBINABLE)
            code_results[normalize_code(entry.code)] = _rejected(entry.code, reason, entry.rule, cart)

    return _result(cart, best, tuple(code_results.values()))


def static_reason(rule: PromotionRule, cart: Cart, context: Context, record: CodeRecord | None) -> str | None:
    """Why the promotion cannot apply whatever the cart holds, or None."""
    now = context.now
    if rule.status in ("draft", "paused"):
        return Reason.INACTIVE
    if rule.starts_at is not None and now < rule.starts_at:
        return Reason.NOT_STARTED
    if (rule.ends_at is not None and now >= rule.ends_at) or rule.status == "expired":
        return Reason.EXPIRED
    if (
        (rule.currency and rule.currency != cart.currency)
        or (rule.stores and context.store not in rule.stores)
        or (rule.channels and context.channel not in rule.channels)
    ):
        return Reason.NOT_ELIGIBLE_STORE
    customer = context.customer
    if customer is None and (rule.usage_limit_per_customer is not None or rule.eligibility.conditions):
        return Reason.CUSTOMER_REQUIRED
    for name, value in rule.eligibility.conditions:
        registered = condition(name)
        if registered is None or not registered.check(value, customer):
            return Reason.NOT_ELIGIBLE_CUSTOMER
    usage = context.usage.get(rule.id) if rule.has_counters else None
    if rule.usage_limit is not None and usage is not None and usage.used >= rule.usage_limit:
        return Reason.USAGE_LIMIT_REACHED
    if record is not None and record.usage_limit is not None and record.used >= record.usage_limit:
        return Reason.USAGE_LIMIT_REACHED
    if rule.usage_limit_per_customer is not None and (
        customer.promotion_uses.get(rule.id, 0) >= rule.usage_limit_per_customer
    ):
        return Reason.CUSTOMER_LIMIT_REACHED
    if rule.budget is not None and usage is not None and usage.budget_spent >= rule.budget:
        return Reason.BUDGET_EXHAUSTED
    return None


def _run(scenario: list[_Entry], cart: Cart, context: Context, subtotals: list[Decimal]) -> _Run:
    lines = cart.lines
    currency = cart.currency
    run = _Run(running=list(subtotals))
    running = run.running
    shipping = cart.shipping_price
    for stage in STAGES:
        stage_entries = [entry for entry in scenario if entry.stage == stage]
        if not stage_entries:
            continue
        stage_subtotal = sum(running, ZERO)
        for entry in stage_entries:
            rule = entry.rule
            matched = entry.matched
            reason = _cart_reason(rule, lines, matched, stage_subtotal, running)
            if reason is not None:
                run.failures[rule.id] = reason
                continue
            outcome = rule.reward.apply(lines, running, matched, shipping, currency)
            line_discounts = {i: amount for i, amount in outcome.line_discounts.items() if amount > 0}
            shipping_discount = outcome.shipping_discount
            if rule.budget is not None:
                line_discounts, shipping_discount = _within_budget(
                    rule, context, line_discounts, shipping_discount, currency
                )
            amount = sum(line_discounts.values(), ZERO) + shipping_discount
            if amount <= 0 and rule.reward.type not in NON_MONETARY:
                run.failures[rule.id] = Reason.NO_APPLICABLE_ITEMS
                continue
            for i, discount in line_discounts.items():
                running[i] -= discount
            shipping -= shipping_discount
            run.shipping_discount += shipping_discount
            run.discount += amount
            run.gifts.extend(GiftResult(sku, quantity, rule.id) for sku, quantity in outcome.gifts)
            run.applied.append(_Given(rule, entry.code, amount, line_discounts, shipping_discount))
    return run


def _cart_reason(rule: PromotionRule, lines, matched: list[int], stage_subtotal: Decimal, running) -> str | None:
    if not matched:
        return Reason.NO_APPLICABLE_ITEMS
    eligibility = rule.eligibility
    if eligibility.min_quantity is not None and sum(lines[i].quantity for i in matched) < eligibility.min_quantity:
        return Reason.NO_APPLICABLE_ITEMS
    if eligibility.min_subtotal is not None and stage_subtotal < eligibility.min_subtotal:
        return Reason.MIN_SUBTOTAL_NOT_MET
    if isinstance(rule.reward, Tiered) and sum((running[i] for i in matched), ZERO) < rule.reward.lowest_threshold:
        return Reason.MIN_SUBTOTAL_NOT_MET
    return None


def _within_budget(rule, context, line_discounts, shipping_discount, currency):
    """Never promise more than the budget has left: scale the discount down to what remains."""
    usage = context.usage.get(rule.id)
    remaining = rule.budget - (usage.budget_spent if usage is not None else ZERO)
    amount = sum(line_discounts.values(), ZERO) + shipping_discount
    if amount <= remaining:
        return line_discounts, shipping_discount
    if shipping_discount:
        return {}, max(remaining, ZERO)
    indexes = sorted(line_discounts)
    parts = allocate(max(remaining, ZERO), [line_discounts[i] for i in indexes], currency)
    return dict(zip(indexes, parts, strict=True)), ZERO


def _result(cart: Cart, run: _Run, codes: tuple[CodeResult, ...]) -> Result:
    line_results = []
    for line, running in zip(cart.lines, run.running, strict=True):
        subtotal = line.subtotal
        line_results.append(
            LineResult(
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                subtotal=subtotal,
                discount=subtotal - running,
                total=running,
            )
        )
    subtotal = sum((line.subtotal for line in line_results), ZERO)
    discount_total = sum((line.discount for line in line_results), ZERO)
    return Result(
        currency=cart.currency,
        subtotal=subtotal,
        discount_total=discount_total,
        shipping_price=cart.shipping_price,
        shipping_discount=run.shipping_discount,
        total=subtotal - discount_total + cart.shipping_price - run.shipping_discount,
        lines=tuple(line_results),
        applied=tuple(_applied(given) for given in run.applied),
        codes=codes,
        gifts=tuple(run.gifts),
    )


def _applied(given: _Given) -> Applied:
    rule = given.rule
    return Applied(
        promotion_id=rule.id,
        name=rule.name,
        code=given.code,
        reward=rule.reward.type,
        amount=given.amount,
        line_discounts=given.line_discounts,
        shipping_discount=given.shipping_discount,
    )


MESSAGES = {
    Reason.NOT_FOUND: "No promotion has the code {code}.",
    Reason.INACTIVE: "The promotion of {code} is not running.",
    Reason.NOT_STARTED: "This code can be used from {starts_at}.",
    Reason.EXPIRED: "This code expired on {ends_at}.",
    Reason.USAGE_LIMIT_REACHED: "This code has been used as many times as it may be.",
    Reason.CUSTOMER_LIMIT_REACHED: "This customer has already used this code as often as allowed.",
    Reason.BUDGET_EXHAUSTED: "This promotion's budget has been spent.",
    Reason.MIN_SUBTOTAL_NOT_MET: "Spend at least {min_subtotal} {currency} to use this code.",
    Reason.NOT_ELIGIBLE_CUSTOMER: "This code is not available to this customer.",
    Reason.NOT_ELIGIBLE_STORE: "This code is not valid in this store, channel or currency.",
    Reason.NO_APPLICABLE_ITEMS: "No item in the cart qualifies for this code.",
    Reason.NOT_COMBINABLE: "This code cannot be combined with the other promotions in the cart.",
    Reason.CUSTOMER_REQUIRED: "Sign in to use this code.",
}


def reason_message(reason: str, code: str, rule: PromotionRule | None, currency: str) -> str:
    threshold = None
    if rule is not None:
        threshold = rule.eligibility.min_subtotal
        if threshold is None and isinstance(rule.reward, Tiered):
            threshold = rule.reward.lowest_threshold
    return MESSAGES[reason].format(
        code=code,
        starts_at=rule.starts_at.date().isoformat() if rule and rule.starts_at else "",
        ends_at=rule.ends_at.date().isoformat() if rule and rule.ends_at else "",
        min_subtotal=threshold if threshold is not None else "",
        currency=currency,
    )


def _rejected(code: str, reason: str, rule: PromotionRule | None, cart: Cart) -> CodeResult:
    return CodeResult(
        code=code,
        status="rejected",
        reason=reason,
        message=reason_message(reason, code, rule, cart.currency),
        promotion_id=rule.id if rule else None,
    )

"""The pipeline: which promotions apply to a cart, how much each takes off, and why a code was refused.

1. Every entered code is resolved and checked (dates, store, customer, counters); automatic
   promotions come from the index and pass the same checks silently.
2. Scenarios: all combinable promotions together, and each exclusive promotion alone. Each runs
   the pipeline item-level -> order-level -> shipping on the running prices. A promotion's money
   thresholds (`min_subtotal`, tier thresholds) are all measured on one subtotal taken as its
   stage starts: of the whole cart, or of its targeted lines (`eligibility.subtotal_basis`).
3. The scenario that gives the customer most wins (ties: combinable set, then priority order).
   An automatic exclusive promotion is priced only if the most it could take off (`_most_off`)
   can still beat the best scenario so far, so this never changes a result (`prune=False` prices
   them all). Sorting them by that bound first gained nothing measurable: few ever win.
"""

from __future__ import annotations

from dataclasses import dataclass

from promotions.engine.conditions import condition
from promotions.engine.index import PromotionIndex, pipeline_order
from promotions.engine.money import allocate_by_position, exact_units, exponent, floor_units, unit_of
from promotions.engine.reasons import rejected
from promotions.engine.rewards.shares import subtotal_of
from promotions.engine.types import (
    GIFT,
    HELD,
    LINES,
    SHIPPING,
    TIERED,
    Applied,
    Cart,
    CodeRecord,
    CodeResult,
    Context,
    GiftResult,
    LineResult,
    PromotionRule,
    PromotionStatus,
    Reason,
    Result,
    SubtotalBasis,
    Trigger,
)


def normalize_code(code: str) -> str:
    return code.strip().upper()


# What a scenario applies: the rule, the code that brought it (None for automatic ones) and the
# cart lines its target matches. Tuples: a cart at 10,000 live promotions meets dozens of them.
Entry = tuple[PromotionRule, str | None, list[int]]


@dataclass(slots=True)
class _Run:
    """A scenario's outcome, in minor units."""

    running: list[int]  # each line's price after the scenario
    shipping_discount: int
    applied: list[Applied]
    failures: dict[int, str]  # promotion id -> why its code gave nothing in this scenario
    gifts: list[GiftResult]
    discount: int  # line discounts plus the shipping discount


def evaluate(cart: Cart, context: Context, index: PromotionIndex, *, prune: bool = True) -> Result:
    """Price `cart`. Its amounts must be whole minor units of its currency (ValueError otherwise).

    `prune=False` prices every exclusive promotion's scenario: the same result, more slowly (for tests).
    """
    places = exponent(cart.currency)
    lines = cart.lines
    subtotals = [exact_units(line.unit_price, places) * line.quantity for line in lines]
    shipping = exact_units(cart.shipping_price, places)
    code_results: dict[str, CodeResult] = {}
    by_code: list[Entry] = []
    promotions_by_code: set[int] = set()

    for raw_code in cart.codes:
        code = normalize_code(raw_code)
        if code in code_results:
            continue
        record = context.codes.get(code)
        rule = None
        if record is not None:
            rule = index.by_id.get(record.promotion_id) or context.extra_rules.get(record.promotion_id)
        if rule is None or rule.trigger != Trigger.CODE:
            code_results[code] = rejected(raw_code, Reason.NOT_FOUND, None, cart, context)
            continue
        reason = static_reason(rule, cart, context, record)
        if reason is None and rule.id in promotions_by_code:
            reason = Reason.NOT_COMBINABLE  # a second code of the same promotion: never twice
        if reason is not None:
            code_results[code] = rejected(raw_code, reason, rule, cart, context)
            continue
        promotions_by_code.add(rule.id)
        code_results[code] = CodeResult(code=raw_code, status="applied", promotion_id=rule.id)
        target = rule.target
        by_code.append((rule, raw_code, [i for i, line in enumerate(lines) if target.matches(line)]))

    # Scenarios: all combinable promotions together, each exclusive one alone.
    combinable: list[Entry] = []
    exclusive: list[Entry] = []
    for rule, hit_lines in index.candidates_with_lines(cart, context.store):
        if rule.always_eligible or static_reason(rule, cart, context, None) is None:
            if rule.has_exclusions:
                target = rule.target
                hit_lines = [i for i in hit_lines if target.matches(lines[i])]
            (exclusive if rule.exclusive else combinable).append((rule, None, hit_lines))
    if by_code:  # the index's candidates come in pipeline order; codes' promotions join them
        for entry in by_code:
            (exclusive if entry[0].exclusive else combinable).append(entry)
        combinable.sort(key=lambda entry: pipeline_order(entry[0]))
    best = _run(combinable, cart, context, subtotals, shipping, places)
    priced = [(combinable, best)]  # each scenario priced, with its run
    best_rule = None  # the exclusive promotion whose scenario is best so far
    for entry in exclusive:
        rule = entry[0]
        if prune and entry[1] is None:  # a code's scenario is priced to say why it lost
            bound = _most_off(entry, lines, subtotals, shipping, places)
            if bound < best.discount or (
                bound == best.discount and (best_rule is None or best_rule.sort_key < rule.sort_key)
            ):
                continue  # even its most could not win, a tie included
        run = _run([entry], cart, context, subtotals, shipping, places)
        priced.append(([entry], run))
        if _beats(run, rule, best, best_rule):
            best, best_rule = run, rule

    if by_code:
        applied_ids = {applied.rule.id for applied in best.applied}
        for scenario, run in priced:
            for rule, code, _ in scenario:
                if code is None or rule.id in applied_ids:
                    continue
                # It failed on this cart in its own scenario, or it lost to a better combination.
                reason = run.failures.get(rule.id, Reason.NOT_COMBINABLE)
                code_results[normalize_code(code)] = rejected(code, reason, rule, cart, context)

    return _result(cart, best, subtotals, shipping, tuple(code_results.values()), places)


def _beats(run: _Run, rule: PromotionRule, best: _Run, best_rule: PromotionRule | None) -> bool:
    """Whether `rule`'s exclusive scenario gives the customer more than the best so far (the
    combinable set's when `best_rule` is None). Ties go to the combinable set, then to precedence
    (compared only on a tie). A strict order: the winner does not depend on which came first."""
    return run.discount > best.discount or (
        run.discount == best.discount and best_rule is not None and rule.sort_key < best_rule.sort_key
    )


def _most_off(entry: Entry, lines, subtotals: list[int], shipping: int, places: int) -> int:
    """At least what an exclusive entry's scenario takes off: it runs alone on the full prices."""
    rule, _, matched = entry
    if not matched:
        return 0
    reward = rule.reward
    effect = reward.effect
    if effect == GIFT:
        return 0
    if effect == SHIPPING:
        return reward.shipping_discount(shipping, places)
    return reward.most_off(lines, subtotals, matched, places)


def static_reason(rule: PromotionRule, cart: Cart, context: Context, record: CodeRecord | None) -> str | None:
    """Why the promotion cannot apply whatever the cart holds, or None."""
    now = context.now
    if rule.status in HELD:
        return Reason.INACTIVE
    if rule.starts_at is not None and now < rule.starts_at:
        return Reason.NOT_STARTED
    if (rule.ends_at is not None and now >= rule.ends_at) or rule.status == PromotionStatus.EXPIRED:
        return Reason.EXPIRED
    if (
        (rule.currency and rule.currency != cart.currency)
        or (rule.stores and context.store not in rule.stores)
        or (rule.channels and context.channel not in rule.channels)
    ):
        return Reason.NOT_ELIGIBLE_STORE
    payment_methods = rule.eligibility.payment_methods
    if payment_methods and context.payment_method not in payment_methods:
        return Reason.NOT_ELIGIBLE_PAYMENT_METHOD  # none named yet counts as not matching
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
    if rule.budget is not None and _budget_left(rule, context, exponent(cart.currency)) <= 0:
        return Reason.BUDGET_EXHAUSTED  # not one minor unit of the cart's currency left to give
    return None


def _run(scenario: list[Entry], cart: Cart, context: Context, subtotals: list[int], shipping: int, places: int) -> _Run:
    """Apply a scenario's entries (in pipeline order) to the cart's running prices."""
    lines = cart.lines
    running = list(subtotals)
    applied: list[Applied] = []
    failures: dict[int, str] = {}
    gifts: list[GiftResult] = []
    discount = shipping_discount_total = 0
    stage, stage_subtotal, stage_running = None, 0, running
    basis = 0  # what the rule's thresholds are measured on
    for rule, code, matched in scenario:
        if rule.stage != stage:  # thresholds read the prices as the stage starts
            stage, stage_subtotal, stage_running = rule.stage, sum(running), running.copy()
        if not matched:
            if code is not None:  # only a code's refusal is reported
                failures[rule.id] = Reason.NO_APPLICABLE_ITEMS
            continue
        if rule.has_cart_conditions:
            if rule.eligibility.subtotal_basis == SubtotalBasis.CART:
                basis = stage_subtotal
            else:
                basis = subtotal_of(stage_running, matched)
            reason = _cart_reason(rule, lines, matched, basis, places)
            if reason is not None:
                if code is not None:
                    failures[rule.id] = reason
                continue
        reward = rule.reward
        effect = reward.effect
        if effect in (LINES, TIERED):
            if effect == LINES:
                line_discounts = reward.discounts(lines, running, matched, places)
            else:  # the tier is the one the basis reaches; its discount is on the targeted lines
                line_discounts = reward.discounts_reaching(basis, running, matched, places)
            if rule.budget is not None:
                line_discounts = _lines_within_budget(line_discounts, _budget_left(rule, context, places))
            if not line_discounts:  # rewards list only the lines they discount
                if code is not None:
                    failures[rule.id] = Reason.NO_APPLICABLE_ITEMS
                continue
            amount = 0
            for i, line_discount in line_discounts.items():
                running[i] -= line_discount
                amount += line_discount
            discount += amount
            applied.append(Applied(rule, code, amount, line_discounts, 0, places))
        elif effect == GIFT:  # an item, not money: it applies even though it takes nothing off
            gifts.append(GiftResult(reward.sku, reward.quantity, rule.id))
            applied.append(Applied(rule, code, 0, {}, 0, places))
        else:  # free shipping counts as applied even on a cart whose shipping is already free
            shipping_discount = reward.shipping_discount(shipping, places)
            if rule.budget is not None:
                shipping_discount = min(shipping_discount, _budget_left(rule, context, places))
            shipping -= shipping_discount
            shipping_discount_total += shipping_discount
            discount += shipping_discount
            applied.append(Applied(rule, code, shipping_discount, {}, shipping_discount, places))
    return _Run(running, shipping_discount_total, applied, failures, gifts, discount)


def _cart_reason(rule: PromotionRule, lines, matched: list[int], basis: int, places: int) -> str | None:
    """Why the cart does not qualify: `basis` is the subtotal the rule's thresholds read."""
    eligibility = rule.eligibility
    if eligibility.min_quantity is not None and sum(lines[i].quantity for i in matched) < eligibility.min_quantity:
        return Reason.NO_APPLICABLE_ITEMS
    if eligibility.min_subtotal_units is not None and basis < eligibility.min_subtotal_units[places]:
        return Reason.MIN_SUBTOTAL_NOT_MET
    threshold = rule.reward.threshold_units  # the reward's own, such as a tiered reward's lowest tier
    if threshold is not None and basis < threshold[places]:
        return Reason.MIN_SUBTOTAL_NOT_MET
    return None


def _budget_left(rule: PromotionRule, context: Context, places: int) -> int:
    """What is left of the rule's budget, in whole minor units (never more than is left)."""
    usage = context.usage.get(rule.id)
    return max(floor_units(rule.budget - (usage.budget_spent if usage is not None else 0), places), 0)


def _lines_within_budget(line_discounts: dict[int, int], remaining: int) -> dict[int, int]:
    """Never promise more than the budget has left: scale the discount down to what remains."""
    if sum(line_discounts.values()) <= remaining:
        return line_discounts
    indexes = sorted(line_discounts)
    return allocate_by_position(remaining, indexes, [line_discounts[i] for i in indexes])


def _result(
    cart: Cart, run: _Run, subtotals: list[int], shipping_price: int, codes: tuple[CodeResult, ...], places: int
) -> Result:
    unit = unit_of(places)
    line_results = [
        LineResult(
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            subtotal=subtotal * unit,
            discount=(subtotal - running) * unit,
            total=running * unit,
        )
        for line, subtotal, running in zip(cart.lines, subtotals, run.running, strict=True)
    ]
    subtotal = sum(subtotals)
    discount_total = subtotal - sum(run.running)
    return Result(
        currency=cart.currency,
        subtotal=subtotal * unit,
        discount_total=discount_total * unit,
        shipping_price=shipping_price * unit,
        shipping_discount=run.shipping_discount * unit,
        total=(subtotal - discount_total + shipping_price - run.shipping_discount) * unit,
        lines=tuple(line_results),
        applied=tuple(run.applied),
        codes=codes,
        gifts=tuple(run.gifts),
    )

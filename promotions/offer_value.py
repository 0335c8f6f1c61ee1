"""What an offer is worth to a customer and to the retailer, to rank a customer's offers (no database).

For a promotion whose spend threshold is `threshold` and a customer whose usual order is `usual`:

    basket   = max(usual, threshold)            the order the offer asks for
    saving   = what the reward takes off that basket (a percentage of it, a fixed amount, the reached tier)
    uplift   = basket - usual                   extra spend the threshold pulls above their usual order
    reach    = usual / basket                   1 when they spend that much anyway, less the higher it asks
    expected = reach × (saving + margin × uplift)

`saving` is the customer's side, `margin × uplift` the retailer's (its gross margin on the extra spend),
both weighed by how likely the customer is to place such an order. A reward whose saving depends on the
cart's items (a bundle, buy X get Y, a gift, free shipping) has no saving without a cart: it counts only
its uplift. Ties go to the higher priority, then the name.

Ranking a customer's thousand offers values each of them: `Worth` keeps what does not depend on the customer
(the threshold and the saving at it, per currency exponent), worked out once per compiled index, so that a
request only works out the saving on the customer's usual order, and only when it reaches the threshold. The
value depends on the reward and the threshold only, so promotions with equal ones share a `Worth`
(`worths_of`), and a request values each once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from promotions.engine.money import MAX_PLACES, round_half_up
from promotions.engine.rewards.bundle import Bundle
from promotions.engine.rewards.buy_x_get_y import BuyXGetY
from promotions.engine.rewards.fixed_amount import FixedAmount
from promotions.engine.rewards.fixed_price import FixedPrice
from promotions.engine.rewards.percentage import Percentage
from promotions.engine.types import LINES, TIERED, CartLine, PromotionRule

# Rewards whose `most_off` reads a line's quantity and the subtotals, never its unit price: they are asked with
# one line of one unit made once, instead of a line priced at each basket.
_PRICE_BLIND = (Percentage, FixedAmount, FixedPrice, Bundle, BuyXGetY)
_ONE_UNIT = CartLine("", 1, Decimal(0))


@dataclass(frozen=True, slots=True)
class OfferValue:
    """In the currency's minor units (integers: ranking a thousand offers per request stays cheap)."""

    places: int
    basket_units: int
    saving_units: int
    expected_units: int

    @property
    def basket(self) -> Decimal:
        return Decimal(self.basket_units).scaleb(-self.places)

    @property
    def saving(self) -> Decimal:
        return Decimal(self.saving_units).scaleb(-self.places)

    @property
    def expected(self) -> Decimal:
        return Decimal(self.expected_units).scaleb(-self.places)


def _threshold_units(rule: PromotionRule, places: int) -> int:
    candidates = (rule.eligibility.min_subtotal_units, getattr(rule.reward, "threshold_units", None))
    return max((units[places] for units in candidates if units is not None), default=0)


def _saving_units(rule: PromotionRule, basket_units: int, places: int, line: CartLine | None = None) -> int:
    """`line`: the one line of one unit a price-blind reward is asked with (none: a line priced at the basket)."""
    reward = rule.reward
    if reward.effect == TIERED:
        return sum(reward.discounts_reaching(basket_units, [basket_units], [0], places).values())
    if reward.effect != LINES:
        return 0
    if line is None:
        line = CartLine("", 1, Decimal(basket_units).scaleb(-places))
    most = reward.most_off((line,), [basket_units], [0], places)
    # A bound of the whole order says the saving depends on the cart's items (a bundle): not estimable here.
    return 0 if most >= basket_units else most


def offer_value(rule: PromotionRule, *, usual_units: int, places: int, margin: tuple[int, int]) -> OfferValue:
    """`usual_units`: the customer's usual order; `margin`: the retailer's, as a fraction (numerator, denominator)."""
    basket = max(usual_units, _threshold_units(rule, places))
    if basket <= 0:
        return OfferValue(places, 0, 0, 0)
    saving = _saving_units(rule, basket, places)
    margin_numerator, margin_denominator = margin
    # usual / basket × (saving + margin × (basket - usual)), rounded half up to the minor unit.
    gain = saving * margin_denominator + margin_numerator * (basket - usual_units)
    expected = round_half_up(usual_units * gain, basket * margin_denominator)
    return OfferValue(places, basket, saving, expected)


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed as itself: a request keeps values by it
class Worth:
    """`offer_value`'s expected value of one rule, with what does not depend on the customer worked out once."""

    rule: PromotionRule
    thresholds: tuple[int, ...]  # per currency exponent
    at_threshold: tuple[int, ...]  # the saving on a basket of the threshold, per currency exponent
    saves: bool  # False: a reward that saves nothing without a cart (shipping, a gift)
    line: CartLine | None  # `_saving_units`' line

    def expected_units(self, usual_units: int, places: int, margin: tuple[int, int]) -> int:
        """Equal to `offer_value(rule, ...).expected_units`."""
        threshold = self.thresholds[places]
        if usual_units <= 0:
            return offer_value(self.rule, usual_units=usual_units, places=places, margin=margin).expected_units
        if usual_units >= threshold:
            # The basket is the usual order: reach 1, no uplift, so the expected value is the saving.
            return _saving_units(self.rule, usual_units, places, self.line) if self.saves else 0
        margin_numerator, margin_denominator = margin
        gain = self.at_threshold[places] * margin_denominator + margin_numerator * (threshold - usual_units)
        return round_half_up(usual_units * gain, threshold * margin_denominator)


def worth_of(rule: PromotionRule) -> Worth:
    thresholds = tuple(_threshold_units(rule, places) for places in range(MAX_PLACES + 1))
    return Worth(
        rule=rule,
        thresholds=thresholds,
        at_threshold=tuple(
            _saving_units(rule, threshold, places) if threshold > 0 else 0
            for places, threshold in enumerate(thresholds)
        ),
        saves=rule.reward.effect in (LINES, TIERED),
        line=_ONE_UNIT if type(rule.reward) in _PRICE_BLIND else None,
    )


def worths_of(rules: Iterable[PromotionRule]) -> dict[int, Worth]:
    """Promotion id → its worth, one `Worth` for the promotions whose reward and thresholds are equal."""
    shared: dict[tuple, Worth] = {}
    worths = {}
    for rule in rules:
        worth = worth_of(rule)
        try:
            worths[rule.id] = shared.setdefault((rule.reward, worth.thresholds), worth)
        except TypeError:  # a reward with an unhashable option: its own
            worths[rule.id] = worth
    return worths


def ranked(values: dict[int, OfferValue], rules: dict[int, PromotionRule]) -> list[int]:
    """Promotion ids, the best offer first."""
    return sorted(values, key=lambda pk: (-values[pk].expected_units, -rules[pk].priority, rules[pk].name, pk))

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
"""

from dataclasses import dataclass
from decimal import Decimal

from promotions.engine.money import round_half_up
from promotions.engine.types import LINES, TIERED, CartLine, PromotionRule


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


def _saving_units(rule: PromotionRule, basket_units: int, places: int) -> int:
    reward = rule.reward
    if reward.effect == TIERED:
        return sum(reward.discounts_reaching(basket_units, [basket_units], [0], places).values())
    if reward.effect != LINES:
        return 0
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


def ranked(values: dict[int, OfferValue], rules: dict[int, PromotionRule]) -> list[int]:
    """Promotion ids, the best offer first."""
    return sorted(values, key=lambda pk: (-values[pk].expected_units, -rules[pk].priority, rules[pk].name, pk))

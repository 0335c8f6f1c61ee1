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

from promotions.engine.money import to_units
from promotions.engine.types import LINES, TIERED, CartLine, PromotionRule

ZERO = Decimal(0)


@dataclass(frozen=True)
class OfferValue:
    basket: Decimal
    saving: Decimal
    uplift: Decimal
    reach: Decimal
    expected: Decimal


def _threshold(rule: PromotionRule) -> Decimal:
    candidates = (rule.eligibility.min_subtotal, getattr(rule.reward, "threshold", None))
    return max((amount for amount in candidates if amount is not None), default=ZERO)


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


def offer_value(rule: PromotionRule, *, usual: Decimal, places: int, margin: Decimal) -> OfferValue:
    unit = Decimal(1).scaleb(-places)
    basket = max(usual, _threshold(rule)).quantize(unit)
    basket_units = to_units(basket, places)
    saving = Decimal(_saving_units(rule, basket_units, places)).scaleb(-places) if basket_units else ZERO
    uplift = max(basket - usual, ZERO)
    reach = min(usual / basket, Decimal(1)) if basket else Decimal(1)
    expected = (reach * (saving + margin * uplift)).quantize(unit)
    return OfferValue(basket=basket, saving=saving, uplift=uplift, reach=reach, expected=expected)


def ranked(values: dict[int, OfferValue], rules: dict[int, PromotionRule]) -> list[int]:
    """Promotion ids, the best offer first."""
    return sorted(values, key=lambda pk: (-values[pk].expected, -rules[pk].priority, rules[pk].name, pk))

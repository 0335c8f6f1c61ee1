"""A promotion's JSON definition (target, eligibility, reward) -> the engine's dataclasses.

Used twice: by the API and admin to validate what a marketer sends (errors name the field,
e.g. `reward.tiers.1.percent`), and by the index compiler. Pure: no database.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from audiences.payment_methods import PAYMENT_METHODS
from promotions.engine.conditions import condition, condition_names
from promotions.engine.multibuy import Bundle, BundleItem, BuyXGetY
from promotions.engine.rewards import (
    REWARD_TYPES,
    FixedAmount,
    FixedPrice,
    FreeShipping,
    Gift,
    Percentage,
    Tier,
    Tiered,
)
from promotions.engine.types import NOTHING, Eligibility, SubtotalBasis, Target

TARGET_KEYS = ("skus", "categories", "brands", "exclude_skus", "exclude_categories")
MAX_MONEY = Decimal(10**12)  # written out, so messages say 1000000000000 rather than 1E+12
# Every count a definition takes (units to buy, gifts, applications, a bundle's items) stays within what a cart
# line may hold (the API's cart line quantity): a larger one could never be met and only overflows columns.
MAX_COUNT = 100_000


class DefinitionError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _object(data, field: str) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DefinitionError(field, "Expected a JSON object.")
    return data


def _unknown_keys(data: dict, allowed, field: str) -> None:
    for key in data:
        if key not in allowed:
            raise DefinitionError(f"{field}.{key}", f"Unknown key; use one of: {', '.join(sorted(allowed))}.")


def decimal_value(value, field: str, *, minimum=Decimal(0), maximum=MAX_MONEY, required=True) -> Decimal | None:
    if value is None and not required:
        return None
    # A JSON number with a fraction arrives as a binary float, which cannot say 0.1 exactly: strings only.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise DefinitionError(field, 'Expected a decimal number as a string, e.g. "15.00".')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError(field, f"'{value}' is not a decimal number.") from None
    if not number.is_finite() or number < minimum or number > maximum:
        raise DefinitionError(field, f"Must be between {minimum} and {maximum}.")
    return number


def int_value(value, field: str, *, minimum=1, maximum=MAX_COUNT, required=True) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise DefinitionError(field, f"Expected a whole number between {minimum} and {maximum}.")
    return value


def _strings(value, field: str) -> frozenset[str]:
    if value is None:
        return NOTHING
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise DefinitionError(field, "Expected a list of non-empty strings.")
    return frozenset(value) or NOTHING


def parse_target(data, field: str = "target") -> Target:
    data = _object(data, field)
    _unknown_keys(data, TARGET_KEYS, field)
    return Target(**{key: _strings(data.get(key), f"{field}.{key}") for key in TARGET_KEYS})


ELIGIBILITY_KEYS = ("min_subtotal", "min_quantity", "subtotal_basis", "payment_methods")


def parse_eligibility(data, field: str = "eligibility") -> Eligibility:
    data = _object(data, field)
    _unknown_keys(data, {*ELIGIBILITY_KEYS, *condition_names()}, field)
    conditions = []
    for name in sorted(data):
        if name in ELIGIBILITY_KEYS:
            continue
        try:
            value = condition(name).parse(data[name])
        except ValueError as exc:
            raise DefinitionError(f"{field}.{name}", str(exc)) from None
        if value:
            conditions.append((name, value))
    return Eligibility(
        min_subtotal=decimal_value(data.get("min_subtotal"), f"{field}.min_subtotal", required=False),
        min_quantity=int_value(data.get("min_quantity"), f"{field}.min_quantity", required=False),
        conditions=tuple(conditions),
        payment_methods=_payment_methods(data.get("payment_methods"), f"{field}.payment_methods"),
        subtotal_basis=_choice(data.get("subtotal_basis", SubtotalBasis.CART), SubtotalBasis.ALL,
                               f"{field}.subtotal_basis"),
    )  # fmt: skip


def _payment_methods(value, field: str) -> frozenset[str]:
    methods = _strings(value, field)
    for method in sorted(methods):
        if method not in PAYMENT_METHODS:
            raise DefinitionError(field, f"Unknown payment method '{method}'; use: {', '.join(PAYMENT_METHODS)}.")
    return methods


def _choice(value, choices, field: str) -> str:
    if value not in choices:
        raise DefinitionError(field, f"Use one of: {', '.join(choices)}.")
    return value


def parse_reward(data, field: str = "reward"):
    data = _object(data, field)
    kind = data.get("type")
    if kind not in REWARD_TYPES:
        raise DefinitionError(f"{field}.type", f"Unknown reward type; use one of: {', '.join(sorted(REWARD_TYPES))}.")

    def money(key, required=True):
        return decimal_value(data.get(key), f"{field}.{key}", required=required)

    def percent(key, required=True):
        return decimal_value(data.get(key), f"{field}.{key}", maximum=Decimal(100), required=required)

    def whole(key, required=True, minimum=1):
        return int_value(data.get(key), f"{field}.{key}", required=required, minimum=minimum)

    if kind == "percentage":
        _unknown_keys(data, {"type", "value", "max_discount", "max_units"}, field)
        return Percentage(value=percent("value"), max_discount=money("max_discount", required=False),
                          max_units=whole("max_units", required=False))  # fmt: skip
    if kind == "fixed_amount":
        _unknown_keys(data, {"type", "value", "per", "max_units"}, field)
        per = data.get("per", "order")
        if per not in ("order", "item"):
            raise DefinitionError(f"{field}.per", "Use 'order' or 'item'.")
        return FixedAmount(value=money("value"), per=per, max_units=whole("max_units", required=False))
    if kind == "fixed_price":
        _unknown_keys(data, {"type", "value"}, field)
        return FixedPrice(value=money("value"))
    if kind == "buy_x_get_y":
        discounts = ("percent_off", "amount_off", "price")
        _unknown_keys(data, {"type", "buy", "get", "get_target", "max_applications", *discounts}, field)
        if sum(key in data for key in discounts) > 1:
            raise DefinitionError(field, "Give at most one of 'percent_off', 'amount_off' or 'price' (none: free).")
        percent_off = percent("percent_off", required=False)
        amount_off, price = money("amount_off", required=False), money("price", required=False)
        if percent_off is None and amount_off is None and price is None:
            percent_off = Decimal(100)  # the Y units are free
        return BuyXGetY(
            buy=whole("buy"),
            get=whole("get"),
            percent_off=percent_off,
            amount_off=amount_off,
            price=price,
            get_target=parse_target(data["get_target"], f"{field}.get_target") if data.get("get_target") else None,
            max_applications=whole("max_applications", required=False),
        )
    if kind == "bundle":
        _unknown_keys(data, {"type", "items", "price"}, field)
        items = data.get("items")
        if not isinstance(items, list) or not items:
            raise DefinitionError(f"{field}.items", "A bundle needs a list of at least one item.")
        return Bundle(items=tuple(_bundle_item(item, f"{field}.items.{n}") for n, item in enumerate(items)),
                      price=money("price"))  # fmt: skip
    if kind == "tiered":
        _unknown_keys(data, {"type", "tiers"}, field)
        tiers = data.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            raise DefinitionError(f"{field}.tiers", "Tiered rewards need a list of at least one tier.")
        parsed = sorted((_tier(tier, f"{field}.tiers.{n}") for n, tier in enumerate(tiers)),
                        key=lambda tier: tier.min_subtotal)  # fmt: skip
        return Tiered(tiers=tuple(parsed))
    if kind == "free_shipping":
        _unknown_keys(data, {"type", "max_amount", "percent"}, field)
        shipping_percent = percent("percent", required=False)
        return FreeShipping(max_amount=money("max_amount", required=False),
                            percent=Decimal(100) if shipping_percent is None else shipping_percent)  # fmt: skip
    _unknown_keys(data, {"type", "sku", "quantity"}, field)
    sku = data.get("sku")
    if not isinstance(sku, str) or not sku:
        raise DefinitionError(f"{field}.sku", "A gift names the sku given away.")
    return Gift(sku=sku, quantity=whole("quantity", required=False) or 1)


def _bundle_item(data, field: str) -> BundleItem:
    data = _object(data, field)
    _unknown_keys(data, {"sku", "category", "quantity"}, field)
    sku, category = data.get("sku"), data.get("category")
    if bool(sku) == bool(category) or not isinstance(sku or category, str):
        raise DefinitionError(field, "A bundle item names exactly one of 'sku' or 'category'.")
    quantity = int_value(data.get("quantity", 1), f"{field}.quantity")
    return BundleItem(quantity=quantity, sku=sku or None, category=category or None)


def _tier(data, field: str) -> Tier:
    data = _object(data, field)
    _unknown_keys(data, {"min_subtotal", "amount", "percent"}, field)
    if ("amount" in data) == ("percent" in data):
        raise DefinitionError(field, "A tier gives exactly one of 'amount' or 'percent'.")
    return Tier(
        min_subtotal=decimal_value(data.get("min_subtotal"), f"{field}.min_subtotal"),
        amount=decimal_value(data.get("amount"), f"{field}.amount", required=False),
        percent=decimal_value(data.get("percent"), f"{field}.percent", maximum=Decimal(100), required=False),
    )

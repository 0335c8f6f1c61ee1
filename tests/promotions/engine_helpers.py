"""Builders for pure engine tests: carts, contexts and rules from the API's JSON shapes."""

from datetime import UTC, datetime
from decimal import Decimal

from promotions.engine import Cart, CartLine, Context, PromotionRule, compile_index, evaluate
from promotions.engine.definition import parse_eligibility, parse_reward
from promotions.engine.parsing import parse_target

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def line(sku, quantity, price, categories=(), brand=""):
    return CartLine(sku=sku, quantity=quantity, unit_price=Decimal(price), categories=tuple(categories), brand=brand)


def rule(promotion_id, reward, *, name=None, target=None, eligibility=None, **fields):
    return PromotionRule(
        id=promotion_id,
        name=name or f"promotion {promotion_id}",
        reward=parse_reward(reward),
        target=parse_target(target or {}),
        eligibility=parse_eligibility(eligibility or {}),
        **fields,
    )


def price(lines, rules, *, currency="USD", shipping="0", entered=(), records=(), **context):
    """Price a cart; `entered` are the codes typed in, `records` the stored CodeRecords."""
    cart = Cart(currency=currency, lines=tuple(lines), shipping_price=Decimal(shipping), codes=tuple(entered))
    codes = {record.code: record for record in records}
    return evaluate(cart, Context(now=context.pop("now", NOW), codes=codes, **context), compile_index(rules))

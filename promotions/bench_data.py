"""Synthetic promotions and carts for `bench_pricing` (deterministic for a seed).

The mix is what a large retailer runs: most promotions target one SKU (markdowns, buy X get Y,
fixed prices, bundles), some a category or a brand, a handful are site-wide, and a share are
vouchers that only apply when their code is entered.
"""

import random
from decimal import Decimal

SKUS = 100_000
CATEGORY_PARENTS = 100
CATEGORIES = 5_000
BRANDS = 1_000
SITEWIDE = 5  # site-wide automatic offers: a shop runs a handful whatever its size


def sku(number: int) -> str:
    return f"SKU-{number:05d}"


def category_lineage(number: int) -> tuple[str, ...]:
    leaf = number % CATEGORIES
    return (f"cat-{leaf:04d}", f"dept-{leaf % CATEGORY_PARENTS:02d}")


def brand(number: int) -> str:
    return f"brand-{number % BRANDS:03d}"


def unit_price(number: int) -> Decimal:
    return Decimal(100 + (number * 7919) % 50_000)


def promotion_definitions(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    definitions = []
    for number in range(count):
        kind = number % 20
        target: dict = {"skus": [sku(rng.randrange(SKUS))]}
        if kind in (12, 13, 14):
            target = {"categories": [category_lineage(rng.randrange(CATEGORIES))[0]]}
        elif kind == 15:
            target = {"brands": [brand(rng.randrange(BRANDS))]}
        reward_kind = number % 8
        reward = [
            {"type": "percentage", "value": str(rng.choice([5, 10, 15, 20, 25])), "max_discount": "5000.00"},
            {"type": "fixed_amount", "value": "50.00", "per": "item"},
            {"type": "fixed_price", "value": "99.00"},
            {"type": "buy_x_get_y", "buy": 2, "get": 1, "percent_off": "100"},
            {"type": "bundle", "items": [{"sku": sku(rng.randrange(SKUS)), "quantity": 1}], "price": "999.00"},
            {"type": "tiered", "tiers": [{"min_subtotal": "1000.00", "amount": "100.00"},
                                         {"min_subtotal": "5000.00", "percent": "10"}]},
            {"type": "fixed_amount", "value": "200.00", "per": "order"},
            {"type": "gift", "sku": sku(rng.randrange(SKUS)), "quantity": 1},
        ][reward_kind]  # fmt: skip
        definition = {
            "name": f"bench {number}",
            "trigger": "automatic",
            "priority": rng.randrange(10),
            "stacking": "exclusive" if number % 10 == 3 else "combinable",
            "target": target,
            "eligibility": {"min_subtotal": "500.00"} if number % 6 == 0 else {},
            "reward": reward,
        }
        if kind in (16, 17, 18, 19):
            definition.update(trigger="code", code=f"BENCH{number}", target={})
        definitions.append(definition)
    for number in range(min(SITEWIDE, count)):
        definitions[number * 20 + 4 if number * 20 + 4 < count else number].update(
            trigger="automatic", target={}, reward={"type": "free_shipping"}, eligibility={"min_subtotal": "3000.00"}
        )
    return definitions


def cart_lines(rng: random.Random, lines: int = 20) -> list[tuple[str, int, Decimal, tuple[str, ...], str]]:
    numbers = rng.sample(range(SKUS), lines)
    return [(sku(n), rng.randint(1, 3), unit_price(n), category_lineage(n), brand(n)) for n in numbers]

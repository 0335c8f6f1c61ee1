"""The side-by-side workload, defined once for both sides (plain Python: no Django, no oscar).

1,000 offers and one 20-line cart. 159 of the offers target the cart's products (eight per line, seven on the
last): percentage off, a fixed amount off each unit, and three-for-two on the lines of three units; all of them
combinable, so each applies. The other 841 target products, categories and "brands" (a set of products) the cart
does not hold, as bench_data's mix does (most one SKU, some a category or a brand, a fifth of them vouchers, every
tenth exclusive), with fixed prices among them; each side still has to look at them. The cart enters one voucher
code, as bench_pricing's HTTP carts do, whose offer does not apply.

Kinds with an equivalent on both sides only: our `percentage`, `fixed_amount` per item, `fixed_price` and
`buy_x_get_y` (buy 2 get 1 free) are oscar's Percentage, Fixed (per unit), Fixed price and Multibuy benefits.
Products and prices are bench_data's (SKU-00042 costs bench_data.unit_price(42) on both sides).
"""

from decimal import Decimal

OFFERS = 1_000
CART_LINES = 20
APPLIED = 159
PRODUCTS = 2_000  # SKU-00000 .. SKU-01999: every product either side creates
CATEGORIES = 5_000  # bench_data.CATEGORIES: SKU n sits in cat-{n % 5000}, so below 5,000 each category has one
BRANDS = 1_000  # bench_data.BRANDS: brand-{n % 1000}, so two of the products here share each brand


def sku(number: int) -> str:
    return f"SKU-{number:05d}"


def unit_price(number: int) -> Decimal:
    return Decimal(100 + (number * 7919) % 50_000)


def category(number: int) -> str:
    return f"cat-{number % CATEGORIES:04d}"


def brand(number: int) -> str:
    return f"brand-{number % BRANDS:03d}"


def brand_members(name: str) -> list[int]:
    """The product numbers of a brand among the products created."""
    return [n for n in range(PRODUCTS) if brand(n) == name]


def cart() -> list[tuple[int, int]]:
    """(product number, quantity) of the cart's 20 lines: products of 2,000 or more, every other line three units
    (so three-for-two applies), the others one or two."""
    numbers = [n for n in range(7, PRODUCTS, 83) if unit_price(n) >= 2000][:CART_LINES]
    return [(n, 3 if line % 2 == 0 else 1 + line % 4 // 3) for line, n in enumerate(numbers)]


def _hitting() -> list[dict]:
    offers = []
    for line, (number, quantity) in enumerate(cart()):
        eighth = "buy_x_get_y" if quantity == 3 else "percentage"
        kinds = [("percentage", 2), ("percentage", 3), ("percentage", 2), ("percentage", 1), ("fixed_unit", 50),
                 ("fixed_unit", 20), (eighth, 1), ("percentage", 1)]  # fmt: skip
        for kind, value in kinds[: 8 if line < CART_LINES - 1 else 7]:
            offers.append({"kind": kind, "value": Decimal(value), "skus": [number], "exclusive": False})
    return offers


def offers() -> list[dict]:
    """The 1,000 offers, in order. Each: kind (percentage, fixed_unit, fixed_price, buy_x_get_y), value, what it
    targets (skus: product numbers, or category: a category code), exclusive, priority, and code (a voucher) or
    None. Kinds and values map one to one onto both sides (see the module's docstring)."""
    in_cart = {number for number, _ in cart()}
    outside = [n for n in range(PRODUCTS) if n not in in_cart and brand(n) not in {brand(c) for c in in_cart}]
    hitting = _hitting()
    result = []
    other = 0
    for number in range(OFFERS):
        if number % 6 == 1 and hitting:  # spread among the others, so neither side meets them in a block
            offer = hitting.pop(0)
        else:
            target = outside[(other * 7) % len(outside)]
            kind = ("percentage", "fixed_unit", "fixed_price", "buy_x_get_y")[other % 4]
            value = {"percentage": Decimal(5 + other % 5 * 5), "fixed_unit": Decimal(50),
                     "fixed_price": Decimal(99), "buy_x_get_y": Decimal(1)}[kind]  # fmt: skip
            offer = {"kind": kind, "value": value, "skus": [target], "exclusive": number % 10 == 3}
            if other % 20 in (12, 13, 14):
                offer = {**offer, "skus": None, "category": category(target)}
            elif other % 20 == 15:
                offer = {**offer, "skus": brand_members(brand(target))}
            offer["code"] = f"OSC{number}" if other % 20 in (16, 17, 18, 19) else None
            other += 1
        result.append({"category": None, "code": None, **offer, "name": f"oscar bench {number}", "priority": 0})
    if hitting:
        raise AssertionError("fewer slots than offers to spread")
    return result


def entered_code() -> str:
    """The voucher the cart enters: the first one."""
    return next(offer["code"] for offer in offers() if offer["code"])


def promotion_definition(offer: dict) -> dict:
    """An offer as a promotions.bench_data definition (what bench_pricing's loader stores)."""
    reward = {
        "percentage": lambda: {"type": "percentage", "value": str(offer["value"])},
        "fixed_unit": lambda: {"type": "fixed_amount", "value": f"{offer['value']:.2f}", "per": "item"},
        "fixed_price": lambda: {"type": "fixed_price", "value": f"{offer['value']:.2f}"},
        "buy_x_get_y": lambda: {"type": "buy_x_get_y", "buy": 2, "get": 1, "percent_off": "100"},
    }[offer["kind"]]()
    target = {"categories": [offer["category"]]} if offer["category"] else {"skus": [sku(n) for n in offer["skus"]]}
    definition = {
        "name": offer["name"],
        "trigger": "code" if offer["code"] else "automatic",
        "priority": offer["priority"],
        "stacking": "exclusive" if offer["exclusive"] else "combinable",
        "target": target,
        "eligibility": {},
        "reward": reward,
    }
    if offer["code"]:
        definition["code"] = offer["code"]
    return definition

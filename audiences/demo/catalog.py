"""The demo's stores and products from the reference lists, and a country's products ready for weighted picks."""

import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from audiences.currencies import CURRENCY_EXPONENTS
from audiences.demo import reference
from audiences.demo.reference import COUNTRIES, Country, StoreTemplate

# Co-purchase structure: a country's products fall in families of about this many (mixed categories, as a
# household's taste or a use: a phone with its charger and earbuds); each buyer has one family and draws a
# share of their lines from it (audiences/demo/orders.py), the rest from the whole catalogue by popularity.
# What recommendations learn.
FAMILY_SIZE = 8


@dataclass(frozen=True)
class StoreSpec:
    code: str
    name: str
    city: str
    country: Country
    nearby_cities: tuple[str, ...]
    coordinates: tuple[float, float]


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    category: str
    brand: str
    price_minor: int
    currency: str
    in_stock: bool
    popularity: float
    several_per_order: bool
    consumable: bool = False


def stores(count: int) -> list[StoreSpec]:
    """The first `count` store templates; past the list, numbered branches of the same cities."""
    specs = []
    for index in range(count):
        template: StoreTemplate = reference.STORES[index % len(reference.STORES)]
        branch = index // len(reference.STORES)
        code = template.code if not branch else f"{template.code[:3]}-{int(template.code[4:]) + branch * 10:02d}"
        name = template.name if not branch else f"{template.name} {branch + 1}"
        country = COUNTRIES[template.country]
        specs.append(StoreSpec(code, name, template.city, country, template.nearby_cities, template.coordinates))
    return specs


def _shelf_price(dollars: float, country: Country) -> int:
    """A price as a shop would print it (45,990 taka, 1,250,000 shillings), in minor units."""
    local = dollars * country.usd_rate
    if country.currency == "BDT":
        whole = max(round(local / 100) * 100 - 10, 90) if local >= 100 else max(round(local / 10) * 10 - 1, 9)
    else:
        step = 500 if local < 50_000 else 5_000
        whole = max(round(local / step) * step, step)
    return whole * 10 ** CURRENCY_EXPONENTS[country.currency]


def _sku_part(text: str) -> str:
    return "".join(char for char in text.upper().replace(" ", "") if char.isalnum())[:10]


def products(seed: int, count: int, countries: list[Country]) -> list[ProductSpec]:
    """`count` products split over the countries' currencies, each priced in its currency."""
    rng = random.Random(f"{seed}:products")
    base = [
        (template, variant, dollars)
        for template in reference.PRODUCT_TEMPLATES
        for variant, dollars in template.variants
    ]
    specs: list[ProductSpec] = []
    for country_index, country in enumerate(countries):
        wanted = count // len(countries) + (1 if country_index < count % len(countries) else 0)
        for number in range(wanted):
            template, variant, dollars = base[number % len(base)]
            edition = number // len(base)
            colour = reference.COLOURS[(edition - 1) % len(reference.COLOURS)] if edition else ""
            name = template.name.replace("{variant}", variant) + (f", {colour}" if colour else "")
            sku = "-".join(
                part
                for part in (
                    _sku_part(template.category)[:4],
                    _sku_part(template.brand)[:4],
                    _sku_part(variant),
                    _sku_part(colour),
                    f"E{(edition - 1) // len(reference.COLOURS) + 1}" if edition > len(reference.COLOURS) else "",
                    country.code,
                )
                if part
            )
            specs.append(
                ProductSpec(
                    sku=sku,
                    name=f"{template.brand} {name}",
                    category=template.category,
                    brand=template.brand,
                    price_minor=_shelf_price(dollars * rng.uniform(0.92, 1.08), country),
                    currency=country.currency,
                    in_stock=rng.random() < 0.92,
                    popularity=reference.CATEGORY_POPULARITY[template.category] * rng.lognormvariate(0, 1),
                    several_per_order=template.several_per_order,
                    consumable=template.consumable,
                )
            )
    return specs


@dataclass
class Catalog:
    """One country's products, ready for fast weighted picks, from all of them or from one family."""

    rows: list[tuple]  # (product id, sku, category id, price minor, several per order)
    cumulative: list[float]
    families: list[tuple[list[tuple], list[float]]] = field(default_factory=list)

    @classmethod
    def of(cls, rows: list[tuple], popularity: list[float]) -> "Catalog":
        count = max(1, len(rows) // FAMILY_SIZE)
        families = []
        for family in range(count):
            members = range(family, len(rows), count)
            # Evenly within a family: what a buyer's family adds is not what is popular anyway.
            families.append(([rows[i] for i in members], list(accumulate(1.0 for _ in members))))
        return cls(rows, list(accumulate(popularity)), families)

    def pick(self, rng: random.Random, family: int | None = None) -> tuple:
        rows, cumulative = (self.rows, self.cumulative) if family is None else self.families[family]
        return rows[bisect(cumulative, rng.random() * cumulative[-1])]

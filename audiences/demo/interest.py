"""The dealership corner of the demo: what a product view says (sku, brand, model, category), recent
showroom browsing of motorbike models (so that "viewed a model twice in 30 days" has members), and the
stock each store holds, some models sold out. Pure, and drawn from its own random streams, so the rest of
the demo (orders, segments, their documented counts) is the same with or without it."""

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the generator imports this module
    from audiences.demo.catalog import ProductSpec, StoreSpec

DAY = 86_400

SHOWROOM_SHARE = 0.08  # of customers: browsed a motorbike model in the last 30 days
SHOWROOM_CATEGORY = "motorbikes"
SOLD_OUT_SHARE = 0.15  # of (product, store) pairs in stock in the catalog: none left at that store


def view_properties(spec: "ProductSpec") -> dict:
    """A product_viewed event's properties: the model is the name without the brand and colour."""
    model = spec.name.removeprefix(f"{spec.brand} ").split(", ")[0]
    return {"sku": spec.sku, "brand": spec.brand, "model": model, "category": spec.category}


@dataclass
class Showroom:
    """Recent views of motorbike models, customer by customer in order, from a stream of their own."""

    seed: int
    as_of: int
    specs_by_currency: dict[str, list["ProductSpec"]]

    def __post_init__(self):
        self.rng = random.Random(f"{self.seed}:showroom")

    def views(self, currency: str, signed_up: int) -> list[tuple[int, "ProductSpec"]]:
        """(moment, product) of this customer's showroom views: none, or 1 to 3 of one model in 30 days."""
        rng = self.rng
        if rng.random() >= SHOWROOM_SHARE:
            return []
        models = self.specs_by_currency.get(currency)
        if not models:
            return []
        spec = models[int(rng.random() * len(models))]
        start = max(signed_up, self.as_of - 30 * DAY)
        return sorted(
            (start + int(rng.random() * (self.as_of - start)), spec) for _ in range(1 + int(rng.random() * 3))
        )


def showroom(seed: int, as_of: int, product_specs: list["ProductSpec"]) -> Showroom:
    by_currency: dict[str, list[ProductSpec]] = {}
    for spec in product_specs:
        if spec.category == SHOWROOM_CATEGORY:
            by_currency.setdefault(spec.currency, []).append(spec)
    return Showroom(seed, as_of, by_currency)


def stock_levels(
    seed: int, product_specs: list["ProductSpec"], store_specs: list["StoreSpec"]
) -> list[tuple[str, str, int]]:
    """(sku, store code, quantity) for each product at each store of its currency: none where the catalog
    says out of stock, else 1 to 12, sold out at some stores."""
    rng = random.Random(f"{seed}:stock")
    levels = []
    for spec in product_specs:
        for store in store_specs:
            if store.country.currency != spec.currency:
                continue
            sold_out = not spec.in_stock or rng.random() < SOLD_OUT_SHARE
            levels.append((spec.sku, store.code, 0 if sold_out else 1 + int(rng.random() * 12)))
    return levels

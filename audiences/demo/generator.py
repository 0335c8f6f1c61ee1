"""Turn a seed into demo rows: pure, no database, the same seed and sizes giving the same rows.

Customers are generated in chunks together with their orders (audiences/demo/orders.py), events and consents
(audiences/demo/activity.py), so a customer's order statistics are known when its row is written and memory
stays bounded. The rows' shapes are in audiences/demo/rows.py, the stores and products in
audiences/demo/catalog.py. One random stream feeds them all, in a fixed order: the split into modules keeps it.
"""

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import accumulate

from audiences.demo import interest, purchases, reference
from audiences.demo.activity import ActivityRows
from audiences.demo.catalog import Catalog, ProductSpec, StoreSpec
from audiences.demo.orders import ORDER_SPAN_DAYS, OrderRows
from audiences.demo.reference import COUNTRIES, Country
from audiences.demo.rows import DAY, Chunk, FirstIds, as_datetime, compact_json, money

SIGN_UP_SPAN_DAYS = 3 * 365
NEW_CUSTOMER_SHARE = 0.04  # signed up in the last 30 days
# Shopping hours, local time, weighted towards the evening.
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 6, 7, 8, 10, 11, 10, 7, 4, 1)


def order_windows(points: int = 100) -> list[float]:
    """The days in which customers can order (sign-up, or ORDER_SPAN_DAYS back, to the data's end) of `points`
    equally likely customers: the distribution `_customer`'s sign-ups give, for the purchase process's expected
    total."""
    new = round(points * NEW_CUSTOMER_SHARE)
    older = points - new
    return [30 * (n + 0.5) / new for n in range(new)] + [
        min(30 + (SIGN_UP_SPAN_DAYS - 30) * (n + 0.5) / older, ORDER_SPAN_DAYS) for n in range(older)
    ]


class DemoGenerator(OrderRows, ActivityRows):
    """Rows for customers and everything they did, chunk by chunk, from one seed."""

    def __init__(
        self,
        *,
        seed: int,
        customers: int,
        orders: int,
        store_ids: dict[str, int],
        store_specs: list[StoreSpec],
        product_specs: list[ProductSpec],
        product_ids: dict[str, int],
        category_ids: dict[str, int],
        as_of: datetime,
        first_ids: FirstIds,
    ):
        self.seed = seed
        self.customers = customers
        self.as_of = int(as_of.timestamp())
        self.ids = first_ids
        self.purchases = purchases.purchase_process(customers, orders, order_windows())
        self.rng = random.Random(f"{seed}:customers")
        self.stores = [(spec, store_ids[spec.code]) for spec in store_specs]
        self.stores_by_country: dict[str, list[tuple[StoreSpec, int]]] = {}
        for spec, store_id in self.stores:
            self.stores_by_country.setdefault(spec.country.code, []).append((spec, store_id))
        self.catalogs: dict[str, Catalog] = {}
        for country_code in self.stores_by_country:
            currency = COUNTRIES[country_code].currency
            specs = [spec for spec in product_specs if spec.currency == currency]
            rows = [
                (product_ids[spec.sku], spec.sku, category_ids[spec.category], spec.price_minor, spec.several_per_order)
                for spec in specs
            ]
            self.catalogs[country_code] = Catalog.of(rows, [spec.popularity for spec in specs])
        self.hours = list(accumulate(HOUR_WEIGHTS))
        self.view_properties = {spec.sku: compact_json(interest.view_properties(spec)) for spec in product_specs}
        self.showroom = interest.showroom(seed, self.as_of, product_specs)

    def chunks(self, size: int) -> Iterator[Chunk]:
        for start in range(0, self.customers, size):
            chunk = Chunk()
            for index in range(start, min(start + size, self.customers)):
                self._customer(chunk, index)
            yield chunk

    def _local_time(self, start: int, end: int, offset: int) -> int:
        """A moment in [start, end] at a plausible shopping hour in the store's time zone."""
        return self._at_shopping_hour(start + int(self.rng.random() * (end - start)), start, end, offset)

    def _at_shopping_hour(self, moment: int, start: int, end: int, offset: int) -> int:
        """The moment's day at a plausible shopping hour in the store's time zone, kept within [start, end]."""
        rng = self.rng
        day_start = (moment + offset) // DAY * DAY - offset
        hour = bisect(self.hours, rng.random() * self.hours[-1])
        moment = day_start + hour * 3600 + int(rng.random() * 3600)
        return min(max(moment, start), end)

    def _customer(self, chunk: Chunk, index: int) -> None:
        rng = self.rng
        as_of = self.as_of
        customer_id = self.ids.customer
        self.ids.customer += 1
        store, store_id = self.stores[index % len(self.stores)] if index < len(self.stores) else rng.choice(self.stores)
        country = store.country
        offset = country.utc_offset_hours * 3600

        if rng.random() < NEW_CUSTOMER_SHARE:
            signed_up = as_of - int(rng.random() * 30 * DAY)
        else:
            signed_up = as_of - 30 * DAY - int(rng.random() * (SIGN_UP_SPAN_DAYS - 30) * DAY)
        language = "en"
        draw = rng.random()
        for code, share in country.languages:
            if draw < share:
                language = code
                break
            draw -= share
        first_name, last_name, email_name = self._name(country, language)
        external_id = f"C-{index + 1:06d}"
        email = f"{email_name}{index + 1}@{rng.choice(country.email_domains)}" if rng.random() < 0.85 else ""
        # A different number for every customer: the subscriber digits are a permutation of the index.
        subscribers = 10**country.subscriber_digits
        subscriber = (index * 7_919_113 + self.seed * 104_729 + 12_345) % subscribers
        phone = f"{rng.choice(country.mobile_prefixes)}{subscriber:0{country.subscriber_digits}d}"
        birth_date = None
        if rng.random() < 0.9:
            age_days = int((18 + rng.betavariate(2, 4) * 52) * 365.25)
            birth_date = date.fromtimestamp(as_of) - timedelta(days=age_days)
        city = rng.choice(store.nearby_cities) if rng.random() < 0.15 else store.city
        attributes = self._attributes(rng, country)
        attributes_json = compact_json(attributes)

        orders = self._orders(chunk, customer_id, store, store_id, signed_up, offset)
        placed = [order for order in orders if order[1]]
        total_spent = sum(order[2] for order in placed)
        first_order = min((order[0] for order in placed), default=None)
        last_order = max((order[0] for order in placed), default=None)
        signed_up_at = as_datetime(signed_up)
        chunk.customers.append(
            (
                customer_id, external_id, email, phone, first_name, last_name, birth_date, language,
                country.timezone, store_id, city, signed_up_at, attributes_json, country.currency,
                money(total_spent, country.currency),
                len(placed), first_order and as_datetime(first_order), last_order and as_datetime(last_order),
                signed_up_at, as_datetime(max([signed_up, *(order[0] for order in orders)])),
            )
        )  # fmt: skip
        self._events(chunk, customer_id, country, signed_up, orders, offset, attributes["acquisition"])
        self._consents(chunk, customer_id, signed_up, bool(email))

    def _name(self, country: Country, language: str) -> tuple[str, str, str]:
        rng = self.rng
        if country.code == "BD":
            first, first_local = rng.choice(reference.BANGLADESH_FIRST_NAMES)
            last, last_local = rng.choice(reference.BANGLADESH_LAST_NAMES)
            email_name = f"{first}.{last}".lower()
            if language == "bn" and rng.random() < 0.3:
                return first_local, last_local, email_name
            return first, last, email_name
        first = rng.choice(reference.TANZANIA_FIRST_NAMES)
        last = rng.choice(reference.TANZANIA_LAST_NAMES)
        return first, last, f"{first}.{last}".lower()

    def _attributes(self, rng: random.Random, country: Country) -> dict:
        attributes: dict = {
            "acquisition": rng.choice(reference.ACQUISITION_CHANNELS),
            "customer_type": "business" if rng.random() < 0.08 else "retail",
        }
        if rng.random() < 0.4:
            attributes["preferred_brand"] = rng.choice(reference.PRODUCT_TEMPLATES).brand
        if rng.random() < 0.3:
            attributes["loyalty_card"] = f"{country.code}{rng.randrange(10**9):09d}"
        if rng.random() < 0.05:
            make, model = rng.choice(reference.VEHICLES)
            attributes["trade_in_vehicle"] = {"make": make, "model": model, "year": rng.randrange(2008, 2024)}
        if rng.random() < 0.05:
            attributes["dietary"] = rng.choice(reference.DIETARY)
        return attributes

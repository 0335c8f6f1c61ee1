"""Turn a seed into demo rows: pure, no database, the same seed and sizes giving the same rows.

Rows are plain tuples in the column order of the `*_COLUMNS` constants so that the writers can
stream them with COPY without building model instances. Money is kept in minor units (ints)
while generating and written as decimal strings; JSON is written as text; times are aware UTC
datetimes. Customers are generated in chunks together with their orders, events and consents,
so a customer's order statistics are known when its row is written and memory stays bounded.
"""

import json
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from audiences.currencies import CURRENCY_EXPONENTS
from audiences.demo import interest, purchases, reference
from audiences.demo.reference import COUNTRIES, Country, StoreTemplate

DAY = 86_400
SIGN_UP_SPAN_DAYS = 3 * 365
ORDER_SPAN_DAYS = 2 * 365
NEW_CUSTOMER_SHARE = 0.04  # signed up in the last 30 days
CANCELLED_SHARE = 0.03
LINES_PER_ORDER_CUMULATIVE = (0.55, 0.80, 0.93)  # 1, 2, 3 lines; else 4
# Co-purchase structure: a country's products fall in families of about this many (mixed categories, as a
# household's taste or a use: a phone with its charger and earbuds); each buyer has one family and draws this
# share of their lines from it, the rest from the whole catalogue by popularity. What recommendations learn.
FAMILY_SIZE = 8
FAMILY_SHARE = 0.6
# Shopping hours, local time, weighted towards the evening.
HOUR_WEIGHTS = (0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 6, 7, 8, 10, 11, 10, 7, 4, 1)

CUSTOMER_COLUMNS = (
    "id", "external_id", "email", "phone", "first_name", "last_name", "birth_date", "language", "timezone",
    "store_id", "city", "signed_up_at", "attributes", "currency", "total_spent", "orders_count", "first_order_at",
    "last_order_at", "created_at", "updated_at",
)  # fmt: skip
ORDER_COLUMNS = (
    "id", "external_id", "customer_id", "store_id", "channel", "currency", "placed_at", "status", "subtotal",
    "discount_total", "shipping_price", "shipping_discount", "total", "attribution", "cancelled_at", "created_at",
)  # fmt: skip
ORDER_LINE_COLUMNS = (
    "id", "order_id", "line_no", "sku", "product_id", "category_id", "quantity", "unit_price", "subtotal",
    "discount", "total", "customer_id", "placed_at", "order_status",
)  # fmt: skip
EVENT_COLUMNS = ("id", "customer_id", "type", "occurred_at", "properties", "idempotency_key", "created_at")
CONSENT_RECORD_COLUMNS = ("id", "customer_id", "channel", "topic", "status", "source", "recorded_at", "created_at")
CONSENT_COLUMNS = ("id", "customer_id", "channel", "topic", "status", "source", "recorded_at")


def money(minor: int, currency: str) -> str:
    """12345 BDT minor units -> '123.45'."""
    exponent = CURRENCY_EXPONENTS[currency]
    if not exponent:
        return str(minor)
    units, cents = divmod(minor, 10**exponent)
    return f"{units}.{cents:0{exponent}d}"


def _as_datetime(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _compact_json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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


@dataclass
class Chunk:
    customers: list[tuple] = field(default_factory=list)
    orders: list[tuple] = field(default_factory=list)
    order_lines: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    consent_records: list[tuple] = field(default_factory=list)
    consents: list[tuple] = field(default_factory=list)


@dataclass
class FirstIds:
    """The primary keys the next rows of each table get (ids are written explicitly)."""

    customer: int = 1
    order: int = 1
    order_line: int = 1
    event: int = 1
    consent_record: int = 1
    consent: int = 1


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


def order_windows(points: int = 100) -> list[float]:
    """The days in which customers can order (sign-up, or ORDER_SPAN_DAYS back, to the data's end) of `points`
    equally likely customers: the distribution `_customer`'s sign-ups give, for the purchase process's expected
    total."""
    new = round(points * NEW_CUSTOMER_SHARE)
    older = points - new
    return [30 * (n + 0.5) / new for n in range(new)] + [
        min(30 + (SIGN_UP_SPAN_DAYS - 30) * (n + 0.5) / older, ORDER_SPAN_DAYS) for n in range(older)
    ]


@dataclass
class _Catalog:
    """One country's products, ready for fast weighted picks, from all of them or from one family."""

    rows: list[tuple]  # (product id, sku, category id, price minor, several per order)
    cumulative: list[float]
    families: list[tuple[list[tuple], list[float]]] = field(default_factory=list)

    @classmethod
    def of(cls, rows: list[tuple], popularity: list[float]) -> "_Catalog":
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


class DemoGenerator:
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
        self.catalogs: dict[str, _Catalog] = {}
        for country_code in self.stores_by_country:
            currency = COUNTRIES[country_code].currency
            specs = [spec for spec in product_specs if spec.currency == currency]
            rows = [
                (product_ids[spec.sku], spec.sku, category_ids[spec.category], spec.price_minor, spec.several_per_order)
                for spec in specs
            ]
            self.catalogs[country_code] = _Catalog.of(rows, [spec.popularity for spec in specs])
        self.hours = list(accumulate(HOUR_WEIGHTS))
        self.view_properties = {spec.sku: _compact_json(interest.view_properties(spec)) for spec in product_specs}
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
        attributes_json = _compact_json(attributes)

        orders = self._orders(chunk, customer_id, store, store_id, signed_up, offset)
        placed = [order for order in orders if order[1]]
        total_spent = sum(order[2] for order in placed)
        first_order = min((order[0] for order in placed), default=None)
        last_order = max((order[0] for order in placed), default=None)
        signed_up_at = _as_datetime(signed_up)
        chunk.customers.append(
            (
                customer_id, external_id, email, phone, first_name, last_name, birth_date, language,
                country.timezone, store_id, city, signed_up_at, attributes_json, country.currency,
                money(total_spent, country.currency),
                len(placed), first_order and _as_datetime(first_order), last_order and _as_datetime(last_order),
                signed_up_at, _as_datetime(max([signed_up, *(order[0] for order in orders)])),
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

    def _orders(
        self, chunk: Chunk, customer_id: int, store: StoreSpec, store_id: int, signed_up: int, offset: int
    ) -> list[tuple[int, bool, int, str]]:
        """Write the customer's orders, drawn from the purchase process (audiences/demo/purchases.py) over their
        window; returns (placed at, placed?, total, first sku) per order."""
        rng = self.rng
        as_of = self.as_of
        start = max(signed_up, as_of - ORDER_SPAN_DAYS * DAY)
        if rng.random() >= self.purchases.buyer_share:
            return []
        days = self.purchases.orders_of_one_buyer(rng, (as_of - start) / DAY)
        if not days:
            return []
        country = store.country
        currency = country.currency
        unit = 10 ** CURRENCY_EXPONENTS[currency]
        discount_step = country.discount_step * unit
        catalog = self.catalogs[country.code]
        home_stores = self.stores_by_country[country.code]
        moments = sorted(self._at_shopping_hour(start + int(day * DAY), start, as_of, offset) for day in days)
        family = int(rng.random() * len(catalog.families))
        lines_cumulative = LINES_PER_ORDER_CUMULATIVE
        orders_out = chunk.orders
        lines_out = chunk.order_lines
        summary = []
        for placed_at in moments:
            order_id = self.ids.order
            self.ids.order += 1
            draw = rng.random()
            line_count = (
                1
                if draw < lines_cumulative[0]
                else 2
                if draw < lines_cumulative[1]
                else 3
                if draw < lines_cumulative[2]
                else 4
            )
            subtotal = discount_total = 0
            first_sku = ""
            order_lines = []  # written with the order's status, drawn after them
            for line_no in range(1, line_count + 1):
                product_id, sku, category_id, price, several = catalog.pick(
                    rng, family if rng.random() < FAMILY_SHARE else None
                )
                first_sku = first_sku or sku
                quantity = 1 + int(rng.random() * 3) if several and rng.random() < 0.35 else 1
                line_subtotal = price * quantity
                discount = 0
                if rng.random() < 0.12:
                    discount = line_subtotal * (5 + int(rng.random() * 11)) // 100 // discount_step * discount_step
                subtotal += line_subtotal
                discount_total += discount
                order_lines.append(
                    (
                        self.ids.order_line, order_id, line_no, sku, product_id, category_id, quantity,
                        money(price, currency), money(line_subtotal, currency), money(discount, currency),
                        money(line_subtotal - discount, currency),
                    )
                )  # fmt: skip
                self.ids.order_line += 1
            draw = rng.random()
            channel = "store"
            for name, share in reference.ORDER_CHANNELS:
                if draw < share:
                    channel = name
                    break
                draw -= share
            order_store_id = store_id if channel != "store" or rng.random() < 0.85 else rng.choice(home_stores)[1]
            shipping = shipping_discount = 0
            if channel in ("web", "app", "whatsapp"):
                shipping = rng.choice(country.shipping_fees) * unit
                if subtotal - discount_total >= country.free_shipping_from * unit:
                    shipping_discount = shipping
            total = subtotal - discount_total + shipping - shipping_discount
            cancelled = rng.random() < CANCELLED_SHARE
            cancelled_at = (
                _as_datetime(min(placed_at + 3600 + int(rng.random() * 2 * DAY), as_of)) if cancelled else None
            )
            attribution = "{}"
            if channel != "store" and rng.random() < 0.3:
                attribution = _compact_json(
                    {
                        "utm_source": rng.choice(("facebook", "google", "sms", "email")),
                        "campaign": rng.choice(reference.CAMPAIGNS),
                    }
                )
            placed = _as_datetime(placed_at)
            status = "cancelled" if cancelled else "placed"
            lines_out.extend((*line, customer_id, placed, status) for line in order_lines)
            orders_out.append(
                (
                    order_id, f"O-{order_id:07d}", customer_id, order_store_id, channel, currency, placed,
                    status, money(subtotal, currency), money(discount_total, currency),
                    money(shipping, currency), money(shipping_discount, currency), money(total, currency),
                    attribution, cancelled_at, placed,
                )
            )  # fmt: skip
            summary.append((placed_at, not cancelled, total, first_sku))
        return summary

    def _event(self, chunk: Chunk, customer_id: int, kind: str, moment: int, properties: dict) -> None:
        occurred_at = _as_datetime(moment)
        chunk.events.append(
            (self.ids.event, customer_id, kind, occurred_at, _compact_json(properties), None, occurred_at)
        )
        self.ids.event += 1

    def _viewed(self, chunk: Chunk, customer_id: int, moment: int, sku: str) -> None:
        """A product_viewed event naming the product's sku, brand, model and category (its JSON made once)."""
        occurred_at = _as_datetime(moment)
        chunk.events.append(
            (self.ids.event, customer_id, "product_viewed", occurred_at, self.view_properties[sku], None, occurred_at)
        )
        self.ids.event += 1

    def _events(
        self,
        chunk: Chunk,
        customer_id: int,
        country: Country,
        signed_up: int,
        orders: list[tuple[int, bool, int, str]],
        offset: int,
        acquisition: str,
    ) -> None:
        """Sign-up, browsing before recent orders and at random, abandoned carts, complaints, engagement."""
        rng = self.rng
        as_of = self.as_of
        catalog = self.catalogs[country.code]
        self._event(chunk, customer_id, "signed_up", signed_up, {"source": acquisition})
        for placed_at, _, _, sku in orders[-3:]:
            self._viewed(chunk, customer_id, max(signed_up, placed_at - int(rng.random() * 7200)), sku)
        for _ in range(int(rng.random() * 3)):
            self._viewed(chunk, customer_id, self._local_time(signed_up, as_of, offset), catalog.pick(rng)[1])
        for moment, spec in self.showroom.views(country.currency, signed_up):
            self._viewed(chunk, customer_id, moment, spec.sku)
        if rng.random() < 0.25:
            product = catalog.pick(rng)
            quantity = 1 + int(rng.random() * 2)
            self._event(
                chunk,
                customer_id,
                "cart_updated",
                self._local_time(max(signed_up, as_of - 60 * DAY), as_of, offset),
                {
                    "sku": product[1],
                    "items": quantity,
                    "value": money(product[3] * quantity, country.currency),
                    "currency": country.currency,
                },
            )
        if orders and rng.random() < 0.03:
            placed_at = orders[int(rng.random() * len(orders))][0]
            opened = min(placed_at + int(rng.random() * 5 * DAY), as_of)
            ticket = {"ticket": f"T-{customer_id}-{self.ids.event}", "reason": rng.choice(reference.COMPLAINT_REASONS)}
            self._event(chunk, customer_id, "complaint_opened", opened, ticket)
            if rng.random() < 0.75:
                self._event(
                    chunk, customer_id, "complaint_resolved", min(opened + int(rng.random() * 4 * DAY), as_of), ticket
                )
        if rng.random() < 0.35:
            for _ in range(1 + int(rng.random() * 3)):
                campaign = {
                    "campaign": rng.choice(reference.CAMPAIGNS),
                    "channel": rng.choice(("sms", "sms", "email", "whatsapp")),
                }
                opened = self._local_time(max(signed_up, as_of - 365 * DAY), as_of, offset)
                self._event(chunk, customer_id, "message_opened", opened, campaign)
                if rng.random() < 0.3:
                    self._event(
                        chunk, customer_id, "message_clicked", min(opened + int(rng.random() * 600), as_of), campaign
                    )
                if rng.random() < 0.05:
                    self._event(
                        chunk, customer_id, "message_replied", min(opened + int(rng.random() * 3600), as_of), campaign
                    )

    def _consents(self, chunk: Chunk, customer_id: int, signed_up: int, has_email: bool) -> None:
        """Marketing consent per channel: the history, and the latest statement as the one in force."""
        rng = self.rng
        as_of = self.as_of
        chances = [("sms", 0.85), ("whatsapp", 0.2)] + ([("email", 0.6)] if has_email else [])
        for channel, opt_in_chance in chances:
            if channel == "whatsapp" and rng.random() < 0.6:
                continue  # never asked
            sources = reference.CHANNEL_SOURCES[channel]
            statements = [("opted_in" if rng.random() < opt_in_chance else "opted_out", rng.choice(sources), signed_up)]
            if statements[0][0] == "opted_in" and rng.random() < 0.08:
                source = (
                    "sms_stop" if channel == "sms" else "unsubscribe_link" if channel == "email" else "whatsapp_block"
                )
                statements.append(("opted_out", source, signed_up + int(rng.random() * (as_of - signed_up))))
            for status, source, moment in statements:
                recorded_at = _as_datetime(moment)
                chunk.consent_records.append(
                    (
                        self.ids.consent_record,
                        customer_id,
                        channel,
                        "marketing",
                        status,
                        source,
                        recorded_at,
                        recorded_at,
                    )
                )
                self.ids.consent_record += 1
            status, source, moment = statements[-1]
            chunk.consents.append(
                (self.ids.consent, customer_id, channel, "marketing", status, source, _as_datetime(moment))
            )
            self.ids.consent += 1

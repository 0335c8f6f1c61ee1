"""The mirror of the shop's data: stores, catalog, customers, orders, events, consent.

Sized for segment queries over a million customers and ten million orders: the per-customer
order statistics are kept on Customer (maintained by the order services) so that segments on
spend, frequency and recency read one indexed table instead of aggregating orders.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from audiences.currencies import CURRENCY_CHOICES, quantize
from audiences.payment_methods import PAYMENT_METHOD_CHOICES
from config.roles import KEPT_FOR_THE_RECORD

MONEY = {"max_digits": 16, "decimal_places": 3}
LATITUDE = {"validators": [MinValueValidator(-90), MaxValueValidator(90)], "help_text": "Decimal degrees, -90 to 90."}
LONGITUDE = {
    "validators": [MinValueValidator(-180), MaxValueValidator(180)],
    "help_text": "Decimal degrees, -180 to 180.",
}


def located_or_not(name: str) -> models.CheckConstraint:
    """Both coordinates, or neither: a place is never half known."""
    both = Q(latitude__isnull=False, longitude__isnull=False)
    return models.CheckConstraint(
        condition=both | Q(latitude__isnull=True, longitude__isnull=True),
        name=name,
        violation_error_message="Give both latitude and longitude, or neither.",
    )


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    BENGALI = "bn", "Bengali"
    SWAHILI = "sw", "Swahili"


class LocationSource(models.TextChoices):
    COORDINATES = "coordinates", "Coordinates given"
    POSTCODE = "postcode", "Postcode area's centre"


class Store(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    city = models.CharField(max_length=100, blank=True, db_index=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO 3166 code (BD, TZ): whose public holidays apply. Empty: the currency's country (BDT: BD).",
    )
    manager_email = models.EmailField(
        blank=True, help_text="Where staff notifications go (journeys: a complaint to answer); empty: the default."
    )
    latitude = models.FloatField(null=True, blank=True, **LATITUDE)
    longitude = models.FloatField(null=True, blank=True, **LONGITUDE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [located_or_not("store_located_or_not")]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Category(models.Model):
    """A tree. `path` holds the codes from the root down ("/electronics/tv/") so that
    "this category and its descendants" is one indexed prefix match."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=1000, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    @property
    def lineage(self) -> list[str]:
        """Codes from this category up to the root, this one first."""
        return [code for code in reversed(self.path.strip("/").split("/")) if code]


class Product(models.Model):
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    brand = models.CharField(max_length=100, blank=True, db_index=True)
    price = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    in_stock = models.BooleanField(default=True)
    consumable = models.BooleanField(
        default=False,
        help_text="Bought again and again (batteries, food): still recommended after a purchase. "
        "Off (a TV, a phone): not recommended to who bought it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative")]

    def __str__(self):
        return f"{self.name} ({self.sku})"


class StockLevel(models.Model):
    """How many of a product one store holds, as the storefront last said (PUT /api/v1/products/{sku}/stock).

    A store with no level for a product falls back to the product's `in_stock`, which follows the levels once
    there are any (in stock somewhere). `restocks` counts the returns from 0 to more: each one fires
    `back_in_stock` once."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_levels")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stock_levels")
    quantity = models.PositiveIntegerField()
    restocks = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "store"]
        constraints = [models.UniqueConstraint(fields=["product", "store"], name="stock_level_one_per_store")]

    def __str__(self):
        return f"{self.product.sku} at {self.store.code}: {self.quantity}"


class Customer(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True, help_text="E.164, e.g. +8801712345678")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA name; empty means the store's.")
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers")
    city = models.CharField(max_length=100, blank=True, db_index=True)
    signed_up_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Where the customer is: their own coordinates, or their postcode area's centre (audiences/places/).
    latitude = models.FloatField(null=True, blank=True, **LATITUDE)
    longitude = models.FloatField(null=True, blank=True, **LONGITUDE)
    postcode = models.CharField(max_length=32, blank=True, db_index=True)
    location_source = models.CharField(
        max_length=16, choices=LocationSource.choices, blank=True, help_text="Where latitude and longitude come from."
    )
    # Order statistics, maintained by audiences.services.orders.order_create / order_cancel.
    currency = models.CharField(
        max_length=3,
        choices=CURRENCY_CHOICES,
        blank=True,
        db_index=True,
        help_text="The currency of total_spent: the home store's, else the first order's; empty until one is known.",
    )
    # Orders in another currency than `currency` count in orders_count and the order dates, not here:
    # amounts of two currencies are never added up.
    total_spent = models.DecimalField(**MONEY, default=0, db_index=True)
    orders_count = models.PositiveIntegerField(default=0, db_index=True)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer's personal data was erased (docs/privacy.md)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        # "Within N km of a store" first takes a box of latitudes and longitudes from this index.
        indexes = [models.Index(fields=["latitude", "longitude"], name="customer_location")]
        constraints = [located_or_not("customer_located_or_not")]

    def __str__(self):
        return self.full_name or self.external_id

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def effective_timezone(self) -> str:
        return self.timezone or (self.store.timezone if self.store_id else "UTC")

    @property
    def total_spent_display(self) -> str:
        """total_spent with its currency's decimals ("49120.00" for TZS); "0" before any currency is known."""
        return str(quantize(self.total_spent, self.currency)) if self.currency else str(int(self.total_spent))


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", "Placed"
        CANCELLED = "cancelled", "Cancelled"

    external_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    channel = models.CharField(max_length=32, blank=True)
    payment_method = models.CharField(max_length=32, blank=True, choices=PAYMENT_METHOD_CHOICES)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    placed_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLACED)
    subtotal = models.DecimalField(**MONEY)
    discount_total = models.DecimalField(**MONEY, default=0)
    shipping_price = models.DecimalField(**MONEY, default=0)
    shipping_discount = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY)
    attribution = models.JSONField(default=dict, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["customer", "placed_at"], name="order_customer_placed")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(discount_total__gte=0), name="order_discount_not_negative"),
        ]

    def __str__(self):
        return self.external_id


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    sku = models.CharField(max_length=64)  # indexed by order_line_purchase_sku
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY, default=0)
    total = models.DecimalField(**MONEY)
    # Copies of the order's customer, time and status, written by audiences.services with the order
    # and on its cancellation: "bought a SKU within N days" reads the lines alone, by the indexes
    # below, without joining ten million orders; CategoryPurchase is recomputed from these copies.
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    order_status = models.CharField(max_length=16, choices=Order.Status.choices, default=Order.Status.PLACED)

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_line_total_not_negative"),
        ]
        # Who bought in these categories (or SKUs) since then: a range of each index, read alone
        # (the customer and status are key columns, not INCLUDE ones, which SQLite lacks).
        indexes = [
            models.Index(
                fields=["category", "placed_at", "customer", "order_status"], name="order_line_purchase_category"
            ),
            models.Index(fields=["sku", "placed_at", "customer", "order_status"], name="order_line_purchase_sku"),
        ]

    def __str__(self):
        return f"{self.order_id}#{self.line_no} {self.sku} x{self.quantity}"


class OrderReturn(models.Model):
    """Some lines of a placed order (or some of their quantity) brought back; `return_id` is the shop's own
    id for it, so sending the same return again records nothing twice."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    return_id = models.CharField(max_length=64)
    amount = models.DecimalField(**MONEY, help_text="What the returned lines were paid, after their discounts.")
    answer = models.JSONField(default=dict, blank=True, help_text="What the return steps answered, replayed.")
    returned_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["order", "returned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "return_id"], name="order_return_unique_id")]

    def __str__(self):
        return f"{self.order_id} return {self.return_id}"


class OrderReturnLine(models.Model):
    order_return = models.ForeignKey(OrderReturn, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="returned")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="order_return_line_quantity_positive")]

    def __str__(self):
        return f"{self.line} x{self.quantity} returned"


class CategoryPurchase(models.Model):
    """A customer's latest placed (not cancelled) purchase in a category: one row per customer and
    category their order lines name, kept from those lines by audiences.services.purchases.

    "Bought in a category within N days" reads a range of `category_purchase_recent` alone: at a
    million customers a few hundred thousand entries for the largest category instead of the
    millions of lines behind them.
    """

    pk = models.CompositePrimaryKey("customer", "category")
    # Served by the primary key and category_purchase_recent: no index of their own.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_index=False)
    last_placed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["category", "last_placed_at", "customer"], name="category_purchase_recent"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.category_id} {self.last_placed_at:%Y-%m-%d}"


class Event(models.Model):
    """Something a customer did. Known types drive journeys; any other string is a custom event."""

    KNOWN_TYPES = (
        "signed_up",
        "product_viewed",
        "cart_updated",
        "checkout_started",
        "complaint_opened",
        "complaint_resolved",
        "message_replied",
        "message_opened",
        "message_clicked",
    )

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    properties = models.JSONField(default=dict, blank=True)
    # Unique across all events, kept by the writers (audiences/services/events.py, `event_keys_lock`): on
    # PostgreSQL the table is partitioned by month, and a partitioned table's unique index must include
    # occurred_at, so the database holds (key, occurred_at) unique only.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["customer", "type", "occurred_at"], name="event_customer_type_time"),
            models.Index(fields=["type", "occurred_at"], name="event_type_time"),
        ]
        constraints = [models.UniqueConstraint(fields=["idempotency_key", "occurred_at"], name="event_key_unique")]

    def __str__(self):
        return f"{self.type} by {self.customer_id}"


class PricingInputsVersion(models.Model):
    """One row counting the writes that change what pricing reads about customers and the catalogue.

    Storefront caches (customer, facts, segment codes, products) are keyed by it, so a bump by any
    process invalidates them in every process (audiences/pricing_inputs.py).
    """

    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"pricing inputs version {self.version}"


from audiences.clv.models import *  # noqa: E402, F403  (beside the model that computes them)
from audiences.consents import *  # noqa: E402, F403  (what customers said, and its history)
from audiences.data_subjects.models import *  # noqa: E402, F403  (data-subject requests beside their services)
from audiences.places.models import *  # noqa: E402, F403
from audiences.recommendations.models import *  # noqa: E402, F403  (beside the model that computes them)
from audiences.retailer_dates import *  # noqa: E402, F403  (the retailer's own calendar, beside the holidays' rules)
from audiences.scores import *  # noqa: E402, F403  (RFM and the other scores, beside audiences/scoring.py)
from audiences.segments.models import *  # noqa: E402, F403  (segments and their memberships live beside their language)
from audiences.vehicles.models import *  # noqa: E402, F403

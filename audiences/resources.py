"""CSV import and export (django-import-export). Every import writes through audiences.services,
so an imported row gets the same checks as the API (E.164 phones, known stores, consent history)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from audiences.dates import iso_datetime
from audiences.models import (
    Category,
    ConsentRecord,
    Customer,
    Event,
    Order,
    OrderLine,
    PostcodeArea,
    Product,
    Store,
    Vehicle,
    VehicleStatus,
)
from audiences.places.services import postcode_area_upsert
from audiences.rfm import rfm_label
from audiences.services.catalog import product_upsert
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert
from audiences.vehicles.services import DETAIL_FIELDS, vehicle_upsert, vin_clean


class IsoDateTimeWidget(widgets.Widget):
    """ISO 8601 date-times with an offset, as the API uses (a date alone is midnight UTC)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        return iso_datetime(value)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class CustomerResource(resources.ModelResource):
    store = fields.Field(attribute="store", column_name="store", widget=widgets.ForeignKeyWidget(Store, "code"))

    class Meta:
        model = Customer
        import_id_fields = ["external_id"]
        fields = [
            "external_id", "email", "phone", "first_name", "last_name", "birth_date", "language", "timezone",
            "store", "city", "signed_up_at", "attributes", "orders_count", "currency", "total_spent", "last_order_at",
        ]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = False

    def dehydrate_total_spent(self, customer) -> str:
        return customer.total_spent_display  # with the currency's decimals, as the API shows it

    def before_import_row(self, row, **kwargs):
        store = row.get("store")
        if store and not Store.objects.filter(code=store).exists():
            raise ValidationError({"store": [f"Unknown store '{store}'."]})
        external_id = row.get("external_id")
        if external_id and Customer.objects.filter(external_id=external_id, erased_at__isnull=False).exists():
            raise ValidationError({"external_id": [f"Customer '{external_id}' was erased; use a new id."]})

    def do_instance_save(self, instance, is_create):
        fields = {
            name: getattr(instance, name)
            for name in ("email", "phone", "first_name", "last_name", "birth_date", "language", "timezone", "city",
                         "signed_up_at", "attributes")
        }  # fmt: skip
        fields["store"] = instance.store.code if instance.store_id else None
        customer, _ = customer_upsert(external_id=instance.external_id, **fields)
        instance.pk = customer.pk


class CustomerWithScoresResource(resources.ModelResource):
    """Export only: each customer with their segments (codes, by ';') and their scores and RFM group."""

    segments = fields.Field(column_name="segments")
    rfm_group = fields.Field(column_name="rfm_group")

    class Meta:
        model = Customer
        name = "Customers with segments and scores"
        fields = [
            "external_id", "email", "phone", "first_name", "last_name", "city", "currency", "orders_count",
            "total_spent", "last_order_at", "segments", "rfm_group", "score__rfm_r", "score__rfm_f", "score__rfm_m",
            "score__lifetime_value", "score__avg_order_value", "score__orders_per_month", "score__computed_at",
        ]  # fmt: skip
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("score").prefetch_related("segment_memberships__segment")

    def dehydrate_segments(self, customer) -> str:
        return ";".join(sorted(m.segment.code for m in customer.segment_memberships.all()))

    def dehydrate_rfm_group(self, customer) -> str:
        score = getattr(customer, "score", None)
        return rfm_label(score.rfm_segment) if score is not None and score.rfm_segment else ""

    def dehydrate_total_spent(self, customer) -> str:
        return customer.total_spent_display


class ProductResource(resources.ModelResource):
    category = fields.Field(
        attribute="category", column_name="category", widget=widgets.ForeignKeyWidget(Category, "code")
    )

    class Meta:
        model = Product
        import_id_fields = ["sku"]
        fields = ["sku", "name", "category", "brand", "price", "currency", "in_stock"]
        export_order = fields
        skip_unchanged = True

    def do_instance_save(self, instance, is_create):
        product, _ = product_upsert(
            sku=instance.sku,
            name=instance.name,
            price=instance.price,
            currency=instance.currency,
            category_code=instance.category.code if instance.category_id else None,
            in_stock=instance.in_stock,
            brand=instance.brand or "",
        )
        instance.pk = product.pk


class ConsentRecordResource(resources.ModelResource):
    """Consent statements; each imported row is appended to the history (the latest rules)."""

    customer = fields.Field(
        attribute="customer", column_name="customer", widget=widgets.ForeignKeyWidget(Customer, "external_id")
    )
    recorded_at = fields.Field(attribute="recorded_at", column_name="recorded_at", widget=IsoDateTimeWidget())

    class Meta:
        model = ConsentRecord
        fields = ["customer", "channel", "topic", "status", "source", "recorded_at"]
        export_order = fields
        import_id_fields = ["customer"]

    def get_instance(self, instance_loader, row):
        return None  # every row is a new statement in the history

    def before_import_row(self, row, **kwargs):
        if not Customer.objects.filter(external_id=row.get("customer")).exists():
            raise ValidationError({"customer": [f"Unknown customer '{row.get('customer')}'."]})

    def do_instance_save(self, instance, is_create):
        instance.full_clean(exclude=["created_at"])
        record = consent_record(
            customer=instance.customer,
            channel=instance.channel,
            topic=instance.topic or "marketing",
            status=instance.status,
            source=instance.source or "import",
            recorded_at=instance.recorded_at,
        )
        instance.pk = record.pk


class OrderResource(resources.ModelResource):
    customer = fields.Field(attribute="customer__external_id", column_name="customer")
    store = fields.Field(attribute="store__code", column_name="store")

    class Meta:
        model = Order
        fields = [
            "external_id", "customer", "store", "channel", "currency", "placed_at", "status", "subtotal",
            "discount_total", "shipping_price", "shipping_discount", "total",
        ]  # fmt: skip
        export_order = fields


class OrderLineResource(resources.ModelResource):
    order = fields.Field(attribute="order__external_id", column_name="order")

    class Meta:
        model = OrderLine
        fields = ["order", "line_no", "sku", "quantity", "unit_price", "subtotal", "discount", "total"]
        export_order = fields


class EventResource(resources.ModelResource):
    customer = fields.Field(attribute="customer__external_id", column_name="customer")

    class Meta:
        model = Event
        fields = ["customer", "type", "occurred_at", "properties", "idempotency_key"]
        export_order = fields


def order_lines_rows(rows) -> tuple[dict[str, dict], list[tuple[int, str]]]:
    """Group an orders file, one line per row (order, customer, store, channel, currency, placed_at,
    sku, quantity, unit_price, discount?, shipping_price?), into orders; reject rows that cannot be one."""
    orders: dict[str, dict] = {}
    rejected = []
    for number, row in enumerate(rows, start=2):
        try:
            order_id = (row.get("order") or "").strip()
            if not order_id:
                raise ValueError("order: missing")
            placed_at = IsoDateTimeWidget().clean(row.get("placed_at"))
            if placed_at is None:
                raise ValueError("placed_at: missing")
            quantity = int(row.get("quantity") or "")
            if quantity <= 0:
                raise ValueError("quantity: must be at least 1")
            line = {
                "sku": (row.get("sku") or "").strip(),
                "quantity": quantity,
                "unit_price": Decimal(row.get("unit_price") or ""),
                "discount": Decimal(row.get("discount") or "0"),
            }
            if not line["sku"]:
                raise ValueError("sku: missing")
        except (ValueError, InvalidOperation) as exc:
            rejected.append((number, str(exc) if str(exc) else "a number is not valid"))
            continue
        order = orders.setdefault(
            order_id,
            {
                "customer": (row.get("customer") or "").strip() or None,
                "store": (row.get("store") or "").strip() or None,
                "channel": (row.get("channel") or "").strip(),
                "currency": (row.get("currency") or "").strip().upper(),
                "placed_at": placed_at,
                "shipping_price": Decimal(row.get("shipping_price") or "0"),
                "lines": [],
            },
        )
        order["lines"].append(line)
    return orders, rejected


class VehicleResource(resources.ModelResource):
    """Vehicles by VIN, each row through vehicle_upsert: another customer than the owner is a change of owner."""

    customer = fields.Field(
        attribute="owner", column_name="customer", widget=widgets.ForeignKeyWidget(Customer, "external_id")
    )
    store = fields.Field(attribute="store", column_name="store", widget=widgets.ForeignKeyWidget(Store, "code"))

    class Meta:
        model = Vehicle
        import_id_fields = ["vin"]
        fields = [
            "vin", "customer", "status", "make", "model", "year", "trim", "mileage", "mileage_read_at",
            "purchased_at", "store", "last_service_at", "next_service_due", "next_service_mileage", "warranty_ends",
        ]  # fmt: skip
        export_order = fields
        skip_unchanged = True
        report_skipped = False

    def before_import_row(self, row, **kwargs):
        """Name what is wrong in the row's own words, before the widgets' generic messages."""
        row["vin"] = vin_clean(row.get("vin") or "")
        customer, store = row.get("customer"), row.get("store")
        if not customer:
            raise ValidationError({"customer": ["Name the owner's customer id."]})
        if not Customer.objects.filter(external_id=customer).exists():
            raise ValidationError({"customer": [f"Unknown customer '{customer}'."]})
        if store and not Store.objects.filter(code=store).exists():
            raise ValidationError({"store": [f"Unknown store '{store}'."]})

    def do_instance_save(self, instance, is_create):
        details = {name: getattr(instance, name) for name in DETAIL_FIELDS if name != "store"}
        vehicle, _ = vehicle_upsert(
            vin=instance.vin,
            customer=instance.owner.external_id,
            make=instance.make,
            model=instance.model,
            year=instance.year,
            status=instance.status or VehicleStatus.OWNED,
            source="csv",
            store=instance.store.code if instance.store_id else None,
            **details,
        )
        instance.pk = vehicle.pk


class PostcodeAreaResource(resources.ModelResource):
    """Postcode areas and their centres; customers placed by a postcode move with its area."""

    class Meta:
        model = PostcodeArea
        import_id_fields = ["code"]
        fields = ["code", "name", "latitude", "longitude"]
        export_order = fields
        skip_unchanged = True
        report_skipped = False

    def do_instance_save(self, instance, is_create):
        area, _ = postcode_area_upsert(
            code=instance.code, name=instance.name or "", latitude=instance.latitude, longitude=instance.longitude
        )
        instance.pk = area.pk

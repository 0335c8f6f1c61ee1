"""Write the demo data set: stores, catalog and products through the services, the bulk by streaming."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef

from audiences.demo import catalog, generator, interest, reference
from audiences.demo.dealership import demo_dealership
from audiences.demo.rows import (
    CONSENT_COLUMNS,
    CONSENT_RECORD_COLUMNS,
    CUSTOMER_COLUMNS,
    EVENT_COLUMNS,
    ORDER_COLUMNS,
    ORDER_LINE_COLUMNS,
    FirstIds,
    money,
)
from audiences.demo.writers import PostgresCopyWriter, SQLiteBatchWriter
from audiences.models import (
    Category,
    CategoryPurchase,
    Consent,
    ConsentRecord,
    Customer,
    CustomerPrediction,
    CustomerRecommendation,
    CustomerScore,
    DataSubjectRequest,
    ErasedContact,
    Event,
    MembershipRecheck,
    Order,
    OrderLine,
    OrderReturn,
    OrderReturnLine,
    PostcodeArea,
    Product,
    RetailerDate,
    RfmMovement,
    Segment,
    SegmentMembership,
    SegmentMembershipChange,
    StockLevel,
    Store,
    Vehicle,
    VehicleOwnership,
)
from audiences.scoring import scores_recompute
from audiences.segments.services import segment_create
from audiences.services.calendar import retailer_date_upsert
from audiences.services.catalog import category_upsert, store_upsert
from audiences.services.event_partitions import event_partitions_ensure
from audiences.services.purchases import category_purchases_rebuild

CHUNK_CUSTOMERS = 2_000
# The demo is scored as it stood this many days before it ends, so the first `refresh_audiences` (`make run`)
# has RFM movement to show on the Reports page.
EARLIER_SCORING_DAYS = 30

BULK_TABLES = (
    (Customer, CUSTOMER_COLUMNS, "customers"),
    (Order, ORDER_COLUMNS, "orders"),
    (OrderLine, ORDER_LINE_COLUMNS, "order_lines"),
    (Event, EVENT_COLUMNS, "events"),
    (ConsentRecord, CONSENT_RECORD_COLUMNS, "consent_records"),
    (Consent, CONSENT_COLUMNS, "consents"),
)


@dataclass(frozen=True)
class DemoSize:
    customers: int
    orders: int
    products: int
    stores: int


def demo_flush() -> None:
    """Delete the audiences data, children before parents, in one transaction.

    Plain DELETEs (no ORM collector walking ten million rows); rows of other apps that still point
    at customers or products make it fail with an IntegrityError and delete nothing. Scores, the RFM
    movement between scorings and segment memberships (written by `refresh_audiences`), pending
    rechecks (events the demo's loyalty and journeys recorded), order returns and data-subject requests go
    with the customers; the segment definitions stay, shown as not refreshed since their members are gone.
    """
    quote = connection.ops.quote_name
    customer_data = (
        DataSubjectRequest,
        ErasedContact,
        VehicleOwnership,
        Vehicle,
        CustomerRecommendation,
        CustomerPrediction,
        RfmMovement,
        MembershipRecheck,
        SegmentMembershipChange,
        SegmentMembership,
        CustomerScore,
        CategoryPurchase,
        OrderReturnLine,
        OrderReturn,
        OrderLine,
        Order,
        Event,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (*customer_data, ConsentRecord, Consent, Customer, StockLevel, Product, PostcodeArea):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - a model's table
        Segment.objects.update(member_count=None, refreshed_at=None)
        # Children first: a category's path is longer than its parent's.
        for category_id in Category.objects.order_by("-path").values_list("id", flat=True):
            cursor.execute(f"DELETE FROM {quote(Category._meta.db_table)} WHERE id = %s", [category_id])  # noqa: S608
        # The retailer's dates stay; their links to the stores go with the stores.
        cursor.execute(f"DELETE FROM {quote(RetailerDate.stores.through._meta.db_table)}")  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Store._meta.db_table)}")  # noqa: S608 - a model's table


def _retailer_dates(today: date) -> None:
    """The retailer's next Pohela Boishakh sale (Bangladesh, the three days up to the Bengali New Year on 14 April)
    and Black Friday (every store, the Friday after the fourth Thursday of November)."""
    year = today.year if today <= date(today.year, 4, 14) else today.year + 1
    retailer_date_upsert(
        name="Pohela Boishakh sale", starts_on=date(year, 4, 12), ends_on=date(year, 4, 14), country="BD"
    )
    november = date(today.year, 11, 1)
    black_friday = november + timedelta(days=(3 - november.weekday()) % 7 + 22)
    if black_friday < today:
        november = date(today.year + 1, 11, 1)
        black_friday = november + timedelta(days=(3 - november.weekday()) % 7 + 22)
    retailer_date_upsert(name="Black Friday", starts_on=black_friday)


def _catalog(*, seed: int, size: DemoSize) -> tuple[list, dict, list, dict, dict]:
    store_specs = catalog.stores(size.stores)
    store_ids = {}
    for spec in store_specs:
        store, _ = store_upsert(
            code=spec.code,
            name=spec.name,
            timezone=spec.country.timezone,
            currency=spec.country.currency,
            city=spec.city,
            manager_email=f"manager.{spec.code.lower()}@example.com",
            coordinates=spec.coordinates,
        )
        store_ids[spec.code] = store.id
    category_ids = {}
    for code, name, parent in reference.CATEGORIES:
        category, _ = category_upsert(code=code, name=name, parent_code=parent)
        category_ids[code] = category.id
    countries = list({spec.country.code: spec.country for spec in store_specs}.values())
    product_specs = catalog.products(seed, size.products, countries)
    existing = {
        product.sku: product for product in Product.objects.filter(sku__in=[spec.sku for spec in product_specs])
    }
    Product.objects.bulk_create(
        [
            Product(
                sku=spec.sku,
                name=spec.name,
                category_id=category_ids[spec.category],
                brand=spec.brand,
                price=money(spec.price_minor, spec.currency),
                currency=spec.currency,
                in_stock=spec.in_stock,
                consumable=spec.consumable,
            )
            for spec in product_specs
            if spec.sku not in existing
        ],
        batch_size=1_000,
    )
    product_ids = dict(Product.objects.filter(sku__in=[spec.sku for spec in product_specs]).values_list("sku", "id"))
    _stock(seed, product_specs, store_specs, product_ids, store_ids)
    return store_specs, store_ids, product_specs, product_ids, category_ids


def _stock(seed: int, product_specs: list, store_specs: list, product_ids: dict, store_ids: dict) -> None:
    """Each product's stock at the stores of its currency (some sold out); the catalog flag follows."""
    StockLevel.objects.bulk_create(
        [
            StockLevel(product_id=product_ids[sku], store_id=store_ids[store], quantity=quantity)
            for sku, store, quantity in interest.stock_levels(seed, product_specs, store_specs)
        ],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    Product.objects.filter(pk__in=product_ids.values()).update(
        in_stock=Exists(StockLevel.objects.filter(product=OuterRef("pk"), quantity__gt=0))
    )


# Segments on what customers viewed (event properties), created once: flushing keeps segment definitions.
DEMO_INTEREST_SEGMENTS = (
    (
        "motorbike_interest",
        "Viewed motorbikes at least twice in 30 days (demo)",
        {
            "all": [
                {"event": "product_viewed", "properties": {"category": "motorbikes"}, "min_count": 2, "within_days": 30}
            ]
        },
    ),
    (
        "pulsar_interest",
        "Viewed a Bajaj Pulsar in 30 days, no order since 90 days (demo)",
        {
            "all": [
                {
                    "event": "product_viewed",
                    "properties": {"brand": "Bajaj", "model": {"in": ["Pulsar 150", "Pulsar N160"]}},
                    "within_days": 30,
                },
                {"field": "last_order_at", "op": "older_than_days", "value": 90},
            ]
        },
    ),
)


def _interest_segments() -> None:
    for code, name, rules in DEMO_INTEREST_SEGMENTS:
        if not Segment.objects.filter(code=code).exists():
            segment_create(code=code, name=name, rules=rules)


@transaction.atomic
def demo_seed(
    *, seed: int, size: DemoSize, as_of: datetime, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Create the demo data set and return how many rows of each kind were written.

    One transaction: a failed run leaves nothing behind. Chunks of customers are generated and
    streamed with their orders, events and consents, so memory stays flat at any size. The customers
    are then scored as of EARLIER_SCORING_DAYS before the data ends.
    """
    store_specs, store_ids, product_specs, product_ids, category_ids = _catalog(seed=seed, size=size)
    _retailer_dates(as_of.date())
    first_ids = FirstIds(
        **{
            name: (model.objects.aggregate(largest=Max("id"))["largest"] or 0) + 1
            for name, model in (
                ("customer", Customer),
                ("order", Order),
                ("order_line", OrderLine),
                ("event", Event),
                ("consent_record", ConsentRecord),
                ("consent", Consent),
            )
        }
    )
    demo = generator.DemoGenerator(
        seed=seed,
        customers=size.customers,
        orders=size.orders,
        store_ids=store_ids,
        store_specs=store_specs,
        product_specs=product_specs,
        product_ids=product_ids,
        category_ids=category_ids,
        as_of=as_of,
        first_ids=first_ids,
    )
    # The months the events fall in, partitioned before the load (PostgreSQL), so none goes to DEFAULT.
    event_partitions_ensure(now=as_of, since=as_of - timedelta(days=generator.SIGN_UP_SPAN_DAYS))
    writer = PostgresCopyWriter() if connection.vendor == "postgresql" else SQLiteBatchWriter()
    counts = {"stores": len(store_specs), "categories": len(reference.CATEGORIES), "products": len(product_specs)}
    counts.update({name: 0 for _, _, name in BULK_TABLES})
    with writer.deferred_indexes([model for model, _, _ in BULK_TABLES]):
        for chunk in demo.chunks(CHUNK_CUSTOMERS):
            for model, columns, name in BULK_TABLES:
                rows = getattr(chunk, name)
                writer.write(model, columns, rows)
                counts[name] += len(rows)
            if progress:
                progress(len(chunk.customers))
    for model, _, _ in BULK_TABLES:
        writer.reset_sequence(model)
    counts["category_purchases"] = category_purchases_rebuild()
    _interest_segments()
    counts.update(demo_dealership(seed=seed, as_of=as_of))
    scores_recompute(now=as_of - timedelta(days=EARLIER_SCORING_DAYS))
    return counts

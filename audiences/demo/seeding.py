"""Write the demo data set: stores, catalog and products through the services, the bulk by streaming."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max

from audiences.demo import generator, reference
from audiences.demo.writers import PostgresCopyWriter, SQLiteBatchWriter
from audiences.models import (
    Category,
    CategoryPurchase,
    Consent,
    ConsentRecord,
    Customer,
    CustomerRecommendation,
    CustomerScore,
    Event,
    MembershipRecheck,
    Order,
    OrderLine,
    Product,
    RfmMovement,
    Segment,
    SegmentMembership,
    SegmentMembershipChange,
    Store,
)
from audiences.scoring import scores_recompute
from audiences.services.catalog import category_upsert, store_upsert
from audiences.services.purchases import category_purchases_rebuild

CHUNK_CUSTOMERS = 2_000
# The demo is scored as it stood this many days before it ends, so the first `refresh_audiences` (`make run`)
# has RFM movement to show on the Reports page.
EARLIER_SCORING_DAYS = 30

BULK_TABLES = (
    (Customer, generator.CUSTOMER_COLUMNS, "customers"),
    (Order, generator.ORDER_COLUMNS, "orders"),
    (OrderLine, generator.ORDER_LINE_COLUMNS, "order_lines"),
    (Event, generator.EVENT_COLUMNS, "events"),
    (ConsentRecord, generator.CONSENT_RECORD_COLUMNS, "consent_records"),
    (Consent, generator.CONSENT_COLUMNS, "consents"),
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
    movement between scorings and segment memberships (written by `refresh_audiences`) and pending
    rechecks (events the demo's loyalty and journeys recorded) go with the customers; the segment
    definitions stay, shown as not refreshed since their members are gone.
    """
    quote = connection.ops.quote_name
    customer_data = (
        CustomerRecommendation,
        RfmMovement,
        MembershipRecheck,
        SegmentMembershipChange,
        SegmentMembership,
        CustomerScore,
        CategoryPurchase,
        OrderLine,
        Order,
        Event,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (*customer_data, ConsentRecord, Consent, Customer, Product):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - a model's table
        Segment.objects.update(member_count=None, refreshed_at=None)
        # Children first: a category's path is longer than its parent's.
        for category_id in Category.objects.order_by("-path").values_list("id", flat=True):
            cursor.execute(f"DELETE FROM {quote(Category._meta.db_table)} WHERE id = %s", [category_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {quote(Store._meta.db_table)}")  # noqa: S608 - a model's table


def _catalog(*, seed: int, size: DemoSize) -> tuple[list, dict, list, dict, dict]:
    store_specs = generator.stores(size.stores)
    store_ids = {}
    for spec in store_specs:
        store, _ = store_upsert(
            code=spec.code,
            name=spec.name,
            timezone=spec.country.timezone,
            currency=spec.country.currency,
            city=spec.city,
            manager_email=f"manager.{spec.code.lower()}@example.com",
        )
        store_ids[spec.code] = store.id
    category_ids = {}
    for code, name, parent in reference.CATEGORIES:
        category, _ = category_upsert(code=code, name=name, parent_code=parent)
        category_ids[code] = category.id
    countries = list({spec.country.code: spec.country for spec in store_specs}.values())
    product_specs = generator.products(seed, size.products, countries)
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
                price=generator.money(spec.price_minor, spec.currency),
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
    return store_specs, store_ids, product_specs, product_ids, category_ids


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
    first_ids = generator.FirstIds(
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
    scores_recompute(now=as_of - timedelta(days=EARLIER_SCORING_DAYS))
    return counts

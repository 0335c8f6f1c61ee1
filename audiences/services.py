"""Every write to the audiences data. The outermost service owns the transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from audiences import signals
from audiences.contact import InvalidPhone, is_known_timezone, phone_to_e164
from audiences.currencies import CURRENCY_EXPONENTS
from audiences.models import (
    MONEY,
    Category,
    Consent,
    ConsentChannel,
    ConsentRecord,
    ConsentStatus,
    Customer,
    Event,
    Language,
    Order,
    OrderLine,
    Product,
    Store,
)
from audiences.order_cancel_steps import run_order_cancel_steps
from audiences.segments.recheck import customers_mark_changed

DOUBLE_OPT_IN_SOURCE = "double_opt_in"
MONEY_FIELD = DecimalField(**MONEY)

CUSTOMER_FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "birth_date",
    "language",
    "timezone",
    "store",
    "city",
    "signed_up_at",
    "attributes",
)


def _check_currency(currency: str, field: str = "currency") -> None:
    if currency not in CURRENCY_EXPONENTS:
        raise ValidationError({field: [f"Unknown currency '{currency}'; use an ISO 4217 code such as BDT or TZS."]})


def _check_timezone(name: str, field: str = "timezone") -> None:
    if not is_known_timezone(name):
        raise ValidationError({field: [f"Unknown time zone '{name}'; use an IANA name such as Asia/Dhaka."]})


def _on_commit(signal, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))


def _store_by_code(code: str, field: str = "store") -> Store:
    try:
        return Store.objects.get(code=code)
    except Store.DoesNotExist:
        raise ValidationError({field: [f"Unknown store '{code}'."]}) from None


@transaction.atomic
def store_upsert(*, code: str, name: str, timezone: str, currency: str, city: str = "") -> tuple[Store, bool]:
    _check_timezone(timezone)
    _check_currency(currency)
    return Store.objects.update_or_create(
        code=code, defaults={"name": name, "timezone": timezone, "currency": currency, "city": city}
    )


@transaction.atomic
def category_upsert(*, code: str, name: str, parent_code: str | None = None) -> tuple[Category, bool]:
    parent = None
    if parent_code:
        try:
            parent = Category.objects.select_for_update().get(code=parent_code)
        except Category.DoesNotExist:
            raise ValidationError({"parent": [f"Unknown category '{parent_code}'."]}) from None
        if code in parent.lineage:
            raise ValidationError(
                {"parent": [f"'{parent_code}' is '{code}' or below it: a category tree has no cycles."]}
            )
    new_path = f"{parent.path if parent else '/'}{code}/"
    category = Category.objects.select_for_update().filter(code=code).first()
    created = category is None
    if created:
        category = Category.objects.create(code=code, name=name, parent=parent, path=new_path)
        return category, True
    old_path = category.path
    category.name, category.parent, category.path = name, parent, new_path
    category.save()
    if old_path != new_path:
        for descendant in Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk):
            descendant.path = new_path + descendant.path.removeprefix(old_path)
            descendant.save(update_fields=["path", "updated_at"])
    return category, False


@transaction.atomic
def product_upsert(
    *,
    sku: str,
    name: str,
    price: Decimal,
    currency: str,
    category_code: str | None = None,
    in_stock: bool = True,
    brand: str = "",
) -> tuple[Product, bool]:
    _check_currency(currency)
    if price < 0:
        raise ValidationError({"price": ["A price cannot be negative."]})
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is None:
            raise ValidationError({"category": [f"Unknown category '{category_code}'."]})
    return Product.objects.update_or_create(
        sku=sku,
        defaults={
            "name": name,
            "category": category,
            "price": price,
            "currency": currency,
            "in_stock": in_stock,
            "brand": brand,
        },
    )


def customer_clean_fields(fields: dict) -> dict:
    """Validate and normalise customer fields (phone to E.164, store code to Store)."""
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown customer field."] for name in sorted(unknown)})
    cleaned = dict(fields)
    if cleaned.get("phone"):
        try:
            cleaned["phone"] = phone_to_e164(cleaned["phone"], default_region=settings.DEFAULT_PHONE_REGION)
        except InvalidPhone as exc:
            raise ValidationError({"phone": [str(exc)]}) from None
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].strip().lower()
    if cleaned.get("timezone"):
        _check_timezone(cleaned["timezone"])
    if "language" in cleaned and cleaned["language"] not in Language.values:
        raise ValidationError({"language": [f"Unknown language '{cleaned['language']}'; use one of en, bn, sw."]})
    if "attributes" in cleaned and not isinstance(cleaned["attributes"], dict):
        raise ValidationError({"attributes": ["Attributes must be a JSON object."]})
    if "store" in cleaned:
        cleaned["store"] = _store_by_code(cleaned["store"]) if cleaned["store"] else None
    for optional in ("email", "phone", "first_name", "last_name", "timezone", "city"):
        if optional in cleaned and cleaned[optional] is None:
            cleaned[optional] = ""
    return cleaned


@transaction.atomic
def customer_upsert(*, external_id: str, **fields) -> tuple[Customer, bool]:
    """Create or update a customer; fields not given are left as they are."""
    cleaned = customer_clean_fields(fields)
    # Until a customer has a currency, the home store's names the one total_spent is kept in.
    store = cleaned.get("store")
    defaults = {**cleaned, "currency": store.currency} if store else cleaned
    customer, created = Customer.objects.select_for_update().get_or_create(external_id=external_id, defaults=defaults)
    if not created and cleaned:
        for name, value in cleaned.items():
            setattr(customer, name, value)
        if not customer.currency and customer.store_id:
            customer.currency = customer.store.currency
        customer.save()
    customers_mark_changed(customer_ids=[customer.pk])
    _on_commit(signals.customer_upserted, customer=customer, created=created)
    return customer, created


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    channel: str,
    status: str,
    source: str,
    topic: str = "marketing",
    recorded_at: datetime | None = None,
) -> ConsentRecord:
    """Keep what the customer said; the latest statement (by recorded_at) is the one in force.

    With EMAIL_DOUBLE_OPT_IN on, an email opt-in is pending until the customer confirms it through
    the link messaging sends (source "double_opt_in"); one already in force needs no confirmation.
    """
    recorded_at = recorded_at or timezone.now()
    confirmation_needed = (
        settings.EMAIL_DOUBLE_OPT_IN
        and channel == ConsentChannel.EMAIL
        and status == ConsentStatus.OPTED_IN
        and source != DOUBLE_OPT_IN_SOURCE
        and not Consent.objects.filter(
            customer=customer, channel=channel, topic=topic, status=ConsentStatus.OPTED_IN
        ).exists()
    )
    if confirmation_needed:
        status = ConsentStatus.PENDING
    record = ConsentRecord.objects.create(
        customer=customer, channel=channel, topic=topic, status=status, source=source, recorded_at=recorded_at
    )
    current = Consent.objects.select_for_update().filter(customer=customer, channel=channel, topic=topic).first()
    if current is None:
        Consent.objects.create(
            customer=customer, channel=channel, topic=topic, status=status, source=source, recorded_at=recorded_at
        )
    elif recorded_at >= current.recorded_at:
        current.status, current.source, current.recorded_at = status, source, recorded_at
        current.save(update_fields=["status", "source", "recorded_at"])
    else:
        return record
    customers_mark_changed(customer_ids=[customer.pk])
    _on_commit(signals.consent_changed, customer=customer, channel=channel, topic=topic, status=status)
    if confirmation_needed:
        _on_commit(signals.consent_confirmation_requested, customer=customer, channel=channel, topic=topic)
    return record


@dataclass(frozen=True)
class EventInput:
    customer: Customer
    type: str
    occurred_at: datetime | None = None
    properties: dict | None = None
    idempotency_key: str | None = None


@transaction.atomic
def events_record(*, events: Iterable[EventInput]) -> list[tuple[Event, bool]]:
    """Record events all together or not at all; a repeated idempotency key returns the first event."""
    events = list(events)
    keys = [event.idempotency_key for event in events if event.idempotency_key]
    existing = {event.idempotency_key: event for event in Event.objects.filter(idempotency_key__in=keys)}
    now = timezone.now()
    results: list[tuple[Event, bool]] = []
    for event_input in events:
        key = event_input.idempotency_key or None
        if key in existing:
            results.append((existing[key], False))
            continue
        event = Event(
            customer=event_input.customer,
            type=event_input.type,
            occurred_at=event_input.occurred_at or now,
            properties=event_input.properties or {},
            idempotency_key=key,
        )
        results.append((event, True))
        if key:
            existing[key] = event
    new_events = [event for event, created in results if created]
    try:
        with transaction.atomic():
            Event.objects.bulk_create(new_events)
    except IntegrityError:
        # Another request stored one of these idempotency keys meanwhile: nothing of ours was written.
        raise ValidationError({"idempotency_key": ["An event with this idempotency key is being recorded."]}) from None
    customers_mark_changed(customer_ids=[event.customer_id for event in new_events])
    for event in new_events:
        _on_commit(signals.event_recorded, event=event)
    return results


@dataclass(frozen=True)
class OrderLineInput:
    sku: str
    quantity: int
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    product: Product | None = None
    category: Category | None = None

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity


@transaction.atomic
def order_create(
    *,
    external_id: str,
    currency: str,
    placed_at: datetime,
    lines: list[OrderLineInput],
    customer: Customer | None = None,
    store: Store | None = None,
    channel: str = "",
    payment_method: str = "",
    discount_total: Decimal = Decimal(0),
    shipping_price: Decimal = Decimal(0),
    shipping_discount: Decimal = Decimal(0),
    attribution: dict | None = None,
) -> Order:
    """Record an order and its lines and update the customer's order statistics.

    Callers that must do more in the same transaction (redeeming codes) call this inside theirs.
    """
    _check_currency(currency)
    if not lines:
        raise ValidationError({"lines": ["An order needs at least one line."]})
    subtotal = sum((line.subtotal for line in lines), Decimal(0))
    total = subtotal - discount_total + shipping_price - shipping_discount
    order = Order.objects.create(
        external_id=external_id,
        customer=customer,
        store=store,
        channel=channel,
        payment_method=payment_method,
        currency=currency,
        placed_at=placed_at,
        subtotal=subtotal,
        discount_total=discount_total,
        shipping_price=shipping_price,
        shipping_discount=shipping_discount,
        total=total,
        attribution=attribution or {},
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            line_no=number,
            sku=line.sku,
            product=line.product,
            category=line.category or (line.product.category if line.product else None),
            quantity=line.quantity,
            unit_price=line.unit_price,
            subtotal=line.subtotal,
            discount=line.discount,
            total=line.subtotal - line.discount,
            customer=customer,
            placed_at=placed_at,
        )
        for number, line in enumerate(lines, start=1)
    )
    if customer is not None:
        placed = Value(placed_at, output_field=DateTimeField())
        # A customer's first order names their currency if nothing did; spend in another one is not added.
        in_customer_currency = Q(currency=currency) | Q(currency="")
        Customer.objects.filter(pk=customer.pk).update(
            currency=Case(When(currency="", then=Value(currency)), default=F("currency")),
            total_spent=F("total_spent")
            + Case(When(in_customer_currency, then=Value(total)), default=Value(Decimal(0)), output_field=MONEY_FIELD),
            orders_count=F("orders_count") + 1,
            # LEAST/GREATEST ignore NULL on PostgreSQL but not on SQLite: Coalesce covers both.
            first_order_at=Coalesce(Least(F("first_order_at"), placed), placed),
            last_order_at=Coalesce(Greatest(F("last_order_at"), placed), placed),
        )
        customers_mark_changed(customer_ids=[customer.pk])
    _on_commit(signals.order_placed, order=order)
    return order


def customer_statistics_recompute(*, customer_ids: list[int]) -> None:
    """Set total_spent (in each customer's currency), orders_count and first/last order dates from
    their placed orders: after a cancellation or a bulk import. Migration 0008 keeps a frozen copy."""
    placed = Order.objects.filter(customer=OuterRef("pk"), status=Order.Status.PLACED).values("customer")
    own_currency = placed.filter(currency=OuterRef("currency"))
    for start in range(0, len(customer_ids), 2_000):
        Customer.objects.filter(pk__in=customer_ids[start : start + 2_000]).update(
            total_spent=Coalesce(Subquery(own_currency.annotate(s=Sum("total")).values("s")[:1]), Value(Decimal(0))),
            orders_count=Coalesce(Subquery(placed.annotate(n=Count("pk")).values("n")[:1]), Value(0)),
            first_order_at=Subquery(placed.annotate(first=Min("placed_at")).values("first")[:1]),
            last_order_at=Subquery(placed.annotate(last=Max("placed_at")).values("last")[:1]),
        )


@transaction.atomic
def order_cancel(*, order: Order) -> tuple[Order, bool]:
    """Cancel a placed order, take it out of the customer's statistics and run the registered cancel
    steps (promotions releases its claims) in the same transaction. Idempotent: an order already
    cancelled is returned as it is and no step runs again."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == Order.Status.CANCELLED:
        return order, False
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    OrderLine.objects.filter(order=order).update(order_status=order.status)
    if order.customer_id:
        customer_statistics_recompute(customer_ids=[order.customer_id])
        customers_mark_changed(customer_ids=[order.customer_id])
    run_order_cancel_steps(order=order)
    _on_commit(signals.order_cancelled, order=order)
    return order, True


@transaction.atomic
def orders_import(*, orders: dict[str, dict]) -> tuple[int, int]:
    """Record imported orders (history from the shop) through order_create; existing ids are skipped.

    Returns (recorded, skipped). Raises ValidationError naming the order on an unknown customer,
    store or currency, so a bad file records nothing.
    """
    existing = set(Order.objects.filter(external_id__in=list(orders)).values_list("external_id", flat=True))
    customers = {
        c.external_id: c for c in Customer.objects.filter(external_id__in={o["customer"] for o in orders.values()})
    }
    stores = {s.code: s for s in Store.objects.filter(code__in={o["store"] for o in orders.values()})}
    products = {
        p.sku: p
        for p in Product.objects.select_related("category").filter(
            sku__in={line["sku"] for o in orders.values() for line in o["lines"]}
        )
    }
    recorded = 0
    for external_id, order in orders.items():
        if external_id in existing:
            continue
        if order["customer"] and order["customer"] not in customers:
            raise ValidationError({external_id: [f"Unknown customer '{order['customer']}'."]})
        if order["store"] and order["store"] not in stores:
            raise ValidationError({external_id: [f"Unknown store '{order['store']}'."]})
        order_create(
            external_id=external_id,
            currency=order["currency"],
            placed_at=order["placed_at"],
            customer=customers.get(order["customer"]),
            store=stores.get(order["store"]),
            channel=order["channel"],
            shipping_price=order["shipping_price"],
            discount_total=sum((line["discount"] for line in order["lines"]), Decimal(0)),
            lines=[
                OrderLineInput(
                    sku=line["sku"],
                    quantity=line["quantity"],
                    unit_price=line["unit_price"],
                    discount=line["discount"],
                    product=products.get(line["sku"]),
                )
                for line in order["lines"]
            ],
        )
        recorded += 1
    return recorded, len(orders) - recorded

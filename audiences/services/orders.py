"""Orders: recorded, imported and cancelled, with the customer's order statistics kept in step."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
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
from audiences.models import MONEY, Category, Customer, Order, OrderLine, OrderReturn, Product, Store
from audiences.order_cancel_steps import run_order_cancel_steps
from audiences.order_import_steps import run_order_import_steps
from audiences.pricing_inputs import customer_ordered, customers_changed, external_ids_changed
from audiences.segments.models import MembershipRecheck
from audiences.segments.recheck import customers_mark_changed
from audiences.services import order_statement
from audiences.services.purchases import category_purchases_add, category_purchases_recompute
from audiences.services.validation import check_currency

MONEY_FIELD = DecimalField(**MONEY)
# The attribute an order recorded by `order_create` keeps its lines in, in line order.
WRITTEN_LINES = "written_lines"

logger = logging.getLogger(__name__)


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


# No savepoint of its own: a caller's transaction (placing an order, an import) fails whole with it anyway.
@transaction.atomic(savepoint=False)
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
    customer_copies: Callable[[Customer, str], dict] | None = None,
    customer_token: str = "",
) -> Order:
    """Record an order and its lines and update the customer's order statistics (in `customer` too).

    Callers that must do more in the same transaction (redeeming codes) call this inside theirs.
    `customer_copies(customer, token)`: the cache entries of the customer this order leaves true, keyed by their
    next token, renewed on commit instead of dropped (`audiences.pricing_inputs.customer_ordered`), if the
    customer's cache token is still `customer_token`, the one the copies were read under.
    """
    check_currency(currency)
    if not lines:
        raise ValidationError({"lines": ["An order needs at least one line."]})
    subtotal = sum((line.subtotal for line in lines), Decimal(0))
    total = subtotal - discount_total + shipping_price - shipping_discount
    order = Order(
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
    order_lines = [
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
    ]
    if order_statement.in_one_statement():
        order_statement.order_and_lines_insert(order, order_lines, now=timezone.now())
    else:
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(order_lines)
        if customer is not None:
            _customer_statistics_add(customer, order)
            customer.refresh_from_db(fields=order_statement.STATISTICS)
            MembershipRecheck.objects.create(customer_id=customer.pk, marked_at=timezone.now())
    if customer is not None:  # the cached copies of the customer: renewed, or not read again
        if customer_copies is None:
            external_ids_changed([customer.external_id])
        else:
            customer_ordered(customer.external_id, partial(customer_copies, customer), read_token=customer_token)
    # What a Prefetch("lines", to_attr=WRITTEN_LINES) would find: the order hooks use them without reading back.
    setattr(order, WRITTEN_LINES, order_lines)
    if customer is not None:
        category_purchases_add(
            customer_id=customer.pk, category_ids=[line.category_id for line in order_lines if line.category_id],
            placed_at=placed_at,
        )  # fmt: skip
    # What the apps above do with a new order (a first-order bonus, journeys' checks) runs in a worker, queued
    # on commit: one message instead of their queries and messages inside the storefront's request. Robust: the
    # order is committed by then, so whatever fails here is logged, never the order's answer.
    transaction.on_commit(partial(_order_placed_queue, order.pk), robust=True)
    return order


def _order_placed_queue(order_id: int) -> None:
    from audiences.tasks import order_placed_task  # tasks call services: imported here, not at the top

    try:
        order_placed_task.delay(order_id)
    except Exception:  # noqa: BLE001 - the broker is down: announce here, as before there was a queue
        logger.warning("order_placed of order %s not queued (broker unavailable): sent in the request", order_id)
        order_placed_announce(order_id=order_id)


def order_placed_announce(*, order_id: int) -> bool:
    """Send `order_placed` for an order recorded by `order_create`, in the worker the commit queued it to; False
    (nothing sent) when the order is gone or was cancelled before the worker took it. The message is delivered at
    least once (a worker lost mid-task gets it again): loyalty's bonus is once per order; a journey that lets a
    customer re-enter should key its entry by the order (`key_property`) to enter once per order."""
    order = Order.objects.select_related("customer").filter(pk=order_id, status=Order.Status.PLACED).first()
    if order is None:
        return False
    signals.order_placed.send(sender=None, order=order)
    return True


def _customer_statistics_add(customer: Customer, order: Order) -> None:
    placed = Value(order.placed_at, output_field=DateTimeField())
    # A customer's first order names their currency if nothing did; spend in another one is not added.
    in_customer_currency = Q(currency=order.currency) | Q(currency="")
    total = Value(order.total)
    spent = Case(When(in_customer_currency, then=total), default=Value(Decimal(0)), output_field=MONEY_FIELD)
    Customer.objects.filter(pk=customer.pk).update(
        currency=Case(When(currency="", then=Value(order.currency)), default=F("currency")),
        total_spent=F("total_spent") + spent,
        orders_count=F("orders_count") + 1,
        # LEAST/GREATEST ignore NULL on PostgreSQL but not on SQLite: Coalesce covers both.
        first_order_at=Coalesce(Least(F("first_order_at"), placed), placed),
        last_order_at=Coalesce(Greatest(F("last_order_at"), placed), placed),
    )


def customer_statistics_recompute(*, customer_ids: list[int]) -> None:
    """Set total_spent (in each customer's currency, less what came back), orders_count and first/last order
    dates from their placed orders: after a cancellation or a bulk import. Migration 0008 keeps a frozen copy."""
    placed = Order.objects.filter(customer=OuterRef("pk"), status=Order.Status.PLACED).values("customer")
    own_currency = placed.filter(currency=OuterRef("currency"))
    returned = OrderReturn.objects.filter(
        order__customer=OuterRef("pk"), order__status=Order.Status.PLACED, order__currency=OuterRef("currency")
    ).values("order__customer")
    for start in range(0, len(customer_ids), 2_000):
        Customer.objects.filter(pk__in=customer_ids[start : start + 2_000]).update(
            # What they kept: returns give back what their lines were paid.
            total_spent=Coalesce(Subquery(own_currency.annotate(s=Sum("total")).values("s")[:1]), Value(Decimal(0)))
            - Coalesce(Subquery(returned.annotate(s=Sum("amount")).values("s")[:1]), Value(Decimal(0))),
            orders_count=Coalesce(Subquery(placed.annotate(n=Count("pk")).values("n")[:1]), Value(0)),
            first_order_at=Subquery(placed.annotate(first=Min("placed_at")).values("first")[:1]),
            last_order_at=Subquery(placed.annotate(last=Max("placed_at")).values("last")[:1]),
        )
    customers_changed(customer_ids=customer_ids)


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
        category_purchases_recompute(customer_ids=[order.customer_id])
        customers_mark_changed(customer_ids=[order.customer_id])
    run_order_cancel_steps(order=order)
    signals.send_after_commit(signals.order_cancelled, order=order)
    return order, True


@transaction.atomic
def orders_import(*, orders: dict[str, dict]) -> tuple[int, int]:
    """Record imported orders (history from the shop) through order_create; existing ids are skipped.
    The registered import steps then run once with all the new orders (campaigns credits them).

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
    recorded = []
    for external_id, order in orders.items():
        if external_id in existing:
            continue
        if order["customer"] and order["customer"] not in customers:
            raise ValidationError({external_id: [f"Unknown customer '{order['customer']}'."]})
        if order["store"] and order["store"] not in stores:
            raise ValidationError({external_id: [f"Unknown store '{order['store']}'."]})
        created = order_create(
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
        recorded.append(created)
    run_order_import_steps(orders=recorded)
    return len(recorded), len(orders) - len(recorded)

"""Returns: some lines of a placed order, or some of their quantity, brought back (docs/loyalty.md)."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from audiences import signals
from audiences.currencies import quantize
from audiences.models import Customer, Order, OrderLine, OrderReturn, OrderReturnLine
from audiences.order_return_steps import run_order_return_steps
from audiences.pricing_inputs import customers_changed
from audiences.segments.recheck import customers_mark_changed
from config.errors import Conflict


@dataclass(frozen=True)
class ReturnLineInput:
    line_no: int
    quantity: int


@transaction.atomic
def order_lines_return(
    *, order: Order, return_id: str, lines: list[ReturnLineInput], returned_at: datetime | None = None
) -> tuple[OrderReturn, bool]:
    """Record a return of some of the order's lines and run the registered return steps (loyalty takes
    back the points of what came back) in the same transaction. Returns (return, created): the same
    `return_id` again returns the first return and runs nothing twice. A line cannot come back more
    often than it was bought; a cancelled order has nothing left to return."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    first = OrderReturn.objects.filter(order=order, return_id=return_id).first()
    if first is not None:
        return first, False
    if order.status == Order.Status.CANCELLED:
        raise Conflict(code="order_cancelled", message=f"Order {order.external_id} is cancelled: nothing to return.")
    wanted = Counter()
    for line in lines:
        wanted[line.line_no] += line.quantity
    if not wanted:
        raise ValidationError({"lines": ["Return at least one line."]})
    bought = {line.line_no: line for line in OrderLine.objects.filter(order=order, line_no__in=list(wanted))}
    before = _returned_so_far(order)
    errors = []
    for line_no, quantity in sorted(wanted.items()):
        line = bought.get(line_no)
        if line is None:
            errors.append(f"Order {order.external_id} has no line {line_no}.")
        elif quantity <= 0:
            errors.append(f"Line {line_no}: return a quantity of at least 1.")
        elif quantity > line.quantity - before[line_no][0]:
            left = line.quantity - before[line_no][0]
            errors.append(f"Line {line_no} ({line.sku}): {quantity} returned but only {left} left to return.")
    if errors:
        raise ValidationError({"lines": errors})
    returned_lines = []
    for line_no, quantity in sorted(wanted.items()):
        line = bought[line_no]
        returned_quantity, returned_amount = before[line_no]
        if returned_quantity + quantity == line.quantity:
            # The last of a line returns what is left of its total, so rounding never drifts.
            amount = line.total - returned_amount
        else:
            amount = quantize(line.total * quantity / line.quantity, order.currency)
        returned_lines.append(OrderReturnLine(line=line, quantity=quantity, amount=amount))
    order_return = OrderReturn.objects.create(
        order=order,
        return_id=return_id,
        amount=sum((line.amount for line in returned_lines), Decimal(0)),
        returned_at=returned_at or timezone.now(),
    )
    for line in returned_lines:
        line.order_return = order_return
    OrderReturnLine.objects.bulk_create(returned_lines)
    if order.customer_id:
        _spend_give_back(order, order_return.amount)
    order_return.answer = run_order_return_steps(order_return=order_return)
    order_return.save(update_fields=["answer"])
    signals.send_after_commit(signals.order_lines_returned, order_return=order_return)
    return order_return, True


def _spend_give_back(order: Order, amount: Decimal) -> None:
    """The customer's total spent counts what they kept: a return takes off what its lines were paid
    (in the customer's currency only, as placing adds it)."""
    Customer.objects.filter(pk=order.customer_id, currency=order.currency).update(total_spent=F("total_spent") - amount)
    customers_changed(customer_ids=[order.customer_id])
    customers_mark_changed(customer_ids=[order.customer_id])


def _returned_so_far(order: Order) -> dict[int, tuple[int, Decimal]]:
    """Per line number: the quantity and the amount returned before."""
    rows = (
        OrderReturnLine.objects.filter(order_return__order=order)
        .values("line__line_no")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    )
    returned = defaultdict(lambda: (0, Decimal(0)))
    returned.update({row["line__line_no"]: (row["quantity"], row["amount"]) for row in rows})
    return returned

"""What apps above audiences do inside the transaction that cancels an order.

`audiences.services.orders.order_cancel` is the one path that cancels an order, whatever the door (the
admin action, `POST /api/v1/orders/{id}/cancel`). When it turns a placed order into a cancelled
one it runs every registered step, once, inside its transaction: promotions gives back the uses
and budget the order claimed, and runs the order hooks registered with it. A step
that raises rolls the cancellation back. Steps are registered here rather than imported because
audiences sits below them; the `order_cancelled` signal, sent after commit, is for listeners that
only react.
"""

from collections.abc import Callable

_steps: dict[str, Callable[..., object]] = {}


def register_order_cancel_step(name: str, step: Callable[..., object]) -> None:
    """`step(order=)` runs inside the cancelling transaction; registering a name again replaces it."""
    _steps[name] = step


def run_order_cancel_steps(*, order) -> None:
    for step in _steps.values():
        step(order=order)

"""What apps above audiences do inside the transaction that imports orders (history from the shop).

`audiences.services.orders.orders_import` records a file's orders and then runs every registered step once with
all of them, inside its transaction: campaigns credits them to the campaigns that touched their customers, as the
order hook does for `POST /orders`. A step that raises rolls the whole import back (a bad file records nothing).
Steps are registered here rather than imported because audiences sits below them.
"""

from collections.abc import Callable

_steps: dict[str, Callable[..., object]] = {}


def register_order_import_step(name: str, step: Callable[..., object]) -> None:
    """`step(orders=)` runs inside the importing transaction; registering a name again replaces it."""
    _steps[name] = step


def run_order_import_steps(*, orders: list) -> None:
    if not orders:
        return
    for step in _steps.values():
        step(orders=orders)

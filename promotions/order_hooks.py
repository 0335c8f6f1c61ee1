"""What apps above promotions do inside the order's transaction (loyalty points, attribution).

`POST /orders` calls every `on_place(order=, evaluation=, attribution=)` inside the transaction
that records the order and claims its redemptions; each returns fields for the response
(`{"points_earned": 120}`). `on_cancel(order=)` reverses them the same way. Nothing registered:
the defaults below answer.
"""

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_PLACE_FIELDS = {"points_earned": 0, "attributed_campaign": None}
DEFAULT_CANCEL_FIELDS = {"points_reversed": 0}


@dataclass(frozen=True)
class OrderHook:
    name: str
    on_place: Callable[..., dict] | None = None
    on_cancel: Callable[..., dict] | None = None


_hooks: dict[str, OrderHook] = {}


def register_order_hook(name: str, *, on_place=None, on_cancel=None) -> None:
    _hooks[name] = OrderHook(name=name, on_place=on_place, on_cancel=on_cancel)


def run_place_hooks(*, order, evaluation, attribution: dict) -> dict:
    fields = dict(DEFAULT_PLACE_FIELDS)
    for hook in _hooks.values():
        if hook.on_place is not None:
            fields.update(hook.on_place(order=order, evaluation=evaluation, attribution=attribution) or {})
    return fields


def run_cancel_hooks(*, order) -> dict:
    fields = dict(DEFAULT_CANCEL_FIELDS)
    for hook in _hooks.values():
        if hook.on_cancel is not None:
            fields.update(hook.on_cancel(order=order) or {})
    return fields

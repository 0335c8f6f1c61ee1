"""What apps above promotions do inside the order's transaction, registered by the app that owns it.

`POST /orders` calls every `on_place(order=, evaluation=, attribution=)` inside the transaction
that records the order and claims its redemptions; each returns fields for the response.
`on_cancel(order=)` reverses them the same way. A hook declares the fields it adds
(`place_fields`, `cancel_fields`): every answer carries them, with their `default` where the hook
did not run (an imported order claimed nothing), and the OpenAPI schema shows their `schema`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AnswerField:
    default: object
    schema: object  # the serializer field the OpenAPI schema shows


@dataclass(frozen=True)
class OrderHook:
    name: str
    on_place: Callable[..., dict] | None = None
    on_cancel: Callable[..., dict] | None = None
    place_fields: Mapping[str, AnswerField] = field(default_factory=dict)
    cancel_fields: Mapping[str, AnswerField] = field(default_factory=dict)


_hooks: dict[str, OrderHook] = {}


def register_order_hook(
    name: str,
    *,
    on_place=None,
    on_cancel=None,
    place_fields: Mapping[str, AnswerField] | None = None,
    cancel_fields: Mapping[str, AnswerField] | None = None,
) -> None:
    _hooks[name] = OrderHook(
        name=name,
        on_place=on_place,
        on_cancel=on_cancel,
        place_fields=place_fields or {},
        cancel_fields=cancel_fields or {},
    )


def place_answer_fields() -> dict[str, AnswerField]:
    return {name: answer for hook in _hooks.values() for name, answer in hook.place_fields.items()}


def cancel_answer_fields() -> dict[str, AnswerField]:
    return {name: answer for hook in _hooks.values() for name, answer in hook.cancel_fields.items()}


def place_answer_defaults() -> dict:
    return {name: answer.default for name, answer in place_answer_fields().items()}


def cancel_answer_defaults() -> dict:
    return {name: answer.default for name, answer in cancel_answer_fields().items()}


def run_place_hooks(*, order, evaluation, attribution: dict) -> dict:
    fields = place_answer_defaults()
    for hook in _hooks.values():
        if hook.on_place is not None:
            fields.update(hook.on_place(order=order, evaluation=evaluation, attribution=attribution) or {})
    return fields


def run_cancel_hooks(*, order) -> dict:
    fields = cancel_answer_defaults()
    for hook in _hooks.values():
        if hook.on_cancel is not None:
            fields.update(hook.on_cancel(order=order) or {})
    return fields

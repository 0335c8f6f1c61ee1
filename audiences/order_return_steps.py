"""What apps above audiences do inside the transaction that records a return of some of an order's lines.

`audiences.services.returns.order_lines_return` is the one path that records a return. It runs every
registered step once, inside its transaction (loyalty takes back the points of what was returned), and
keeps what the steps answered with the return, so a repeat answers the same. A step that raises rolls
the return back. A step declares the fields it adds to the answer with the serializer field the OpenAPI
schema shows, and their default for a return it had nothing to do with. The `order_lines_returned`
signal, sent after commit, is for listeners that only react.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReturnStep:
    step: Callable[..., dict | None]
    fields: Mapping[str, tuple[object, object]] = field(default_factory=dict)  # name: (default, schema field)


_steps: dict[str, ReturnStep] = {}


def register_order_return_step(name: str, step: Callable[..., dict | None], *, fields=None) -> None:
    """`step(order_return=)` runs inside the returning transaction and returns its answer fields;
    registering a name again replaces it."""
    _steps[name] = ReturnStep(step=step, fields=fields or {})


def return_answer_fields() -> dict[str, object]:
    return {name: schema for entry in _steps.values() for name, (_, schema) in entry.fields.items()}


def run_order_return_steps(*, order_return) -> dict:
    answer = {name: default for entry in _steps.values() for name, (default, _) in entry.fields.items()}
    for entry in _steps.values():
        answer.update(entry.step(order_return=order_return) or {})
    return answer

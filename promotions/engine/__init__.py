"""The pricing engine: pure functions over plain dataclasses, no I/O.

`compile_index(rules)` builds the per-process index once; `evaluate(cart, context, index)`
prices a cart against it. Everything the engine needs to explain a refusal (usage counters,
the customer's facts, the time) arrives in `Context`, so evaluation never touches a database.
"""

from promotions.engine.evaluate import evaluate
from promotions.engine.index import PromotionIndex, compile_index
from promotions.engine.types import (
    Cart,
    CartLine,
    CodeRecord,
    Context,
    CustomerFacts,
    PromotionRule,
    PromotionUsage,
    Result,
)

__all__ = [
    "Cart",
    "CartLine",
    "CodeRecord",
    "Context",
    "CustomerFacts",
    "PromotionIndex",
    "PromotionRule",
    "PromotionUsage",
    "Result",
    "compile_index",
    "evaluate",
]

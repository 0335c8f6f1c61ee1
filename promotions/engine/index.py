"""The compiled index: automatic promotions keyed by what they target, per store.

A cart looks up its lines' skus, categories (with ancestors) and brands, plus the whole-cart
bucket, in the all-stores part and in its own store's part: the work grows with the cart and
with the promotions that can apply to it, not with the number of promotions live.
"""

from __future__ import annotations

from collections.abc import Iterable

from promotions.engine.rewards import Bundle, BuyXGetY
from promotions.engine.types import Cart, PromotionRule, Trigger

WHOLE_CART = ("all", "")


def _index_keys(rule: PromotionRule) -> list[tuple[str, str]]:
    target = rule.target
    if target.is_whole_cart and isinstance(rule.reward, Bundle):
        # A bundle over the whole catalogue needs its items in the cart: key it by them.
        return [("sku", item.sku) if item.sku else ("category", item.category) for item in rule.reward.items]
    if target.is_whole_cart and isinstance(rule.reward, BuyXGetY) and rule.reward.get_target is not None:
        return [WHOLE_CART]
    if target.is_whole_cart:
        return [WHOLE_CART]
    return (
        [("sku", sku) for sku in target.skus]
        + [("category", code) for code in target.categories]
        + [("brand", brand) for brand in target.brands]
    )


def pipeline_order(rule: PromotionRule) -> tuple:
    """The order a scenario applies rules in: stage by stage, by precedence within a stage."""
    return rule.stage, rule.sort_key


class PromotionIndex:
    """Immutable once built; share one per process and replace it when the version changes.

    Buckets hold ranks (positions in pipeline order) rather than rules, so a lookup collects and
    sorts small ints: the candidates of a cart come out in the order they are applied.
    """

    def __init__(self, rules: Iterable[PromotionRule], version: object = None):
        self.version = version
        self.by_id: dict[int, PromotionRule] = {}
        self._ranked: list[PromotionRule] = sorted(rules, key=pipeline_order)
        self._whole_cart: list[bool] = [rule.target.is_whole_cart for rule in self._ranked]
        self._scopes: dict[str | None, dict[tuple[str, str], list[int]]] = {}
        for rank, rule in enumerate(self._ranked):
            self.by_id[rule.id] = rule
            if rule.trigger != Trigger.AUTOMATIC:
                continue  # reached through its codes only
            for store in rule.stores or (None,):
                buckets = self._scopes.setdefault(store, {})
                for key in _index_keys(rule):
                    buckets.setdefault(key, []).append(rank)

    def __len__(self) -> int:
        return len(self.by_id)

    def candidates(self, cart: Cart, store: str | None) -> list[PromotionRule]:
        """Automatic promotions that may apply to the cart, in pipeline order."""
        return [rule for rule, _ in self.candidates_with_lines(cart, store)]

    def candidates_with_lines(self, cart: Cart, store: str | None) -> list[tuple[PromotionRule, list[int]]]:
        """Each candidate with the cart lines its target names (before exclusions), in pipeline
        order: the lookup that found a rule also says which lines it hit, so no candidate is
        matched against every line."""
        line_keys: dict[tuple[str, str], list[int]] = {}
        for position, line in enumerate(cart.lines):
            line_keys.setdefault(("sku", line.sku), []).append(position)
            if line.brand:
                line_keys.setdefault(("brand", line.brand), []).append(position)
            for code in line.categories:
                line_keys.setdefault(("category", code), []).append(position)
        hits: dict[int, list[int]] = {}
        merged: set[int] = set()  # ranks hit through more than one key: their lines need sorting
        for scope in (None, store) if store else (None,):
            buckets = self._scopes.get(scope)
            if buckets is None:
                continue
            for rank in buckets.get(WHOLE_CART, ()):
                hits[rank] = []
            for key, positions in line_keys.items():
                for rank in buckets.get(key, ()):
                    hit = hits.get(rank)
                    if hit is None:
                        hits[rank] = positions
                    else:
                        hits[rank] = hit + positions
                        merged.add(rank)
        every_line = list(range(len(cart.lines)))
        ranked, whole_cart = self._ranked, self._whole_cart
        return [
            (
                ranked[rank],
                every_line if whole_cart[rank] else sorted(set(hits[rank])) if rank in merged else hits[rank],
            )
            for rank in sorted(hits)
        ]


def compile_index(rules: Iterable[PromotionRule], version: object = None) -> PromotionIndex:
    return PromotionIndex(rules, version)

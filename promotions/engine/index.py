"""The compiled index: automatic promotions keyed by what they target, per store.

A cart looks up its lines' skus, categories (with ancestors) and brands, plus the whole-cart
bucket, in the all-stores part and in its own store's part: the work grows with the cart and
with the promotions that can apply to it, not with the number of promotions live.
"""

from __future__ import annotations

from collections.abc import Iterable

from promotions.engine.rewards import Bundle, BuyXGetY
from promotions.engine.types import Cart, PromotionRule, Trigger

ALL = ("all", "")


def _index_keys(rule: PromotionRule) -> list[tuple[str, str]]:
    target = rule.target
    if target.is_whole_cart and isinstance(rule.reward, Bundle):
        # A bundle over the whole catalogue needs its items in the cart: key it by them.
        return [("sku", item.sku) if item.sku else ("category", item.category) for item in rule.reward.items]
    if target.is_whole_cart and isinstance(rule.reward, BuyXGetY) and rule.reward.get_target is not None:
        return [ALL]
    if target.is_whole_cart:
        return [ALL]
    return (
        [("sku", sku) for sku in target.skus]
        + [("category", code) for code in target.categories]
        + [("brand", brand) for brand in target.brands]
    )


class PromotionIndex:
    """Immutable once built; share one per process and replace it when the version changes."""

    def __init__(self, rules: Iterable[PromotionRule], version: object = None):
        self.version = version
        self.by_id: dict[int, PromotionRule] = {}
        self._buckets: dict[tuple[str | None, str, str], list[PromotionRule]] = {}
        for rule in sorted(rules, key=lambda r: r.sort_key):
            self.by_id[rule.id] = rule
            if rule.trigger != Trigger.AUTOMATIC:
                continue  # reached through its codes only
            for store in rule.stores or (None,):
                for kind, value in _index_keys(rule):
                    self._buckets.setdefault((store, kind, value), []).append(rule)

    def __len__(self) -> int:
        return len(self.by_id)

    def candidates(self, cart: Cart, store: str | None) -> list[PromotionRule]:
        """Automatic promotions that may apply to the cart, in order of application."""
        return [rule for rule, _ in self.candidates_with_lines(cart, store)]

    def candidates_with_lines(self, cart: Cart, store: str | None) -> list[tuple[PromotionRule, list[int]]]:
        """Each candidate with the cart lines its target names (before exclusions), in order of
        application: the lookup that found a rule also says which lines it hit, so no candidate
        is matched against every line."""
        line_keys: dict[tuple[str, str], list[int]] = {}
        for position, line in enumerate(cart.lines):
            line_keys.setdefault(("sku", line.sku), []).append(position)
            if line.brand:
                line_keys.setdefault(("brand", line.brand), []).append(position)
            for code in line.categories:
                line_keys.setdefault(("category", code), []).append(position)
        every_line = list(range(len(cart.lines)))
        found: dict[int, PromotionRule] = {}
        hits: dict[int, set[int]] = {}
        buckets = self._buckets
        for scope in (None, store) if store else (None,):
            for rule in buckets.get((scope, *ALL), ()):
                found[rule.id] = rule
            for key, positions in line_keys.items():
                for rule in buckets.get((scope, *key), ()):
                    found[rule.id] = rule
                    hits.setdefault(rule.id, set()).update(positions)
        ordered = sorted(found.values(), key=lambda r: r.sort_key)
        return [(rule, every_line if rule.target.is_whole_cart else sorted(hits.get(rule.id, ()))) for rule in ordered]


def compile_index(rules: Iterable[PromotionRule], version: object = None) -> PromotionIndex:
    return PromotionIndex(rules, version)

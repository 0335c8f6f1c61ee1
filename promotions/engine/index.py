"""The compiled index: automatic promotions keyed by what they target, per store.

A cart looks up its lines' skus, categories (with ancestors) and brands, plus the whole-cart
bucket, in the all-stores part and in its own store's part: the work grows with the cart and
with the promotions that can apply to it, not with the number of promotions live.
"""

from __future__ import annotations

from collections.abc import Iterable

from promotions.engine.types import Cart, PromotionRule, Trigger

KINDS = ("sku", "brand", "category")


def _index_keys(rule: PromotionRule) -> list[tuple[str, str]] | None:
    """(kind, value) pairs the rule is found by; None for a rule every cart is a candidate for."""
    target = rule.target
    if target.is_whole_cart:  # the reward may still name what a cart needs (a bundle its items)
        return rule.reward.index_keys()
    return (
        [("sku", sku) for sku in target.skus]
        + [("category", code) for code in target.categories]
        + [("brand", brand) for brand in target.brands]
    )


def pipeline_order(rule: PromotionRule) -> tuple:
    """The order a scenario applies rules in: stage by stage, by precedence within a stage."""
    return rule.stage, rule.sort_key


class _Scope:
    """The automatic promotions of one store (or of all stores): ranks by what they target."""

    __slots__ = ("by_kind", "whole_cart")

    def __init__(self):
        # One dict per kind, keyed by the plain string: with 10,000 promotions these dicts are
        # large and mostly cold in the CPU cache, and a probe that compares one string touches
        # less memory than one that compares a (kind, value) tuple and its members.
        self.by_kind: dict[str, dict[str, list[int]]] = {kind: {} for kind in KINDS}
        self.whole_cart: list[int] = []

    def collect(self, lines, hits: dict[int, list[int]]) -> None:
        """Add, for every rank a line's sku, brand or categories find, that line's position.

        Lines are visited in order, so each rank's positions come out sorted, and a rank found
        twice on one line (by its sku and by its category) is seen at once by the last position.
        """
        skus, brands, categories = self.by_kind["sku"], self.by_kind["brand"], self.by_kind["category"]
        for position, line in enumerate(lines):
            found = skus.get(line.sku)  # the index's own lists: read here, never changed
            if line.brand:
                bucket = brands.get(line.brand)
                if bucket:
                    found = found + bucket if found else bucket
            for code in line.categories:
                bucket = categories.get(code)
                if bucket:
                    found = found + bucket if found else bucket
            if found:
                for rank in found:
                    positions = hits.get(rank)
                    if positions is None:
                        hits[rank] = [position]
                    elif positions[-1] != position:
                        positions.append(position)


class PromotionIndex:
    """Immutable once built; share one per process and replace it when the version changes.

    Buckets hold ranks (positions in pipeline order) rather than rules, so a lookup collects and
    sorts small ints: the candidates of a cart come out in the order they are applied.
    """

    def __init__(self, rules: Iterable[PromotionRule], version: object = None):
        self.version = version
        self.by_id: dict[int, PromotionRule] = {}
        self._ranked: list[PromotionRule] = sorted(rules, key=pipeline_order)
        self._scopes: dict[str | None, _Scope] = {}
        for rank, rule in enumerate(self._ranked):
            self.by_id[rule.id] = rule
            if rule.trigger != Trigger.AUTOMATIC:
                continue  # reached through its codes only
            keys = _index_keys(rule)
            for store in rule.stores or (None,):
                scope = self._scopes.setdefault(store, _Scope())
                if keys is None:
                    scope.whole_cart.append(rank)
                for kind, value in keys or ():
                    scope.by_kind[kind].setdefault(value, []).append(rank)

    def __len__(self) -> int:
        return len(self.by_id)

    def candidates(self, cart: Cart, store: str | None) -> list[PromotionRule]:
        """Automatic promotions that may apply to the cart, in pipeline order."""
        return [rule for rule, _ in self.candidates_with_lines(cart, store)]

    def candidates_with_lines(self, cart: Cart, store: str | None) -> list[tuple[PromotionRule, list[int]]]:
        """Each candidate with the cart lines its target names (before exclusions), in pipeline
        order: the lookup that found a rule also says which lines it hit, so no candidate is
        matched against every line."""
        hits: dict[int, list[int]] = {}
        every_line = list(range(len(cart.lines)))
        # A rule sits in the all-stores scope or in its stores' scopes, never both: its positions
        # come from one scope.
        for scope_key in (None, store) if store else (None,):
            scope = self._scopes.get(scope_key)
            if scope is not None:
                scope.collect(cart.lines, hits)
                for rank in scope.whole_cart:
                    hits[rank] = every_line
        ranked = self._ranked
        candidates = []
        for rank in sorted(hits):
            rule = ranked[rank]
            # A whole-cart rule found by its reward's keys (a bundle's items) applies to every line.
            candidates.append((rule, every_line if rule.whole_cart else hits[rank]))
        return candidates


def compile_index(rules: Iterable[PromotionRule], version: object = None) -> PromotionIndex:
    return PromotionIndex(rules, version)

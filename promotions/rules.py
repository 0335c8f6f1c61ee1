"""Compile a stored Promotion into the engine's PromotionRule."""

import logging
from collections.abc import Iterable, Iterator

from promotions.engine.definition import parse_eligibility, parse_reward
from promotions.engine.parsing import DefinitionError, parse_target
from promotions.engine.types import NOTHING, PromotionRule
from promotions.models import Promotion

logger = logging.getLogger(__name__)


def rule_from_promotion(promotion: Promotion) -> PromotionRule:
    return PromotionRule(
        id=promotion.pk,
        name=promotion.name,
        reward=parse_reward(promotion.reward),
        trigger=promotion.trigger,
        status=promotion.status,
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        stores=frozenset(promotion.stores) or NOTHING,
        channels=frozenset(promotion.channels) or NOTHING,
        priority=promotion.priority,
        stacking=promotion.stacking,
        usage_limit=promotion.usage_limit,
        usage_limit_per_customer=promotion.usage_limit_per_customer,
        budget=promotion.budget,
        currency=promotion.currency,
        eligibility=parse_eligibility(promotion.eligibility),
        target=parse_target(promotion.target),
    )


def rules_from_promotions(promotions: Iterable[Promotion]) -> Iterator[PromotionRule]:
    """The promotions the engine can read. One whose stored definition no longer reads (its reward type's
    plugin was removed, a condition unregistered) is left out and logged, so it cannot stop every cart
    from being priced."""
    for promotion in promotions:
        try:
            yield rule_from_promotion(promotion)
        except DefinitionError as exc:
            logger.error("Promotion %s (%s) is left out of pricing: %s: %s", promotion.pk, promotion.name,
                         exc.field, exc.message)  # fmt: skip

"""Compile a stored Promotion into the engine's PromotionRule."""

from promotions.engine.definition import parse_eligibility, parse_reward
from promotions.engine.parsing import parse_target
from promotions.engine.types import NOTHING, PromotionRule
from promotions.models import Promotion


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

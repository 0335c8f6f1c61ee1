"""The active programs with their earning rules and tiers, kept per process under the rules' version token.

Earning on an order reads them on every order; they change seldom. `RulesVersion.token` changes with any
program, tier, earning rule or category (`rules_version_bump`, from loyalty's receivers), and the query that
locks the member reads it at no extra round trip: a process whose copy is under another token loads them
again. No row (a test database flushed by a transactional test) means no copy is kept.
"""

import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal

from loyalty.earning import ONE, EarnPolicy
from loyalty.models import EarningRule, Program, ReferralCode, RulesVersion, Tier


@dataclass(frozen=True)
class ProgramRules:
    program: Program
    tiers: tuple[Tier, ...]  # lowest threshold first
    category_multipliers: dict[str, Decimal] = field(default_factory=dict)  # the best per category code
    store_multipliers: dict[int, Decimal] = field(default_factory=dict)  # store id → the best
    tier_multipliers: dict[int, Decimal] = field(default_factory=dict)  # tier id → the best
    # The promotions whose codes may be referral codes of a program in the currency: each program's referral
    # promotion and those of the codes it issued before (a Program's save renews the copy). None: not read.
    referral_promotions: frozenset[int] | None = None

    def tier(self, tier_id: int | None) -> Tier | None:
        return next((tier for tier in self.tiers if tier.pk == tier_id), None)

    def next_tier(self, tier: Tier | None) -> Tier | None:
        """The lowest tier above `tier` (above none: the first)."""
        return next((t for t in self.tiers if tier is None or t.threshold > tier.threshold), None)

    def policy(self, *, store_id: int | None, tier_id: int | None) -> EarnPolicy:
        program = self.program
        return EarnPolicy(
            points_per_unit=program.points_per_unit,
            rounding=program.rounding,
            excluded_skus=frozenset(program.excluded_skus),
            excluded_categories=frozenset(program.excluded_categories),
            category_multipliers=self.category_multipliers,
            order_multiplier=self.store_multipliers.get(store_id, ONE) * self.tier_multipliers.get(tier_id, ONE),
        )


def program_rules_load(program: Program) -> ProgramRules:
    """The program's active earning rules and its tiers, read now (two queries)."""
    categories, stores, tiers = {}, {}, {}
    for rule in EarningRule.objects.filter(program=program, active=True).select_related("category"):
        for best, key in ((categories, rule.category and rule.category.code), (stores, rule.store_id),
                          (tiers, rule.tier_id)):  # fmt: skip
            if key:
                best[key] = max(rule.multiplier, best.get(key, rule.multiplier))
    return ProgramRules(
        program=program,
        tiers=tuple(Tier.objects.filter(program=program).order_by("threshold")),
        category_multipliers=categories,
        store_multipliers=stores,
        tier_multipliers=tiers,
    )


_kept: dict = {"token": None, "by_currency": {}}


def program_rules(*, currency: str, token: str | None) -> ProgramRules | None:
    """The active program earning in `currency` with its rules, as of `token` (read in the caller's query);
    None when no active program earns in it."""
    if token is None:
        return _program_rules_read(currency)
    if _kept["token"] != token:
        _kept.update(token=token, by_currency={})
    by_currency = _kept["by_currency"]
    if currency not in by_currency:
        by_currency[currency] = _program_rules_read(currency)
    return by_currency[currency]


def _program_rules_read(currency: str) -> ProgramRules | None:
    program = Program.objects.filter(currency=currency, active=True).first()
    if program is None:
        return None
    return replace(program_rules_load(program), referral_promotions=_referral_promotions(currency))


def _referral_promotions(currency: str) -> frozenset[int]:
    """Between two saves of a program, a referral code is issued only of its current referral promotion."""
    current = Program.objects.filter(currency=currency, referral_promotion__isnull=False)
    issued = ReferralCode.objects.filter(member__program__currency=currency).values_list("code__promotion_id")
    return frozenset(pk for (pk,) in current.values_list("referral_promotion_id").union(issued))


def rules_version_bump() -> None:
    """Tell every process its copy of the programs' rules is stale (in the caller's transaction)."""
    token = uuid.uuid4().hex
    if not RulesVersion.objects.filter(pk=1).update(token=token):
        RulesVersion.objects.get_or_create(pk=1, defaults={"token": token})

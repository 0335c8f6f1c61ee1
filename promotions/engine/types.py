"""The engine's plain data: carts in, results out, compiled promotion rules in between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from promotions.engine.money import PerPlaces, thresholds_per_places, unit_of

# The one empty set every rule shares: a promotion without stores, channels or exclusions would
# otherwise hold five empty frozensets of 216 bytes each, spreading the index over more memory.
NOTHING: frozenset = frozenset()


# A promotion's status, trigger and stacking: the one definition, which the model's choices are
# built from (promotions.models). Members are strings, equal to the values stored.
class PromotionStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    PAUSED = "paused"
    EXPIRED = "expired"


# Held by the marketer: not priced, and their dates do not move them on.
HELD = (PromotionStatus.DRAFT, PromotionStatus.PAUSED)


class Trigger(StrEnum):
    AUTOMATIC = "automatic"
    CODE = "code"


class Stacking(StrEnum):
    EXCLUSIVE = "exclusive"
    COMBINABLE = "combinable"


class Stage:
    """The pipeline: item-level rewards, then order-level, then shipping."""

    ITEM = 0
    ORDER = 1
    SHIPPING = 2


# What a reward does (its `effect`); plain ints, compared on every candidate a cart meets.
# LINES: discounts lines; TIERED: discounts lines by what its threshold basis reaches (the tier);
# SHIPPING: takes off the shipping price; GIFT: gives an item and no money.
LINES, SHIPPING, GIFT, TIERED = 0, 1, 2, 3


class Reason:
    NOT_FOUND = "not_found"
    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    CUSTOMER_LIMIT_REACHED = "customer_limit_reached"
    BUDGET_EXHAUSTED = "budget_exhausted"
    MIN_SUBTOTAL_NOT_MET = "min_subtotal_not_met"
    NOT_ELIGIBLE_CUSTOMER = "not_eligible_customer"
    NOT_ELIGIBLE_STORE = "not_eligible_store"
    NO_APPLICABLE_ITEMS = "no_applicable_items"
    NOT_COMBINABLE = "not_combinable"
    CUSTOMER_REQUIRED = "customer_required"
    NOT_ELIGIBLE_PAYMENT_METHOD = "not_eligible_payment_method"

    ALL = (
        NOT_FOUND,
        INACTIVE,
        NOT_STARTED,
        EXPIRED,
        USAGE_LIMIT_REACHED,
        CUSTOMER_LIMIT_REACHED,
        BUDGET_EXHAUSTED,
        MIN_SUBTOTAL_NOT_MET,
        NOT_ELIGIBLE_CUSTOMER,
        NOT_ELIGIBLE_STORE,
        NO_APPLICABLE_ITEMS,
        NOT_COMBINABLE,
        CUSTOMER_REQUIRED,
        NOT_ELIGIBLE_PAYMENT_METHOD,
    )


class SubtotalBasis:
    """What a promotion's money thresholds (`min_subtotal`, tier thresholds) are measured on, as
    its stage starts: the whole cart, or only the lines the promotion targets."""

    CART = "cart"
    TARGETED = "targeted"
    ALL = (CART, TARGETED)


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    quantity: int
    unit_price: Decimal
    categories: tuple[str, ...] = ()  # the line's category first, then its ancestors up to the root
    brand: str = ""

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Cart:
    currency: str
    lines: tuple[CartLine, ...]
    shipping_price: Decimal = Decimal(0)
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What eligibility conditions may ask about a customer; `extra` carries registered facts."""

    external_id: str
    segments: frozenset[str] = NOTHING
    is_first_order: bool = True
    promotion_uses: Mapping[int, int] = field(default_factory=dict)  # promotion id -> this customer's redemptions
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PromotionUsage:
    used: int = 0
    budget_spent: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """A stored code: which promotion it triggers and its own counter (unique codes: limit 1)."""

    code: str
    promotion_id: int
    used: int = 0
    usage_limit: int | None = None


@dataclass(frozen=True, slots=True)
class Context:
    now: datetime
    store: str | None = None
    channel: str | None = None
    payment_method: str | None = None
    customer: CustomerFacts | None = None
    # Live counters of the promotions with limits or budgets.
    usage: Mapping[int, PromotionUsage] = field(default_factory=dict)
    # Normalised (upper-case) code -> its stored record.
    codes: Mapping[str, CodeRecord] = field(default_factory=dict)
    # Promotions of entered codes that the index lacks (drafts, paused or expired ones).
    extra_rules: Mapping[int, PromotionRule] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Target:
    skus: frozenset[str] = NOTHING
    categories: frozenset[str] = NOTHING
    brands: frozenset[str] = NOTHING
    exclude_skus: frozenset[str] = NOTHING
    exclude_categories: frozenset[str] = NOTHING

    @property
    def is_whole_cart(self) -> bool:
        return not (self.skus or self.categories or self.brands)

    def matches(self, line: CartLine) -> bool:
        if line.sku in self.exclude_skus:
            return False
        if self.exclude_categories and not self.exclude_categories.isdisjoint(line.categories):
            return False
        if self.is_whole_cart:
            return True
        return (
            line.sku in self.skus
            or (line.brand != "" and line.brand in self.brands)
            or not self.categories.isdisjoint(line.categories)
        )


@dataclass(frozen=True, slots=True)
class Eligibility:
    min_subtotal: Decimal | None = None
    min_quantity: int | None = None
    conditions: tuple[tuple[str, object], ...] = ()  # (registered condition name, its value)
    payment_methods: frozenset[str] = NOTHING  # empty: any payment method, or none named
    subtotal_basis: str = SubtotalBasis.CART
    min_subtotal_units: PerPlaces | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        threshold = None if self.min_subtotal is None else thresholds_per_places(self.min_subtotal)
        object.__setattr__(self, "min_subtotal_units", threshold)


@dataclass(frozen=True, slots=True)
class PromotionRule:
    id: int
    name: str
    reward: object  # a registered reward (promotions.engine.rewards.registry.Reward)
    trigger: str = Trigger.AUTOMATIC
    status: str = PromotionStatus.ACTIVE
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stores: frozenset[str] = NOTHING
    channels: frozenset[str] = NOTHING
    priority: int = 0
    stacking: str = Stacking.COMBINABLE
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    budget: Decimal | None = None
    currency: str = ""  # empty: any currency, amounts read in the cart's currency
    eligibility: Eligibility = field(default_factory=Eligibility)
    target: Target = field(default_factory=Target)
    # Derived once when the rule is compiled, read for every cart it is a candidate for: each is a
    # field of the rule itself, so a candidate's checks touch one object (with 10,000 promotions
    # most of them are cold in the CPU cache).
    #
    # Precedence: priority first, then content (not the id), so creation order never changes a
    # price; the id settles only rules identical in everything that matters. Within a pipeline
    # stage rules apply in this order; among equally good exclusive promotions the first wins.
    sort_key: tuple = field(init=False, repr=False, compare=False)
    stage: int = field(init=False, repr=False, compare=False)
    # Nothing about the moment, store, channel, currency, customer or counters can refuse it: the
    # pricing path skips those checks for the many automatic promotions that have none.
    always_eligible: bool = field(init=False, repr=False, compare=False)
    # Something about the cart can refuse it beyond having no targeted line (minimum subtotal or
    # quantity, the reward's own threshold such as a tiered reward's lowest tier).
    has_cart_conditions: bool = field(init=False, repr=False, compare=False)
    exclusive: bool = field(init=False, repr=False, compare=False)
    has_exclusions: bool = field(init=False, repr=False, compare=False)  # excluded skus or categories
    whole_cart: bool = field(init=False, repr=False, compare=False)  # targets no sku, category or brand

    def __post_init__(self):
        stage = self.reward.stage
        object.__setattr__(self, "stage", stage)
        object.__setattr__(self, "sort_key", (-self.priority, stage, self.name, repr(self.reward), self.id))
        object.__setattr__(
            self,
            "always_eligible",
            self.status not in HELD
            and self.status != PromotionStatus.EXPIRED
            and self.starts_at is None
            and self.ends_at is None
            and not (self.currency or self.stores or self.channels or self.eligibility.conditions)
            and not self.eligibility.payment_methods
            and self.usage_limit_per_customer is None
            and not self.has_counters,
        )
        object.__setattr__(
            self,
            "has_cart_conditions",
            self.eligibility.min_subtotal is not None
            or self.eligibility.min_quantity is not None
            or self.reward.threshold is not None,
        )
        object.__setattr__(self, "exclusive", self.stacking == Stacking.EXCLUSIVE)
        target = self.target
        object.__setattr__(self, "has_exclusions", bool(target.exclude_skus or target.exclude_categories))
        object.__setattr__(self, "whole_cart", target.is_whole_cart)

    @property
    def has_counters(self) -> bool:
        return self.usage_limit is not None or self.budget is not None


@dataclass(frozen=True, slots=True)
class LineResult:
    sku: str
    quantity: int
    unit_price: Decimal
    subtotal: Decimal
    discount: Decimal
    total: Decimal


@dataclass(slots=True)  # not frozen: built for every promotion a cart gets, where frozen costs 4x
class Applied:
    """A promotion the cart gets. It keeps the rule and minor units, and converts to Decimal only
    when read: pricing a cart builds one per promotion applied (15 at 10,000 live promotions)."""

    rule: PromotionRule
    code: str | None
    amount_units: int  # line discounts plus shipping discount given by this promotion
    line_units: dict[int, int]  # cart line position -> discount, for the lines it discounted
    shipping_units: int
    places: int  # the currency's decimal places

    @property
    def promotion_id(self) -> int:
        return self.rule.id

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def reward(self) -> str:
        return self.rule.reward.type

    @property
    def amount(self) -> Decimal:
        return self.amount_units * unit_of(self.places)

    @property
    def shipping_discount(self) -> Decimal:
        return self.shipping_units * unit_of(self.places)

    @property
    def line_discounts(self) -> dict[int, Decimal]:
        unit = unit_of(self.places)
        return {i: units * unit for i, units in self.line_units.items()}


@dataclass(frozen=True, slots=True)
class CodeResult:
    code: str
    status: str  # applied | rejected
    reason: str | None = None
    message: str = ""
    promotion_id: int | None = None
    # For the general reasons, the one condition that refused the code (`first_order_only`,
    # `segments`, `store`, `channel`, `currency`, or one an app registered); None where the reason says it all.
    detail: str | None = None


@dataclass(slots=True)  # not frozen: like Applied, built per promotion a cart gets
class GiftResult:
    sku: str
    quantity: int
    promotion_id: int


@dataclass(frozen=True, slots=True)
class Result:
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    shipping_price: Decimal
    shipping_discount: Decimal
    total: Decimal
    lines: tuple[LineResult, ...]
    applied: tuple[Applied, ...]
    codes: tuple[CodeResult, ...]
    gifts: tuple[GiftResult, ...]

    def code_result(self, code: str) -> CodeResult | None:
        wanted = code.strip().upper()
        return next((item for item in self.codes if item.code.strip().upper() == wanted), None)

"""The engine's plain data: carts in, results out, compiled promotion rules in between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


class Trigger:
    AUTOMATIC = "automatic"
    CODE = "code"


class Stacking:
    EXCLUSIVE = "exclusive"
    COMBINABLE = "combinable"


class Stage:
    """The pipeline: item-level rewards, then order-level, then shipping."""

    ITEM = 0
    ORDER = 1
    SHIPPING = 2


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
    )


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
    segments: frozenset[str] = frozenset()
    is_first_order: bool = True
    loyalty_tier: str | None = None
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
    customer: CustomerFacts | None = None
    # Live counters of the promotions with limits or budgets.
    usage: Mapping[int, PromotionUsage] = field(default_factory=dict)
    # Normalised (upper-case) code -> its stored record.
    codes: Mapping[str, CodeRecord] = field(default_factory=dict)
    # Promotions of entered codes that the index lacks (drafts, paused or expired ones).
    extra_rules: Mapping[int, PromotionRule] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Target:
    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    exclude_skus: frozenset[str] = frozenset()
    exclude_categories: frozenset[str] = frozenset()

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


@dataclass(frozen=True, slots=True)
class PromotionRule:
    id: int
    name: str
    reward: object  # one of promotions.engine.rewards
    trigger: str = Trigger.AUTOMATIC
    status: str = "active"  # draft | scheduled | active | paused | expired
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stores: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    priority: int = 0
    stacking: str = Stacking.COMBINABLE
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    budget: Decimal | None = None
    currency: str = ""  # empty: any currency, amounts read in the cart's currency
    eligibility: Eligibility = field(default_factory=Eligibility)
    target: Target = field(default_factory=Target)
    # Order of application: priority first, then content (not the id), so creation order never
    # changes a price; the id settles only rules identical in everything that matters.
    sort_key: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "sort_key", (-self.priority, self.reward.stage, self.name, repr(self.reward), self.id))

    @property
    def stage(self) -> int:
        return self.reward.stage

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


@dataclass(frozen=True, slots=True)
class Applied:
    promotion_id: int
    name: str
    code: str | None
    reward: str
    amount: Decimal  # line discounts plus shipping discount given by this promotion
    line_discounts: dict[int, Decimal]  # cart line position -> discount, for the lines it discounted
    shipping_discount: Decimal


@dataclass(frozen=True, slots=True)
class CodeResult:
    code: str
    status: str  # applied | rejected
    reason: str | None = None
    message: str = ""
    promotion_id: int | None = None


@dataclass(frozen=True, slots=True)
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

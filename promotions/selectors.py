"""Reads: the compiled index (cached per process), pricing a cart, promotions and their codes, orders."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from audiences.models import Category, Customer, Order, Product, Store
from promotions import storefront_cache
from promotions.customer_facts import customer_facts, provided_facts, providers_tag
from promotions.engine import Cart, CartLine, CodeRecord, Context, PromotionIndex, PromotionUsage, Result, evaluate
from promotions.engine.evaluate import normalize_code
from promotions.engine.rewards.registry import reward_type_names
from promotions.models import (
    CodeGenerationJob,
    CustomerPromotionUsage,
    IndexVersion,
    OrderPricing,
    Promotion,
    PromotionCode,
    Redemption,
)
from promotions.rules import rules_from_promotions

INDEXED_STATUSES = (Promotion.Status.SCHEDULED, Promotion.Status.ACTIVE)

_index_lock = threading.Lock()
_index: PromotionIndex | None = None


def index_version() -> str:
    return IndexVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def promotion_index(version: str | None = None) -> PromotionIndex:
    """The compiled index of scheduled and active promotions, rebuilt only when the version moved
    (`version` as the caller just read it, or read here)."""
    global _index
    version = index_version() if version is None else version
    current = _index
    if current is not None and current.version == version:
        return current
    with _index_lock:
        if _index is None or _index.version != version:
            promotions = Promotion.objects.filter(status__in=INDEXED_STATUSES)
            _index = PromotionIndex(rules_from_promotions(promotions.iterator(chunk_size=2000)), version)
        return _index


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int
    unit_price: Decimal
    category: str | None = None


@dataclass(frozen=True)
class PricingRequest:
    currency: str
    lines: list[LineInput]
    customer: Customer | None = None
    store: str | None = None
    channel: str | None = None
    payment_method: str | None = None
    shipping_price: Decimal = Decimal(0)
    codes: list[str] = field(default_factory=list)
    now: datetime | None = None
    # As read at the start of a storefront request: customer facts and the catalogue then come from the cache.
    versions: storefront_cache.PricingVersions | None = None


@dataclass(frozen=True)
class Pricing:
    """An evaluation and what it was computed from (the order service needs both)."""

    result: Result
    cart: Cart
    products: dict[str, Product]
    categories: dict[str, Category]
    codes: dict[str, PromotionCode]
    # The customer's facts as the providers gave them, when read through the storefront cache.
    facts: dict | None = None


def known_store_code(*, code: str | None, versions: storefront_cache.PricingVersions | None = None) -> str | None:
    """The store a request names (None for none); a store that does not exist is refused, naming `store`.
    With `versions`, from the storefront cache."""
    if not code:
        return None
    if store_by_code(code=code, versions=versions) is None:
        raise ValidationError({"store": [f"Unknown store '{code}'."]})
    return code


def store_by_code(*, code: str, versions: storefront_cache.PricingVersions | None = None) -> Store | None:
    """The store of that code, None if there is none; with `versions`, from the storefront cache."""
    if versions is not None:
        return storefront_cache.store_by_code(code, versions)
    return Store.objects.filter(code=code).first()


def cart_price(*, request: PricingRequest) -> Pricing:
    """Price a cart as `POST /carts/evaluate` does; reads only, writes nothing."""
    versions = request.versions
    index = promotion_index(versions.index if versions else None)
    skus = {line.sku for line in request.lines}
    products = _products(skus, versions)
    line_categories = {line.category for line in request.lines if line.category and line.sku not in products}
    categories = _categories(line_categories, versions) if line_categories else {}
    cart = Cart(
        currency=request.currency,
        lines=tuple(_cart_line(line, products, categories) for line in request.lines),
        shipping_price=request.shipping_price,
        codes=tuple(request.codes),
    )
    normalised = {normalize_code(code) for code in request.codes if code.strip()}
    live_codes = _live_codes(normalised) if normalised else ()
    stored_codes = {c.code: c for c in live_codes}
    code_promotion_ids = {c.promotion_id for c in stored_codes.values()}
    extra_rules = {
        rule.id: rule
        for rule in rules_from_promotions(Promotion.objects.filter(pk__in=code_promotion_ids - index.by_id.keys()))
    } if code_promotion_ids - index.by_id.keys() else {}  # fmt: skip
    code_rules = [rule for pk in code_promotion_ids if (rule := index.by_id.get(pk) or extra_rules.get(pk))]
    rules = [*index.candidates(cart, request.store), *code_rules]
    counted = [rule.id for rule in rules if rule.has_counters]
    usage = {
        pk: PromotionUsage(used=used, budget_spent=spent)
        for pk, used, spent in Promotion.objects.filter(pk__in=counted).values_list("pk", "used", "budget_spent")
    } if counted else {}  # fmt: skip
    facts = cached = None
    if request.customer is not None:
        per_customer = [rule.id for rule in rules if rule.usage_limit_per_customer is not None]
        uses = dict(
            CustomerPromotionUsage.objects.filter(customer=request.customer, promotion_id__in=per_customer).values_list(
                "promotion_id", "used"
            )
        ) if per_customer else {}  # fmt: skip
        cached = (
            storefront_cache.cached_facts(request.customer, versions, provided_facts, providers_tag())
            if versions
            else None
        )
        facts = customer_facts(request.customer, uses, cached)
    context = Context(
        now=request.now or timezone.now(),
        store=request.store,
        channel=request.channel,
        payment_method=request.payment_method,
        customer=facts,
        usage=usage,
        codes={
            code: CodeRecord(code=code, promotion_id=c.promotion_id, used=c.used, usage_limit=c.usage_limit)
            for code, c in stored_codes.items()
        },
        extra_rules=extra_rules,
    )
    return Pricing(evaluate(cart, context, index), cart, products, categories, stored_codes, cached)


# Prebuilt: every priced cart with a code compiled this through the ORM.
_LIVE_CODES = f"SELECT * FROM {PromotionCode._meta.db_table} WHERE code IN ({{codes}}) AND retired_at IS NULL"  # noqa: S608


def _live_codes(codes: set[str]):
    return PromotionCode.objects.raw(_LIVE_CODES.format(codes=", ".join(["%s"] * len(codes))), list(codes))


def _products(skus: set[str], versions: storefront_cache.PricingVersions | None) -> dict[str, Product]:
    if versions is not None:
        return storefront_cache.products_by_sku(skus, versions)
    return {p.sku: p for p in Product.objects.select_related("category").filter(sku__in=skus)}


def _categories(codes: set[str], versions: storefront_cache.PricingVersions | None) -> dict[str, Category]:
    if versions is not None:
        return storefront_cache.categories_by_code(codes, versions)
    return {c.code: c for c in Category.objects.filter(code__in=codes)}


def _cart_line(line: LineInput, products: dict[str, Product], categories: dict[str, Category]) -> CartLine:
    product = products.get(line.sku)
    if product is not None:
        lineage = product.category.lineage if product.category_id else []
        return CartLine(line.sku, line.quantity, line.unit_price, tuple(lineage), product.brand)
    category = categories.get(line.category) if line.category else None
    lineage = category.lineage if category else ([line.category] if line.category else [])
    return CartLine(line.sku, line.quantity, line.unit_price, tuple(lineage))


def order_get(*, external_id: str) -> Order | None:
    return Order.objects.filter(external_id=external_id).first()


def order_detail_get(*, external_id: str) -> Order | None:
    """An order with what reading it back shows: its lines, its redemptions (with their promotion
    and code) and the answer given when it was placed (none for an imported order)."""
    redemptions = Redemption.objects.select_related("promotion", "code").order_by("promotion_id")
    return (
        Order.objects.select_related("customer", "store", "pricing")
        .prefetch_related("lines", Prefetch("redemptions", queryset=redemptions))
        .filter(external_id=external_id)
        .first()
    )


def order_first_answer(*, external_id: str) -> dict | None:
    """What placing the order answered the first time (none for an order never placed, or imported)."""
    return OrderPricing.objects.filter(order__external_id=external_id).values_list("response", flat=True).first()


def order_placed_answer(*, external_id: str) -> tuple[bool, dict | None]:
    """Whether an order of that external_id exists, and what placing it answered the first time (None for an
    imported order): one query."""
    found = list(Order.objects.filter(external_id=external_id).values_list("pricing__response", flat=True)[:1])
    return (True, found[0]) if found else (False, None)


# What the list of promotions can be filtered by, and the values each filter takes.
PROMOTION_LIST_FILTERS = {
    "status": Promotion.Status.values,
    "trigger": Promotion.Trigger.values,
    "reward_type": reward_type_names(),
}


def promotion_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[Promotion]:
    """Promotions, highest priority first, each with its count of active redemptions, narrowed by the
    `filters` named in PROMOTION_LIST_FILTERS (empty values, and other names, are ignored)."""
    promotions = Promotion.objects.order_by("-priority", "id").annotate(
        active_redemptions=Count("redemptions", filter=Q(redemptions__status=Redemption.Status.ACTIVE))
    )
    for name in PROMOTION_LIST_FILTERS:
        if filters and filters.get(name):
            promotions = promotions.filter(**{name: filters[name]})
    return promotions


def promotion_with_counts_get(*, promotion_id: int) -> Promotion | None:
    """A promotion as the list shows it: with its count of active redemptions."""
    return promotion_list().filter(pk=promotion_id).first()


def promotion_get(*, promotion_id: int) -> Promotion | None:
    return Promotion.objects.filter(pk=promotion_id).first()


def code_job_get(*, job_id: int) -> CodeGenerationJob | None:
    return CodeGenerationJob.objects.select_related("promotion").filter(pk=job_id).first()


# The promotion's own code (its `code` field) as stored: made by no job and with no limit of its own.
SHARED_CODE = Q(job__isnull=True, usage_limit__isnull=True)


def promotion_codes_iter(
    *, promotion: Promotion, chunk_size: int = 5000, unique_only: bool = False
) -> Iterator[tuple[str, int | None, int]]:
    """(code, usage_limit, used) of the codes that trigger the promotion (retired ones left out), in
    creation order, read in keyset pages so memory stays flat. `unique_only` leaves the shared code out."""
    codes = PromotionCode.objects.filter(promotion=promotion, retired_at__isnull=True)
    if unique_only:
        codes = codes.exclude(SHARED_CODE)
    last_id = 0
    while True:
        page = list(
            codes.filter(pk__gt=last_id).order_by("pk").values_list("pk", "code", "usage_limit", "used")[:chunk_size]
        )
        if not page:
            return
        for _, code, usage_limit, used in page:
            yield code, usage_limit, used
        last_id = page[-1][0]


@dataclass(frozen=True)
class CodeSummary:
    shared: str | None
    shared_used: int
    unique: int
    unique_used: int


def promotion_code_summary(*, promotion: Promotion) -> CodeSummary:
    """The shared code apart from the unique ones, as the admin shows a promotion's codes."""
    live = PromotionCode.objects.filter(promotion=promotion, retired_at__isnull=True)
    shared = live.filter(SHARED_CODE).values_list("code", "used").first()
    unique = live.exclude(SHARED_CODE).aggregate(count=Count("pk"), used=Count("pk", filter=Q(used__gt=0)))
    return CodeSummary(
        shared=shared[0] if shared else None,
        shared_used=shared[1] if shared else 0,
        unique=unique["count"],
        unique_used=unique["used"],
    )


CART_DEPENDENT_REASONS = frozenset({"no_applicable_items", "min_subtotal_not_met", "not_combinable"})


@dataclass(frozen=True)
class CouponCheck:
    valid: bool
    reason: str | None
    message: str
    promotion: Promotion | None
    detail: str | None = None


def coupon_check(
    *,
    code: str,
    customer: Customer | None,
    store: str | None,
    channel: str | None,
    cart: PricingRequest | None,
    payment_method: str | None = None,
) -> CouponCheck:
    """Would this code apply? With a cart, exactly as pricing it would say; without one, only the
    code's own conditions (dates, store, customer, limits) are checked."""
    stored = (
        PromotionCode.objects.select_related("promotion")
        .filter(code=normalize_code(code), retired_at__isnull=True)
        .first()
    )
    promotion = stored.promotion if stored else None
    if cart is None:
        store_currency = Store.objects.filter(code=store).values_list("currency", flat=True).first() if store else None
        currency = store_currency or (promotion.currency if promotion and promotion.currency else "USD")
        cart = PricingRequest(
            currency=currency, lines=[], customer=customer, store=store, channel=channel, payment_method=payment_method
        )
    request = PricingRequest(
        currency=cart.currency,
        lines=cart.lines,
        customer=customer,
        store=store if store is not None else cart.store,
        channel=channel if channel is not None else cart.channel,
        payment_method=payment_method if payment_method is not None else cart.payment_method,
        shipping_price=cart.shipping_price,
        codes=[code],
    )
    result = cart_price(request=request).result.codes[0]
    if result.status == "applied" or (not request.lines and result.reason in CART_DEPENDENT_REASONS):
        return CouponCheck(True, None, "The code can be used.", promotion)
    return CouponCheck(False, result.reason, result.message, promotion, result.detail)


def redemptions_per_day(*, since) -> list[tuple]:
    """(day, currency, redemptions, discount given) for active redemptions since `since`, by local day."""
    rows = (
        Redemption.objects.filter(created_at__gte=since, status=Redemption.Status.ACTIVE)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "currency")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("day", "currency")
    )
    return [(row["day"], row["currency"], row["n"], row["amount"]) for row in rows]

"""Placing an order: price it, then record it, run the order hooks and claim every use, in one transaction."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audiences.models import Order
from audiences.services.order_statement import STATISTICS
from audiences.services.orders import OrderLineInput, order_create
from promotions import storefront_cache
from promotions.customer_facts import providers_tag
from promotions.engine.evaluate import normalize_code
from promotions.errors import OrderExists, RedemptionConflict
from promotions.models import OrderPricing
from promotions.order_hooks import run_place_hooks
from promotions.results import evaluation_payload
from promotions.selectors import Pricing, PricingRequest, cart_price, order_placed_answer, store_by_code
from promotions.services.redemption import redemptions_claim

REFUSE_UNREDEEMABLE = "refuse"
DROP_UNREDEEMABLE = "drop"


def order_place(
    *,
    external_id: str,
    pricing_request: PricingRequest,
    placed_at: datetime,
    attribution: dict | None = None,
    on_unredeemable_code: str = REFUSE_UNREDEEMABLE,
    placed: tuple[bool, dict | None] | None = None,
) -> tuple[dict, bool]:
    """Price the order, then record it and claim every use in one transaction.

    Returns (response, created). The same external_id again returns the first response.
    A code that no longer applies, or a use that can no longer be claimed, is a 409 with its
    reason, and nothing is recorded; with `on_unredeemable_code="drop"` such a code is left out
    instead, the order priced and recorded without it, and the answer lists it in `dropped_codes`.
    `placed`: what `order_placed_answer` says of the order, when the caller read it with the pricing versions.
    """
    replay = _placed_response(external_id, placed)
    if replay is not None:
        return replay, False
    dropped: list[dict] = []
    # Each round either records the order or drops at least one code: it ends.
    while True:
        pricing = cart_price(request=pricing_request)
        try:
            return _order_place_priced(external_id, pricing_request, pricing, placed_at, attribution, dropped), True
        except RedemptionConflict as refused:
            code = refused.coupon
            if on_unredeemable_code != DROP_UNREDEEMABLE or not code:
                raise
            dropped.append({"code": code, "reason": refused.code, "message": refused.message})
            pricing_request = replace(
                pricing_request, codes=[c for c in pricing_request.codes if normalize_code(c) != normalize_code(code)]
            )
        except IntegrityError:
            # The same external_id was placed concurrently: answer as a repeat would.
            replay = _placed_response(external_id)
            if replay is None:
                raise
            return replay, False


def _order_place_priced(external_id, pricing_request, pricing: Pricing, placed_at, attribution, dropped) -> dict:
    for code in pricing.result.codes:
        if code.status != "applied":
            raise RedemptionConflict(
                reason=code.reason,
                message=code.message,
                detail=code.detail,
                coupon=code.code,
                promotion=code.promotion_id,
            )
    customer = pricing_request.customer
    # Recording the order writes the customer's new statistics into `customer`; if the transaction then fails (a
    # use claimed by another order first), a repricing without the code must see the statistics as they are.
    statistics = {name: getattr(customer, name) for name in STATISTICS} if customer is not None else {}
    try:
        with transaction.atomic():
            order = _order_record(external_id, pricing_request, pricing, placed_at, attribution)
            response = {
                "order": external_id,
                **evaluation_payload(pricing.result),
                "dropped_codes": dropped,
                **run_place_hooks(order=order, evaluation=pricing.result, attribution=attribution or {}),
            }
            # The hooks read the pricing, never the claims: claiming last holds the promotions' rows, which every
            # order with a site-wide promotion shares, only for the answer's insert and the commit (issue #18).
            redemptions_claim(order=order, pricing=pricing, customer=customer)
            order_answer_record(order=order, response=response)
    except Exception:
        for name, value in statistics.items():
            setattr(customer, name, value)
        raise
    return response


# The answer a repeat replays, written once per order: a prebuilt statement on PostgreSQL instead of the ORM's
# compiled one (SQLite keeps the ORM; tests/promotions/test_order_answer.py compares the rows).
_ANSWER_INSERT = (
    f"INSERT INTO {OrderPricing._meta.db_table} (order_id, response, created_at) "  # noqa: S608
    "VALUES (%s, %s::jsonb, %s)"
)


def answer_prebuilt() -> bool:
    return connection.vendor == "postgresql"


def order_answer_record(*, order: Order, response: dict) -> None:
    if not answer_prebuilt():
        OrderPricing.objects.create(order=order, response=response)
        return
    with connection.cursor() as cursor:
        cursor.execute(_ANSWER_INSERT, [order.pk, json.dumps(response), timezone.now()])


def _placed_response(external_id: str, placed: tuple[bool, dict | None] | None = None) -> dict | None:
    exists, first = placed if placed is not None else order_placed_answer(external_id=external_id)
    if exists and first is None:
        raise OrderExists(external_id=external_id)
    return first


def _order_record(external_id, request: PricingRequest, pricing: Pricing, placed_at, attribution) -> Order:
    result = pricing.result
    lines = []
    for line_input, line_result in zip(request.lines, result.lines, strict=True):
        product = pricing.products.get(line_input.sku)
        lines.append(
            OrderLineInput(
                sku=line_input.sku,
                quantity=line_input.quantity,
                unit_price=line_input.unit_price,
                discount=line_result.discount,
                product=product,
                category=None if product else pricing.categories.get(line_input.category or ""),
            )
        )
    store = store_by_code(code=request.store, versions=request.versions) if request.store else None
    versions = request.versions
    # Read through the storefront cache: the customer's copies are renewed on commit, not dropped.
    copies = (
        storefront_cache.customer_copies(versions, pricing.facts, providers_tag())
        if versions is not None and versions.customer
        else None
    )
    return order_create(
        external_id=external_id,
        currency=request.currency,
        placed_at=placed_at,
        lines=lines,
        customer=request.customer,
        store=store,
        channel=request.channel or "",
        payment_method=request.payment_method or "",
        discount_total=result.discount_total,
        shipping_price=result.shipping_price,
        shipping_discount=result.shipping_discount,
        attribution=attribution or {},
        customer_copies=copies,
        customer_token=versions.customer if versions is not None else "",
    )

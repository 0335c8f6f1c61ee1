"""The storefront's order operations: place one, cancel it, read it back."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from audiences.currencies import quantize
from audiences.models import Order
from config.api.lean import LeanInput
from config.api.views import StorefrontView, get_or_404
from promotions import order_cancellation, selectors
from promotions.api import examples
from promotions.api.guessing import GUESSING_LIMIT, GUESSING_REFUSAL, code_guessing_budget
from promotions.api.serializers import CancelOutput, OrderDetailOutput, OrderInput, OrderOutput
from promotions.api.views import cached_customer_or_404, pricing_request
from promotions.engine.types import Reason
from promotions.errors import RedemptionConflict
from promotions.results import amounts_payload
from promotions.services.orders import order_place
from promotions.storefront_cache import pricing_versions_and_order

# The hottest write: its input validated without rebuilding the serializer per request (config/api/lean.py).
ORDER_INPUT = LeanInput(OrderInput)


def order_detail_payload(order: Order) -> dict:
    currency = order.currency

    def money(amount) -> str:
        return str(quantize(amount, currency))

    def when(moment) -> str | None:
        return serializers.DateTimeField().to_representation(moment) if moment else None

    placed = getattr(order, "pricing", None)
    answer = placed.response if placed is not None else {}
    return {
        "order": order.external_id,
        "status": order.status,
        "customer": order.customer.external_id if order.customer_id else None,
        "store": order.store.code if order.store_id else None,
        "channel": order.channel,
        "payment_method": order.payment_method,
        "currency": currency,
        "placed_at": when(order.placed_at),
        "cancelled_at": when(order.cancelled_at),
        **amounts_payload(order, order.lines.all(), currency),
        "applied": answer.get("applied", []),
        "gifts": answer.get("gifts", []),
        "dropped_codes": answer.get("dropped_codes", []),
        "redemptions": [
            {
                "promotion": redemption.promotion_id,
                "name": redemption.promotion.name,
                "code": redemption.code.code if redemption.code_id else None,
                "amount": money(redemption.amount),
                "status": redemption.status,
                "created_at": when(redemption.created_at),
                "released_at": when(redemption.released_at),
            }
            for redemption in order.redemptions.all()
        ],
    }


class OrderDetailView(StorefrontView):
    @extend_schema(
        responses={200: OrderDetailOutput},
        examples=[examples.ORDER_DETAIL_OUTPUT],
        description="Reads an order back by its external_id: its lines, the discounts it was given, its "
        "redemptions (active, or released once cancelled) and its status.",
    )
    def get(self, request, external_id):
        order = get_or_404(selectors.order_detail_get, f"Unknown order '{external_id}'.", external_id=external_id)
        return Response(order_detail_payload(order))


class OrderCreateView(StorefrontView):
    @extend_schema(
        request=OrderInput,
        responses={
            201: OrderOutput,
            200: OrderOutput,
            409: OpenApiResponse(
                description="A code or promotion can no longer be redeemed: `reason` says why, `coupon` names the "
                "code, nothing is recorded. To recover, price the cart again without that code (carts/evaluate), "
                'show the customer the new total and send the order without it, or send `on_unredeemable_code: "drop"`.'
            ),
            429: GUESSING_REFUSAL,
        },
        examples=[examples.ORDER_INPUT, examples.ORDER_DROPPED_OUTPUT],
        description="Prices the order as carts/evaluate would and, in one transaction, records it and "
        "redeems every code and promotion use. Idempotent per external_id. A code that cannot be redeemed "
        'is a 409 unless `on_unredeemable_code` is "drop": then the order is recorded without it and '
        "`dropped_codes` says which and why. " + GUESSING_LIMIT,
    )
    def post(self, request):
        data = ORDER_INPUT.validated(request.data)
        # Priced from the storefront cache as carts/evaluate is: the writes that change what it holds renew it.
        versions, placed = pricing_versions_and_order(data["external_id"])
        customer, versions = cached_customer_or_404(data.get("customer"), versions)
        cart = pricing_request(data, customer, versions)
        try:
            guessing = code_guessing_budget(request, customer=customer and customer.external_id, codes=cart.codes)
            with guessing as guesses:
                try:
                    response, created = order_place(
                        external_id=data["external_id"],
                        pricing_request=cart,
                        placed_at=data.get("placed_at") or timezone.now(),
                        attribution=data.get("attribution") or {},
                        on_unredeemable_code=data["on_unredeemable_code"],
                        placed=placed,
                    )
                except RedemptionConflict as refused:
                    # A 409 names one code and its reason: an unknown code was told apart from a real one.
                    guesses.unknown(1 if refused.code == Reason.NOT_FOUND else 0)
                    raise
                if created:  # a repeat returns the first answer and looks at no code
                    guesses.unknown(sum(1 for code in response["dropped_codes"] if code["reason"] == Reason.NOT_FOUND))
        except Throttled:
            # A storefront retrying an order it placed gets its first answer, whatever the budget says.
            first = selectors.order_first_answer(external_id=data["external_id"])
            if first is None:
                raise
            return Response(first, status=status.HTTP_200_OK)
        return Response(response, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OrderCancelView(StorefrontView):
    @extend_schema(
        request=None,
        responses={200: CancelOutput},
        examples=[examples.ORDER_CANCEL_OUTPUT],
        description="Releases the order's redemptions (usage, per-customer counts and budget given back) and "
        "reverses what the order hooks of other apps recorded. Idempotent.",
    )
    def post(self, request, external_id):
        order = get_or_404(selectors.order_get, f"Unknown order '{external_id}'.", external_id=external_id)
        return Response(order_cancellation.order_release(order=order))

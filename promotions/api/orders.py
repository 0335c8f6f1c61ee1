"""The storefront's order operations: place one, cancel it, read it back."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from audiences.currencies import quantize
from audiences.models import Order
from config.api.views import StorefrontView, validated
from promotions import order_cancellation, selectors
from promotions.api.guessing import GUESSING_LIMIT, GUESSING_REFUSAL, code_guessing_budget
from promotions.api.serializers import (
    AppliedOutput,
    CancelOutput,
    DroppedCodeOutput,
    GiftOutput,
    LineOutput,
    OrderInput,
    OrderOutput,
)
from promotions.api.views import customer_or_404, pricing_request
from promotions.engine.types import Reason
from promotions.errors import RedemptionConflict
from promotions.results import amounts_payload
from promotions.services.orders import order_place

ORDER_DROPPED_EXAMPLE = {
    "currency": "BDT", "subtotal": "100.00", "discount_total": "0.00", "shipping_price": "0.00",
    "shipping_discount": "0.00", "total": "100.00", "applied": [], "codes": [], "gifts": [],
    "lines": [{"sku": "RICE", "quantity": 1, "unit_price": "100.00", "subtotal": "100.00", "discount": "0.00",
               "total": "100.00"}],
    "dropped_codes": [{"code": "ONCE", "reason": "usage_limit_reached",
                       "message": "This code has been used as many times as it may be."}],
    "points_earned": 0, "attributed_campaign": None,
}  # fmt: skip


class RedemptionOutput(serializers.Serializer):
    promotion = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    amount = serializers.CharField()
    status = serializers.ChoiceField(choices=["active", "released"])
    created_at = serializers.DateTimeField()
    released_at = serializers.DateTimeField(allow_null=True)


class OrderDetailOutput(serializers.Serializer):
    order = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.values)
    customer = serializers.CharField(allow_null=True)
    store = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    payment_method = serializers.CharField(help_text="Empty when the storefront did not say.")
    currency = serializers.CharField()
    placed_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    subtotal = serializers.CharField()
    discount_total = serializers.CharField()
    shipping_price = serializers.CharField()
    shipping_discount = serializers.CharField()
    total = serializers.CharField()
    lines = LineOutput(many=True)
    applied = AppliedOutput(many=True, help_text="The discounts given when it was placed (none for an import).")
    gifts = GiftOutput(many=True)
    dropped_codes = DroppedCodeOutput(many=True, help_text='Codes left out under on_unredeemable_code "drop".')
    redemptions = RedemptionOutput(many=True, help_text="The ledger: released once the order is cancelled.")


ORDER_DETAIL_EXAMPLE = {
    "order": "O-778",
    "status": "placed",
    "customer": "C-1001",
    "store": "DHK-01",
    "channel": "web",
    "payment_method": "bkash",
    "currency": "BDT",
    "placed_at": "2026-11-22T10:00:00+06:00",
    "cancelled_at": None,
    "subtotal": "54000.00",
    "discount_total": "5000.00",
    "shipping_price": "120.00",
    "shipping_discount": "0.00",
    "total": "49120.00",
    "lines": [
        {
            "sku": "TV-55",
            "quantity": 1,
            "unit_price": "54000.00",
            "subtotal": "54000.00",
            "discount": "5000.00",
            "total": "49000.00",
        }
    ],
    "applied": [
        {"promotion": 42, "name": "Welcome 15%", "code": "WELCOME15", "reward": "percentage", "amount": "5000.00"}
    ],
    "gifts": [],
    "dropped_codes": [],
    "redemptions": [
        {
            "promotion": 42,
            "name": "Welcome 15%",
            "code": "WELCOME15",
            "amount": "5000.00",
            "status": "active",
            "created_at": "2026-11-22T10:00:01+06:00",
            "released_at": None,
        }
    ],
}


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
        examples=[OpenApiExample("A placed order", ORDER_DETAIL_EXAMPLE, response_only=True)],
        description="Reads an order back by its external_id: its lines, the discounts it was given, its "
        "redemptions (active, or released once cancelled) and its status.",
    )
    def get(self, request, external_id):
        order = selectors.order_get(external_id=external_id)
        if order is None:
            raise Http404(f"Unknown order '{external_id}'.")
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
        examples=[
            OpenApiExample(
                "An order",
                {
                    "external_id": "O-778",
                    "customer": "C-1001",
                    "store": "DHK-01",
                    "channel": "web",
                    "payment_method": "bkash",
                    "currency": "BDT",
                    "placed_at": "2026-11-22T10:00:00+06:00",
                    "lines": [{"sku": "TV-55", "quantity": 1, "unit_price": "54000.00"}],
                    "shipping_price": "120.00",
                    "codes": ["WELCOME15"],
                },
                request_only=True,
            ),
            OpenApiExample(
                "Recorded without a used-up code",
                {"order": "O-779", **ORDER_DROPPED_EXAMPLE},
                response_only=True,
                status_codes=["201"],
            ),
        ],
        description="Prices the order as carts/evaluate would and, in one transaction, records it and "
        "redeems every code and promotion use. Idempotent per external_id. A code that cannot be redeemed "
        'is a 409 unless `on_unredeemable_code` is "drop": then the order is recorded without it and '
        "`dropped_codes` says which and why. " + GUESSING_LIMIT,
    )
    def post(self, request):
        data = validated(OrderInput, request.data)
        customer = customer_or_404(data.get("customer"))
        cart = pricing_request(data, customer)
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
        examples=[
            OpenApiExample(
                "Released",
                {
                    "order": "ORD-1001",
                    "status": "cancelled",
                    "currency": "BDT",
                    "released": [{"promotion": 42, "code": "WELCOME15", "amount": "1350.00"}],
                    "released_discount": "1350.00",
                    "points_reversed": 135,
                },
                response_only=True,
            )
        ],
        description="Releases the order's redemptions (usage, per-customer counts and budget given back) and "
        "reverses what hooks recorded (loyalty points, attributed revenue). Idempotent.",
    )
    def post(self, request, external_id):
        order = Order.objects.filter(external_id=external_id).first()
        if order is None:
            raise Http404(f"Unknown order '{external_id}'.")
        return Response(order_cancellation.order_release(order=order))

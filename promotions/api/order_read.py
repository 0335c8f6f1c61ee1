"""`GET /api/v1/orders/{external_id}`: an order read back, as the storefront recorded it and as it stands."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from audiences.currencies import quantize
from audiences.models import Order
from config.api.views import StorefrontView
from promotions import selectors
from promotions.api.serializers import AppliedOutput, GiftOutput, LineOutput


class DroppedCodeOutput(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()
    message = serializers.CharField()


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
        "currency": currency,
        "placed_at": when(order.placed_at),
        "cancelled_at": when(order.cancelled_at),
        "subtotal": money(order.subtotal),
        "discount_total": money(order.discount_total),
        "shipping_price": money(order.shipping_price),
        "shipping_discount": money(order.shipping_discount),
        "total": money(order.total),
        "lines": [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "subtotal": money(line.subtotal),
                "discount": money(line.discount),
                "total": money(line.total),
            }
            for line in order.lines.all()
        ],
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

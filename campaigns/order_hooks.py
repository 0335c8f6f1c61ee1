"""The field campaigns adds to every order answer: the campaign the order is attributed to (last touch).

`on_place` credits the order (`campaigns/conversions.py`) inside its transaction; cancelling removes the credit.
Imported orders are credited by the import step (`credit_imported_orders`), all of a file's orders at once.
"""

from rest_framework import serializers

from audiences.models import Order
from campaigns.conversions import conversions_remove, coupon_campaign_ids, orders_credit
from promotions.order_hooks import AnswerField

ATTRIBUTION_ON_PLACE = {
    "attributed_campaign": AnswerField(
        default=None,
        schema=serializers.IntegerField(
            allow_null=True,
            help_text="The id of the campaign the order is attributed to (last touch) when it was placed, if any; "
            "a touch reported late may credit it again (docs/campaigns.md).",
        ),
    ),
}


def attribute_placed_order(*, order, evaluation, attribution) -> dict:
    applied = [code.code for code in evaluation.codes if code.status == "applied"]
    credited = orders_credit(orders=[order], coupons={order.pk: coupon_campaign_ids(applied)}, recorded_now=True)
    return {"attributed_campaign": credited.get(order.pk)}


def credit_imported_orders(*, orders) -> None:
    # Read back: an import may have passed its fields as text (an ISO time), the database answers typed values.
    orders_credit(orders=list(Order.objects.filter(pk__in=[order.pk for order in orders])))


def forget_cancelled_order(*, order) -> dict:
    conversions_remove(order=order)
    return {}

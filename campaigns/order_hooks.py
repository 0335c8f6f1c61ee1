"""The field campaigns adds to every order answer: the campaign the order is attributed to (last touch).

`on_place` credits the order (`campaigns/conversions.py`) inside its transaction; cancelling removes the credit.
"""

from rest_framework import serializers

from campaigns.conversions import conversions_record, conversions_remove
from promotions.order_hooks import AnswerField

ATTRIBUTION_ON_PLACE = {
    "attributed_campaign": AnswerField(
        default=None,
        schema=serializers.IntegerField(
            allow_null=True, help_text="The id of the campaign the order is attributed to (last touch), if any."
        ),
    ),
}


def attribute_placed_order(*, order, evaluation, attribution) -> dict:
    applied = [code.code for code in evaluation.codes if code.status == "applied"]
    return {"attributed_campaign": conversions_record(order=order, applied_codes=applied)}


def forget_cancelled_order(*, order) -> dict:
    conversions_remove(order=order)
    return {}

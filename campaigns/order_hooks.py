"""The field campaigns adds to every order answer: the campaign the order is attributed to.

No campaign exists yet, so the hook has nothing to run: every order answers `attributed_campaign: null`,
as ../shared/API.md documents the field.
"""

from rest_framework import serializers

from promotions.order_hooks import AnswerField

ATTRIBUTION_ON_PLACE = {
    "attributed_campaign": AnswerField(
        default=None,
        schema=serializers.JSONField(allow_null=True, help_text="The campaign the order is attributed to, if any."),
    ),
}

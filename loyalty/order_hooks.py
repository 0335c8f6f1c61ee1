"""The fields loyalty adds to every order answer: the points an order earned and a cancel reversed.

No loyalty program exists yet, so the hook has nothing to run: an order earns 0 points and a cancel
reverses 0, as ../shared/API.md documents the fields.
"""

from rest_framework import serializers

from promotions.order_hooks import AnswerField

POINTS_ON_PLACE = {
    "points_earned": AnswerField(
        default=0, schema=serializers.IntegerField(help_text="Loyalty points the order earned.")
    ),
}
POINTS_ON_CANCEL = {
    "points_reversed": AnswerField(
        default=0, schema=serializers.IntegerField(help_text="Loyalty points the cancel took back.")
    ),
}

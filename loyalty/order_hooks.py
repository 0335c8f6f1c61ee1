"""The fields loyalty adds to every order answer: the points an order earned and a cancel reversed.

Registered with promotions' order hooks (loyalty/apps.py): placing an order earns its points and
cancelling it reverses them, each inside the order's transaction.
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
POINTS_ON_RETURN = {
    "points_reversed": (0, serializers.IntegerField(help_text="Loyalty points the return took back.")),
}

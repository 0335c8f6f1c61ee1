"""What loyalty does when an order is placed or cancelled, and the fields it adds to every order answer.

Registered with promotions' order hooks (loyalty/apps.py), each inside the order's transaction: placing an
order spends the points its checkout reserved, earns its points and records a referral its code named;
cancelling it gives the spent points back, then reverses what it earned.
"""

from rest_framework import serializers

from loyalty.services.earning import order_member_lock, order_points_earn_locked
from loyalty.services.referrals import referral_record
from loyalty.services.reservations import reservation_commit, reservation_refund
from loyalty.services.returns import order_points_reverse
from promotions.order_hooks import AnswerField

POINTS_ON_PLACE = {
    "points_earned": AnswerField(
        default=0, schema=serializers.IntegerField(help_text="Loyalty points the order earned.")
    ),
    "points_spent": AnswerField(
        default=0, schema=serializers.IntegerField(help_text="Loyalty points reserved at checkout the order spent.")
    ),
}
POINTS_ON_CANCEL = {
    "points_reversed": AnswerField(
        default=0, schema=serializers.IntegerField(help_text="Loyalty points the cancel took back.")
    ),
    "points_refunded": AnswerField(
        default=0, schema=serializers.IntegerField(help_text="Loyalty points the order spent, given back.")
    ),
}
POINTS_ON_RETURN = {
    "points_reversed": (0, serializers.IntegerField(help_text="Loyalty points the return took back.")),
}


def on_place(*, order, evaluation=None, attribution=None) -> dict:
    # One query locks the member and says whether a checkout held points for the order (most did not).
    held = order_member_lock(order=order)
    spent = reservation_commit(order=order) if held is None or held.hold_awaits else {"points_spent": 0}
    earned = order_points_earn_locked(order=order, held=held, recorded_now=True) if held else {"points_earned": 0}
    fields = {**spent, **earned}
    referral_record(
        order=order, evaluation=evaluation, referral_promotions=held.rules.referral_promotions if held else None
    )
    return fields


def on_cancel(*, order) -> dict:
    return {**reservation_refund(order=order), **order_points_reverse(order=order)}

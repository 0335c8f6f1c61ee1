from rest_framework import serializers


class ExpiringOutput(serializers.Serializer):
    points = serializers.IntegerField()
    expires_on = serializers.DateField(help_text="The last day the points can be spent (UTC).")


class MemberOutput(serializers.Serializer):
    program = serializers.CharField()
    currency = serializers.CharField()
    points_balance = serializers.IntegerField(help_text="Spendable now; negative while a return left a debt.")
    points_reserved = serializers.IntegerField(help_text="Held by checkouts for orders not placed yet.")
    pending_points = serializers.IntegerField(help_text="Earned, spendable once their pending period ends.")
    tier = serializers.CharField(allow_null=True)
    next_tier = serializers.CharField(allow_null=True)
    points_to_next_tier = serializers.IntegerField(allow_null=True)
    qualifying_points = serializers.IntegerField(help_text="Points earned on orders over the last 12 months.")
    lifetime_points = serializers.IntegerField()
    expiring = ExpiringOutput(many=True, help_text="Points expiring within 90 days, by day.")


class RewardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    points_cost = serializers.IntegerField()
    currency = serializers.CharField(source="program.currency")
    promotion = serializers.IntegerField(source="promotion_id")
    reward = serializers.JSONField(source="promotion.reward", help_text="What the issued code gives.")


class RedemptionInput(serializers.Serializer):
    reward = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class PointsRedemptionOutput(serializers.Serializer):
    code = serializers.CharField()
    points_spent = serializers.IntegerField()
    points_balance = serializers.IntegerField()


class ReservationInput(serializers.Serializer):
    order = serializers.CharField(max_length=64, help_text="The external id the order will be placed with.")
    points = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    hold_minutes = serializers.IntegerField(min_value=1, max_value=1440, default=30)


class ReservationOutput(serializers.Serializer):
    order = serializers.CharField()
    points = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["held", "committed", "released"])
    expires_at = serializers.DateTimeField()
    points_balance = serializers.IntegerField(help_text="Spendable once this reservation is taken into account.")


class ReferralCodeOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Send it in an order's `codes`: the referee's first paid order counts.")

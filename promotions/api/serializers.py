"""Input and output serializers of the promotions API (outputs document the JSON shapes)."""

import copy
from decimal import Decimal

from rest_framework import serializers

from audiences.currencies import CURRENCY_CHOICES, minor_unit_error, quantize
from audiences.models import Order
from audiences.payment_methods import PAYMENT_METHOD_CHOICES
from promotions.engine.parsing import MAX_MONEY
from promotions.lifecycle import REQUESTABLE
from promotions.models import PROMOTION_FIELDS, Promotion
from promotions.order_hooks import cancel_answer_fields, place_answer_fields

# Every amount the API takes stays within what the engine and the stored columns hold exactly
# (SQLite keeps decimals as floats: 15 significant digits survive the round trip).
MONEY = {"max_digits": 16, "decimal_places": 3, "min_value": Decimal(0), "max_value": MAX_MONEY}


class CartLineInput(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    unit_price = serializers.DecimalField(**MONEY)
    category = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)


class CartInput(serializers.Serializer):
    customer = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    store = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    channel = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    payment_method = serializers.ChoiceField(
        choices=PAYMENT_METHOD_CHOICES, required=False, allow_null=True, allow_blank=True
    )
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES)
    lines = CartLineInput(many=True, allow_empty=False, max_length=500)
    shipping_price = serializers.DecimalField(**MONEY, default=Decimal(0))
    codes = serializers.ListField(
        child=serializers.CharField(max_length=64, allow_blank=False), default=list, max_length=20
    )

    def validate(self, attrs):
        """Amounts must fit the currency's minor unit (no fractions of a yen)."""
        currency = attrs["currency"]
        errors = {}
        for number, line in enumerate(attrs["lines"]):
            if message := minor_unit_error(line["unit_price"], currency):
                errors.setdefault("lines", {})[str(number)] = {"unit_price": [message]}
        if message := minor_unit_error(attrs["shipping_price"], currency):
            errors["shipping_price"] = [message]
        total = sum(line["unit_price"] * line["quantity"] for line in attrs["lines"]) + attrs["shipping_price"]
        if total > MAX_MONEY and "lines" not in errors:
            errors["lines"] = [f"The cart's total, lines and shipping, may be at most {MAX_MONEY:,f} {currency}."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class OrderInput(CartInput):
    external_id = serializers.CharField(max_length=64)
    placed_at = serializers.DateTimeField(required=False)
    attribution = serializers.DictField(required=False, default=dict)
    on_unredeemable_code = serializers.ChoiceField(
        choices=["refuse", "drop"],
        default="refuse",
        help_text="refuse: a code that cannot be redeemed is a 409 and nothing is recorded. drop: the order is "
        "recorded without it and the answer lists it in dropped_codes.",
    )


class CouponValidateInput(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    customer = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    store = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    channel = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    payment_method = serializers.ChoiceField(
        choices=PAYMENT_METHOD_CHOICES, required=False, allow_null=True, allow_blank=True
    )
    cart = CartInput(required=False, allow_null=True)


class LineOutput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField()
    subtotal = serializers.CharField()
    discount = serializers.CharField()
    total = serializers.CharField()


class AppliedOutput(serializers.Serializer):
    promotion = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    reward = serializers.CharField()
    amount = serializers.CharField()


class CodeOutput(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["applied", "rejected"])
    reason = serializers.CharField(required=False)
    detail = serializers.CharField(
        required=False, allow_null=True, help_text="The condition behind a general reason, e.g. first_order_only."
    )
    message = serializers.CharField(required=False)


class GiftOutput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()
    promotion = serializers.IntegerField()


class EvaluationOutput(serializers.Serializer):
    currency = serializers.CharField()
    subtotal = serializers.CharField()
    discount_total = serializers.CharField()
    shipping_price = serializers.CharField()
    shipping_discount = serializers.CharField()
    total = serializers.CharField()
    lines = LineOutput(many=True)
    applied = AppliedOutput(many=True)
    codes = CodeOutput(many=True)
    gifts = GiftOutput(many=True)


class DroppedCodeOutput(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()
    message = serializers.CharField()


def _hook_fields(answer_fields: dict) -> dict:
    # Read when the schema is built, after every app has registered its order hooks.
    return {name: copy.deepcopy(answer.schema) for name, answer in answer_fields.items()}


class OrderOutput(EvaluationOutput):
    """The evaluation, the order, and the fields the registered order hooks add."""

    order = serializers.CharField()
    dropped_codes = DroppedCodeOutput(many=True, help_text='Codes left out under on_unredeemable_code "drop".')

    def get_fields(self):
        return {**super().get_fields(), **_hook_fields(place_answer_fields())}


class ReleasedOutput(serializers.Serializer):
    promotion = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    amount = serializers.CharField()


class CancelOutput(serializers.Serializer):
    """What the cancel gave back, and the fields the registered order hooks add."""

    order = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    released = ReleasedOutput(many=True)
    released_discount = serializers.CharField()

    def get_fields(self):
        return {**super().get_fields(), **_hook_fields(cancel_answer_fields())}


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


class CouponPromotionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    reward = serializers.CharField()
    ends_at = serializers.DateTimeField(allow_null=True)


class CouponValidateOutput(serializers.Serializer):
    valid = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    detail = serializers.CharField(
        allow_null=True, help_text="The condition behind a general reason, e.g. first_order_only."
    )
    message = serializers.CharField()
    promotion = CouponPromotionOutput(allow_null=True)


class PromotionInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    status = serializers.ChoiceField(choices=REQUESTABLE, required=False)
    trigger = serializers.ChoiceField(choices=Promotion.Trigger.choices, required=False)
    code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    stores = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    channels = serializers.ListField(child=serializers.CharField(max_length=32), required=False)
    priority = serializers.IntegerField(required=False, min_value=-1_000_000, max_value=1_000_000)
    stacking = serializers.ChoiceField(choices=Promotion.Stacking.choices, required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False, allow_blank=True)
    usage_limit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    usage_limit_per_customer = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )
    budget = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    eligibility = serializers.JSONField(required=False)
    target = serializers.JSONField(required=False)
    reward = serializers.JSONField()


def money_string(amount: Decimal | None, currency: str) -> str | None:
    if amount is None:
        return None
    if currency:
        return str(quantize(amount, currency))
    two_places = amount.quantize(Decimal("0.01"))
    return str(two_places if two_places == amount else amount.normalize())


class PromotionOutput(serializers.ModelSerializer):
    budget = serializers.SerializerMethodField()
    budget_spent = serializers.SerializerMethodField()
    redemptions = serializers.IntegerField(source="active_redemptions", read_only=True)

    class Meta:
        model = Promotion
        fields = [
            "id",
            *PROMOTION_FIELDS,
            "used",
            "budget_spent",
            "redemptions",
            "created_at",
            "updated_at",
        ]

    def get_budget(self, promotion) -> str | None:
        return money_string(promotion.budget, promotion.currency)

    def get_budget_spent(self, promotion) -> str:
        return money_string(promotion.budget_spent, promotion.currency)


class CodeJobInput(serializers.Serializer):
    count = serializers.IntegerField(min_value=1)
    pattern = serializers.CharField(max_length=64)


class CodeJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    promotion = serializers.IntegerField(source="promotion_id")
    pattern = serializers.CharField()
    count = serializers.IntegerField()
    generated = serializers.IntegerField()
    progress = serializers.SerializerMethodField()
    status = serializers.CharField()
    error = serializers.CharField()
    url = serializers.SerializerMethodField()
    codes_csv = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_progress(self, job) -> float:
        return round(job.generated / job.count, 4) if job.count else 1.0

    def get_url(self, job) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/promotions/code-jobs/{job.pk}")

    def get_codes_csv(self, job) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/promotions/{job.promotion_id}/codes.csv")


class OfferOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    promotion = serializers.IntegerField(help_text="The promotion's id.")
    name = serializers.CharField()
    trigger = serializers.ChoiceField(choices=["automatic", "code"])
    code = serializers.CharField(allow_null=True, help_text="The shared code; null when automatic or unique codes.")
    reward_type = serializers.CharField()
    ends_at = serializers.DateTimeField(allow_null=True)
    stores = serializers.ListField(child=serializers.CharField(), help_text="Empty: every store.")
    channels = serializers.ListField(child=serializers.CharField(), help_text="Empty: every channel.")
    currency = serializers.CharField()
    basket = serializers.CharField(help_text="The order the estimate is for: their usual one, or the threshold.")
    saving = serializers.CharField(help_text="What the reward takes off that order.")
    expected_value = serializers.CharField(help_text="reach × (saving + margin × extra spend): docs/intelligence.md.")
    uses_left = serializers.IntegerField(allow_null=True, help_text="null: no limit.")
    customer_uses_left = serializers.IntegerField(allow_null=True, help_text="null: no limit per customer.")
    budget_left = serializers.CharField(allow_null=True, help_text="null: no budget.")


class OffersQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, default=10, help_text="The best this many.")


class OffersOutput(serializers.Serializer):
    customer = serializers.CharField()
    qualifying = serializers.IntegerField(help_text="How many promotions they qualify for, of which the best here.")
    offers = OfferOutput(many=True)

"""Input and output serializers of the campaigns API (outputs document the JSON shapes)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audiences.currencies import CURRENCY_CHOICES, quantize
from audiences.models import ConsentTopic, Segment, Store
from campaigns import lifecycle
from campaigns.attribution import MAX_WINDOW_HOURS
from campaigns.models import Campaign, StoreMatch, TestFallback, TestMetric
from campaigns.selectors import staged_test_status
from campaigns.services import MAX_MONEY
from messaging.models import Channel, Template
from promotions.models import Promotion

MONEY = {"max_digits": 16, "decimal_places": 3, "min_value": Decimal(0), "max_value": MAX_MONEY}


def codes_field(**options) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=64), max_length=100, **options)


def _resolve(model, field: str, values: list, label: str) -> list:
    found = {getattr(obj, field): obj for obj in model.objects.filter(**{f"{field}__in": values})}
    unknown = [str(value) for value in values if value not in found]
    if unknown:
        raise serializers.ValidationError(f"Unknown {label}: {', '.join(unknown)}.")
    return [found[value] for value in dict.fromkeys(values)]


class AudienceInput(serializers.Serializer):
    include = codes_field(required=False, default=list, help_text="Segment codes; empty: all.")
    exclude = codes_field(required=False, default=list, help_text="Segment codes.")
    consent_topic = serializers.ChoiceField(choices=ConsentTopic.choices, required=False)

    def validate_include(self, codes):
        return _resolve(Segment, "code", codes, "segment(s)")

    def validate_exclude(self, codes):
        return _resolve(Segment, "code", codes, "segment(s)")


class VariantInput(serializers.Serializer):
    name = serializers.CharField(max_length=32)
    weight = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    template = serializers.CharField(max_length=64, required=False, allow_null=True, help_text="A template code.")
    promotion = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)

    def validate_template(self, code):
        return _resolve(Template, "code", [code], "template")[0] if code else None

    def validate_promotion(self, promotion_id):
        return _resolve(Promotion, "pk", [promotion_id], "promotion")[0] if promotion_id else None


class CampaignAttributionInput(serializers.Serializer):
    click_window_hours = serializers.IntegerField(
        min_value=0, max_value=MAX_WINDOW_HOURS, required=False, help_text="After a click (default 120: 5 days)."
    )
    receipt_window_hours = serializers.IntegerField(
        min_value=0, max_value=MAX_WINDOW_HOURS, required=False, help_text="After receipt, no click (default 24)."
    )
    receipt_channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices),
        required=False,
        max_length=len(Channel.choices),
        help_text="Channels whose received messages earn credit without a click (default: all but email).",
    )


class CampaignInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    objective = serializers.ChoiceField(choices=Campaign.Objective.choices, required=False)
    type = serializers.ChoiceField(choices=Campaign.Type.choices, required=False)
    audience = AudienceInput(required=False)
    stores = codes_field(required=False, help_text="Store codes; empty: every store.")
    store_match = serializers.ChoiceField(
        choices=StoreMatch.choices,
        required=False,
        help_text="home (default): customers whose home store is one of `stores`; nearest: customers with a location "
        "whose nearest store with coordinates is one of them.",
    )
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=4
    )
    promotion = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text="One linked promotion."
    )
    promotions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=50
    )
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    send_mode = serializers.ChoiceField(choices=Campaign.SendMode.choices, required=False)
    best_hour_from = serializers.TimeField(
        required=False, format="%H:%M", help_text="best_hour: the window's first local hour."
    )
    best_hour_to = serializers.TimeField(
        required=False, format="%H:%M", help_text="best_hour: the window's end (exclusive)."
    )
    best_hour_explore_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(50), required=False
    )
    best_hour_control_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(50), required=False
    )
    holdout_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal("99.99"), required=False
    )
    coupon_pattern = serializers.CharField(max_length=64, required=False, allow_blank=True)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)
    budget = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    budget_alert_percent = serializers.IntegerField(min_value=1, max_value=100, required=False)
    price_per_email = serializers.DecimalField(**MONEY, required=False)
    price_per_sms_segment = serializers.DecimalField(**MONEY, required=False)
    price_per_whatsapp = serializers.DecimalField(**MONEY, required=False)
    requires_approval = serializers.BooleanField(required=False)
    test_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        required=False,
        allow_null=True,
        help_text="A staged test: send the variants to this share first, the winner to the rest after "
        "test_wait_hours; null (default): every variant to everyone at once.",
    )
    test_wait_hours = serializers.IntegerField(min_value=0, max_value=24 * 60, required=False)
    test_metric = serializers.ChoiceField(choices=TestMetric.choices, required=False)
    test_fallback = serializers.ChoiceField(
        choices=TestFallback.choices, required=False, help_text="What the rest gets without a significant winner."
    )
    variants = VariantInput(many=True, required=False, max_length=20)
    attribution = CampaignAttributionInput(required=False, help_text="Attribution windows; omitted: the defaults.")

    def validate_stores(self, codes):
        return _resolve(Store, "code", codes, "store(s)")

    def validate_promotions(self, ids):
        return _resolve(Promotion, "pk", ids, "promotion(s)")

    def validate_promotion(self, promotion_id):
        return _resolve(Promotion, "pk", [promotion_id], "promotion")[0] if promotion_id else None

    def to_service(self) -> dict:
        """The validated data as the services take it (audience and promotion folded into their fields)."""
        data = dict(self.validated_data)
        audience = data.pop("audience", None)
        if audience is not None:
            data["include_segments"] = audience.get("include", [])
            data["exclude_segments"] = audience.get("exclude", [])
            if "consent_topic" in audience:
                data["consent_topic"] = audience["consent_topic"]
        if "promotion" in data:
            single = data.pop("promotion")
            data["promotions"] = [*data.get("promotions", []), *([single] if single else [])]
        if "variants" in data:
            data["variants"] = [dict(variant) for variant in data["variants"]]
        data.update(data.pop("attribution", None) or {})
        return data


class CampaignAttributionOutput(serializers.Serializer):
    click_window_hours = serializers.IntegerField()
    receipt_window_hours = serializers.IntegerField()
    receipt_channels = serializers.ListField(child=serializers.CharField())


def money(amount, currency) -> str | None:
    return None if amount is None else str(quantize(amount, currency))


class StagedTestOutput(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["testing", "waiting", "releasing", "released"],
        help_text="testing (the launch runs), waiting (until decide_at), releasing (the winner goes to the rest), "
        "released.",
    )
    test_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    metric = serializers.CharField()
    fallback = serializers.CharField()
    decide_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    winner = serializers.CharField(allow_null=True, help_text="The variant sent to the rest; null: none (yet).")
    outcome = serializers.CharField(help_text="winner, fallback, or empty before the decision.")
    decision = serializers.CharField(help_text="Why that variant, or none, in words.")
    remainder_waiting = serializers.IntegerField()
    remainder_queued = serializers.IntegerField()


class CampaignOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    objective = serializers.CharField()
    type = serializers.CharField()
    status = serializers.CharField()
    allowed_actions = serializers.SerializerMethodField()
    audience = serializers.SerializerMethodField()
    stores = serializers.SerializerMethodField()
    store_match = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())
    promotions = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    send_mode = serializers.CharField()
    best_hour_from = serializers.TimeField(format="%H:%M")
    best_hour_to = serializers.TimeField(format="%H:%M")
    best_hour_explore_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    best_hour_control_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    holdout_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    coupon_pattern = serializers.CharField()
    currency = serializers.CharField()
    budget = serializers.SerializerMethodField()
    budget_alert_percent = serializers.IntegerField()
    prices = serializers.SerializerMethodField()
    sending_cost = serializers.SerializerMethodField()
    requires_approval = serializers.BooleanField()
    approved_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField(source="approved_by.get_username", allow_null=True, default=None)
    test_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    test_wait_hours = serializers.IntegerField()
    test_metric = serializers.CharField()
    test_fallback = serializers.CharField()
    variants = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    staged_test = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_allowed_actions(self, campaign) -> list[str]:
        actions = lifecycle.allowed_actions(campaign.status)
        return ["launch", *actions] if campaign.status == lifecycle.DRAFT else actions

    def get_audience(self, campaign) -> dict:
        return {
            "include": [segment.code for segment in campaign.include_segments.all()],
            "exclude": [segment.code for segment in campaign.exclude_segments.all()],
            "consent_topic": campaign.consent_topic,
        }

    def get_stores(self, campaign) -> list[str]:
        return [store.code for store in campaign.stores.all()]

    def get_promotions(self, campaign) -> list[int]:
        return [promotion.pk for promotion in campaign.promotions.all()]

    def get_budget(self, campaign) -> str | None:
        return money(campaign.budget, campaign.currency)

    def get_prices(self, campaign) -> dict:
        return {
            "email": money(campaign.price_per_email, campaign.currency),
            "sms_segment": money(campaign.price_per_sms_segment, campaign.currency),
            "whatsapp": money(campaign.price_per_whatsapp, campaign.currency),
        }

    def get_sending_cost(self, campaign) -> str:
        return money(campaign.sending_cost, campaign.currency)

    def get_variants(self, campaign) -> list[dict]:
        return [
            {
                "name": variant.name,
                "weight": variant.weight,
                "template": variant.template.code if variant.template_id else None,
                "promotion": variant.promotion_id,
            }
            for variant in campaign.variants.all()
        ]

    @extend_schema_field(CampaignAttributionOutput)
    def get_attribution(self, campaign) -> dict:
        return {
            "click_window_hours": campaign.click_window_hours,
            "receipt_window_hours": campaign.receipt_window_hours,
            "receipt_channels": campaign.receipt_channels,
        }

    def get_progress(self, campaign) -> dict:
        return {
            "frozen": campaign.frozen,
            "holdout": campaign.held_out,
            "queued": campaign.queued,
            "skipped": campaign.skipped,
            "launch_started_at": campaign.launch_started_at,
            "launch_finished_at": campaign.launch_finished_at,
        }

    @extend_schema_field(StagedTestOutput(allow_null=True))
    def get_staged_test(self, campaign) -> dict | None:
        status = staged_test_status(campaign)
        return None if status is None else StagedTestOutput(status).data

from rest_framework import serializers

from audiences.models import ConsentTopic, Language
from messaging.models import (
    Channel,
    Message,
    MessageStatus,
    SendTrigger,
    Template,
    TemplateKind,
    TemplateTranslation,
)


class TranslationSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=300)
    preheader = serializers.CharField(required=False, allow_blank=True, max_length=300)
    html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class TimingSerializer(serializers.Serializer):
    """A template's default timing: a daily send window in the customer's time zone, and the
    trigger a journey sends it after, within so many hours."""

    send_window_start = serializers.TimeField(allow_null=True, required=False, format="%H:%M")
    send_window_end = serializers.TimeField(allow_null=True, required=False, format="%H:%M")
    send_after = serializers.ChoiceField(choices=SendTrigger.choices, allow_blank=True, required=False)
    send_within_hours = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=720)


class TemplateInput(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(choices=TemplateKind.choices, default=TemplateKind.MARKETING)
    topic = serializers.ChoiceField(choices=ConsentTopic.choices, default=ConsentTopic.MARKETING)
    timing = TimingSerializer(required=False)
    translations = TranslationSerializer(many=True)
    offer_product = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The SKU of the product the message offers: out of stock at the customer's store when it is "
        "sent, the message is skipped with the reason out_of_stock. Empty or null: no offer.",
    )


class TemplatePatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=TemplateKind.choices, required=False)
    topic = serializers.ChoiceField(choices=ConsentTopic.choices, required=False)
    timing = TimingSerializer(required=False)
    translations = TranslationSerializer(many=True, required=False)
    offer_product = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The SKU of the product the message offers: out of stock at the customer's store when it is "
        "sent, the message is skipped with the reason out_of_stock. Empty or null: no offer.",
    )


class TranslationOutput(serializers.ModelSerializer):
    class Meta:
        model = TemplateTranslation
        fields = ["language", "subject", "preheader", "html", "text", "body"]


class TemplateOutput(serializers.ModelSerializer):
    timing = TimingSerializer(source="*")
    translations = TranslationOutput(many=True)
    offer_product = serializers.CharField(source="offer_product.sku", default=None, allow_null=True)

    class Meta:
        model = Template
        fields = [
            "code",
            "name",
            "channel",
            "kind",
            "topic",
            "timing",
            "offer_product",
            "translations",
            "created_at",
            "updated_at",
        ]


class MessageOutput(serializers.ModelSerializer):
    template = serializers.CharField(source="template.code")
    campaign = serializers.IntegerField(source="campaign_id", allow_null=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices)
    reason = serializers.CharField(
        help_text="no_consent, suppressed, frequency_cap, quiet_hours, no_address, out_of_stock, ..."
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "channel",
            "template",
            "campaign",
            "journey",
            "variant",
            "status",
            "reason",
            "created_at",
            "scheduled_for",
            "sent_at",
            "delivered_at",
            "opened_at",
            "clicked_at",
        ]


class NotificationOutput(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "title", "body", "read", "sent_at"]

    def get_title(self, message) -> str:
        return message.content.get("title", "")

    def get_body(self, message) -> str:
        return message.content.get("body", "")

    def get_read(self, message) -> bool:
        return message.opened_at is not None


class SmsTextInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=5000)


class SmsTextOutput(serializers.Serializer):
    encoding = serializers.ChoiceField(choices=["gsm7", "ucs2"])
    segments = serializers.IntegerField()
    units = serializers.IntegerField(help_text="Septets (GSM-7) or UTF-16 code units (UCS-2).")
    single_limit = serializers.IntegerField()
    per_part = serializers.IntegerField()
    ucs2_characters = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField(help_text='"150 characters: 3 messages of up to 67".')
    note = serializers.CharField(
        allow_null=True, help_text='For a text in a script GSM-7 lacks: "Bengali text is sent as Unicode (UCS-2): ..."'
    )
    warning = serializers.CharField(
        allow_null=True, help_text="For a GSM text made UCS-2 by a few characters: names them."
    )

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from audiences.models import Customer
from audiences.selectors import customer_get
from config.api.views import ManagementView, Paginated, StorefrontView, validated
from messaging import selectors
from messaging.api import serializers as s
from messaging.models import Message, Template
from messaging.services.templates import template_create, template_update
from messaging.services.tracking import notification_read
from messaging.sms_segments import sms_info


class SmsTextInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=5000)


class SmsTextOutput(serializers.Serializer):
    encoding = serializers.ChoiceField(choices=["gsm7", "ucs2"])
    segments = serializers.IntegerField()
    units = serializers.IntegerField(help_text="Septets (GSM-7) or UTF-16 code units (UCS-2).")
    single_limit = serializers.IntegerField()
    per_part = serializers.IntegerField()
    ucs2_characters = serializers.ListField(child=serializers.CharField())
    warning = serializers.CharField(allow_null=True)


@extend_schema(tags=["management"])
class SmsSegmentsView(APIView):
    """What an SMS text costs: its encoding and number of parts, for template editors."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SmsTextInput,
        responses=SmsTextOutput,
        examples=[OpenApiExample("Bengali", {"text": "আপনার জন্য ১৫% ছাড়"}, request_only=True)],
    )
    def post(self, request):
        info = sms_info(validated(SmsTextInput, request.data)["text"])
        warning = None
        if info.ucs2_characters:
            shown = " ".join(info.ucs2_characters[:10])
            warning = f"UCS-2 because of: {shown} — {info.single_limit} characters per SMS instead of 160."
        return Response(
            {
                "encoding": info.encoding,
                "segments": info.segments,
                "units": info.units,
                "single_limit": info.single_limit,
                "per_part": info.per_part,
                "ucs2_characters": list(info.ucs2_characters),
                "warning": warning,
            }
        )


def _customer_or_404(external_id: str) -> Customer:
    customer = customer_get(external_id=external_id)
    if customer is None:
        raise Http404(f"Unknown customer '{external_id}'.")
    return customer


def _template_or_404(code: str) -> Template:
    template = selectors.template_get(code=code)
    if template is None:
        raise Http404(f"Unknown template '{code}'.")
    return template


TEMPLATE_EXAMPLE = {
    "code": "winback_a",
    "name": "Win back (A)",
    "channel": "sms",
    "kind": "marketing",
    "translations": [
        {"language": "en", "body": "{{ customer.first_name }}, we miss you! {{ coupon.code }} gives 15% off."},
        {"language": "bn", "body": "{{ customer.first_name }}, আপনাকে মিস করছি! {{ coupon.code }} কোডে ১৫% ছাড়।"},
        {"language": "sw", "body": "{{ customer.first_name }}, tunakukumbuka! Tumia {{ coupon.code }} upate punguzo."},
    ],
}


TEMPLATE_OUTPUT_EXAMPLE = {
    "code": "winback_a",
    "name": "Win back (A)",
    "channel": "sms",
    "kind": "marketing",
    "topic": "marketing",
    "timing": {"send_window_start": "18:00", "send_window_end": "21:00", "send_after": "", "send_within_hours": None},
    "translations": [
        {
            "language": "bn",
            "subject": "",
            "preheader": "",
            "html": "",
            "text": "",
            "body": "{{ customer.first_name }}, আপনাকে মিস করছি! {{ coupon.code }} কোডে ১৫% ছাড়।",
        },
        {
            "language": "en",
            "subject": "",
            "preheader": "",
            "html": "",
            "text": "",
            "body": "{{ customer.first_name }}, we miss you! {{ coupon.code }} gives 15% off.",
        },
        {
            "language": "sw",
            "subject": "",
            "preheader": "",
            "html": "",
            "text": "",
            "body": "{{ customer.first_name }}, tunakukumbuka! Tumia {{ coupon.code }} upate punguzo.",
        },
    ],
    "created_at": "2026-11-02T08:30:12.481022Z",
    "updated_at": "2026-11-02T08:30:12.481040Z",
}
TEMPLATE_PATCH_EXAMPLE = {
    "name": "Win back (A, Eid)",
    "translations": [
        {"language": "bn", "body": "{{ customer.first_name }}, ঈদ মোবারক! {{ coupon.code }} কোডে ২০% ছাড়।"},
    ],
}
TEMPLATE_PATCHED_EXAMPLE = {
    **TEMPLATE_OUTPUT_EXAMPLE,
    "name": "Win back (A, Eid)",
    "translations": [
        {**TEMPLATE_OUTPUT_EXAMPLE["translations"][0], **TEMPLATE_PATCH_EXAMPLE["translations"][0]},
        *TEMPLATE_OUTPUT_EXAMPLE["translations"][1:],
    ],
    "updated_at": "2026-11-20T10:05:41.007315Z",
}
MESSAGE_OUTPUT_EXAMPLE = {
    "id": 48112,
    "channel": "sms",
    "template": "winback_a",
    "campaign": 12,
    "journey": "",
    "variant": "A",
    "status": "delivered",
    "reason": "",
    "created_at": "2026-11-22T04:00:02.318204Z",
    "scheduled_for": "2026-11-22T04:00:02.318020Z",
    "sent_at": "2026-11-22T04:00:05.902113Z",
    "delivered_at": "2026-11-22T04:00:09Z",
    "opened_at": None,
    "clicked_at": None,
}
NOTIFICATION_OUTPUT_EXAMPLE = {
    "id": 48230,
    "title": "ঈদ অফার",
    "body": "সব টিভিতে ১৫% ছাড়, শুধু এই সপ্তাহে।",
    "read": False,
    "sent_at": "2026-11-22T04:10:31.554870Z",
}


class TemplateListView(Paginated, ManagementView):
    queryset = Template.objects.all()

    @extend_schema(
        request=s.TemplateInput,
        responses={201: s.TemplateOutput},
        examples=[OpenApiExample("SMS in three languages", TEMPLATE_EXAMPLE, request_only=True)],
        description="A template text that does not compile is a 400 naming the translation, field and line.",
    )
    def post(self, request):
        template = template_create(**validated(s.TemplateInput, request.data))
        return Response(
            s.TemplateOutput(selectors.template_get(code=template.code)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        responses=s.TemplateOutput(many=True),
        examples=[OpenApiExample("A page of templates", TEMPLATE_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.paginated(request, selectors.template_list(), s.TemplateOutput)


class TemplateDetailView(ManagementView):
    queryset = Template.objects.all()

    @extend_schema(
        responses=s.TemplateOutput,
        examples=[OpenApiExample("SMS in three languages", TEMPLATE_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        return Response(s.TemplateOutput(_template_or_404(code)).data)

    @extend_schema(
        request=s.TemplatePatchInput,
        responses=s.TemplateOutput,
        examples=[
            OpenApiExample("New Bengali text for Eid", TEMPLATE_PATCH_EXAMPLE, request_only=True),
            OpenApiExample("Bengali replaced, English and Swahili kept", TEMPLATE_PATCHED_EXAMPLE, response_only=True),
        ],
        description="Given translations replace those languages; languages not given stay as they are. "
        "Given `timing` fields replace theirs; a send window needs both its start and its end.",
    )
    def patch(self, request, code):
        template = _template_or_404(code)
        template_update(template=template, **validated(s.TemplatePatchInput, request.data))
        return Response(s.TemplateOutput(selectors.template_get(code=code)).data)


class CustomerMessagesView(Paginated, ManagementView):
    queryset = Message.objects.all()

    @extend_schema(
        responses=s.MessageOutput(many=True),
        examples=[OpenApiExample("A page of messages", MESSAGE_OUTPUT_EXAMPLE, response_only=True)],
        description="The customer's messages, newest first, with why any was skipped or deferred.",
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        return self.paginated(request, selectors.customer_messages(customer=customer), s.MessageOutput)


class CustomerNotificationsView(Paginated, StorefrontView):
    @extend_schema(
        responses=s.NotificationOutput(many=True),
        examples=[OpenApiExample("A page of notifications", NOTIFICATION_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        return self.paginated(request, selectors.customer_notifications(customer=customer), s.NotificationOutput)


class NotificationReadView(StorefrontView):
    @extend_schema(
        request=None,
        responses=s.NotificationOutput,
        examples=[OpenApiExample("Read", {**NOTIFICATION_OUTPUT_EXAMPLE, "read": True}, response_only=True)],
        description="Marks an in-app message read (opened).",
    )
    def post(self, request, message_id):
        message = selectors.notification_get(message_id=message_id)
        if message is None:
            raise Http404(f"Unknown notification {message_id}.")
        return Response(s.NotificationOutput(notification_read(message=message)).data)

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from audiences.models import Customer
from audiences.selectors import customer_get
from config.api.views import ManagementView, Paginated, StorefrontView, get_or_404, validated
from messaging import selectors
from messaging.api import examples
from messaging.api import serializers as s
from messaging.models import Message, Template
from messaging.services.templates import template_create, template_update
from messaging.services.tracking import notification_read
from messaging.sms_segments import sms_info


@extend_schema(tags=["management"])
class SmsSegmentsView(APIView):
    """What an SMS text costs: its encoding and number of parts, for template editors."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=s.SmsTextInput,
        responses=s.SmsTextOutput,
        examples=[examples.SMS_TEXT_INPUT],
    )
    def post(self, request):
        info = sms_info(validated(s.SmsTextInput, request.data)["text"])
        return Response(
            {
                "encoding": info.encoding,
                "segments": info.segments,
                "units": info.units,
                "single_limit": info.single_limit,
                "per_part": info.per_part,
                "ucs2_characters": list(info.ucs2_characters),
                "summary": info.length_summary,
                "note": info.encoding_note,
                "warning": info.encoding_warning,
            }
        )


def _customer_or_404(external_id: str) -> Customer:
    return get_or_404(customer_get, f"Unknown customer '{external_id}'.", external_id=external_id)


def _template_or_404(code: str) -> Template:
    return get_or_404(selectors.template_get, f"Unknown template '{code}'.", code=code)


class TemplateListView(Paginated, ManagementView):
    queryset = Template.objects.all()

    @extend_schema(
        request=s.TemplateInput,
        responses={201: s.TemplateOutput},
        examples=[examples.TEMPLATE_INPUT, examples.TEMPLATE_OFFER_INPUT],
        description="A template text that does not compile is a 400 naming the translation, field and line.",
    )
    def post(self, request):
        template = template_create(**validated(s.TemplateInput, request.data))
        return Response(
            s.TemplateOutput(selectors.template_get(code=template.code)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        responses=s.TemplateOutput(many=True),
        examples=[examples.TEMPLATE_LIST_OUTPUT],
    )
    def get(self, request):
        return self.paginated(request, selectors.template_list(), s.TemplateOutput)


class TemplateDetailView(ManagementView):
    queryset = Template.objects.all()

    @extend_schema(
        responses=s.TemplateOutput,
        examples=[examples.TEMPLATE_OUTPUT],
    )
    def get(self, request, code):
        return Response(s.TemplateOutput(_template_or_404(code)).data)

    @extend_schema(
        request=s.TemplatePatchInput,
        responses=s.TemplateOutput,
        examples=[examples.TEMPLATE_PATCH_INPUT, examples.TEMPLATE_PATCHED_OUTPUT],
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
        examples=[examples.MESSAGE_LIST_OUTPUT],
        description="The customer's messages, newest first, with why any was skipped or deferred.",
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        return self.paginated(request, selectors.customer_messages(customer=customer), s.MessageOutput)


class CustomerNotificationsView(Paginated, StorefrontView):
    @extend_schema(
        responses=s.NotificationOutput(many=True),
        examples=[examples.NOTIFICATION_LIST_OUTPUT],
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        return self.paginated(request, selectors.customer_notifications(customer=customer), s.NotificationOutput)


class NotificationReadView(StorefrontView):
    @extend_schema(
        request=None,
        responses=s.NotificationOutput,
        examples=[examples.NOTIFICATION_READ_OUTPUT],
        description="Marks an in-app message read (opened).",
    )
    def post(self, request, message_id):
        message = get_or_404(selectors.notification_get, f"Unknown notification {message_id}.", message_id=message_id)
        return Response(s.NotificationOutput(notification_read(message=message)).data)

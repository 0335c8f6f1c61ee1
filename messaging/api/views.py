from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.views import validated
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
        examples=[OpenApiExample("Bengali", {"text": "আপনার জন্য ১৫% ছাড়"})],
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

"""Management API for segments: define, edit, count, page through members, refresh."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from audiences import tasks
from audiences.models import Segment
from audiences.segments import selectors
from audiences.segments import services as segment_services
from config.api.views import ManagementView, Paginated, get_or_404, validated

EXAMPLE_RULES = {
    "all": [
        {"field": "city", "op": "eq", "value": "Dhaka"},
        {"field": "total_spent", "op": "gte", "value": "100000", "currency": "BDT"},
        {"field": "last_order_at", "op": "older_than_days", "value": 90},
        {
            "any": [
                {"event": "complaint_opened", "within_days": 30, "min_count": 1},
                {"field": "orders_count", "op": "gte", "value": 5},
            ]
        },
        {"not": {"segment": "staff"}},
    ]
}


SEGMENT_OUTPUT_EXAMPLE = {
    "code": "vip_dhaka",
    "name": "VIP in Dhaka",
    "description": "VIP customers living in Dhaka.",
    "rules": {
        "all": [
            {"field": "city", "op": "eq", "value": "Dhaka"},
            {"field": "attributes.vip", "op": "eq", "value": True},
        ]
    },
    "predefined": False,
    "count": 1840,
    "refreshed_at": "2026-11-22T03:15:07.412853Z",
}
SEGMENT_PATCH_EXAMPLE = {
    "name": "VIP in Dhaka, big spenders",
    "rules": {
        "all": [
            {"field": "city", "op": "eq", "value": "Dhaka"},
            {"field": "attributes.vip", "op": "eq", "value": True},
            {"field": "total_spent", "op": "gte", "value": "100000", "currency": "BDT"},
        ]
    },
}
SEGMENT_PATCHED_EXAMPLE = {**SEGMENT_OUTPUT_EXAMPLE, **SEGMENT_PATCH_EXAMPLE}  # count: the refresh before the edit
PREVIEW_RULES_EXAMPLE = {
    "all": [
        {"field": "city", "op": "eq", "value": "Dhaka"},
        {"field": "last_order_at", "op": "older_than_days", "value": 90},
    ]
}


class SegmentInput(serializers.Serializer):
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rules = serializers.JSONField()


class SegmentPatchInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    rules = serializers.JSONField(required=False)


class SegmentOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    rules = serializers.JSONField()
    predefined = serializers.BooleanField()
    count = serializers.IntegerField(source="member_count", allow_null=True)
    refreshed_at = serializers.DateTimeField(allow_null=True)


class MembersPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.ListField(child=serializers.CharField(), help_text="Customer external ids.")


class PreviewInput(serializers.Serializer):
    rules = serializers.JSONField()


class PreviewOutput(serializers.Serializer):
    count = serializers.IntegerField()
    sample = serializers.ListField(child=serializers.CharField())


def _segment_or_404(code: str) -> Segment:
    return get_or_404(selectors.segment_get, f"Unknown segment '{code}'.", code=code)


class SegmentsView(Paginated, ManagementView):
    queryset = Segment.objects.all()

    @extend_schema(
        responses=SegmentOutput(many=True),
        examples=[OpenApiExample("A page of segments", SEGMENT_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.paginated(request, selectors.segment_list(), SegmentOutput)

    @extend_schema(
        request=SegmentInput,
        responses={201: SegmentOutput},
        examples=[
            OpenApiExample(
                "VIP in Dhaka", {"code": "vip_dhaka", "name": "VIP in Dhaka", "rules": EXAMPLE_RULES}, request_only=True
            )
        ],
        description="Creates the segment and starts its first refresh; `count` is filled when it is done.",
    )
    def post(self, request):
        segment = segment_services.segment_create(**validated(SegmentInput, request.data))
        tasks.segment_refresh.delay(segment.pk)
        segment.refresh_from_db()
        return Response(SegmentOutput(segment).data, status=status.HTTP_201_CREATED)


class SegmentView(ManagementView):
    queryset = Segment.objects.all()

    @extend_schema(
        responses=SegmentOutput,
        examples=[OpenApiExample("VIP in Dhaka", SEGMENT_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        return Response(SegmentOutput(_segment_or_404(code)).data)

    @extend_schema(
        request=SegmentPatchInput,
        responses=SegmentOutput,
        examples=[
            OpenApiExample("Narrow to big spenders", SEGMENT_PATCH_EXAMPLE, request_only=True),
            OpenApiExample("Narrowed; its refresh still running", SEGMENT_PATCHED_EXAMPLE, response_only=True),
        ],
        description="Changes the segment and starts a refresh; `refreshed_at` shows the last finished refresh "
        "and `count` the members now (that refresh and the live rechecks since).",
    )
    def patch(self, request, code):
        segment = segment_services.segment_update(
            segment=_segment_or_404(code), **validated(SegmentPatchInput, request.data)
        )
        tasks.segment_refresh.delay(segment.pk)
        segment.refresh_from_db()
        return Response(SegmentOutput(segment).data)


class SegmentMembersView(ManagementView):
    queryset = Segment.objects.all()

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses=MembersPage,
        examples=[
            OpenApiExample(
                "Second page",
                {
                    "count": 1840,
                    "next": "https://engine.example.com/api/v1/segments/vip_dhaka/members?page=3",
                    "previous": "https://engine.example.com/api/v1/segments/vip_dhaka/members",
                    "results": [f"C-{number}" for number in range(1051, 1101)],
                },
                response_only=True,
            )
        ],
        description="External ids of the members, 50 a page: the last refresh, kept current within seconds as "
        "customers' data changes (docs/audiences.md, live membership).",
    )
    def get(self, request, code):
        segment = _segment_or_404(code)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.segment_member_ids(segment=segment), request, view=self)
        return paginator.get_paginated_response(list(page))


class SegmentRefreshView(ManagementView):
    queryset = Segment.objects.all()
    permission_methods = {"POST": "PATCH"}  # refreshing changes the snapshot, like an edit

    @extend_schema(
        request=None,
        responses={202: SegmentOutput},
        examples=[OpenApiExample("Refresh started", SEGMENT_OUTPUT_EXAMPLE, response_only=True, status_codes=[202])],
        description="Starts a refresh; the answer shows the last finished one.",
    )
    def post(self, request, code):
        segment = _segment_or_404(code)
        tasks.segment_refresh.delay(segment.pk)
        segment.refresh_from_db()
        return Response(SegmentOutput(segment).data, status=status.HTTP_202_ACCEPTED)


class SegmentPreviewView(ManagementView):
    queryset = Segment.objects.all()
    permission_methods = {"POST": "GET"}  # a preview reads

    @extend_schema(
        request=PreviewInput,
        responses=PreviewOutput,
        examples=[
            OpenApiExample("Lapsed in Dhaka", {"rules": PREVIEW_RULES_EXAMPLE}, request_only=True),
            OpenApiExample(
                "Lapsed in Dhaka",
                {
                    "count": 3127,
                    "sample": [
                        "C-1003",
                        "C-1017",
                        "C-1042",
                        "C-1058",
                        "C-1101",
                        "C-1123",
                        "C-1160",
                        "C-1204",
                        "C-1231",
                        "C-1290",
                    ],
                },
                response_only=True,
            ),
        ],
        description="Live count and a sample of members (the first 10 external ids).",
    )
    def post(self, request):
        rules = validated(PreviewInput, request.data)["rules"]
        segment_services.segment_rules_check(rules=rules)
        return Response(
            {"count": selectors.segment_live_count(rules=rules), "sample": selectors.segment_live_sample(rules=rules)}
        )

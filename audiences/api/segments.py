"""Management API for segments: define, edit, count, page through members, refresh."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from audiences import tasks
from audiences.api import examples
from audiences.api import serializers as s
from audiences.models import Segment
from audiences.segments import selectors
from audiences.segments import services as segment_services
from config.api.views import ManagementView, Paginated, get_or_404, validated


def _segment_or_404(code: str) -> Segment:
    return get_or_404(selectors.segment_get, f"Unknown segment '{code}'.", code=code)


class SegmentsView(Paginated, ManagementView):
    queryset = Segment.objects.all()

    @extend_schema(
        responses=s.SegmentOutput(many=True),
        examples=[OpenApiExample("A page of segments", examples.SEGMENT_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.paginated(request, selectors.segment_list(), s.SegmentOutput)

    @extend_schema(
        request=s.SegmentInput,
        responses={201: s.SegmentOutput},
        examples=[OpenApiExample("VIP in Dhaka", examples.SEGMENT_INPUT_EXAMPLE, request_only=True)],
        description="Creates the segment and starts its first refresh; `count` is filled when it is done.",
    )
    def post(self, request):
        segment = segment_services.segment_create(**validated(s.SegmentInput, request.data))
        tasks.segment_refresh.delay(segment.pk)
        segment.refresh_from_db()
        return Response(s.SegmentOutput(segment).data, status=status.HTTP_201_CREATED)


class SegmentView(ManagementView):
    queryset = Segment.objects.all()

    @extend_schema(
        responses=s.SegmentOutput,
        examples=[OpenApiExample("VIP in Dhaka", examples.SEGMENT_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, code):
        return Response(s.SegmentOutput(_segment_or_404(code)).data)

    @extend_schema(
        request=s.SegmentPatchInput,
        responses=s.SegmentOutput,
        examples=[
            OpenApiExample("Narrow to big spenders", examples.SEGMENT_PATCH_EXAMPLE, request_only=True),
            OpenApiExample("Narrowed; its refresh still running", examples.SEGMENT_PATCHED_EXAMPLE, response_only=True),
        ],
        description="Changes the segment and starts a refresh; `refreshed_at` shows the last finished refresh "
        "and `count` the members now (that refresh and the live rechecks since).",
    )
    def patch(self, request, code):
        segment = segment_services.segment_update(
            segment=_segment_or_404(code), **validated(s.SegmentPatchInput, request.data)
        )
        tasks.segment_refresh.delay(segment.pk)
        segment.refresh_from_db()
        return Response(s.SegmentOutput(segment).data)


class SegmentMembersView(ManagementView):
    queryset = Segment.objects.all()

    @extend_schema(
        parameters=[OpenApiParameter("page", int)],
        responses=s.MembersPage,
        examples=[OpenApiExample("Second page", examples.SEGMENT_MEMBERS_PAGE_EXAMPLE, response_only=True)],
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
        responses={202: s.SegmentOutput},
        examples=[
            OpenApiExample("Refresh started", examples.SEGMENT_OUTPUT_EXAMPLE, response_only=True, status_codes=[202])
        ],
        description="Starts a refresh; the answer shows the last finished one.",
    )
    def post(self, request, code):
        segment = _segment_or_404(code)
        tasks.segment_refresh.delay(segment.pk)
        segment.refresh_from_db()
        return Response(s.SegmentOutput(segment).data, status=status.HTTP_202_ACCEPTED)


class SegmentPreviewView(ManagementView):
    queryset = Segment.objects.all()
    permission_methods = {"POST": "GET"}  # a preview reads

    @extend_schema(
        request=s.PreviewInput,
        responses=s.PreviewOutput,
        examples=[
            OpenApiExample("Lapsed in Dhaka", {"rules": examples.PREVIEW_RULES_EXAMPLE}, request_only=True),
            OpenApiExample("Lapsed in Dhaka", examples.PREVIEW_OUTPUT_EXAMPLE, response_only=True),
        ],
        description="Live count and a sample of members (the first 10 external ids).",
    )
    def post(self, request):
        rules = validated(s.PreviewInput, request.data)["rules"]
        segment_services.segment_rules_check(rules=rules)
        return Response(
            {"count": selectors.segment_live_count(rules=rules), "sample": selectors.segment_live_sample(rules=rules)}
        )

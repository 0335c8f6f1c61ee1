"""The management API of data-subject requests: a customer's data as a file, and their erasure."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from audiences import selectors
from audiences.api import examples
from audiences.api import serializers as s
from audiences.data_subjects import services
from audiences.data_subjects.export import as_json
from audiences.models import Customer, DataSubjectRequest
from config.api.views import ManagementView, get_or_404
from config.errors import Conflict
from config.export_jobs import export_file


def _customer_or_404(external_id: str) -> Customer:
    return get_or_404(selectors.customer_get, f"Unknown customer '{external_id}'.", external_id=external_id)


def _json_file(content: bytes, customer: Customer) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-data.json"'
    return response


def _request_answer(request: DataSubjectRequest, code=status.HTTP_202_ACCEPTED) -> Response:
    return Response(s.DataSubjectRequestOutput(request).data, status=code)


class CustomerExportView(ManagementView):
    queryset = DataSubjectRequest.objects.all()  # reading: Analysts too, as they read the customer page

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "request", int, description="A background export's request id (the 202's `id`): its file once done."
            )
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            202: s.DataSubjectRequestOutput,
            409: OpenApiResponse(
                description="The background export failed (`export_failed`): ask again.",
                examples=[examples.EXPORT_FAILED_EXAMPLE],
            ),
        },
        examples=[
            OpenApiExample(
                "The customer's data", examples.CUSTOMER_DATA_EXAMPLE, response_only=True, status_codes=[200]
            ),
            OpenApiExample(
                "A big history, written in the background",
                examples.EXPORT_QUEUED_EXAMPLE,
                response_only=True,
                status_codes=[202],
            ),
        ],
        description="Everything held about the customer as one JSON file, each app's section under its key "
        "(docs/privacy.md). A history over DATA_EXPORT_INLINE_MAX_ROWS rows is written in the background: the "
        "answer is a 202 with the request, whose `download` answers 202 until the file is ready, then the file. "
        "Every export is recorded (who, when).",
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        asked = request.query_params.get("request")
        if asked is not None:
            return self._background(customer, asked)
        recorded, data = services.customer_export(customer=customer, user=request.user)
        if data is None:
            return _request_answer(recorded)
        return _json_file(as_json(data), customer)

    def _background(self, customer: Customer, asked: str):
        recorded = (
            DataSubjectRequest.objects.filter(
                pk=int(asked), customer=customer, kind=DataSubjectRequest.Kind.EXPORT, export_job__isnull=False
            ).first()
            if asked.isdigit()
            else None
        )
        if recorded is None:
            raise NotFound(f"No background export '{asked}' of customer '{customer.external_id}'.")
        recorded = services.export_request_refresh(request=recorded)
        if recorded.status == DataSubjectRequest.Status.FAILED:
            raise Conflict(code="export_failed", message=recorded.error or "The export failed; ask again.")
        path = export_file(recorded.export_job) if recorded.status == DataSubjectRequest.Status.DONE else None
        if path is None:
            return _request_answer(recorded)
        return _json_file(path.read_bytes(), customer)


class CustomerEraseView(ManagementView):
    queryset = DataSubjectRequest.objects.all()

    @extend_schema(
        request=None,
        responses={202: s.DataSubjectRequestOutput},
        examples=[OpenApiExample("Erasure queued", examples.ERASURE_EXAMPLE, response_only=True, status_codes=[202])],
        description="Erases the customer's personal data in the background (docs/privacy.md: what goes, what "
        "stays). Asked again, the answer is the request already made. The customer then reads as erased "
        "(`erased_at`).",
    )
    def post(self, request, external_id):
        customer = _customer_or_404(external_id)
        return _request_answer(services.erasure_request(customer=customer, user=request.user))

    @extend_schema(
        responses={200: s.DataSubjectRequestOutput},
        examples=[OpenApiExample("Erasure queued", examples.ERASURE_EXAMPLE, response_only=True)],
        description="The customer's erasure request and how it went.",
    )
    def get(self, request, external_id):
        customer = _customer_or_404(external_id)
        recorded = DataSubjectRequest.objects.filter(customer=customer, kind=DataSubjectRequest.Kind.ERASURE).first()
        if recorded is None:
            raise NotFound(f"Customer '{external_id}' has no erasure request.")
        return _request_answer(recorded, status.HTTP_200_OK)

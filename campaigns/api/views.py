"""One view per operation; each validates, calls one service or selector and shapes the answer."""

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from campaigns import attribution, results, selectors, services, statistics
from campaigns.api import examples
from campaigns.api import results as results_api
from campaigns.api import serializers as s
from campaigns.api.csv_export import results_csv
from campaigns.models import Campaign
from config.api.views import ManagementView, Paginated

LIST_FILTERS = {
    "status": Campaign.Status.values,
    "type": Campaign.Type.values,
    "objective": Campaign.Objective.values,
}
CONFLICT = OpenApiResponse(
    description="Not allowed from the campaign's current status (named in `status`), or it needs approval first.",
    examples=[examples.CONFLICT_EXAMPLE],
)


def _campaign_or_404(campaign_id: int) -> Campaign:
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    if campaign is None:
        raise Http404(f"Unknown campaign {campaign_id}.")
    return campaign


def _answer(campaign_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(s.CampaignOutput(_campaign_or_404(campaign_id)).data, status=status_code)


class CampaignListView(Paginated, ManagementView):
    queryset = Campaign.objects.all()

    @extend_schema(
        responses=s.CampaignOutput(many=True),
        parameters=[OpenApiParameter(name, str, enum=values) for name, values in LIST_FILTERS.items()],
        examples=examples.READ_EXAMPLES,
        description="Campaigns, newest first, 50 a page; filter by status, type or objective.",
    )
    def get(self, request):
        campaigns = selectors.campaign_list()
        errors = {}
        for name, allowed in LIST_FILTERS.items():
            value = request.query_params.get(name)
            if value and value not in allowed:
                errors[name] = [f"Use one of: {', '.join(allowed)}."]
            elif value:
                campaigns = campaigns.filter(**{name: value})
        if errors:
            raise serializers.ValidationError(errors)
        return self.paginated(request, campaigns, s.CampaignOutput)

    @extend_schema(
        request=s.CampaignInput,
        responses={201: s.CampaignOutput},
        examples=examples.CREATE_EXAMPLES,
        description="Creates a draft campaign. `launch` it to schedule or start it.",
    )
    def post(self, request):
        serializer = s.CampaignInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_create(created_by=request.user, **serializer.to_service())
        return _answer(campaign.pk, status.HTTP_201_CREATED)


class CampaignDetailView(ManagementView):
    queryset = Campaign.objects.all()

    @extend_schema(responses={200: s.CampaignOutput}, examples=examples.READ_EXAMPLES)
    def get(self, request, campaign_id):
        return _answer(campaign_id)

    @extend_schema(
        request=s.CampaignInput(partial=True),
        responses={200: s.CampaignOutput, 409: CONFLICT},
        examples=examples.PATCH_EXAMPLES,
        description="Changes the fields given. Before the start anything may change (and an approval must be "
        "given again); once started only name, ends_at, budget and budget_alert_percent (else 409). `variants` "
        "replaces them all.",
    )
    def patch(self, request, campaign_id):
        campaign = _campaign_or_404(campaign_id)
        serializer = s.CampaignInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.campaign_update(campaign=campaign, **serializer.to_service())
        return _answer(campaign.pk)


ACTIONS = {
    "launch": (
        lambda campaign, user: services.campaign_launch(campaign=campaign),
        "Schedules the campaign (a start in the future: celery-beat starts it on the minute) or starts it now: "
        "its audience is frozen and its messages queued in the background; follow `progress`.",
    ),
    "pause": (
        lambda campaign, user: services.campaign_pause(campaign=campaign),
        "Stops queueing and holds its messages not yet sent.",
    ),
    "resume": (
        lambda campaign, user: services.campaign_resume(campaign=campaign),
        "Lets held messages go and carries on an unfinished launch.",
    ),
    "archive": (
        lambda campaign, user: services.campaign_archive(campaign=campaign),
        "Hides a draft, scheduled, completed or expired campaign for good.",
    ),
    "approve": (
        lambda campaign, user: services.campaign_approve(campaign=campaign, user=user),
        "Approves the campaign as the calling user, who needs the 'approve campaign' permission: required "
        "before launching a campaign that requires approval. A later change withdraws it.",
    ),
}


def action_view(action: str):
    perform, description = ACTIONS[action]

    class CampaignActionView(ManagementView):
        queryset = Campaign.objects.all()
        permission_methods = {"POST": "PATCH"}  # an action changes the campaign

        @extend_schema(
            request=None,
            responses={200: s.CampaignOutput, 409: CONFLICT},
            examples=examples.READ_EXAMPLES,
            description=description,
            operation_id=f"campaigns_{action}",
        )
        def post(self, request, campaign_id):
            campaign = _campaign_or_404(campaign_id)
            perform(campaign, request.user)
            return _answer(campaign.pk)

    CampaignActionView.__name__ = f"Campaign{action.title()}View"
    return CampaignActionView.as_view()


RESULTS_PARAMETERS = [
    OpenApiParameter(
        "model", str, enum=["last_touch", "first_touch", "linear"], description="Attribution model (last_touch)."
    ),
    OpenApiParameter("metric", str, enum=["conversion", "click"], description="The winner's metric (conversion)."),
]


def _results(request, campaign_id: int) -> dict:
    campaign = _campaign_or_404(campaign_id)
    model = attribution.parse_model(request.query_params.get("model", attribution.AttributionModel.LAST_TOUCH))
    metric = statistics.parse_metric(request.query_params.get("metric", statistics.Metric.CONVERSION))
    return results.campaign_results(campaign, model=model, metric=metric)


class CampaignResultsView(ManagementView):
    queryset = Campaign.objects.all()

    @extend_schema(
        parameters=RESULTS_PARAMETERS,
        responses={200: results_api.ResultsOutput},
        examples=examples.RESULTS_EXAMPLES,
        description="Per variant: recipients, sent, delivered, opened, clicked, converted, conversion rate, "
        "revenue, discount and sending cost, ROI (attributed under `model`); the winner by `metric`; lift "
        "against the holdout with 95% intervals (null, and `lift_status` says why, when it cannot be measured); "
        "a daily series. Money as strings in `currency`.",
    )
    def get(self, request, campaign_id):
        return Response(results_api.ResultsOutput(results_api.results_answer(_results(request, campaign_id))).data)


class CampaignResultsCsvView(ManagementView):
    queryset = Campaign.objects.all()

    @extend_schema(
        parameters=RESULTS_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        examples=examples.RESULTS_CSV_EXAMPLES,
        description="The results per variant and in total, as CSV (money in `currency`, as in the JSON).",
    )
    def get(self, request, campaign_id):
        answer = results_api.results_answer(_results(request, campaign_id))
        response = HttpResponse(results_csv(answer), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign_id}-results.csv"'
        return response

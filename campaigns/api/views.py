"""One view per operation; each validates, calls one service or selector and shapes the answer."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from campaigns import selectors, services
from campaigns.api import examples
from campaigns.api import serializers as s
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


class CampaignResultsView(ManagementView):
    queryset = Campaign.objects.all()

    @extend_schema(
        responses={200: s.ResultsOutput},
        examples=examples.RESULTS_EXAMPLES,
        description="Recipients, queued, sent and skipped (by reason) per variant and for the holdout, with what "
        "the holdout would have been skipped for (intent-to-treat); money as strings in `currency`.",
    )
    def get(self, request, campaign_id):
        campaign = _campaign_or_404(campaign_id)
        results = selectors.campaign_results(campaign)
        for field in ("sending_cost", "discount_cost"):
            results[field] = s.money(results[field], campaign.currency)
        return Response(s.ResultsOutput(results).data)

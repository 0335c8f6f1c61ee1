"""The journeys API: list, read, switch on or off (GET /journeys, GET/PATCH /journeys/{code})."""

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from audiences.models import Customer
from campaigns.journeys import selectors, services, simulation
from campaigns.journeys.models import Journey, JourneyVersion
from config.api.views import ManagementView, Paginated, get_or_404, validated


class JourneyStepOutput(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    wait_seconds = serializers.SerializerMethodField()
    local_time = serializers.SerializerMethodField(help_text="HH:MM:SS in the customer's zone, for wait_until.")
    next_day = serializers.BooleanField()
    best_hour_until = serializers.TimeField(
        format="%H:%M",
        allow_null=True,
        help_text="wait_until: the customer's best hour from local_time to this; null: local_time.",
    )
    templates = serializers.SerializerMethodField(help_text="Template codes in fallback order.")
    promotion = serializers.IntegerField(source="promotion_id", allow_null=True)
    coupon_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    condition = serializers.CharField()
    else_position = serializers.IntegerField(allow_null=True)
    wait_event_type = serializers.CharField(help_text="wait_event: the event waited for; wait_seconds: the timeout.")
    wait_matches_key = serializers.BooleanField()
    on_event = serializers.CharField(help_text="wait_event: continue or exit when the event comes.")
    fallback_after_seconds = serializers.SerializerMethodField(
        help_text="send: the next template's channel when unread this long."
    )
    attribute_name = serializers.CharField()
    attribute_value = serializers.JSONField(allow_null=True)
    record_event_type = serializers.CharField()
    staff_subject = serializers.CharField()
    service_target_seconds = serializers.SerializerMethodField()

    def get_wait_seconds(self, step) -> int | None:
        return int(step.wait.total_seconds()) if step.wait is not None else None

    def get_fallback_after_seconds(self, step) -> int | None:
        return int(step.fallback_after.total_seconds()) if step.fallback_after is not None else None

    def get_service_target_seconds(self, step) -> int | None:
        return int(step.service_target.total_seconds()) if step.service_target is not None else None

    def get_local_time(self, step) -> str | None:
        return step.local_time.isoformat() if step.local_time else None

    def get_templates(self, step) -> list[str]:
        return [link.template.code for link in step.step_templates.all()]


class JourneyVersionOutput(serializers.ModelSerializer):
    segment = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    steps = JourneyStepOutput(many=True)

    class Meta:
        model = JourneyVersion
        fields = [
            "number", "published_at", "trigger", "event_type", "event_filters", "key_property", "segment",
            "date_field", "offset_days", "occasion", "order_number", "gap_factor", "spend_drop_percent", "lapsed_days",
            "reentry", "cooldown_days", "exit_on_segment_exit", "goal_event_type",
            "goal_matches_key", "goal_window_days", "steps",
        ]  # fmt: skip


class JourneyStepCountsOutput(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    entered = serializers.IntegerField(help_text="Enrollments that reached the step.")
    waiting = serializers.IntegerField(help_text="Enrollments whose step is pending (due later, or now).")
    sent = serializers.IntegerField(help_text="Messages queued by the step.")
    skipped = serializers.DictField(child=serializers.IntegerField(), help_text="Skipped by reason (no_consent...).")
    failed = serializers.DictField(child=serializers.IntegerField(), help_text="Failed attempts by error.")
    converted = serializers.IntegerField(help_text="Goals reached while at this step.")
    exited = serializers.DictField(child=serializers.IntegerField(), help_text="Exits at this step by reason.")


class JourneyResultsOutput(serializers.Serializer):
    entered = serializers.IntegerField()
    holdout = serializers.IntegerField()
    statuses = serializers.DictField(child=serializers.IntegerField(), help_text="Enrollments by status.")
    exited = serializers.DictField(child=serializers.IntegerField(), help_text="Exits by reason.")
    conversions = serializers.IntegerField()
    holdout_conversions = serializers.IntegerField()
    lift = serializers.DictField(allow_null=True, help_text="Conversion lift against the holdout, with its interval.")
    lift_message = serializers.CharField()
    leads = serializers.IntegerField(help_text="Leads credited to the journey (its message last touched them).")
    won_leads = serializers.IntegerField()
    won_lead_value = serializers.DictField(child=serializers.CharField(), help_text="Per currency.")
    steps_version = serializers.IntegerField(allow_null=True, help_text="The version whose steps are counted.")
    steps = JourneyStepCountsOutput(many=True, help_text="Per step of the current version, in order.")


class JourneyOutput(serializers.ModelSerializer):
    version = serializers.SerializerMethodField(help_text="The newest published version (else the draft).")
    results = serializers.SerializerMethodField()

    class Meta:
        model = Journey
        fields = ["code", "name", "description", "active", "holdout_percent", "predefined", "version", "results"]

    @extend_schema_field(JourneyVersionOutput(allow_null=True))
    def get_version(self, journey) -> dict | None:
        version = selectors.journey_current_version(journey=journey)
        return JourneyVersionOutput(version).data if version else None

    @extend_schema_field(JourneyResultsOutput)
    def get_results(self, journey) -> dict:
        return JourneyResultsOutput(selectors.journey_results(journey=journey)).data


class JourneyInput(serializers.Serializer):
    active = serializers.BooleanField(required=False)
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    holdout_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=50, required=False
    )

    def validate(self, data):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return data


class JourneySimulateInput(serializers.Serializer):
    customer = serializers.SlugRelatedField(
        slug_field="external_id", queryset=Customer.objects.all(), help_text="The customer's external id."
    )
    key = serializers.CharField(required=False, default="", help_text="The trigger key (a cart id) for per-key entry.")


class SimulatedStepOutput(serializers.Serializer):
    position = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField(help_text="When the step would run.")
    outcome = serializers.CharField(help_text="waits until ..., sends sms, skipped: no_consent, condition_true...")
    message = serializers.DictField(
        allow_null=True, help_text="For a send: template, channel, the outbox's decision, language, subject, text."
    )


class JourneySimulationOutput(serializers.Serializer):
    journey = serializers.CharField()
    version = serializers.IntegerField()
    customer = serializers.CharField()
    entry = serializers.CharField(help_text="enters, holdout, already_entered or no_key.")
    started_at = serializers.DateTimeField()
    steps = SimulatedStepOutput(many=True)
    ends = serializers.CharField(help_text="completed, exited:<reason>, or the entry's answer when it does not enter.")
    goal = serializers.CharField()


SWITCH_ON = OpenApiExample("Switch a journey on", value={"active": True}, request_only=True)
SIMULATION_EXAMPLE = OpenApiExample(
    "Birthday, for a customer entering now",
    value={
        "journey": "birthday", "version": 1, "customer": "C-1001", "entry": "enters",
        "started_at": "2026-11-27T20:30:00Z",
        "steps": [
            {"position": 1, "kind": "wait_until", "at": "2026-11-27T20:30:00Z",
             "outcome": "waits until 2026-11-28T10:00:00+06:00 (Asia/Dhaka)", "message": None},
            {"position": 2, "kind": "send", "at": "2026-11-28T04:00:00Z", "outcome": "sends sms",
             "message": {"template": "journey_birthday", "channel": "sms", "outbox": "send",
                         "coupon": "a fresh single-use code, drawn when it is sent", "language": "en",
                         "subject": "",
                         "text": "Happy birthday in advance, Rahim! A gift: code (yours when sent) for 15% off."}},
        ],
        "ends": "completed", "goal": "order_placed by 2026-12-04T20:30:00+00:00 exits as a conversion",
    },
    response_only=True,
)  # fmt: skip
STEP_DEFAULTS = {
    "wait_event_type": "", "wait_matches_key": False, "on_event": "continue", "fallback_after_seconds": None,
    "attribute_name": "", "attribute_value": None, "record_event_type": "", "staff_subject": "",
    "service_target_seconds": None, "best_hour_until": None,
}  # fmt: skip
JOURNEY = {
    "code": "birthday", "name": "Birthday", "description": "Three days before the birthday: a 15% gift code.",
    "active": True, "holdout_percent": "10.00", "predefined": True,
    "version": {
        "number": 1, "published_at": "2026-11-27T19:00:00Z", "trigger": "date", "event_type": "",
        "event_filters": {}, "key_property": "", "segment": None, "date_field": "birth_date", "offset_days": -3,
        "occasion": "", "order_number": None, "gap_factor": None, "spend_drop_percent": None, "lapsed_days": None,
        "reentry": "per_key", "cooldown_days": 0, "exit_on_segment_exit": False, "goal_event_type": "order_placed",
        "goal_matches_key": False, "goal_window_days": 7,
        "steps": [
            {"position": 1, "kind": "wait_until", "wait_seconds": None, "local_time": "10:00:00", "next_day": False,
             "templates": [], "promotion": None, "coupon_percent": None, "condition": "", "else_position": None,
             **STEP_DEFAULTS},
            {"position": 2, "kind": "send", "wait_seconds": None, "local_time": None, "next_day": False,
             "templates": ["journey_birthday"], "promotion": 31, "coupon_percent": "15.00", "condition": "",
             "else_position": None, **STEP_DEFAULTS},
        ],
    },
    "results": {
        "entered": 420, "holdout": 41, "statuses": {"completed": 341, "converted": 38, "holdout": 41},
        "exited": {}, "conversions": 38, "holdout_conversions": 2,
        "lift": {"treatment_rate": 0.1003, "control_rate": 0.0488, "absolute": 0.0515, "relative": 1.055,
                 "ci_low": -0.012, "ci_high": 0.115},
        "lift_message": "Against the holdout the journey added +5.15 points of conversion rate and +0.00 revenue "
        "per recipient.",
        "leads": 12, "won_leads": 2, "won_lead_value": {"BDT": "96000.00"},
        "steps_version": 1,
        "steps": [
            {"position": 1, "kind": "wait_until", "entered": 379, "waiting": 0, "sent": 0, "skipped": {},
             "failed": {}, "converted": 0, "exited": {}},
            {"position": 2, "kind": "send", "entered": 379, "waiting": 0, "sent": 371,
             "skipped": {"no_consent": 8}, "failed": {}, "converted": 38, "exited": {"consent_withdrawn": 8}},
        ],
    },
}  # fmt: skip
JOURNEY_EXAMPLE = OpenApiExample("A ready-made journey", JOURNEY, response_only=True)


def _journey(code: str) -> Journey:
    return get_or_404(selectors.journey_get, f"Unknown journey {code}.", code=code)


class JourneyListView(Paginated, ManagementView):
    queryset = Journey.objects.all()

    @extend_schema(
        responses=JourneyOutput(many=True),
        examples=[JOURNEY_EXAMPLE],
        description="Journeys by code, 50 a page, with their figures.",
    )
    def get(self, request):
        return self.paginated(request, selectors.journey_list(), JourneyOutput)


class JourneyDetailView(ManagementView):
    queryset = Journey.objects.all()

    @extend_schema(
        responses=JourneyOutput, examples=[JOURNEY_EXAMPLE], description="One journey: its current version and figures."
    )
    def get(self, request, code):
        return Response(JourneyOutput(_journey(code)).data)

    @extend_schema(
        request=JourneyInput,
        responses=JourneyOutput,
        examples=[SWITCH_ON, JOURNEY_EXAMPLE],
        description="Switch a journey on or off, rename it or change its holdout; on needs a published version.",
    )
    def patch(self, request, code):
        journey = _journey(code)
        services.journey_update(journey=journey, **validated(JourneyInput, request.data))
        return Response(JourneyOutput(journey).data)


class JourneySimulateView(ManagementView):
    queryset = Journey.objects.all()

    @extend_schema(
        parameters=[JourneySimulateInput],
        responses=JourneySimulationOutput,
        examples=[SIMULATION_EXAMPLE],
        description="What the journey would do for a customer entering now: the path, the times and the messages. "
        "Nothing is sent or written.",
    )
    def get(self, request, code):
        journey = _journey(code)
        data = validated(JourneySimulateInput, request.query_params)
        version = selectors.journey_current_version(journey=journey)
        if version is None:
            raise NotFound(f"Journey {code} has no version to simulate.")
        answer = simulation.journey_simulate(version=version, customer=data["customer"], key=data["key"])
        return Response(JourneySimulationOutput(answer.as_dict()).data)

"""Reads of journeys: the list, one journey, and its figures (entries by status, exits by reason, lift)."""

from decimal import Decimal

from django.db.models import Count, Prefetch, Q

from campaigns.journeys.models import Enrollment, Journey, JourneyStep, JourneyStepTemplate, JourneyVersion
from campaigns.lift import ArmOutcomes, measure_lift

STEPS = Prefetch(
    "steps",
    queryset=JourneyStep.objects.select_related("promotion").prefetch_related(
        Prefetch("step_templates", queryset=JourneyStepTemplate.objects.select_related("template"))
    ),
)


def journey_list():
    return Journey.objects.order_by("code")


def journey_get(*, code: str) -> Journey | None:
    return Journey.objects.filter(code=code).first()


def journey_current_version(*, journey: Journey) -> JourneyVersion | None:
    """The newest published version (what new entries run), else the newest draft."""
    versions = journey.versions.prefetch_related(STEPS).select_related("segment")
    return (
        versions.filter(published_at__isnull=False).order_by("-number").first() or versions.order_by("-number").first()
    )


def journey_results(*, journey: Journey) -> dict:
    """Entries by status, exits by reason, conversions per arm and the conversion lift against the holdout."""
    enrollments = Enrollment.objects.filter(version__journey=journey)
    statuses = dict(enrollments.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    exited = dict(
        enrollments.filter(status=Enrollment.Status.EXITED)
        .values_list("exit_reason")
        .annotate(n=Count("id"))
        .values_list("exit_reason", "n")
    )
    arms = enrollments.aggregate(
        held=Count("id", filter=Q(status=Enrollment.Status.HOLDOUT)),
        held_converted=Count("id", filter=Q(status=Enrollment.Status.HOLDOUT, converted_at__isnull=False)),
        treated_converted=Count("id", filter=~Q(status=Enrollment.Status.HOLDOUT) & Q(converted_at__isnull=False)),
        total=Count("id"),
    )
    treated = arms["total"] - arms["held"]
    lift = measure_lift(
        ArmOutcomes(treated, arms["treated_converted"], Decimal(0), Decimal(0)),
        ArmOutcomes(arms["held"], arms["held_converted"], Decimal(0), Decimal(0)) if journey.holdout_percent else None,
    )
    conversion = lift.conversions
    return {
        "entered": arms["total"],
        "holdout": arms["held"],
        "statuses": statuses,
        "exited": exited,
        "conversions": arms["treated_converted"],
        "holdout_conversions": arms["held_converted"],
        "lift": (
            {
                "treatment_rate": conversion.treatment_rate,
                "control_rate": conversion.control_rate,
                "absolute": conversion.absolute,
                "relative": conversion.relative,
                "ci_low": conversion.ci_low,
                "ci_high": conversion.ci_high,
            }
            if conversion
            else None
        ),
        "lift_message": lift.message,
    }

"""Reads of journeys: the list, one journey, and its figures (entries by status, exits by reason, lift, what
happened at each step, and entries, conversions and exits per day)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import TruncDate

from audiences.currencies import quantize
from campaigns.journeys.models import Enrollment, Journey, JourneyStep, JourneyStepTemplate, JourneyVersion, StepRun
from campaigns.leads.selectors import journey_leads
from campaigns.lift import ArmOutcomes, measure_lift
from config.report_days import start_of

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
        what="journey",
    )
    conversion = lift.conversions
    version = journey_current_version(journey=journey)
    leads = journey_leads(journey_id=journey.pk)
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
        "leads": leads["leads"],
        "won_leads": leads["won_leads"],
        "won_lead_value": {
            currency: str(quantize(total, currency)) for currency, total in sorted(leads["won_lead_value"].items())
        },
        "steps_version": version.number if version else None,
        "steps": journey_step_counts(version=version) if version else [],
    }


def journey_step_counts(*, version: JourneyVersion) -> list[dict]:
    """What happened at each step of a version, in step order.

    entered: enrollments that reached the step (its run was queued); waiting: still pending there; sent: a
    message queued; skipped and failed attempts by reason; converted and exited (by reason): enrollments
    whose journey ended while at this step (waiting for it or just past it). Holdouts reach no step."""
    runs = StepRun.objects.filter(enrollment__version=version).order_by()
    entered = dict(runs.values_list("position").annotate(n=Count("enrollment_id", distinct=True)))
    by_status: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for position, status, reason, n in runs.values_list("position", "status", "reason").annotate(n=Count("id")):
        by_status[position][status][reason] = n
    sent = dict(runs.exclude(message_key="").values_list("position").annotate(n=Count("enrollment_id", distinct=True)))
    last_step = StepRun.objects.filter(enrollment=OuterRef("pk")).order_by("-position").values("position")[:1]
    ended: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for position, status, reason, n in (
        Enrollment.objects.filter(version=version, status__in=[Enrollment.Status.CONVERTED, Enrollment.Status.EXITED])
        .annotate(at=Subquery(last_step))
        .order_by()
        .values_list("at", "status", "exit_reason")
        .annotate(n=Count("id"))
    ):
        ended[position][status][reason] = n
    return [
        {
            "position": step.position,
            "kind": step.kind,
            "entered": entered.get(step.position, 0),
            "waiting": sum(by_status[step.position][StepRun.Status.PENDING].values()),
            "sent": sent.get(step.position, 0),
            "skipped": dict(by_status[step.position][StepRun.Status.SKIPPED]),
            "failed": dict(by_status[step.position][StepRun.Status.FAILED]),
            "converted": sum(ended[step.position][Enrollment.Status.CONVERTED].values()),
            "exited": dict(ended[step.position][Enrollment.Status.EXITED]),
        }
        for step in sorted(version.steps.all(), key=lambda step: step.position)
    ]


def enrollments_per_day(*, days: list[date], journey: Journey | None = None) -> list[dict]:
    """Per day, in the site's time zone, of one journey or of all: entries, conversions of those sent the journey
    (`converted`) and of the holdout (`holdout_converted`), and exits (any reason; a conversion is not an exit)."""
    enrollments = Enrollment.objects.filter(**({"version__journey": journey} if journey else {})).order_by()
    since = start_of(days[0])

    def counted(field: str, *conditions: Q) -> dict[date, int]:
        rows = enrollments.filter(*conditions, **{f"{field}__gte": since}).annotate(day=TruncDate(field))
        return dict(rows.values_list("day").annotate(n=Count("id")).values_list("day", "n"))

    held = Q(status=Enrollment.Status.HOLDOUT)
    entered, exited = counted("entered_at"), counted("finished_at", Q(status=Enrollment.Status.EXITED))
    converted, held_converted = counted("converted_at", ~held), counted("converted_at", held)
    return [
        {
            "day": day,
            "entered": entered.get(day, 0),
            "converted": converted.get(day, 0),
            "holdout_converted": held_converted.get(day, 0),
            "exited": exited.get(day, 0),
        }
        for day in days
    ]


def customer_enrollments(*, customer_id: int, limit: int = 10) -> list[Enrollment]:
    """The customer's latest journey enrollments, each with `next_step_at`: when its next pending step is due."""
    next_due = StepRun.objects.filter(enrollment=OuterRef("pk"), status=StepRun.Status.PENDING).order_by("run_at")
    enrollments = (
        Enrollment.objects.filter(customer_id=customer_id)
        .select_related("version__journey")
        .annotate(next_step_at=Subquery(next_due.values("run_at")[:1]))
        .order_by("-entered_at")
    )
    return list(enrollments[:limit])

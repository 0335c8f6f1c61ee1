"""Writes to journeys themselves: switching on and off, publishing a version, drafting the next one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from campaigns.journeys.models import (
    Condition,
    Journey,
    JourneyStep,
    JourneyStepTemplate,
    JourneyVersion,
    Reentry,
    StepKind,
    Trigger,
)
from config.errors import Conflict
from promotions.models import Promotion
from promotions.services.definitions import promotion_create


def journey_update(*, journey: Journey, **changes) -> Journey:
    """Change `active`, `name`, `description` or `holdout_percent`; switching on needs a published version."""
    if changes.get("active") and not journey.versions.filter(published_at__isnull=False).exists():
        raise Conflict(code="no_published_version", message=f"Journey {journey.code} has no published version yet.")
    with transaction.atomic():
        for field, value in changes.items():
            setattr(journey, field, value)
        journey.full_clean()
        journey.save()
        if journey.active:
            _coupon_promotions_make(journey)
    return journey


def _coupon_promotions_make(journey: Journey) -> None:
    """A code-only percentage promotion for each coupon step that names a percent but no promotion yet.

    Made when a marketer switches the journey on, not when the engine is installed: no promotion exists
    that nobody asked for. Nothing redeems it without one of the single-use codes the journey issues."""
    steps = JourneyStep.objects.filter(
        version__journey=journey, promotion__isnull=True, coupon_percent__isnull=False
    ).select_related("version")
    for step in steps:
        promotion = promotion_create(
            name=f"{journey.name[:120]}: step {step.position} ({step.coupon_percent.normalize():f}% journey codes)",
            status=Promotion.Status.ACTIVE,
            trigger=Promotion.Trigger.CODE,
            usage_limit_per_customer=1,
            reward={"type": "percentage", "value": str(step.coupon_percent)},
        )
        # The one change a published step takes: the promotion its percent asked for, made once.
        JourneyStep.objects.filter(pk=step.pk, promotion__isnull=True).update(promotion=promotion)


@transaction.atomic
def journey_version_publish(*, version: JourneyVersion) -> JourneyVersion:
    """Freeze a draft: new entries run on it, running enrollments finish on the version they entered."""
    if version.published_at is not None:
        raise Conflict(code="version_published", message=f"{version} is already published.")
    steps = list(version.steps.prefetch_related("step_templates"))
    if not steps:
        raise Conflict(code="version_empty", message=f"{version} has no steps.")
    problems = {f"steps.{step.position}": problem for step in steps if (problem := _incomplete(step))}
    if trigger_problem := _trigger_incomplete(version):
        problems["trigger"] = trigger_problem
    if problems:
        raise ValidationError(problems)
    JourneyVersion.objects.filter(pk=version.pk).update(published_at=timezone.now())
    version.refresh_from_db()
    return version


def _incomplete(step: JourneyStep) -> str:
    """What a step lacks to run, or ""."""
    if step.kind == StepKind.WAIT and not step.wait:
        return "A wait needs its duration."
    if step.kind == StepKind.WAIT_UNTIL and step.local_time is None:
        return "A wait until needs its local time."
    if step.kind == StepKind.SEND and not step.step_templates.all():
        return "A send needs at least one template."
    if step.kind == StepKind.BRANCH and not (
        (step.condition == Condition.IN_SEGMENT and step.condition_segment_id)
        or (step.condition == Condition.EVENT_HAPPENED and step.condition_event_type)
    ):
        return "A branch needs its condition: a segment, or an event type."
    if step.kind == StepKind.WAIT_EVENT and not (step.wait_event_type and step.wait):
        return "A wait for an event needs the event type and its timeout."
    if step.kind == StepKind.UPDATE_CUSTOMER and not (step.attribute_name or step.record_event_type):
        return "An update needs an attribute to set or an event to record."
    if step.else_position is not None and step.else_position <= step.position:
        return "A branch jumps forward only."
    return ""


def _trigger_incomplete(version: JourneyVersion) -> str:
    """What the version's trigger lacks, or ""."""
    if version.trigger == Trigger.NTH_ORDER and not version.order_number:
        return "An Nth-order trigger needs N (order_number)."
    if version.trigger == Trigger.CALENDAR:
        if not version.occasion:
            return "A calendar trigger needs its occasion: a holiday or retailer date such as Eid al-Fitr."
        if version.reentry != Reentry.PER_KEY:
            return "A calendar trigger comes every year: its re-entry is once per trigger key (the year)."
    return ""


@transaction.atomic
def journey_version_draft(*, journey: Journey) -> JourneyVersion:
    """A new draft copying the newest version and its steps, to edit and publish."""
    latest = journey.versions.order_by("-number").first()
    number = (journey.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    if latest is None:
        return JourneyVersion.objects.create(journey=journey, number=number)
    steps = list(latest.steps.prefetch_related("step_templates"))
    draft = latest
    draft.pk, draft.id, draft.number, draft.published_at, draft._state.adding = None, None, number, None, True
    draft.save()
    for step in steps:
        links = list(step.step_templates.all())
        step.pk, step.id, step.version, step._state.adding = None, None, draft, True
        step.save()
        JourneyStepTemplate.objects.bulk_create(
            JourneyStepTemplate(step=step, template_id=link.template_id, order=link.order) for link in links
        )
    return draft

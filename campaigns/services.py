"""Every write of campaigns but the launch's batches (campaigns/launch.py): definitions, approval, the
lifecycle's transitions and the minute tick that starts, ends and resumes campaigns."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audiences.currencies import CURRENCY_EXPONENTS, minor_unit_error
from campaigns import attribution, best_time, lifecycle, scheduling
from campaigns.models import Campaign, Variant
from campaigns.selectors import reference_zone
from campaigns.staged_test import staged_test_errors
from config.errors import Conflict
from messaging.models import Channel, TemplateKind
from messaging.services.dispatch_decisions import configured_policy
from messaging.services.holds import campaign_messages_drop, campaign_messages_hold, campaign_messages_release
from promotions.code_patterns import InvalidPattern, validate_pattern
from promotions.models import Promotion

PAUSED_REASON = "campaign_paused"
ENDED_REASON = "campaign_ended"
MAX_MONEY = Decimal("1e12")
SCALAR_FIELDS = (
    "name",
    "objective",
    "type",
    "starts_at",
    "ends_at",
    "send_mode",
    "best_hour_from",
    "best_hour_to",
    "best_hour_explore_percent",
    "best_hour_control_percent",
    "store_match",
    "channels",
    "consent_topic",
    "holdout_percent",
    "coupon_pattern",
    "currency",
    "budget",
    "budget_alert_percent",
    "price_per_email",
    "price_per_sms_segment",
    "price_per_whatsapp",
    "requires_approval",
    "click_window_hours",
    "receipt_window_hours",
    "receipt_channels",
    "test_percent",
    "test_wait_hours",
    "test_metric",
    "test_fallback",
)
RELATION_FIELDS = ("stores", "include_segments", "exclude_segments", "promotions")
# What may still change once a campaign has started.
LIVE_FIELDS = frozenset({"name", "ends_at", "budget", "budget_alert_percent"})


class TransitionConflict(Conflict):
    def __init__(self, refused: lifecycle.TransitionRefused, message: str | None = None):
        super().__init__(
            code="transition_not_allowed", message=message or str(refused), status=refused.status, action=refused.action
        )


def _transition(campaign: Campaign, action: str) -> str:
    try:
        return lifecycle.transition(campaign.status, action)
    except lifecycle.TransitionRefused as refused:
        raise TransitionConflict(refused) from None


def _best_hour_problems(campaign: Campaign) -> dict[str, list[str]]:
    problems = {}
    if not campaign.starts_at:
        problems["starts_at"] = ["Sending at each recipient's best hour needs the day and the control's hour."]
    quiet = configured_policy().quiet_hours
    if not best_time.allowed_hours(
        start=campaign.best_hour_from,
        end=campaign.best_hour_to,
        quiet=(quiet.start, quiet.end) if quiet else None,
    ):
        problems["best_hour_to"] = ["The window leaves no whole hour outside quiet hours."]
    for field in ("best_hour_explore_percent", "best_hour_control_percent"):
        if not 0 <= Decimal(getattr(campaign, field)) <= 50:
            problems[field] = ["From 0 to 50."]
    return problems


def campaign_validate(campaign: Campaign, variants: list[dict]) -> None:
    """Check a campaign and its variants before saving them; a ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    if campaign.currency not in CURRENCY_EXPONENTS:
        errors["currency"] = [f"Unknown currency '{campaign.currency}'."]
    for field in ("budget", "price_per_email", "price_per_sms_segment", "price_per_whatsapp"):
        amount = getattr(campaign, field)
        if amount is None:
            continue
        if not 0 <= amount <= MAX_MONEY:
            errors[field] = [f"Between 0 and {MAX_MONEY:,f}."]
        elif (
            field == "budget" and "currency" not in errors and (message := minor_unit_error(amount, campaign.currency))
        ):
            errors[field] = [message]
    if campaign.holdout_percent is None or not Decimal(0) <= Decimal(campaign.holdout_percent) < 100:
        errors["holdout_percent"] = ["From 0 (no holdout) to less than 100."]
    if campaign.budget_alert_percent is None or not 1 <= campaign.budget_alert_percent <= 100:
        errors["budget_alert_percent"] = ["From 1 to 100."]
    if campaign.starts_at and campaign.ends_at and campaign.ends_at <= campaign.starts_at:
        errors["ends_at"] = ["Must be after starts_at."]
    if campaign.send_mode == Campaign.SendMode.RECIPIENT_LOCAL_TIME and not campaign.starts_at:
        errors["starts_at"] = ["Sending at each recipient's local time needs the time: set starts_at."]
    if campaign.send_mode == Campaign.SendMode.BEST_HOUR:
        errors.update(_best_hour_problems(campaign))
    channels = campaign.channels
    if not isinstance(channels, list) or not all(channel in Channel.values for channel in channels):
        errors["channels"] = [f"A list of: {', '.join(Channel.values)}."]
    for field in ("click_window_hours", "receipt_window_hours"):
        hours = getattr(campaign, field)
        if not isinstance(hours, int) or not 0 <= hours <= attribution.MAX_WINDOW_HOURS:
            errors[field] = [f"Whole hours from 0 to {attribution.MAX_WINDOW_HOURS} (30 days)."]
    receipt = campaign.receipt_channels
    if not isinstance(receipt, list) or not all(channel in Channel.values for channel in receipt):
        errors["receipt_channels"] = [f"A list of: {', '.join(Channel.values)} (empty: no receipt credit)."]
    if campaign.coupon_pattern:
        try:
            campaign.coupon_pattern = validate_pattern(campaign.coupon_pattern)
        except InvalidPattern as exc:
            errors["coupon_pattern"] = [str(exc)]
    errors.update(_variant_errors(campaign, variants))
    errors.update(
        staged_test_errors(
            test_percent=campaign.test_percent,
            holdout_percent=campaign.holdout_percent,
            wait_hours=campaign.test_wait_hours,
            metric=campaign.test_metric,
            fallback=campaign.test_fallback,
            variant_weights=[(variant.get("name"), variant.get("weight", 1)) for variant in variants],
            broadcast=campaign.type == Campaign.Type.BROADCAST,
        )
    )
    if errors:
        raise ValidationError(errors)


def _variant_errors(campaign: Campaign, variants: list[dict]) -> dict[str, list[str]]:
    problems: list[str] = []
    names = [variant.get("name") for variant in variants]
    if len(set(names)) != len(names):
        problems.append("Each variant needs its own name.")
    for variant in variants:
        label = f"Variant '{variant.get('name')}'"
        template, promotion = variant.get("template"), variant.get("promotion")
        if not isinstance(variant.get("weight", 1), int) or variant.get("weight", 1) < 1:
            problems.append(f"{label}: the weight is a whole number of at least 1.")
        if campaign.type == Campaign.Type.BROADCAST:
            if template is None:
                problems.append(f"{label}: a broadcast variant needs a template.")
            elif template.kind != TemplateKind.MARKETING:
                problems.append(f"{label}: the template '{template.code}' is transactional; campaigns send marketing.")
            elif template.topic != campaign.consent_topic:
                problems.append(
                    f"{label}: the template '{template.code}' asks for {template.topic} consent, "
                    f"the campaign for {campaign.consent_topic}."
                )
            elif (
                isinstance(campaign.channels, list) and campaign.channels and template.channel not in campaign.channels
            ):
                problems.append(f"{label}: the template's channel {template.channel} is not one of the campaign's.")
        if campaign.coupon_pattern and promotion is None:
            problems.append(f"{label}: unique coupons need the variant's promotion.")
        if promotion is not None and campaign.coupon_pattern and promotion.trigger != Promotion.Trigger.CODE:
            problems.append(f"{label}: the promotion '{promotion.name}' is not triggered by a code.")
    if campaign.type == Campaign.Type.BROADCAST and not variants:
        problems.append("A broadcast needs at least one variant with a template.")
    return {"variants": problems} if problems else {}


def _variants_write(campaign: Campaign, variants: list[dict]) -> None:
    """Replace the variants (only before launch: none is assigned yet)."""
    campaign.variants.all().delete()
    Variant.objects.bulk_create(
        Variant(
            campaign=campaign,
            name=variant["name"],
            weight=variant.get("weight", 1),
            template=variant.get("template"),
            promotion=variant.get("promotion"),
        )
        for variant in variants
    )


def _default_variants(campaign: Campaign, variants: list[dict] | None) -> list[dict]:
    if variants:
        return variants
    if campaign.type == Campaign.Type.PROMOTION_ONLY:
        return [{"name": "A", "weight": 1}]
    return []


def _channels_of(campaign: Campaign, variants: list[dict]) -> None:
    if not campaign.channels:
        campaign.channels = sorted({v["template"].channel for v in variants if v.get("template") is not None})


@transaction.atomic
def campaign_create(*, created_by=None, variants: list[dict] | None = None, **fields) -> Campaign:
    relations = {name: fields.pop(name) for name in RELATION_FIELDS if name in fields}
    campaign = Campaign(created_by=created_by, **fields)
    variants = _default_variants(campaign, variants)
    campaign_validate(campaign, variants)
    _channels_of(campaign, variants)
    campaign.save()
    for name, values in relations.items():
        getattr(campaign, name).set(values)
    _variants_write(campaign, variants)
    return campaign


def _variant_dicts(campaign: Campaign) -> list[dict]:
    return [
        {"name": v.name, "weight": v.weight, "template": v.template, "promotion": v.promotion}
        for v in campaign.variants.select_related("template", "promotion")
    ]


@transaction.atomic
def campaign_update(*, campaign: Campaign, variants: list[dict] | None = None, **fields) -> Campaign:
    """Change the fields given. Before the start anything may change (and approval must be given again);
    once started only the name, the end and the budget."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changed = set(fields) | ({"variants"} if variants is not None else set())
    if campaign.status not in lifecycle.EDITABLE and not changed <= LIVE_FIELDS:
        raise Conflict(
            code="not_editable",
            message=f"A {campaign.status} campaign can only change its {', '.join(sorted(LIVE_FIELDS))}; "
            f"not {', '.join(sorted(changed - LIVE_FIELDS))}.",
            status=campaign.status,
        )
    relations = {name: fields.pop(name) for name in RELATION_FIELDS if name in fields}
    for name, value in fields.items():
        setattr(campaign, name, value)
    variant_list = variants if variants is not None else _variant_dicts(campaign)
    campaign_validate(campaign, variant_list)
    if variants is not None:
        _channels_of(campaign, variants)
    if campaign.status in lifecycle.EDITABLE and changed - {"name"}:
        campaign.approved_at, campaign.approved_by = None, None
    if campaign.status == Campaign.Status.SCHEDULED and campaign.requires_approval and not campaign.approved:
        # What was approved is no longer what would start: back to draft, to be approved and launched again.
        campaign.status = _transition(campaign, "unschedule")
    campaign.save()
    for name, values in relations.items():
        getattr(campaign, name).set(values)
    if variants is not None:
        _variants_write(campaign, variants)
    return campaign


@transaction.atomic
def campaign_approve(*, campaign: Campaign, user) -> Campaign:
    if not user.has_perm("campaigns.approve_campaign"):
        raise PermissionDenied("Approving a campaign needs the 'Can approve a campaign' permission.")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in lifecycle.EDITABLE:
        raise Conflict(
            code="not_approvable",
            message=f"Only a draft or scheduled campaign is approved; this one is {campaign.status}.",
            status=campaign.status,
        )
    campaign.approved_by, campaign.approved_at = user, timezone.now()
    campaign.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return campaign


def _launch_start(campaign: Campaign, now: datetime) -> None:
    campaign.status = _transition(campaign, "start")
    campaign.launch_started_at = campaign.launch_touched_at = now
    campaign.save(update_fields=["status", "launch_started_at", "launch_touched_at", "updated_at"])
    _launch_enqueue(campaign.pk)


def _launch_enqueue(campaign_id: int) -> None:
    from campaigns.tasks import campaign_launch_task  # tasks call services: imported here, not at the top

    transaction.on_commit(lambda: campaign_launch_task.delay(campaign_id))


def _remainder_enqueue(campaign_id: int) -> None:
    from campaigns.tasks import campaign_remainder_task  # as above

    transaction.on_commit(lambda: campaign_remainder_task.delay(campaign_id))


def launch_moment(campaign: Campaign) -> datetime | None:
    if campaign.starts_at is None:
        return None
    return scheduling.launch_moment(
        mode=campaign.send_mode, starts_at=campaign.starts_at, reference_zone=reference_zone(campaign)
    )


@transaction.atomic
def campaign_launch(*, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Schedule it (a start in the future) or start it now; refused without a needed approval."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise TransitionConflict(
            lifecycle.TransitionRefused("launch", campaign.status),
            f"Only a draft campaign can be launched; this one is {campaign.status}.",
        )
    if campaign.requires_approval and not campaign.approved:
        raise Conflict(
            code="approval_required",
            message="This campaign must be approved (by a user allowed to approve campaigns) before it is launched.",
            status=campaign.status,
        )
    if campaign.ends_at is not None and campaign.ends_at <= now:
        raise Conflict(
            code="window_passed", message="Its window has already ended: move ends_at.", status=campaign.status
        )
    campaign_validate(campaign, _variant_dicts(campaign))
    moment = launch_moment(campaign)
    if moment is not None and moment > now:
        campaign.status = _transition(campaign, "schedule")
        campaign.save(update_fields=["status", "updated_at"])
    else:
        _launch_start(campaign, now)
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign) -> Campaign:
    """Stop queueing and hold its messages not yet sent."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.status = _transition(campaign, "pause")
    campaign.save(update_fields=["status", "updated_at"])
    campaign_messages_hold(campaign_id=campaign.pk, reason=PAUSED_REASON)
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, now: datetime | None = None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.status = _transition(campaign, "resume")
    campaign.save(update_fields=["status", "updated_at"])
    campaign_messages_release(campaign_id=campaign.pk, reason=PAUSED_REASON, at=now or timezone.now())
    if campaign.launch_running:
        _launch_enqueue(campaign.pk)
    return campaign


@transaction.atomic
def campaign_archive(*, campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign.status = _transition(campaign, "archive")
    campaign.save(update_fields=["status", "updated_at"])
    return campaign


@transaction.atomic
def campaign_duplicate(*, campaign: Campaign, created_by=None) -> Campaign:
    """A draft copy with the same audience, variants and budget, a new salt and no schedule."""
    fields = {name: getattr(campaign, name) for name in SCALAR_FIELDS}
    fields.update(name=f"{campaign.name} (copy)"[:200], starts_at=None, ends_at=None)
    relations = {name: list(getattr(campaign, name).all()) for name in RELATION_FIELDS}
    return campaign_create(created_by=created_by, variants=_variant_dicts(campaign), **fields, **relations)


def campaigns_lifecycle_advance(*, now: datetime | None = None) -> dict[str, int]:
    """The minute tick: start due campaigns, end or expire those whose window passed, resume stalled
    launches. Each campaign in its own transaction, re-read under its lock: safe to run twice or at once."""
    now = now or timezone.now()
    done = {"started": 0, "expired": 0, "completed": 0, "resumed": 0, "released": 0}
    for campaign_id in Campaign.objects.filter(status=Campaign.Status.SCHEDULED).values_list("pk", flat=True):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
            if campaign.status != Campaign.Status.SCHEDULED:
                continue
            if campaign.ends_at is not None and campaign.ends_at <= now:
                campaign.status = _transition(campaign, "expire")
                campaign.save(update_fields=["status", "updated_at"])
                done["expired"] += 1
            elif (launch_moment(campaign) or now) <= now:
                _launch_start(campaign, now)
                done["started"] += 1
    live = (Campaign.Status.RUNNING, Campaign.Status.PAUSED)
    for campaign_id in Campaign.objects.filter(status__in=live, ends_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
            if campaign.status not in live or campaign.ends_at > now:
                continue
            campaign.status = _transition(campaign, "complete")
            campaign.launch_finished_at = campaign.launch_finished_at or now
            campaign.save(update_fields=["status", "launch_finished_at", "updated_at"])
            campaign_messages_drop(campaign_id=campaign.pk, reason=ENDED_REASON)
            done["completed"] += 1
    stale = now - timedelta(seconds=settings.CAMPAIGN_LAUNCH_STALE_SECONDS)
    for campaign_id in Campaign.objects.filter(
        status=Campaign.Status.RUNNING,
        launch_started_at__isnull=False,
        launch_finished_at__isnull=True,
        launch_touched_at__lt=stale,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # Touched now, so the next tick waits for this run before sending another.
            Campaign.objects.filter(pk=campaign_id).update(launch_touched_at=now)
            _launch_enqueue(campaign_id)
        done["resumed"] += 1
    # Staged tests whose wait is over: decide and send the winner to the rest (again if a worker died).
    for campaign_id in Campaign.objects.filter(
        Q(remainder_touched_at__isnull=True) | Q(remainder_touched_at__lt=stale),
        status=Campaign.Status.RUNNING,
        test_decide_at__lte=now,
        remainder_finished_at__isnull=True,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            Campaign.objects.filter(pk=campaign_id).update(remainder_touched_at=now)
            _remainder_enqueue(campaign_id)
        done["released"] += 1
    return done

"""Journeys: triggered automations. A journey has versions; a published version is frozen and its
enrollments run on it to the end. Each enrollment's next step is a StepRun row with `run_at`."""

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from audiences.models import Customer, Segment
from config.errors import Conflict
from config.roles import KEPT_FOR_THE_RECORD
from messaging.models import Template
from promotions.models import Promotion

# What campaigns/models.py re-exports, so Django finds the models in the campaigns app.
__all__ = [
    "Condition",
    "Enrollment",
    "Journey",
    "JourneyStep",
    "JourneyStepTemplate",
    "JourneyVersion",
    "OnEvent",
    "Reentry",
    "StepKind",
    "StepRun",
    "Trigger",
]


def journey_salt() -> str:
    return secrets.token_hex(8)


class Journey(models.Model):
    code = models.SlugField(max_length=64, unique=True, help_text="Stable: the API and reports name it.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=False, help_text="Off: nobody enters; running enrollments still finish.")
    holdout_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="Share of entries kept out (sent nothing) so the journey reports its lift.",
    )
    salt = models.CharField(max_length=32, default=journey_salt, editable=False)
    predefined = models.BooleanField(default=False, help_text="Installed with the engine; still editable.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Trigger(models.TextChoices):
    EVENT = "event", "An event (with property filters)"
    SEGMENT_ENTERED = "segment_entered", "Entering a segment"
    SEGMENT_EXITED = "segment_exited", "Leaving a segment"
    DATE = "date", "A date of the customer, with an offset"
    CALENDAR = "calendar", "A holiday or retailer date of the customer's store, with an offset (yearly)"
    NTH_ORDER = "nth_order", "The customer's Nth order (or Nth event of a type, such as a visit)"
    FREQUENCY_DROP = "frequency_drop", "Purchase frequency dropping (daily)"
    SPEND_DECREASE = "spend_decrease", "Spend decreasing (daily)"
    NO_ENGAGEMENT = "no_engagement", "No open or click for a while (daily)"


class Reentry(models.TextChoices):
    ONCE = "once", "Once ever"
    COOLDOWN = "cooldown", "Again after a cooldown"
    PER_KEY = "per_key", "Once per trigger key (cart, order, year)"


class JourneyVersion(models.Model):
    """What the journey does. Published versions are immutable: an edit makes a new draft version."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty: a draft nobody enters.")
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.EVENT)
    event_type = models.CharField(max_length=64, blank=True, help_text="For an event trigger, e.g. cart_updated.")
    event_filters = models.JSONField(
        default=dict, blank=True, help_text='Properties the event must have, e.g. {"channel": "web"}.'
    )
    key_property = models.CharField(
        max_length=64, blank=True, help_text="The event property that keys an entry (cart_id); per-key re-entry."
    )
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    date_field = models.CharField(
        max_length=64,
        blank=True,
        help_text="birth_date or signed_up_at (yearly), attributes.<name> (an ISO date, once), or an owned vehicle's "
        "vehicle.next_service_due or vehicle.warranty_ends (once per vehicle and date).",
    )
    offset_days = models.IntegerField(default=0, help_text="-3: three days before the date.")
    occasion = models.CharField(
        max_length=100,
        blank=True,
        help_text="For a calendar trigger: a public holiday of the store's country or a retailer date (Eid al-Fitr, "
        "Pohela Boishakh sale); the offset counts from its first day.",
    )
    order_number = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For an Nth-order trigger: N (10: the tenth). With an event type, the Nth such event (a visit).",
    )
    gap_factor = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For a frequency drop: enter when the time since the last order passes this many times the "
        "customer's median gap between orders (2: twice as long as usual).",
    )
    spend_drop_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="For a spend decrease: the last 90 days' spend at least this % below the 90 days before.",
    )
    lapsed_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="For no engagement: messaged, but no open or click in this many days.",
    )
    reentry = models.CharField(max_length=16, choices=Reentry.choices, default=Reentry.ONCE)
    cooldown_days = models.PositiveIntegerField(default=0)
    exit_on_segment_exit = models.BooleanField(
        default=False, help_text="Leaving the trigger segment ejects; by default entry is a snapshot."
    )
    goal_event_type = models.CharField(
        max_length=64, blank=True, help_text="An event (or order_placed) that exits as a conversion."
    )
    goal_matches_key = models.BooleanField(
        default=False, help_text="The goal must carry the entry's key (the order of that cart)."
    )
    goal_window_days = models.PositiveIntegerField(default=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["journey", "-number"]
        constraints = [models.UniqueConstraint(fields=["journey", "number"], name="journey_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.journey.code} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and JourneyVersion.objects.filter(pk=self.pk, published_at__isnull=False).exists():
            raise Conflict(code="version_published", message="A published version cannot change; edit a new one.")
        super().save(*args, **kwargs)


class StepKind(models.TextChoices):
    WAIT = "wait", "Wait a duration"
    WAIT_UNTIL = "wait_until", "Wait until a local time"
    SEND = "send", "Send a template"
    BRANCH = "branch", "Branch on a condition"
    WAIT_EVENT = "wait_event", "Wait for an event, with a timeout"
    UPDATE_CUSTOMER = "update_customer", "Update an attribute, record an event"
    NOTIFY_STAFF = "notify_staff", "Notify the store's staff"


class OnEvent(models.TextChoices):
    CONTINUE = "continue", "Go on to the next step"
    EXIT = "exit", "Leave the journey"


class Condition(models.TextChoices):
    IN_SEGMENT = "in_segment", "Is in the segment"
    EVENT_HAPPENED = "event_happened", "Had the event since entering"


class JourneyStep(models.Model):
    """One step; steps run in `position` order, a branch may jump."""

    version = models.ForeignKey(JourneyVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    wait = models.DurationField(null=True, blank=True, help_text="For a wait: how long, e.g. 1:00:00.")
    local_time = models.TimeField(null=True, blank=True, help_text="For wait until: the customer's local time.")
    next_day = models.BooleanField(default=False, help_text="For wait until: never today, from tomorrow.")
    best_hour_until = models.TimeField(
        null=True,
        blank=True,
        help_text="For wait until: the customer's best hour from the local time to this one (their clicks, reads, "
        "orders and visits); empty: the local time itself.",
    )
    templates = models.ManyToManyField(
        Template, through="JourneyStepTemplate", blank=True, related_name="+", help_text="In fallback order."
    )
    promotion = models.ForeignKey(
        Promotion, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Issue a unique code."
    )
    coupon_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Without a promotion: switching the journey on makes a code-only promotion of this percent off.",
    )
    coupon_pattern = models.CharField(max_length=64, blank=True, default="J-####-####")
    condition = models.CharField(max_length=16, choices=Condition.choices, blank=True)
    condition_segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    condition_event_type = models.CharField(max_length=64, blank=True)
    else_position = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="For a branch: the step to go to when the condition is false; empty: exit. "
        "For a wait for an event: the step to go to on the timeout; empty: the next step.",
    )
    wait_event_type = models.CharField(
        max_length=64,
        blank=True,
        help_text="For a wait for an event: the event, e.g. checkout_started; `wait` is the timeout.",
    )
    wait_matches_key = models.BooleanField(
        default=False, help_text="For a wait for an event: it must carry the entry's key (the same cart)."
    )
    on_event = models.CharField(
        max_length=16, choices=OnEvent.choices, default=OnEvent.CONTINUE, help_text="For a wait for an event."
    )
    fallback_after = models.DurationField(
        null=True,
        blank=True,
        help_text="For a send: when the message is not read (opened or clicked) within this time, send the next "
        "template's channel. Empty: the next channel is used only when the first cannot reach the customer.",
    )
    attribute_name = models.CharField(
        max_length=64, blank=True, help_text="For an update: the customer attribute to set, e.g. vip_since."
    )
    attribute_value = models.JSONField(
        null=True, blank=True, help_text='For an update: its value (JSON); "$today" sets today\'s date.'
    )
    record_event_type = models.CharField(
        max_length=64, blank=True, help_text="For an update: an event to record on the customer, e.g. vip_welcomed."
    )
    staff_subject = models.CharField(
        max_length=200, blank=True, help_text="For a staff notification: the email's subject."
    )
    service_target = models.DurationField(
        null=True, blank=True, help_text="For a staff notification: how soon staff should act (2:00:00)."
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="journey_step_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if JourneyVersion.objects.filter(pk=self.version_id, published_at__isnull=False).exists():
            raise Conflict(code="version_published", message="A published version's steps cannot change.")
        super().save(*args, **kwargs)

    def clean(self):
        if self.else_position is not None and self.else_position <= self.position:
            raise ValidationError({"else_position": "A branch jumps forward only: give a later position."})


class JourneyStepTemplate(models.Model):
    step = models.ForeignKey(JourneyStep, on_delete=models.CASCADE, related_name="step_templates")
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=1, help_text="1 first; the next when its channel may not send.")

    class Meta:
        ordering = ["step", "order"]
        constraints = [models.UniqueConstraint(fields=["step", "order"], name="journey_step_template_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.template_id}"


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CONVERTED = "converted", "Converted (goal reached)"
        EXITED = "exited", "Exited"
        HOLDOUT = "holdout", "Holdout (sent nothing)"

    version = models.ForeignKey(JourneyVersion, on_delete=models.PROTECT, related_name="enrollments")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    trigger_key = models.CharField(max_length=128, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    exit_reason = models.CharField(max_length=32, blank=True)
    bucket = models.PositiveSmallIntegerField()
    snapshot = models.JSONField(default=dict, blank=True, help_text="The trigger's facts at entry.")
    entered_at = models.DateTimeField()
    goal_deadline = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["-entered_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "customer", "trigger_key"], name="enrollment_unique_entry")
        ]
        indexes = [models.Index(fields=["customer", "status"], name="enrollment_customer_status")]

    def __str__(self) -> str:
        return f"{self.version} / {self.customer_id} [{self.trigger_key}] ({self.status})"


class StepRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="step_runs")
    position = models.PositiveSmallIntegerField()
    attempt = models.PositiveSmallIntegerField(default=1)
    run_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=64, blank=True)
    message_key = models.CharField(max_length=200, blank=True, help_text="The outbox message it queued.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["enrollment", "position", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "position", "attempt"], name="step_run_unique_attempt")
        ]
        indexes = [models.Index(fields=["run_at", "id"], name="step_run_due", condition=Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.enrollment_id} step {self.position} #{self.attempt} ({self.status})"

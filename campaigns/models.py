"""Campaigns, their variants, and the frozen assignment of each customer to a variant or the holdout."""

import secrets
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from audiences.currencies import CURRENCY_CHOICES
from audiences.models import MONEY, ConsentTopic, Customer, Segment, Store
from campaigns import attribution, lifecycle, scheduling
from campaigns.staged_test import Fallback
from messaging.models import Channel, Template
from promotions.models import Promotion


def new_salt() -> str:
    return secrets.token_hex(8)


def default_email_price():
    return Decimal(settings.CAMPAIGN_PRICES["email"])


def default_sms_segment_price():
    return Decimal(settings.CAMPAIGN_PRICES["sms_segment"])


def default_whatsapp_price():
    return Decimal(settings.CAMPAIGN_PRICES["whatsapp"])


def default_receipt_channels() -> list[str]:
    """Every channel but email: an email sits in an inbox whether or not anyone reads it."""
    return [channel for channel in Channel.values if channel != Channel.EMAIL]


WINDOW_HOURS = [MinValueValidator(0), MaxValueValidator(attribution.MAX_WINDOW_HOURS)]


class TestMetric(models.TextChoices):
    CLICK = "click", "Click rate"
    CONVERSION = "conversion", "Conversion rate"


class TestFallback(models.TextChoices):
    FIRST_VARIANT = Fallback.FIRST_VARIANT, "The first variant (the control)"
    BEST_OBSERVED = Fallback.BEST_OBSERVED, "The variant ahead, significant or not"
    NOTHING = Fallback.NOTHING, "Nothing"


class StoreMatch(models.TextChoices):
    HOME = "home", "Home store"
    NEAREST = "nearest", "Nearest store (the customer's location)"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = lifecycle.DRAFT, "Draft"
        SCHEDULED = lifecycle.SCHEDULED, "Scheduled"
        RUNNING = lifecycle.RUNNING, "Running"
        PAUSED = lifecycle.PAUSED, "Paused"
        COMPLETED = lifecycle.COMPLETED, "Completed"
        EXPIRED = lifecycle.EXPIRED, "Expired (its window passed unsent)"
        ARCHIVED = lifecycle.ARCHIVED, "Archived"

    class Type(models.TextChoices):
        BROADCAST = "broadcast", "Broadcast (messages)"
        PROMOTION_ONLY = "promotion_only", "Promotion only (no messages)"

    class Objective(models.TextChoices):
        AWARENESS = "awareness", "Awareness"
        ACQUISITION = "acquisition", "Acquisition"
        CONVERSION = "conversion", "Conversion"
        RETENTION = "retention", "Retention"
        REACTIVATION = "reactivation", "Reactivation"
        LOYALTY = "loyalty", "Loyalty"
        CLEARANCE = "clearance", "Clearance"

    class SendMode(models.TextChoices):
        AT_TIME = scheduling.AT_TIME, "At one moment (the store's zone)"
        RECIPIENT_LOCAL_TIME = scheduling.RECIPIENT_LOCAL_TIME, "At that hour in each recipient's zone"
        BEST_HOUR = scheduling.BEST_HOUR, "At each recipient's best hour within the window (their zone)"

    name = models.CharField(max_length=200)
    objective = models.CharField(max_length=32, choices=Objective.choices, default=Objective.CONVERSION)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.BROADCAST)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: launching starts it at once.")
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="The end of its window: a running campaign completes, an unsent one expires."
    )
    send_mode = models.CharField(max_length=24, choices=SendMode.choices, default=SendMode.AT_TIME)
    best_hour_from = models.TimeField(
        default=time(9), help_text="Best hour: the window's first local hour (quiet hours still apply)."
    )
    best_hour_to = models.TimeField(default=time(21), help_text="Best hour: the window's end, exclusive.")
    best_hour_explore_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="Best hour: the share sent at a random hour of the window, so every hour keeps being tried.",
    )
    best_hour_control_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="Best hour: the share sent at the start's local hour instead, to measure the gain.",
    )
    stores = models.ManyToManyField(Store, blank=True, related_name="+", help_text="Empty: customers of every store.")
    store_match = models.CharField(
        max_length=8,
        choices=StoreMatch.choices,
        default=StoreMatch.HOME,
        help_text="Which customers are a store's: those whose home store it is, or those it is nearest to.",
    )
    channels = models.JSONField(default=list, blank=True, help_text="The channels its variants' templates use.")
    include_segments = models.ManyToManyField(
        Segment, blank=True, related_name="+", help_text="Members of any of these; empty: every customer."
    )
    exclude_segments = models.ManyToManyField(Segment, blank=True, related_name="+", help_text="... but none of these.")
    consent_topic = models.CharField(max_length=16, choices=ConsentTopic.choices, default=ConsentTopic.MARKETING)
    promotions = models.ManyToManyField(Promotion, blank=True, related_name="campaigns")
    holdout_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("99.99"))],
        help_text="The share kept as a control group that gets nothing; 0 measures no lift.",
    )
    salt = models.CharField(max_length=32, default=new_salt, editable=False)
    # A staged test: the variants go to test_percent of the audience first, the winner to the rest later.
    test_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99.99"))],
        help_text="Set (e.g. 20) to send the variants to this share first, then the winner to the rest; "
        "empty: every variant to everyone treated at once.",
    )
    test_wait_hours = models.PositiveIntegerField(
        default=24, validators=[MaxValueValidator(24 * 60)], help_text="How long after the test is queued to decide."
    )
    test_metric = models.CharField(max_length=16, choices=TestMetric.choices, default=TestMetric.CLICK)
    test_fallback = models.CharField(
        max_length=16,
        choices=TestFallback.choices,
        default=TestFallback.FIRST_VARIANT,
        help_text="What the rest gets when the wait ends without a significant winner.",
    )
    test_decide_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_winner = models.ForeignKey(
        "Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    test_outcome = models.CharField(max_length=16, blank=True, editable=False, help_text="winner or fallback.")
    test_decision = models.TextField(blank=True, editable=False, help_text="Why that variant (or none) was sent.")
    remainder_cursor = models.BigIntegerField(default=0, editable=False, help_text="The last customer id released.")
    remainder_touched_at = models.DateTimeField(null=True, blank=True, editable=False)
    remainder_finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    remainder_queued = models.PositiveIntegerField(default=0, editable=False)
    coupon_pattern = models.CharField(
        max_length=64,
        blank=True,
        help_text="Set (e.g. WB-####-####) to give each recipient a unique code of their variant's promotion.",
    )
    # Budget: sending cost plus the discounts of its promotions.
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="BDT")
    budget = models.DecimalField(**MONEY, null=True, blank=True, help_text="Empty: no cap.")
    budget_alert_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    price_per_email = models.DecimalField(**MONEY, default=default_email_price)
    price_per_sms_segment = models.DecimalField(**MONEY, default=default_sms_segment_price)
    price_per_whatsapp = models.DecimalField(**MONEY, default=default_whatsapp_price)
    sending_cost = models.DecimalField(**MONEY, default=0, editable=False, help_text="Of the messages queued.")
    budget_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    budget_exhausted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Approval: with it required, only a user with campaigns.approve_campaign can let it be scheduled.
    requires_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Launch progress: the slices' keyset cursors (LaunchSlice) make it resumable; counters are written with each batch.
    launch_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    launch_touched_at = models.DateTimeField(null=True, blank=True, editable=False)
    launch_finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    frozen = models.PositiveIntegerField(default=0, editable=False)
    held_out = models.PositiveIntegerField(default=0, editable=False)
    queued = models.PositiveIntegerField(default=0, editable=False)
    skipped = models.JSONField(default=dict, blank=True, editable=False, help_text="Treated, not queued: per reason.")
    holdout_skipped = models.JSONField(
        default=dict, blank=True, editable=False, help_text="Holdout members who would have been skipped, per reason."
    )
    # Attribution: how long after a touch of this campaign an order is still credited to it (campaigns/attribution.py).
    click_window_hours = models.PositiveIntegerField(
        default=120, validators=WINDOW_HOURS, help_text="After a click of its message (hours; 120 = 5 days)."
    )
    receipt_window_hours = models.PositiveIntegerField(
        default=24, validators=WINDOW_HOURS, help_text="After its message was received, without a click (hours)."
    )
    receipt_channels = models.JSONField(
        default=default_receipt_channels,
        blank=True,
        help_text="Channels whose received messages earn credit without a click (email is off by default).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("approve_campaign", "Can approve a campaign for scheduling")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="campaign_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(holdout_percent__gte=0) & Q(holdout_percent__lt=100), name="campaign_holdout_share"
            ),
            models.CheckConstraint(condition=Q(sending_cost__gte=0), name="campaign_sending_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def approved(self) -> bool:
        return self.approved_at is not None

    @property
    def launch_running(self) -> bool:
        return self.launch_started_at is not None and self.launch_finished_at is None

    @property
    def attribution_windows(self) -> attribution.Windows:
        return attribution.windows_from_hours(
            click_hours=self.click_window_hours,
            receipt_hours=self.receipt_window_hours,
            receipt_channels=self.receipt_channels,
            channels=Channel.values,
        )

    @property
    def staged(self) -> bool:
        return self.test_percent is not None


class LaunchSlice(models.Model):
    """A range of customer ids of a launch, frozen batch by batch after its own keyset cursor.

    Slices are disjoint, so workers launch them at once without meeting; each batch moves its slice's cursor in
    the transaction that writes its assignments and messages, so a slice resumes where its last batch committed.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="launch_slices")
    number = models.PositiveSmallIntegerField()
    cursor = models.BigIntegerField(help_text="The last customer id frozen (at first, the id before the range).")
    last_id = models.BigIntegerField(null=True, blank=True, help_text="The range's last customer id; none: no end.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="launch_slice_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} slice {self.number}"


class Variant(models.Model):
    """One version of the message (and optionally of the offer); weights split the treated customers."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=32)
    weight = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    promotion = models.ForeignKey(
        Promotion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The offer of this variant; with the campaign's coupon pattern each recipient gets a code of it.",
    )

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="variant_unique_name"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="variant_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.name}"


class Assignment(models.Model):
    """The frozen audience: one row per (campaign, customer), its bucket, its arm and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued to the outbox"
        ASSIGNED = "assigned", "Assigned (promotion only: nothing to send)"
        SKIPPED = "skipped", "Skipped"
        HOLDOUT = "holdout", "Holdout (gets nothing)"
        REMAINDER = "remainder", "Waiting for the staged test's winner"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="campaign_assignments")
    bucket = models.PositiveSmallIntegerField()
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(
        max_length=32,
        blank=True,
        help_text="Why it was skipped, or for the holdout why it would have been (consent, caps, quiet hours).",
    )
    coupon_code = models.CharField(max_length=64, blank=True)
    send_time_arm = models.CharField(
        max_length=8, blank=True, help_text="Best-hour campaigns: best, explore or control (campaigns/best_time.py)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="assignment_once_per_customer"),
            models.CheckConstraint(
                condition=Q(status__in=["holdout", "remainder"], variant__isnull=True)
                | (~Q(status__in=["holdout", "remainder"]) & Q(variant__isnull=False)),
                name="assignment_only_holdout_and_remainder_lack_a_variant",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "variant", "status"], name="assignment_results"),
            # An order's coupon names its campaign, also for anonymous orders (no customer to start from).
            models.Index(fields=["coupon_code"], name="assignment_coupon", condition=~Q(coupon_code="")),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.campaign_id}: {self.variant_id or 'holdout'} ({self.status})"


class Conversion(models.Model):
    """An order's credit to a campaign under one attribution model, worked out from the raw touches.

    Written with the order under every model, and rewritten whenever a touch before it arrives late
    (campaigns/conversions.py), so a report in any model is a `GROUP BY`, never a replay of touches. The order's
    `attributed_campaign` is its last-touch row's campaign.
    """

    class Model(models.TextChoices):
        LAST_TOUCH = "last_touch", "Last touch"
        FIRST_TOUCH = "first_touch", "First touch"
        LINEAR = "linear", "Linear"

    class Basis(models.TextChoices):
        COUPON = "coupon", "Its coupon was redeemed"
        CLICK = "click", "A click in the click window"
        RECEIPT = "receipt", "A message received in the receipt window"

    order = models.ForeignKey("audiences.Order", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conversions", db_index=False)
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=16, choices=Model.choices)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    weight = models.DecimalField(max_digits=7, decimal_places=6, help_text="The order's share; 1 but for linear.")
    revenue = models.DecimalField(**MONEY, help_text="The order's total times its share, to the cent.")
    placed_at = models.DateTimeField()
    in_store = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "campaign", "model"], name="conversion_once_per_model"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=1), name="conversion_weight_share"),
        ]
        indexes = [models.Index(fields=["campaign", "model", "variant"], name="conversion_results")]

    def __str__(self) -> str:
        return f"order {self.order_id} to {self.campaign_id} ({self.model}: {self.weight})"


class ConversionEvent(models.Model):
    """`campaign_converted`, recorded once per (campaign, order): when the order is first credited to the campaign
    under last touch, at the order or later (a late touch). The unique pair makes retries and concurrent credits
    record it, and send the signal, once; a cancelled order keeps it (it did convert, then was cancelled)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conversion_events", db_index=False)
    order = models.ForeignKey("audiences.Order", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    variant = models.CharField(max_length=32, blank=True, help_text="The customer's variant; empty: not assigned.")
    basis = models.CharField(max_length=16, choices=Conversion.Basis.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "order"], name="conversion_event_once")]

    def __str__(self) -> str:
        return f"order {self.order_id} converted for {self.campaign_id}"


from campaigns.journeys.models import *  # noqa: E402, F403  (journeys live in their own package)
from campaigns.leads.models import *  # noqa: E402, F403  (leads live in their own package)

"""Promotions, their codes, the redemption ledger and the counters that make limits exact.

Counters (`used`, `budget_spent`) live on the rows they limit and are only ever changed by
conditional UPDATEs inside the order's transaction; the check constraints below are the last
line of defence should any code path forget.
"""

from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from audiences.currencies import CURRENCY_CHOICES
from audiences.models import MONEY, Customer, Order
from config.roles import KEPT_FOR_THE_RECORD
from promotions.engine import types as engine

WITHIN_USAGE_LIMIT = Q(usage_limit__isnull=True) | Q(used__lte=F("usage_limit"))


# What a marketer sets on a promotion (the API, the admin and the services agree on it).
PROMOTION_FIELDS = (
    "name",
    "status",
    "trigger",
    "code",
    "starts_at",
    "ends_at",
    "stores",
    "channels",
    "priority",
    "stacking",
    "currency",
    "usage_limit",
    "usage_limit_per_customer",
    "budget",
    "eligibility",
    "target",
    "reward",
)


def choices_of(values: type[StrEnum], qualname: str) -> type[models.TextChoices]:
    """Django choices with the members of a pure enum (labels from their names: DRAFT is "Draft")."""
    return models.TextChoices(qualname.rpartition(".")[2], [(m.name, m.value) for m in values],
                              module=__name__, qualname=qualname)  # fmt: skip


class Promotion(models.Model):
    # The engine's enums are the one definition of each; the model's choices are built from them.
    Status = choices_of(engine.PromotionStatus, "Promotion.Status")
    Trigger = choices_of(engine.Trigger, "Promotion.Trigger")
    Stacking = choices_of(engine.Stacking, "Promotion.Stacking")

    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.AUTOMATIC)
    code = models.CharField(max_length=64, blank=True, help_text="The shared code, if any (stored upper-case).")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    stores = models.JSONField(default=list, blank=True, help_text="Store codes; empty means every store.")
    channels = models.JSONField(default=list, blank=True, help_text="Channels; empty means every channel.")
    priority = models.IntegerField(default=0, help_text="Higher is considered first.")
    stacking = models.CharField(max_length=16, choices=Stacking.choices, default=Stacking.COMBINABLE)
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, blank=True, help_text="Empty: any currency, amounts in the cart's."
    )
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)
    budget = models.DecimalField(**MONEY, null=True, blank=True, help_text="Cap on the total discount it may give.")
    eligibility = models.JSONField(default=dict, blank=True)
    target = models.JSONField(default=dict, blank=True)
    reward = models.JSONField()
    reward_type = models.CharField(max_length=32, editable=False, db_index=True)
    used = models.PositiveIntegerField(default=0, editable=False)
    budget_spent = models.DecimalField(**MONEY, default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.CheckConstraint(condition=WITHIN_USAGE_LIMIT, name="promotion_used_within_limit"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget_spent__lte=F("budget")), name="promotion_within_budget"
            ),
            models.CheckConstraint(condition=Q(budget_spent__gte=0), name="promotion_budget_spent_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="promotion_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class PromotionCode(models.Model):
    """A code that triggers a promotion: the shared one, or one of many unique single-use codes.

    Codes are stored upper-case (a check constraint holds it), so the plain unique index makes
    them unique case-insensitively and a lookup is one index probe.
    """

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=64, unique=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the promotion's limits rule.")
    used = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("CodeGenerationJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the promotion's shared code was replaced or removed after it had been redeemed: it "
        "no longer triggers the promotion, and the ledger still names it.",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(code=Upper("code")), name="promotion_code_upper_case"),
            models.CheckConstraint(condition=WITHIN_USAGE_LIMIT, name="promotion_code_within_limit"),
        ]
        indexes = [models.Index(fields=["promotion", "id"], name="promotion_code_export")]

    def __str__(self):
        return self.code


class CustomerPromotionUsage(models.Model):
    """How many times a customer has redeemed a promotion (the per-customer limit's counter)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="customer_usages")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [
            models.UniqueConstraint(fields=["promotion", "customer"], name="customer_promotion_usage_unique"),
        ]
        indexes = [models.Index(fields=["customer", "promotion"], name="customer_promo_usage_lookup")]

    def __str__(self):
        return f"{self.customer_id} used {self.promotion_id} x{self.used}"


class Redemption(models.Model):
    """The ledger: one row per order and promotion applied to it. Released rows stay, marked."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELEASED = "released", "Released"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="redemptions")
    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="redemptions")
    code = models.ForeignKey(PromotionCode, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "promotion"], name="redemption_once_per_order_promotion"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="redemption_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["promotion", "status"], name="redemption_promotion_status")]

    def __str__(self):
        return f"{self.promotion_id} on {self.order_id}"


class OrderPricing(models.Model):
    """The answer given when the order was placed, replayed for a repeated `POST /orders`."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="pricing")
    response = models.JSONField()
    cancellation = models.JSONField(null=True, blank=True, help_text="The answer given when it was cancelled.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD

    def __str__(self):
        return f"pricing of {self.order_id}"


class CodeGenerationJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="code_jobs")
    pattern = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    generated = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.count:,} codes {self.pattern} for {self.promotion.name}"


class IndexVersion(models.Model):
    """One row that changes whenever a promotion changes: every process compares its `token` with
    the token of its compiled index and recompiles when they differ. A fresh random token, not
    just the counter, so that a rolled-back change can never make two different sets of
    promotions look like the same version."""

    version = models.BigIntegerField(default=0)
    token = models.CharField(max_length=32, default="")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"promotions version {self.version}"

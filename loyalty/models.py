"""Programs, tiers and the points ledger.

Points live in lots. Every change to a lot is an allocation row of the ledger entry that made it,
so a lot's `remaining` is the sum of its allocations, an entry's `points` is the sum of its
allocations less its `debt_change`, and a member's `debt` is the sum of their entries' `debt_change`
(docs/loyalty.md). Entries are never updated or deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from audiences.currencies import CURRENCY_CHOICES
from audiences.models import Category, Customer, Store
from config.roles import KEPT_FOR_THE_RECORD
from promotions.models import Promotion, PromotionCode


class Program(models.Model):
    class Rounding(models.TextChoices):
        DOWN = "down", "Down"
        HALF_UP = "half_up", "Half up"
        UP = "up", "Up"

    class Expiry(models.TextChoices):
        NEVER = "never", "Never"
        DAYS = "days", "N days after earning"
        END_OF_MONTH = "end_of_month", "End of the month, N months later"
        END_OF_YEAR = "end_of_year", "End of the year"

    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, unique=True)
    points_per_unit = models.DecimalField(
        max_digits=12, decimal_places=4, help_text="Points per one unit of the currency paid."
    )
    rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.DOWN)
    pending_days = models.PositiveIntegerField(default=0, help_text="Days before earned points can be spent.")
    pending_days_by_store = models.JSONField(
        default=dict, blank=True, help_text='Store code to days, e.g. {"DHK-01": 14}; a store here wins.'
    )
    pending_days_by_channel = models.JSONField(
        default=dict, blank=True, help_text='Channel to days, e.g. {"restaurant": 0}.'
    )
    expiry = models.CharField(max_length=16, choices=Expiry.choices, default=Expiry.NEVER)
    expiry_n = models.PositiveIntegerField(default=0, help_text="The N of the expiry policy.")
    excluded_skus = models.JSONField(default=list, blank=True)
    excluded_categories = models.JSONField(
        default=list, blank=True, help_text="Category codes; their descendants are excluded too."
    )
    negative_balance_limit = models.PositiveIntegerField(
        default=0,
        help_text="How far below zero a return may take a balance whose points were already spent; "
        "beyond it the points are written off.",
    )
    referral_promotion = models.ForeignKey(
        Promotion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="A code promotion (e.g. first order only) whose codes are the members' referral codes; "
        "empty: no referrals.",
    )  # fmt: skip
    referrer_points = models.PositiveIntegerField(default=0, help_text="Points for the member who referred.")
    referee_points = models.PositiveIntegerField(default=0, help_text="Points for the customer referred.")
    referral_monthly_cap = models.PositiveIntegerField(
        default=10, help_text="Referrals a member can be rewarded for in one calendar month (UTC)."
    )

    class TierBasis(models.TextChoices):
        POINTS = "points", "Qualifying points"
        SPEND = "spend", "Spend (net paid, less returns)"

    class TierPeriod(models.TextChoices):
        ROLLING = "rolling_12_months", "Rolling 12 months"
        MEMBERSHIP_YEAR = "membership_year", "Membership year"

    class Downgrade(models.TextChoices):
        NONE = "none", "Never downgrade"
        ONE_LEVEL = "one_level", "One level down at most"
        BY_BALANCE = "by_balance", "To the tier reached at the review date"

    tier_basis = models.CharField(max_length=8, choices=TierBasis.choices, default=TierBasis.POINTS)
    tier_period = models.CharField(max_length=20, choices=TierPeriod.choices, default=TierPeriod.ROLLING)
    downgrade_policy = models.CharField(max_length=12, choices=Downgrade.choices, default=Downgrade.NONE)
    downgrade_grace_days = models.PositiveIntegerField(
        default=0, help_text="Days a member keeps a tier they no longer reach after a review, before the downgrade."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.name} ({self.currency})"


class RulesVersion(models.Model):
    """One row whose `token` changes whenever a program, tier, earning rule or category does: each process keeps
    the active programs' rules (`loyalty.program_rules`) under the token it read them at. A fresh random token,
    not a counter, so that a rolled-back change never makes two different sets of rules look alike."""

    token = models.CharField(max_length=32)

    def __str__(self):
        return f"loyalty rules {self.token}"


class Tier(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=64)
    threshold = models.PositiveIntegerField(
        help_text="Qualifying points (or spend, in whole currency units) over the program's tier period."
    )

    class Meta:
        ordering = ["program", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="loyalty_tier_name_unique"),
            models.UniqueConstraint(fields=["program", "threshold"], name="loyalty_tier_threshold_unique"),
        ]

    def __str__(self):
        return self.name


class EarningRule(models.Model):
    """A multiplier on the points of a category's lines, a store's orders or a tier's members."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey(Store, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    multiplier = models.DecimalField(max_digits=6, decimal_places=2)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(category__isnull=False, store__isnull=True, tier__isnull=True)
                    | Q(category__isnull=True, store__isnull=False, tier__isnull=True)
                    | Q(category__isnull=True, store__isnull=True, tier__isnull=False)
                ),
                name="loyalty_rule_names_one_target",
            ),
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="loyalty_rule_multiplier_positive"),
        ]

    def __str__(self):
        target = self.category or self.store or self.tier
        return f"x{self.multiplier} for {target}"


class BonusEvent(models.Model):
    """Points for an event of the customer's: `signed_up`, `birthday`, `first_order` or any custom type."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="bonus_events")
    event_type = models.CharField(max_length=64)
    points = models.PositiveIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "event_type"], name="loyalty_bonus_event_unique")]

    def __str__(self):
        return f"{self.points} points for {self.event_type}"


class Member(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="loyalty_memberships")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="members")
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    debt = models.PositiveIntegerField(
        default=0, editable=False, help_text="Points a return took back after they were spent (a negative balance)."
    )
    order_points_earned = models.PositiveIntegerField(
        default=0, editable=False, help_text="Every point the member's orders ever earned (their `earn` entries): "
        "a bound on their qualifying points that spares most orders the tier query; the drift check verifies it."
    )  # fmt: skip
    joined_at = models.DateTimeField(auto_now_add=True)
    tier_review_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the tier is next reviewed (a year after it was reached "
        "or last reviewed; the membership's anniversary under a membership-year program)."
    )  # fmt: skip
    tier_grace_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="A review found the tier no longer reached: kept until then."
    )

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [models.UniqueConstraint(fields=["customer", "program"], name="loyalty_member_unique")]
        indexes = [models.Index(fields=["tier_review_at"], name="loyalty_member_tier_review")]

    def __str__(self):
        return f"{self.customer} in {self.program}"


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        EARN = "earn", "Earn"
        REDEEM = "redeem", "Redeem"
        EXPIRE = "expire", "Expire"
        REVERSE = "reverse", "Reverse"
        ADJUST = "adjust", "Adjust"
        TRANSFER = "transfer", "Transfer"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    points = models.IntegerField(help_text="Signed: what the entry added to the balance.")
    source_type = models.CharField(max_length=32)
    source_id = models.CharField(max_length=64)
    rule = models.CharField(max_length=64, help_text="What of the source this is, e.g. earn, reverse, bonus:3.")
    reason = models.TextField(blank=True)
    debt_change = models.IntegerField(default=0, help_text="What the entry added to the member's debt.")
    written_off = models.PositiveIntegerField(
        default=0, help_text="Points a return could not take back (beyond the negative balance limit)."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        verbose_name_plural = "ledger entries"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id", "rule"], name="loyalty_entry_idempotent"),
        ]
        indexes = [models.Index(fields=["member", "kind", "occurred_at"], name="loyalty_entry_member_kind")]

    def __str__(self):
        return f"{self.kind} {self.points:+d}"


class Lot(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="lots")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="created_lots")
    amount = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices)
    qualifying = models.BooleanField(default=True, help_text="Counts toward the tier.")
    activates_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [
            models.CheckConstraint(condition=Q(remaining__lte=F("amount")), name="loyalty_lot_within_amount"),
        ]
        indexes = [
            models.Index(fields=["member", "status", "expires_at"], name="loyalty_lot_spend_order"),
            models.Index(fields=["status", "expires_at"], name="loyalty_lot_due_expiry"),
            models.Index(fields=["status", "activates_at"], name="loyalty_lot_due_activation"),
        ]

    def __str__(self):
        return f"{self.remaining}/{self.amount} {self.status}"


class Allocation(models.Model):
    """What one entry did to one lot: `points` added (negative: taken)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="allocations")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="allocations")
    points = models.IntegerField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD

    def __str__(self):
        return f"{self.points:+d} on lot {self.lot_id}"


class Reward(models.Model):
    """A catalog item: spending `points_cost` issues one single-use code of the promotion."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rewards")
    name = models.CharField(max_length=200)
    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="+")
    points_cost = models.PositiveIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["program", "points_cost", "id"]
        constraints = [models.CheckConstraint(condition=Q(points_cost__gt=0), name="loyalty_reward_costs_points")]

    def __str__(self):
        return f"{self.name} ({self.points_cost} points)"


class RewardIssue(models.Model):
    """The code a redemption issued."""

    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="reward_issue")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="issues")
    code = models.OneToOneField(PromotionCode, on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD

    def __str__(self):
        return f"{self.code} for {self.entry.member}"


class Reservation(models.Model):
    """Points a checkout holds for an order not placed yet: placing the order (its `order` external id)
    spends them; released by hand, or when `expires_at` passes. Held points are not spendable elsewhere."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        COMMITTED = "committed", "Committed"
        RELEASED = "released", "Released"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reservations")
    order = models.CharField(max_length=64, help_text="The external id the order will be placed with.")
    points = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    expires_at = models.DateTimeField()
    entry = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="reservation",
        help_text="The redeem entry that spent the points when the order was placed.",
    )  # fmt: skip
    created_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        constraints = [
            models.UniqueConstraint(fields=["member", "order"], name="loyalty_reservation_one_per_order"),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_reservation_points_positive"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="loyalty_reservation_due")]

    def __str__(self):
        return f"{self.points} points held for {self.order}"


class ReferralCode(models.Model):
    """A member's referral code: a code of the program's referral promotion, so an order sends it in `codes`."""

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="referral_code")
    code = models.OneToOneField(PromotionCode, on_delete=models.PROTECT, related_name="+")

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD

    def __str__(self):
        return f"{self.code} of {self.member}"


class Referral(models.Model):
    """A customer's first paid order that named a member's referral code. Pending until the order's points
    clear their pending period, then both sides are rewarded once; void when the order was cancelled first.
    A referee is one person: unique as a member and by the hashes of their phone and email."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        GRANTED = "granted", "Granted"
        VOID = "void", "Void"

    referrer = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="referrals_made")
    referee = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="referred_by")
    order = models.OneToOneField("audiences.Order", on_delete=models.PROTECT, related_name="+")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    email_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    clears_at = models.DateTimeField(help_text="When the order's pending period ends.")
    created_at = models.DateTimeField()
    granted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        indexes = [
            models.Index(fields=["status", "clears_at"], name="loyalty_referral_due"),
            models.Index(fields=["referrer", "created_at"], name="loyalty_referral_per_month"),
        ]

    def __str__(self):
        return f"{self.referee} referred by {self.referrer}"

"""The customers' scores and how they moved between RFM groups (computed by audiences/scoring.py, formulas in
docs/scores.md). Re-exported by `audiences.models`, where Django and the rest of the code find them."""

from django.db import models

from audiences.models import MONEY, Customer
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["CustomerScore", "RfmGroup", "RfmMovement"]


class RfmGroup(models.TextChoices):
    CHAMPIONS = "champions", "Champions"
    LOYAL = "loyal", "Loyal"
    POTENTIAL_LOYALIST = "potential_loyalist", "Potential loyalist"
    NEW = "new", "New"
    PROMISING = "promising", "Promising"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    AT_RISK = "at_risk", "At risk"
    CANT_LOSE = "cant_lose", "Can't lose"
    HIBERNATING = "hibernating", "Hibernating"
    LOST = "lost", "Lost"


class CustomerScore(models.Model):
    """Scores recomputed set-based (nightly and on demand); formulas in docs/scores.md."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="score")
    rfm_r = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_f = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_m = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_segment = models.CharField(max_length=24, choices=RfmGroup.choices, blank=True, db_index=True)
    window_orders = models.PositiveIntegerField(default=0)
    window_spend = models.DecimalField(**MONEY, default=0)
    lifetime_value = models.DecimalField(**MONEY, default=0)
    avg_order_value = models.DecimalField(**MONEY, null=True, blank=True)
    orders_per_month = models.DecimalField(max_digits=10, decimal_places=3, default=0)
    frequency_trend = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, help_text="Recent order rate vs before; -0.5 = halved."
    )
    spend_trend = models.DecimalField(
        max_digits=10, decimal_places=3, null=True, blank=True, help_text="Recent average order value vs before."
    )
    engagement_score = models.PositiveSmallIntegerField(default=0, db_index=True)
    loyalty_score = models.PositiveSmallIntegerField(default=0, db_index=True)
    computed_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        indexes = [models.Index(fields=["rfm_r", "rfm_f"], name="customer_score_rf")]

    def __str__(self):
        return f"{self.customer_id}: RFM {self.rfm_r}{self.rfm_f}{self.rfm_m} {self.get_rfm_segment_display()}"


class RfmMovement(models.Model):
    """How many customers went from one RFM group to another (or stayed) in a scoring run, against the run before.

    Written by the run itself, one row per non-empty pair (audiences/scoring.py); '' is "No orders"."""

    computed_at = models.DateTimeField(db_index=True)
    from_group = models.CharField(max_length=24, choices=RfmGroup.choices, blank=True)
    to_group = models.CharField(max_length=24, choices=RfmGroup.choices, blank=True)
    customers = models.PositiveIntegerField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD

    def __str__(self):
        return f"{self.computed_at:%Y-%m-%d %H:%M}: {self.from_group or '-'} → {self.to_group or '-'}: {self.customers}"

"""Each customer's predicted lifetime value and churn risk, replaced by the nightly run (audiences/clv/services.py).
Re-exported by `audiences.models`, where Django and the rest of the code find them."""

from django.db import models

from audiences.currencies import CURRENCY_CHOICES
from audiences.models import MONEY, Customer
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["CustomerPrediction"]


class CustomerPrediction(models.Model):
    class ChurnRisk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="prediction")
    p_alive = models.FloatField(help_text="Probability the customer still buys (BG/NBD).")
    expected_orders_90 = models.FloatField(help_text="Expected purchase days in the next 90 days.")
    expected_orders_365 = models.FloatField(help_text="Expected purchase days in the next 365 days.")
    expected_order_value = models.DecimalField(**MONEY, help_text="Expected mean order value (Gamma-Gamma).")
    predicted_clv_12m = models.DecimalField(**MONEY, db_index=True, help_text="Expected spend in the next 12 months.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    churn_risk = models.CharField(max_length=8, choices=ChurnRisk.choices, db_index=True)
    model_version = models.CharField(max_length=64, help_text="The fit's parameters and cut-off day.")
    computed_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD

    def __str__(self):
        return f"{self.customer_id}: {self.predicted_clv_12m} {self.currency}, churn {self.churn_risk}"

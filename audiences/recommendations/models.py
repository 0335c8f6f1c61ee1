"""Each customer's recommended products, replaced whole by the nightly run (audiences/recommendations/services.py).
Re-exported by `audiences.models`, where Django and the rest of the code find them."""

from django.db import models

from audiences.models import Customer, Product
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["CustomerRecommendation"]


class CustomerRecommendation(models.Model):
    class Source(models.TextChoices):
        CO_PURCHASE = "co_purchase", "Bought together with theirs"
        POPULAR = "popular", "Popular in their store"

    pk = models.CompositePrimaryKey("customer", "rank")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", db_index=False)
    rank = models.PositiveSmallIntegerField(help_text="1 is the best.")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text="Summed cosine similarity to what they bought; 0 for a popularity pick.")
    source = models.CharField(max_length=16, choices=Source.choices)
    computed_at = models.DateTimeField()

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["customer", "rank"]

    def __str__(self):
        return f"{self.customer_id} #{self.rank}: {self.product_id}"

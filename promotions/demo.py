"""What promotions does when the demo's customers and orders are flushed: their redemptions, order pricings
and per-customer counters go with them, and the counters of the promotions and codes they used start again
from zero (no order is left that used them). Rows of other apps that still refer to them make the flush fail,
as before."""

from django.db import transaction

from promotions.models import CustomerPromotionUsage, OrderPricing, Promotion, PromotionCode, Redemption


@transaction.atomic
def demo_redemptions_remove() -> None:
    used = set(Redemption.objects.order_by().values_list("promotion_id", flat=True).distinct())
    codes = set(Redemption.objects.exclude(code__isnull=True).order_by().values_list("code_id", flat=True).distinct())
    for model in (Redemption, OrderPricing, CustomerPromotionUsage):
        model.objects.all().delete()
    Promotion.objects.filter(pk__in=used).update(used=0, budget_spent=0)
    PromotionCode.objects.filter(pk__in=codes).update(used=0)

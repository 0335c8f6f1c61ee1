"""Promotions' section of a customer's data: the promotions and codes redeemed on their orders and how often
they used each promotion. Nothing in it says who the customer is, so erasure leaves it (budgets and
per-customer limits keep counting)."""

from audiences.data_subjects.registry import DataSection, register_data_section
from promotions.models import CustomerPromotionUsage, Redemption


def _redemptions(customer) -> dict:
    return {
        "redemptions": list(
            Redemption.objects.filter(customer=customer)
            .order_by("created_at", "id")
            .values(
                "order__external_id",
                "promotion__name",
                "code__code",
                "amount",
                "currency",
                "status",
                "created_at",
                "released_at",
            )
        ),
        "usage": list(
            CustomerPromotionUsage.objects.filter(customer=customer)
            .order_by("promotion__name")
            .values("promotion__name", "used")
        ),
    }


def _redemptions_size(customer) -> int:
    return Redemption.objects.filter(customer=customer).count()


def register_promotions_data_sections() -> None:
    register_data_section(DataSection("promotions", "Redemptions and codes", _redemptions, size=_redemptions_size,
                                      position=70))  # fmt: skip

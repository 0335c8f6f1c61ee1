"""Campaigns' section of a customer's data: the campaigns they were assigned to (arm, variant, coupon), the
orders credited to campaigns, and their journeys. Erasure keeps assignments and conversions (a campaign's
results read them and must not move), ends the journeys still running and clears what a journey kept of
its trigger (event properties)."""

from audiences.data_subjects.registry import DataSection, register_data_section
from campaigns.journeys.exits import customer_journeys_leave
from campaigns.models import Assignment, Conversion, Enrollment


def _campaigns(customer) -> dict:
    return {
        "assignments": list(
            Assignment.objects.filter(customer=customer)
            .order_by("created_at", "id")
            .values("campaign__name", "variant__name", "status", "reason", "coupon_code", "created_at")
        ),
        "conversions": list(
            Conversion.objects.filter(customer=customer)
            .order_by("id")
            .values("campaign__name", "order__external_id", "model", "basis")
        ),
        "journeys": list(
            Enrollment.objects.filter(customer=customer)
            .order_by("entered_at", "id")
            .values("version__journey__name", "status", "exit_reason", "entered_at", "converted_at", "finished_at")
        ),
    }


def _campaigns_size(customer) -> int:
    return Assignment.objects.filter(customer=customer).count() + Enrollment.objects.filter(customer=customer).count()


def _campaigns_erase(customer) -> None:
    customer_journeys_leave(customer_id=customer.pk, reason="erased")
    Enrollment.objects.filter(customer=customer).exclude(snapshot={}).update(snapshot={})


def register_campaigns_data_sections() -> None:
    register_data_section(
        DataSection("campaigns", "Campaigns and journeys", _campaigns, _campaigns_erase, size=_campaigns_size,
                    position=90)
    )  # fmt: skip

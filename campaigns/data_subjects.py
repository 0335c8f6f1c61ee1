"""Campaigns' section of a customer's data: the campaigns they were assigned to (arm, variant, coupon), the
orders credited to campaigns, their journeys and their leads. Erasure keeps assignments, conversions and the
leads' status and value (a campaign's results read them and must not move), ends the journeys still running,
and clears what a journey kept of its trigger (event properties) and what a lead says of the person."""

from audiences.data_subjects.registry import DataSection, register_data_section
from campaigns.journeys.exits import customer_journeys_leave
from campaigns.models import Assignment, Conversion, Enrollment, Lead


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
        "leads": list(
            Lead.objects.filter(customer=customer)
            .order_by("created_at", "id")
            .values(
                "campaign__name",
                "product__sku",
                "vehicle_vin",
                "interest",
                "store__code",
                "status",
                "note",
                "value",
                "currency",
                "created_at",
            )
        ),
    }


def _campaigns_size(customer) -> int:
    return Assignment.objects.filter(customer=customer).count() + Enrollment.objects.filter(customer=customer).count()


def _campaigns_erase(customer) -> None:
    customer_journeys_leave(customer_id=customer.pk, reason="erased")
    Enrollment.objects.filter(customer=customer).exclude(snapshot={}).update(snapshot={})
    # A lead keeps its status and value (the campaign's results count won leads), not what the person said.
    Lead.objects.filter(customer=customer).update(interest="", note="", vehicle_vin="")


def register_campaigns_data_sections() -> None:
    register_data_section(
        DataSection("campaigns", "Campaigns and journeys", _campaigns, _campaigns_erase, size=_campaigns_size,
                    position=90)
    )  # fmt: skip

"""Reads for vehicles."""

from django.db.models import Prefetch, QuerySet

from audiences.models import Customer, Vehicle, VehicleOwnership


def vehicle_get(*, vin: str) -> Vehicle | None:
    """The vehicle with its owners (`ownerships`, first owner first)."""
    ownerships = VehicleOwnership.objects.select_related("customer").order_by("started_at", "id")
    return (
        Vehicle.objects.select_related("owner", "store")
        .prefetch_related(Prefetch("ownerships", queryset=ownerships))
        .filter(vin=vin.strip().upper())
        .first()
    )


def customer_vehicles(*, customer: Customer) -> QuerySet[Vehicle]:
    """The vehicles whose owner (current, or last known if sold) is the customer, newest model first."""
    return Vehicle.objects.select_related("owner", "store").filter(owner=customer).order_by("-year", "vin")

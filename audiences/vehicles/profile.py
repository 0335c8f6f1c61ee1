"""The customer profile's `vehicles` section (audiences.profile)."""

from audiences.api.serializers import VehicleOutput
from audiences.vehicles.selectors import customer_vehicles


def vehicles_profile(customer) -> list[dict]:
    return VehicleOutput(customer_vehicles(customer=customer), many=True).data

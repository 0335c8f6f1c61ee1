"""The vehicles API: upsert by VIN (the DMS or the storefront), read one with its owners."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from audiences.api import serializers as s
from audiences.api import vehicle_examples as examples
from audiences.vehicles import selectors
from audiences.vehicles.services import vehicle_upsert
from config.api.views import StorefrontView, get_or_404, validated


def vehicle_output(vin: str) -> dict:
    vehicle = get_or_404(selectors.vehicle_get, f"Unknown vehicle '{vin}'.", vin=vin)
    return s.VehicleDetailOutput(vehicle).data


class VehicleView(StorefrontView):
    @extend_schema(
        request=s.VehicleInput,
        responses={200: s.VehicleDetailOutput, 201: s.VehicleDetailOutput},
        examples=[
            OpenApiExample("A Corolla bought at Dealer X", examples.VEHICLE_INPUT_EXAMPLE, request_only=True),
            OpenApiExample("The vehicle and its owners", examples.VEHICLE_OUTPUT_EXAMPLE, response_only=True),
        ],
        description="Creates or updates the vehicle with this VIN (17 characters, no I, O or Q; the check digit "
        "of North American and Chinese VINs is checked). Details not sent are left as they are. Another `customer` "
        "than the current owner is a change of owner: the history is kept in `ownerships`. An unknown customer "
        "or store is a 400 naming the field.",
    )
    def put(self, request, vin):
        data = validated(s.VehicleInput, request.data)
        vehicle, created = vehicle_upsert(vin=vin, source="api", **data)
        return Response(vehicle_output(vehicle.vin), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        responses=s.VehicleDetailOutput,
        examples=[OpenApiExample("The vehicle and its owners", examples.VEHICLE_OUTPUT_EXAMPLE, response_only=True)],
    )
    def get(self, request, vin):
        return Response(vehicle_output(vin))

"""Vehicles and who owned them. Re-exported by `audiences.models`, where Django and the rest of the code find them."""

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from audiences.models import Customer, Store
from config.roles import KEPT_FOR_THE_RECORD

__all__ = ["Vehicle", "VehicleOwnership", "VehicleStatus"]


class VehicleStatus(models.TextChoices):
    OWNED = "owned", "Owned"
    SOLD = "sold", "Sold"


class Vehicle(models.Model):
    """A customer's vehicle, identified by its VIN (audiences/vehicles/vin.py says which VINs are accepted).

    `owner` is the current (or, once sold, the last known) owner; every change of owner is kept in
    VehicleOwnership. Segment fields read the owned vehicles by the indexes below: each starts with the
    column a condition ranges over and ends with the owner, so a rule finds its customers in one range.
    """

    vin = models.CharField("VIN", max_length=17, unique=True)
    owner = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="vehicles")
    status = models.CharField(max_length=8, choices=VehicleStatus.choices, default=VehicleStatus.OWNED)
    make = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField("model year")
    trim = models.CharField(max_length=64, blank=True)
    mileage = models.PositiveIntegerField(null=True, blank=True, help_text="Kilometres on the odometer.")
    mileage_read_at = models.DateField("mileage read on", null=True, blank=True)
    purchased_at = models.DateField("purchased on", null=True, blank=True)
    store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.SET_NULL, related_name="vehicles", help_text="The dealer."
    )
    last_service_at = models.DateField("last serviced on", null=True, blank=True)
    next_service_due = models.DateField("next service due on", null=True, blank=True)
    next_service_mileage = models.PositiveIntegerField("next service due at (km)", null=True, blank=True)
    warranty_ends = models.DateField("warranty ends on", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vin"]
        indexes = [
            models.Index(fields=["year", "status", "owner"], name="vehicle_year"),
            # Makes and models match in any case (segment fields): the index holds them in capitals.
            models.Index(Upper("make"), Upper("model"), F("status"), F("owner"), name="vehicle_make_model"),
            models.Index(fields=["mileage", "status", "owner"], name="vehicle_mileage"),
            models.Index(fields=["next_service_due", "status", "owner"], name="vehicle_service_due"),
            models.Index(fields=["warranty_ends", "status", "owner"], name="vehicle_warranty_ends"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1886), name="vehicle_year_after_the_first_car"),
        ]

    def __str__(self):
        return f"{self.year} {self.make} {self.model} ({self.vin})"


class VehicleOwnership(models.Model):
    """Who owned a vehicle from when to when: a new owner closes the previous row and opens one."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="ownerships")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.SET_NULL, related_name="vehicle_ownerships")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32, help_text="Who told us: api, csv, admin.")

    class Meta:
        default_permissions = KEPT_FOR_THE_RECORD
        ordering = ["vehicle", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(ended_at__isnull=True), name="vehicle_one_current_ownership"
            )
        ]

    def __str__(self):
        return f"{self.vehicle_id} owned by {self.customer_id} from {self.started_at:%Y-%m-%d}"

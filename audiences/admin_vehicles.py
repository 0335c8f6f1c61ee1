"""The admin's vehicles, their owners and the postcode areas: each save goes through the services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from import_export.admin import ImportExportMixin

from audiences import resources
from audiences.customer_page import CustomerSection, register_customer_section
from audiences.models import PostcodeArea, Vehicle, VehicleOwnership
from audiences.places.services import postcode_area_upsert
from audiences.vehicles.selectors import customer_vehicles
from audiences.vehicles.services import DETAIL_FIELDS, vehicle_details_check, vehicle_upsert, vin_clean

register_customer_section(
    CustomerSection(
        "vehicles",
        "Vehicles",
        "admin/audiences/customer/sections/vehicles.html",
        lambda customer: {"vehicles": list(customer_vehicles(customer=customer))},
        position=55,
        permission="audiences.view_vehicle",
    )
)


class VehicleOwnershipInline(admin.TabularInline):
    model = VehicleOwnership
    extra = 0
    fields = ["customer", "started_at", "ended_at", "source"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class VehicleForm(forms.ModelForm):
    """The service's checks as form errors, so a bad VIN or year is said on the page, not a server error."""

    class Meta:
        model = Vehicle
        fields = ["vin", "owner", "status", "make", "model", "year", "trim", "mileage", "mileage_read_at",
                  "purchased_at", "store", "last_service_at", "next_service_due", "next_service_mileage",
                  "warranty_ends"]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("owner"):
            self.add_error("owner", "Choose the owner: a vehicle is kept for its customer.")
        try:
            if not self.instance.pk and cleaned.get("vin"):
                cleaned["vin"] = vin_clean(cleaned["vin"])
            if cleaned.get("year") is not None:
                details = {name: cleaned.get(name) for name in DETAIL_FIELDS if name != "store"}
                vehicle_details_check(details, year=cleaned["year"])
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(Vehicle)
class VehicleAdmin(ImportExportMixin, admin.ModelAdmin):
    form = VehicleForm
    resource_classes = [resources.VehicleResource]
    list_display = ["vin", "make", "model", "year", "owner", "status", "mileage", "next_service_due", "warranty_ends"]
    list_filter = ["status", "make", "year", "store", "next_service_due", "warranty_ends"]
    search_fields = ["vin", "make", "model", "owner__external_id", "owner__email", "owner__phone"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    inlines = [VehicleOwnershipInline]
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["vin"] if obj is not None else []  # a VIN names the car: another VIN is another vehicle

    def save_model(self, request, obj, form, change):
        """Through vehicle_upsert, so that a new owner is a change of owner with its history."""
        vehicle, _ = vehicle_upsert(
            vin=obj.vin,
            customer=obj.owner.external_id,
            make=obj.make,
            model=obj.model,
            year=obj.year,
            status=obj.status,
            source="admin",
            store=obj.store.code if obj.store_id else None,
            **{name: getattr(obj, name) for name in DETAIL_FIELDS if name != "store"},
        )
        obj.pk = vehicle.pk


class VehicleInline(admin.TabularInline):
    """The customer's vehicles on their page; each opens in the vehicle admin, where a change of owner is kept."""

    model = Vehicle
    fk_name = "owner"
    extra = 0
    fields = ["vin", "make", "model", "year", "status", "mileage", "next_service_due", "warranty_ends"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.PostcodeAreaResource]
    list_display = ["code", "name", "latitude", "longitude", "updated_at"]
    search_fields = ["code", "name"]
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        """Customers placed by this postcode move with its centre."""
        area, _ = postcode_area_upsert(code=obj.code, name=obj.name, latitude=obj.latitude, longitude=obj.longitude)
        obj.pk = area.pk

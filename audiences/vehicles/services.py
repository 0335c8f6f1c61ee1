"""Writes for vehicles: the upsert by VIN the DMS, the storefront, the CSV import and the admin share."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audiences.models import Customer, Store, Vehicle, VehicleOwnership, VehicleStatus
from audiences.segments.recheck import customers_mark_changed
from audiences.vehicles.vin import InvalidVin, normalised_vin
from config.rows import created_or_locked

FIRST_MODEL_YEAR = 1886  # Benz's Patent-Motorwagen
MAX_MILEAGE_KM = 5_000_000
DETAIL_FIELDS = (
    "trim",
    "mileage",
    "mileage_read_at",
    "purchased_at",
    "store",
    "last_service_at",
    "next_service_due",
    "next_service_mileage",
    "warranty_ends",
)


def vin_clean(raw: str, field: str = "vin") -> str:
    try:
        return normalised_vin(raw)
    except InvalidVin as exc:
        raise ValidationError({field: [str(exc)]}) from None


def _customer(external_id: str) -> Customer:
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise ValidationError({"customer": [f"Unknown customer '{external_id}'."]})
    return customer


def vehicle_details_check(details: dict, *, year: int) -> None:
    """The checks vehicle_upsert makes of a vehicle's details, for a form to show before it saves."""
    _details_clean(details, year=year, today=timezone.localdate())


def _details_clean(details: dict, *, year: int, today: date) -> dict:
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise ValidationError({name: ["Unknown vehicle field."] for name in unknown})
    if not FIRST_MODEL_YEAR <= year <= today.year + 2:
        raise ValidationError({"year": [f"A model year is from {FIRST_MODEL_YEAR} to {today.year + 2}; got {year}."]})
    cleaned = dict(details)
    for name in ("mileage", "next_service_mileage"):
        if cleaned.get(name) is not None and not 0 <= cleaned[name] <= MAX_MILEAGE_KM:
            raise ValidationError({name: [f"Kilometres from 0 to {MAX_MILEAGE_KM:,}; got {cleaned[name]}."]})
    if cleaned.get("mileage") is not None and cleaned.get("mileage_read_at") is None:
        cleaned["mileage_read_at"] = today
    if cleaned.get("purchased_at") and cleaned["purchased_at"] > today:
        raise ValidationError({"purchased_at": [f"A purchase cannot be in the future; got {cleaned['purchased_at']}."]})
    if "store" in cleaned:
        code = cleaned["store"]
        cleaned["store"] = Store.objects.filter(code=code).first() if code else None
        if code and cleaned["store"] is None:
            raise ValidationError({"store": [f"Unknown store '{code}'."]})
    for name in ("trim",):
        if name in cleaned and cleaned[name] is None:
            cleaned[name] = ""
    return cleaned


@transaction.atomic
def vehicle_upsert(
    *,
    vin: str,
    customer: str,
    make: str,
    model: str,
    year: int,
    status: str = VehicleStatus.OWNED,
    source: str = "api",
    now: datetime | None = None,
    **details,
) -> tuple[Vehicle, bool]:
    """Create or update the vehicle `vin` owned by the customer whose external id is `customer`.

    Details not given (trim, mileage, dates, the dealer's store code) are left as they are. A different
    customer, or a change of status, closes the current ownership and opens the new one (VehicleOwnership):
    the history of owners is kept. A mileage given without its reading date was read today.
    """
    now = now or timezone.now()
    vin = vin_clean(vin)
    if status not in VehicleStatus.values:
        raise ValidationError({"status": [f"Unknown status '{status}'; use owned or sold."]})
    owner = _customer(customer)
    cleaned = _details_clean(details, year=year, today=timezone.localdate(now))
    vehicle, created = _locked_or_new(vin=vin, owner=owner, status=status, make=make, model=model, year=year)
    previous_owner_id = None if created else vehicle.owner_id
    ownership_moves = created or vehicle.owner_id != owner.pk or vehicle.status != status
    for name, value in {"owner": owner, "status": status, "make": make, "model": model, "year": year}.items():
        setattr(vehicle, name, value)
    for name, value in cleaned.items():
        setattr(vehicle, name, value)
    vehicle.save()
    if ownership_moves:
        VehicleOwnership.objects.filter(vehicle=vehicle, ended_at__isnull=True).update(ended_at=now)
        if previous_owner_id != owner.pk or status == VehicleStatus.OWNED:
            VehicleOwnership.objects.create(
                vehicle=vehicle,
                customer=owner,
                started_at=now,
                ended_at=None if status == VehicleStatus.OWNED else now,
                source=source,
            )
    customers_mark_changed(customer_ids=[owner.pk, previous_owner_id])
    return vehicle, created


def _locked_or_new(*, vin: str, **required) -> tuple[Vehicle, bool]:
    """The vehicle's row locked, or a new one inserted (two first PUTs of one VIN at once: the second locks the
    first's row)."""
    vehicle = Vehicle.objects.select_for_update().filter(vin=vin).first()
    if vehicle is not None:
        return vehicle, False
    return created_or_locked(Vehicle, key={"vin": vin}, **required)

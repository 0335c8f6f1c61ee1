"""The demo's dealership: dealers with coordinates, postcode areas, a few hundred customers of Dhaka and Dar es
Salaam placed near them with their vehicles, and the segments a dealer's marketer starts from.

Drawn from its own random.Random (seed + DEALERSHIP_SALT) after the bulk data, so the rest of the demo is the
same with or without it; dates are relative to --as-of.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from audiences.models import Customer, LocationSource, PostcodeArea, Segment, Vehicle, VehicleOwnership, VehicleStatus
from audiences.segments import services as segments
from audiences.services.catalog import store_upsert

DEALERSHIP_SALT = 2_026
CUSTOMERS_PER_DEALER = 180
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
SERVICE_INTERVAL_DAYS = 182
WARRANTY_YEARS = 3


@dataclass(frozen=True)
class Dealer:
    code: str
    name: str
    city: str
    currency: str
    timezone: str
    coordinates: tuple[float, float]
    postcodes: tuple[tuple[str, str, float, float], ...]  # (code, area, latitude, longitude)
    models: tuple[tuple[str, str, str], ...]  # (make, model, WMI)


DEALERS = (
    Dealer("DLR-X", "Dealer X (Toyota Tejgaon)", "Dhaka", "BDT", "Asia/Dhaka", (23.7699, 90.4002), (
        ("1212", "Gulshan", 23.7925, 90.4078), ("1213", "Banani", 23.7937, 90.4066),
        ("1215", "Tejgaon", 23.7580, 90.3900), ("1205", "Dhanmondi", 23.7461, 90.3742),
        ("1207", "Mohammadpur", 23.7662, 90.3589), ("1229", "Bashundhara R/A", 23.8193, 90.4526),
        ("1230", "Uttara", 23.8759, 90.3795), ("1216", "Mirpur", 23.8223, 90.3654),
        ("1310", "Narayanganj", 23.6238, 90.5000),
    ), (
        ("Toyota", "Corolla Axio", "JTD"), ("Toyota", "Premio", "JTD"), ("Toyota", "Allion", "JTD"),
        ("Toyota", "Noah", "JTD"), ("Honda", "Vezel", "JHM"), ("Honda", "Grace", "JHM"),
        ("Nissan", "X-Trail", "JN1"), ("Mitsubishi", "Pajero Sport", "JMB"), ("Suzuki", "Swift", "JS2"),
    )),
    Dealer("DLR-DAR", "Dealer Dar (Nyerere Road)", "Dar es Salaam", "TZS", "Africa/Dar_es_Salaam",
           (-6.8530, 39.2500), (
        ("14112", "Masaki", -6.7499, 39.2789), ("11101", "Kariakoo", -6.8190, 39.2744),
        ("16103", "Mbezi", -6.7180, 39.1570), ("15101", "Temeke", -6.8735, 39.2543),
        ("14111", "Upanga", -6.8056, 39.2836), ("16104", "Sinza", -6.7842, 39.2206),
    ), (
        ("Toyota", "IST", "JTD"), ("Toyota", "RAV4", "JTD"), ("Toyota", "Land Cruiser Prado", "JTD"),
        ("Toyota", "Harrier", "JTD"), ("Toyota", "Alphard", "JTD"), ("Nissan", "X-Trail", "JN1"),
        ("Subaru", "Forester", "JF1"), ("Suzuki", "Carry", "JS2"),
    )),
)  # fmt: skip

DEMO_SEGMENTS = (
    (
        "service_due_near_dealer_x",
        "Service due soon near Dealer X",
        "Owns a vehicle whose service is due in the next 30 days and lives within 10 miles (16.09 km) of Dealer X.",
        {"all": [
            {"field": "vehicle.next_service_due", "op": "within_days", "value": 30},
            {"field": "distance_km", "store": "DLR-X", "op": "lte", "value": "16.09"},
        ]},
    ),
    (
        "old_car_near_dealer_x",
        "Car over 5 years old, within 10 miles of Dealer X",
        "The dealership seed's own example: owns a car over 5 years old and lives within 10 miles (16.09 km) of "
        "Dealer X.",
        {"all": [
            {"field": "vehicle.age_years", "op": "gt", "value": 5},
            {"field": "distance_km", "store": "DLR-X", "op": "lte", "value": "16.09"},
        ]},
    ),
)  # fmt: skip


def _vin(rng: random.Random, wmi: str, number: int) -> str:
    return wmi + "".join(rng.choice(VIN_CHARACTERS) for _ in range(8)) + f"{number:06d}"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())


def _place(rng: random.Random, customer: Customer, dealer: Dealer, areas: dict[str, PostcodeArea]) -> None:
    """Two in three give their coordinates (up to about 25 km from the dealer), the others a postcode."""
    if rng.random() < 0.65:
        latitude, longitude = dealer.coordinates
        customer.latitude = round(latitude + rng.uniform(-0.22, 0.22), 5)
        customer.longitude = round(longitude + rng.uniform(-0.22, 0.22), 5)
        customer.location_source = LocationSource.COORDINATES
    else:
        area = areas[rng.choice(dealer.postcodes)[0]]
        customer.postcode = area.code
        customer.latitude, customer.longitude = area.latitude, area.longitude
        customer.location_source = LocationSource.POSTCODE


def _vehicle(rng: random.Random, dealer: Dealer, store, owner: Customer, today: date, number: int) -> Vehicle:
    make, model, wmi = rng.choice(dealer.models)
    year = rng.randint(today.year - 18, today.year)
    purchased = min(date(year, 1, 1) + timedelta(days=rng.randint(0, 540)), today - timedelta(days=20))
    last_service = max(purchased, today - timedelta(days=rng.randint(5, 215)))
    mileage = max(800, (today.year - year + 1) * rng.randint(7_000, 16_000))
    return Vehicle(
        vin=_vin(rng, wmi, number),
        owner=owner,
        make=make,
        model=model,
        year=year,
        trim=rng.choice(("", "G", "X", "EX", "Hybrid")),
        mileage=mileage,
        mileage_read_at=last_service,
        purchased_at=purchased,
        store=store,
        last_service_at=last_service,
        next_service_due=last_service + timedelta(days=SERVICE_INTERVAL_DAYS),
        next_service_mileage=(mileage // 5_000 + 2) * 5_000,
        warranty_ends=purchased.replace(year=purchased.year + WARRANTY_YEARS) if year >= today.year - 6 else None,
        status=VehicleStatus.SOLD if rng.random() < 0.05 else VehicleStatus.OWNED,
    )


def demo_dealership(*, seed: int, as_of: datetime) -> dict[str, int]:
    """Write the dealership (inside demo_seed's transaction) and return its row counts."""
    rng = random.Random(seed + DEALERSHIP_SALT)
    today = as_of.date()
    vehicles: list[Vehicle] = []
    placed: list[Customer] = []
    areas_count = 0
    for dealer in DEALERS:
        customers = list(Customer.objects.filter(city=dealer.city, store__currency=dealer.currency).order_by("pk"))
        if not customers:
            continue
        store, _ = store_upsert(code=dealer.code, name=dealer.name, timezone=dealer.timezone,
                                currency=dealer.currency, city=dealer.city, coordinates=dealer.coordinates)  # fmt: skip
        areas = {}
        for code, name, latitude, longitude in dealer.postcodes:
            areas[code], _ = PostcodeArea.objects.update_or_create(
                code=code, defaults={"name": name, "latitude": latitude, "longitude": longitude}
            )
        areas_count += len(areas)
        for customer in rng.sample(customers, min(CUSTOMERS_PER_DEALER, len(customers))):
            _place(rng, customer, dealer, areas)
            placed.append(customer)
            for _ in range(2 if rng.random() < 0.2 else 1):
                vehicles.append(_vehicle(rng, dealer, store, customer, today, len(vehicles) + 1))
    Customer.objects.bulk_update(placed, ["latitude", "longitude", "postcode", "location_source"], batch_size=500)
    Vehicle.objects.bulk_create(vehicles, batch_size=500)
    sold = VehicleStatus.SOLD
    ownerships = [
        VehicleOwnership(
            vehicle=vehicle,
            customer=vehicle.owner,
            started_at=_moment(vehicle.purchased_at),
            ended_at=_moment(today - timedelta(days=rng.randint(1, 90))) if vehicle.status == sold else None,
            source="demo",
        )
        for vehicle in vehicles
    ]
    VehicleOwnership.objects.bulk_create(ownerships, batch_size=500)
    if vehicles:
        _demo_segments()
    return {"postcode_areas": areas_count, "vehicles": len(vehicles)}


def _demo_segments() -> None:
    for code, name, description, rules in DEMO_SEGMENTS:
        segment = Segment.objects.filter(code=code).first()
        if segment is None:
            segments.segment_create(code=code, name=name, description=description, rules=rules)
        else:
            segments.segment_update(segment=segment, name=name, description=description, rules=rules)

"""The seed's own example: "all customers who own a car over 5 years old AND live within 10 miles of Dealer X".

Distances are computed by hand. Dealer X is at 23.7500 N, 90.4000 E (Tejgaon, Dhaka). Along a meridian a
great circle is the meridian itself, so a customer Δ degrees due north is R·Δ·π/180 away with R = 6,371.0088 km:
111.1951 km a degree. 10 miles = 16.0934 km = 0.14473 degrees of latitude. Along a parallel, 0.15 degrees east
is 111.1951 × 0.15 × cos(23.75°) = 111.1951 × 0.15 × 0.91531 = 15.266 km (the great circle between two points
of a parallel is shorter than the parallel by less than a metre here).

The clock is frozen at 2026-11-28: a 2020 model is 6 years old, a 2021 model 5 (not over 5).
"""

from datetime import UTC, date, datetime
from itertools import count

import pytest
from django.core.exceptions import ValidationError

from audiences.models import Customer
from audiences.places.geo import haversine_km
from audiences.places.services import postcode_area_upsert
from audiences.segments.selectors import matching_customers
from audiences.segments.services import segment_rules_check
from audiences.services.catalog import store_upsert
from audiences.services.customers import customer_upsert
from audiences.vehicles.services import vehicle_upsert

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
X_LAT, X_LNG = 23.75, 90.40
TEN_MILES_KM = 16.09
SEED_EXAMPLE = {
    "all": [
        {"field": "vehicle.age_years", "op": "gt", "value": 5},
        {"field": "distance_km", "store": "DLR-X", "op": "lte", "value": TEN_MILES_KM},
    ]
}

VINS = (f"JT{n:015d}" for n in count(1))  # Japanese VINs: no check digit


def car(customer: str, year: int, *, status: str = "owned", **details):
    return vehicle_upsert(
        vin=next(VINS), customer=customer, make="Toyota", model="Corolla", year=year, status=status, now=NOW, **details
    )[0]


def members(rules) -> set[str]:
    return set(matching_customers(rules, now=NOW).values_list("external_id", flat=True))


@pytest.fixture
def dealership(db):
    store_upsert(code="DLR-X", name="Dealer X", timezone="Asia/Dhaka", currency="BDT", coordinates=(X_LAT, X_LNG))
    # Dealer Y, 0.3 degrees (33.36 km) north of X: customers more than 0.15 degrees north of X are nearer Y.
    store_upsert(code="DLR-Y", name="Dealer Y", timezone="Asia/Dhaka", currency="BDT", coordinates=(X_LAT + 0.3, X_LNG))
    store_upsert(code="NOWHERE", name="No coordinates", timezone="Asia/Dhaka", currency="BDT")
    postcode_area_upsert(code="1215", name="Farmgate", latitude=X_LAT + 0.1, longitude=X_LNG)
    located = {
        "A": (0.100, 0.0),  # 11.12 km north; a 2019 car (7 years)
        "B": (0.144, 0.0),  # 16.01 km north, just inside; a 2020 car (6 years)
        "C": (0.145, 0.0),  # 16.12 km north, just outside; a 2015 car
        "D": (0.0, 0.15),  # 15.27 km east; a 2021 car (5 years: not over 5) and a sold 2010 one
        "G": (-1.0, 0.0),  # 111.2 km south; a 2012 car
        "H": (0.2, 0.0),  # 22.24 km north of X, 11.12 km south of Y; a 2014 car
    }
    for name, (dlat, dlng) in located.items():
        customer_upsert(external_id=name, latitude=X_LAT + dlat, longitude=X_LNG + dlng)
    customer_upsert(external_id="E", postcode="1215")  # placed at Farmgate's centre: 11.12 km; a 2018 car
    customer_upsert(external_id="F")  # no location; a 2010 car
    for name, year in [("A", 2019), ("B", 2020), ("C", 2015), ("D", 2021), ("E", 2018), ("F", 2010), ("G", 2012),
                       ("H", 2014)]:  # fmt: skip
        car(name, year)
    car("D", 2010, status="sold")


def test_the_hand_computed_distances_hold():
    assert haversine_km(X_LAT, X_LNG, X_LAT + 0.144, X_LNG) == pytest.approx(16.012, abs=0.001)
    assert haversine_km(X_LAT, X_LNG, X_LAT + 0.145, X_LNG) == pytest.approx(16.123, abs=0.001)
    assert haversine_km(X_LAT, X_LNG, X_LAT, X_LNG + 0.15) == pytest.approx(15.266, abs=0.001)


def test_the_seeds_example_segment(dealership):
    assert members(SEED_EXAMPLE) == {"A", "B", "E"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"op": "lte", "value": 16.09}, {"A", "B", "D", "E"}),
        ({"op": "lte", "value": 16.2}, {"A", "B", "C", "D", "E"}),
        ({"op": "lt", "value": 11}, set()),
        ({"op": "gt", "value": 20}, {"G", "H"}),
        ({"op": "between", "value": [15, 16.05]}, {"B", "D"}),
    ],
)
def test_distance_to_a_store(dealership, condition, expected):
    assert members({"all": [{"field": "distance_km", "store": "DLR-X", **condition}]}) == expected


def test_nearest_store(dealership):
    assert members({"all": [{"field": "nearest_store", "op": "eq", "value": "DLR-Y"}]}) == {"H"}
    assert members({"all": [{"field": "nearest_store", "op": "eq", "value": "DLR-X"}]}) == {
        "A",
        "B",
        "C",
        "D",
        "E",
        "G",
    }
    assert members({"all": [{"field": "nearest_store", "op": "ne", "value": "DLR-X"}]}) == {"H"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "vehicle.age_years", "op": "gt", "value": 5}, {"A", "B", "C", "E", "F", "G", "H"}),
        ({"field": "vehicle.age_years", "op": "eq", "value": 5}, {"D"}),  # D's 2010 car is sold
        ({"field": "vehicle.age_years", "op": "between", "value": [6, 8]}, {"A", "B", "E"}),
        ({"field": "vehicle.year", "op": "lte", "value": 2012}, {"F", "G"}),
        ({"field": "vehicle.make", "op": "eq", "value": "toyota"}, {"A", "B", "C", "D", "E", "F", "G", "H"}),
        ({"field": "vehicle.model", "op": "in", "value": ["Civic"]}, set()),
    ],
)
def test_vehicle_fields_read_only_owned_vehicles(dealership, condition, expected):
    assert members({"all": [condition]}) == expected


def test_service_and_warranty_dates_look_ahead(db):
    customer_upsert(external_id="S")
    customer_upsert(external_id="T")
    customer_upsert(external_id="U")
    car("S", 2020, next_service_due=date(2026, 12, 10), warranty_ends=date(2027, 1, 5))  # in 12 and 38 days
    car("T", 2020, next_service_due=date(2026, 11, 20))  # overdue by 8 days
    car("U", 2020, mileage=121_000)
    due = {"field": "vehicle.next_service_due", "op": "within_days", "value": 14}
    assert members({"all": [due]}) == {"S"}
    assert members({"all": [{**due, "value": 11}]}) == set()
    assert members({"all": [{**due, "op": "older_than_days", "value": 0}]}) == {"T"}
    assert members({"all": [{"field": "vehicle.warranty_ends", "op": "within_days", "value": 60}]}) == {"S"}
    assert members({"all": [{"field": "vehicle.warranty_ends", "op": "exists", "value": False}]}) == {"T", "U"}
    assert members({"all": [{"field": "vehicle.mileage", "op": "gt", "value": 100_000}]}) == {"U"}
    assert members({"all": [{"field": "vehicle.next_service_due", "op": "lt", "value": "2026-12-01"}]}) == {"T"}


def test_a_change_of_owner_moves_the_segment(dealership):
    a_car = Customer.objects.get(external_id="A").vehicles.get()
    vehicle_upsert(vin=a_car.vin, customer="C", make="Toyota", model="Corolla", year=2019, now=NOW)
    # A now owns no car; C's older car counts but C lives 16.12 km away.
    assert members(SEED_EXAMPLE) == {"B", "E"}


def test_importing_a_postcode_area_places_its_customers(dealership):
    customer_upsert(external_id="P", postcode="1000")
    car("P", 2015)
    assert "P" not in members(SEED_EXAMPLE)
    postcode_area_upsert(code="1000", name="Motijheel", latitude=X_LAT + 0.05, longitude=X_LNG)
    assert "P" in members(SEED_EXAMPLE)
    postcode_area_upsert(code="1000", name="Motijheel", latitude=X_LAT + 0.5, longitude=X_LNG)
    assert "P" not in members(SEED_EXAMPLE)


def test_own_coordinates_win_over_a_postcode(dealership):
    customer = customer_upsert(external_id="A", postcode="1215")[0]
    assert (customer.latitude, customer.location_source) == (X_LAT + 0.1, "coordinates")
    customer = customer_upsert(external_id="A", latitude=None, longitude=None)[0]
    assert (customer.latitude, customer.location_source) == (X_LAT + 0.1, "postcode")


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            {"field": "distance_km", "op": "lte", "value": 10},
            "rules.all[0].store: field 'distance_km' needs store code",
        ),
        ({"field": "distance_km", "store": "DLR-Z", "op": "lte", "value": 10}, "unknown store 'DLR-Z'"),
        ({"field": "distance_km", "store": "NOWHERE", "op": "lte", "value": 10}, "store 'NOWHERE' has no coordinates"),
        ({"field": "distance_km", "store": "DLR-X", "op": "lte", "value": -1}, "not negative"),
        ({"field": "nearest_store", "op": "eq", "value": "NOWHERE"}, "store 'NOWHERE' has no coordinates"),
        ({"field": "city", "store": "DLR-X", "op": "eq", "value": "Dhaka"}, "rules.all[0]: unexpected key 'store'"),
        ({"field": "vehicle.age_years", "op": "gt", "value": "old"}, "expects a whole number, got 'old'"),
    ],
)
def test_bad_place_and_vehicle_conditions_say_what_is_wrong(dealership, condition, message):
    with pytest.raises(ValidationError) as caught:
        segment_rules_check(rules={"all": [condition]})
    assert message in caught.value.message_dict["rules"][0]

"""The VIN rule and the geometry, pure: no database."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audiences.places.geo import bounding_box, coordinates_error, haversine_km, haversine_term, haversine_term_within
from audiences.vehicles.vin import InvalidVin, check_digit, normalised_vin


@pytest.mark.parametrize(
    ("vin", "expected"),
    [
        ("1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),  # 49 CFR 565's own example: check digit X
        (" 1hgcm82633a004352 ", "1HGCM82633A004352"),  # a Honda Accord: check digit 3
        ("JTDBR32E720123456", "JTDBR32E720123456"),  # Japanese: position 9 is the maker's, not checked
        ("WVWZZZ1JZXW000001", "WVWZZZ1JZXW000001"),
    ],
)
def test_accepted_vins(vin, expected):
    assert normalised_vin(vin) == expected


@pytest.mark.parametrize(
    ("vin", "message"),
    [
        ("1M8GDM9AXKP04278", "has 16"),
        ("1M8GDM9AXKP0427889", "has 18"),
        ("1M8GDM9AXKP0427O8", "has O"),
        ("JTDBR32E72012345I", "has I"),
        ("1M8GDM9A1KP042788", "should be X"),
        ("LVSHCAMB2CE054249", "should be 1"),  # Chinese VINs carry a check digit too: 1, not 2
    ],
)
def test_refused_vins_say_why(vin, message):
    with pytest.raises(InvalidVin, match=message):
        normalised_vin(vin)


def test_check_digit_of_remainder_ten_is_x():
    assert check_digit("1M8GDM9AXKP042788") == "X"


def test_a_degree_of_latitude_is_111_2_km():
    # R·π/180 with R = 6,371.0088 km, computed by hand: 111.1951 km.
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.1951, abs=1e-4)
    assert haversine_km(23.75, 90.4, 23.75, 90.4) == 0


def test_dhaka_to_dar_es_salaam():
    # Great-circle distance from Dhaka (23.8103 N, 90.4125 E) to Dar es Salaam (6.7924 S, 39.2083 E): 6,426 km
    # by the spherical law of cosines, computed separately.
    cosine = math.sin(math.radians(23.8103)) * math.sin(math.radians(-6.7924)) + math.cos(
        math.radians(23.8103)
    ) * math.cos(math.radians(-6.7924)) * math.cos(math.radians(90.4125 - 39.2083))
    assert haversine_km(23.8103, 90.4125, -6.7924, 39.2083) == pytest.approx(6371.0088 * math.acos(cosine), rel=1e-9)


def test_coordinates_are_checked():
    assert coordinates_error(91, 0) == "A latitude is from -90 to 90 degrees; got 91."
    assert coordinates_error(0, -180.5) == "A longitude is from -180 to 180 degrees; got -180.5."
    assert coordinates_error(10, None) == "Give both latitude and longitude, or neither."
    assert coordinates_error(float("nan"), 0) is not None
    assert coordinates_error(None, None) is None


latitudes = st.floats(min_value=-89.9, max_value=89.9)
longitudes = st.floats(min_value=-180, max_value=180)


@given(latitudes, longitudes, st.floats(min_value=0, max_value=2000), st.floats(min_value=0, max_value=1),
       st.floats(min_value=0, max_value=2 * math.pi))  # fmt: skip
def test_the_box_holds_every_point_within_the_distance(lat, lng, km, fraction, bearing):
    """A point `fraction` of `km` away in any direction (the destination formula) is inside the box, and its
    haversine term is at most the one of `km`: the box never drops a customer the exact test would keep."""
    delta = km * fraction / 6371.0088
    phi1, lambda1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(bearing))
    lambda2 = lambda1 + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    lat2, lng2 = math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180
    box = bounding_box(lat, lng, km)
    assert box.min_lat - 1e-9 <= lat2 <= box.max_lat + 1e-9
    if box.min_lng is not None:
        assert box.min_lng - 1e-9 <= lng2 <= box.max_lng + 1e-9
    assert haversine_term(lat, lng, lat2, lng2) <= haversine_term_within(km) * (1 + 1e-9) + 1e-15

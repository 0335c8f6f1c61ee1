"""Distances on the Earth, pure (no Django): the haversine formula and the box of coordinates around a point.

The Earth is taken as a sphere of the mean radius (IUGG, 6,371.0088 km). Against the WGS 84 ellipsoid the
great-circle distance is off by at most 0.56 % (typically under 0.3 %): 16.09 km may really be 16.00 to
16.18 km. Customers placed at their postcode area's centre are further off by the area's size.
"""

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_OF_LATITUDE = EARTH_RADIUS_KM * math.pi / 180
MAX_DISTANCE_KM = 20_000  # half the Earth's circumference, a little rounded down


def haversine_term(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """hav(θ) of the central angle θ between two points: it grows with the distance, so comparing it
    compares distances, without the square root and arcsine."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lng2 - lng1)
    return math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    term = min(1.0, haversine_term(lat1, lng1, lat2, lng2))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(term))


def haversine_term_within(km: float) -> float:
    """The largest haversine term of points at most `km` apart."""
    return math.sin(min(km, MAX_DISTANCE_KM) / (2 * EARTH_RADIUS_KM)) ** 2


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lng: float | None  # None: every longitude (the box reaches a pole or crosses the antimeridian)
    max_lng: float | None


def bounding_box(lat: float, lng: float, km: float) -> Box:
    """Coordinates that hold every point within `km` of (lat, lng), and few more.

    A degree of latitude is 111.2 km everywhere; a degree of longitude shrinks with the cosine of the
    latitude, taken at the box's edge nearer the pole, where it is smallest.
    """
    dlat = km / KM_PER_DEGREE_OF_LATITUDE
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return Box(max(min_lat, -90.0), min(max_lat, 90.0), None, None)
    widest = math.cos(math.radians(max(abs(min_lat), abs(max_lat))))
    dlng = km / (KM_PER_DEGREE_OF_LATITUDE * widest)
    if lng - dlng <= -180 or lng + dlng >= 180:  # touching the antimeridian: -180 and 180 are the same meridian
        return Box(min_lat, max_lat, None, None)
    return Box(min_lat, max_lat, lng - dlng, lng + dlng)


def coordinates_error(latitude, longitude) -> str | None:
    """Why (latitude, longitude) cannot be a place, or None; both or neither must be given."""
    if (latitude is None) != (longitude is None):
        return "Give both latitude and longitude, or neither."
    if latitude is None:
        return None
    if not -90 <= latitude <= 90:
        return f"A latitude is from -90 to 90 degrees; got {latitude}."
    if not -180 <= longitude <= 180:
        return f"A longitude is from -180 to 180 degrees; got {longitude}."
    return None

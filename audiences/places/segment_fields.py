"""The segment fields over places: the distance to a store and the nearest store, computed in SQL.

"Within N km of store S" first takes the customers in a box of latitudes and longitudes around S from the
index customer_location, then keeps those whose haversine term is at most that of N km (audiences/places/geo.py:
the haversine formula on a sphere; the accuracy is documented there and in docs/audiences.md). The functions
are Django's (Sin, Cos, Radians, Power): on SQLite without its math functions Django registers them.
"""

import math

from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Cos, Power, Radians, Sin
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual

from audiences.models import Store
from audiences.places.geo import bounding_box, haversine_term_within
from audiences.segments.fields import Condition, SegmentField, register_segment_field
from audiences.segments.values import RuleError

LOCATED = Q(latitude__isnull=False, longitude__isnull=False)


def _number(value: float):
    return Value(value, output_field=FloatField())


def _located_store(code: str) -> Store:
    store = Store.objects.filter(code=code).first()
    if store is None:
        raise RuleError(f"rules: unknown store {code!r} in a distance or nearest-store condition")
    if store.latitude is None or store.longitude is None:
        raise RuleError(f"rules: store {code!r} has no coordinates: give it a latitude and longitude first")
    return store


def haversine_term_to(store: Store):
    """The haversine term between the customer's coordinates and the store's, as a SQL expression."""
    phi = math.radians(store.latitude)
    half_dphi = (Radians(F("latitude")) - _number(phi)) / _number(2.0)
    half_dlambda = (Radians(F("longitude")) - _number(math.radians(store.longitude))) / _number(2.0)
    return Power(Sin(half_dphi), 2) + _number(math.cos(phi)) * Cos(Radians(F("latitude"))) * Power(Sin(half_dlambda), 2)


def _within_box(store: Store, km: float) -> Q:
    box = bounding_box(store.latitude, store.longitude, km)
    inside = Q(latitude__gte=box.min_lat, latitude__lte=box.max_lat)
    if box.min_lng is not None:
        inside &= Q(longitude__gte=box.min_lng, longitude__lte=box.max_lng)
    return inside


def _distance_km(condition: Condition, value) -> Q:
    store = _located_store(condition.options["store"])
    bounds = [float(bound) for bound in (value if condition.op == "between" else [value])]
    if any(bound < 0 for bound in bounds):
        raise RuleError("rules: distance_km expects kilometres that are not negative")
    term = haversine_term_to(store)
    op = condition.op
    if op == "between":
        low, high = bounds
        return (
            LOCATED
            & _within_box(store, high)
            & Q(
                GreaterThanOrEqual(term, _number(haversine_term_within(low))),
                LessThanOrEqual(term, _number(haversine_term_within(high))),
            )
        )
    (km,) = bounds
    limit = _number(haversine_term_within(km))
    if op in ("lte", "lt"):
        compare = LessThanOrEqual if op == "lte" else LessThan
        return LOCATED & _within_box(store, km) & Q(compare(term, limit))
    compare = GreaterThanOrEqual if op == "gte" else GreaterThan
    return LOCATED & Q(compare(term, limit))


def _unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lng)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def _nearer_or_as_near(store: Store, other: Store) -> Q:
    """The customer is at least as near `store` as `other`: on the unit sphere, c·s >= c·o, i.e. c·(s - o) >= 0,
    c the customer's unit vector. The dot product falls as the distance grows, so this compares distances."""
    s, o = _unit_vector(store.latitude, store.longitude), _unit_vector(other.latitude, other.longitude)
    a, b, c = (s[i] - o[i] for i in range(3))
    lat, lng = Radians(F("latitude")), Radians(F("longitude"))
    dot = (
        _number(a) * Cos(lat) * Cos(lng)
        + _number(b) * Cos(lat) * Sin(lng)
        + _number(c) * Sin(lat)
    )  # fmt: skip
    return Q(GreaterThanOrEqual(dot, _number(0.0)))


def _nearest_store_is(code: str, located: list[Store]) -> Q:
    store = next((candidate for candidate in located if candidate.code == code), None)
    if store is None:
        _located_store(code)  # names why: unknown, or without coordinates
    nearest = LOCATED
    for other in located:
        if other.pk != store.pk:
            nearest &= _nearer_or_as_near(store, other)
    return nearest


def nearest_to_one_of(stores: list[Store]) -> Q:
    """Customers whose nearest store with coordinates is one of `stores` (a campaign's stores matched by
    nearness); those of `stores` without coordinates are nearest to no one."""
    located = list(Store.objects.filter(latitude__isnull=False, longitude__isnull=False))
    located_codes = {store.code for store in located}
    any_of = Q(pk__in=[])
    for store in stores:
        if store.code in located_codes:
            any_of |= _nearest_store_is(store.code, located)
    return any_of


def _nearest_store(condition: Condition, value) -> Q:
    """The located store nearest the customer is (one of) `value`; a tie counts for each store."""
    located = list(Store.objects.filter(latitude__isnull=False, longitude__isnull=False))
    codes = value if isinstance(value, list) else [value]
    any_of = Q(pk__in=[])
    for code in codes:
        any_of |= _nearest_store_is(code, located)
    return any_of if condition.op in ("eq", "in") else LOCATED & ~any_of


def register_place_fields() -> None:
    register_segment_field(
        SegmentField(
            name="distance_km",
            kind="decimal",
            ops=("lte", "lt", "gte", "gt", "between"),
            compile=_distance_km,
            options={"store": "Store code"},
            label="Distance to a store (km)",
            description='Great-circle distance from the customer\'s location to the store ("store": its code); '
            "10 miles are 16.09 km. Customers without a location never match.",
        )
    )
    register_segment_field(
        SegmentField(
            name="nearest_store",
            kind="text",
            ops=("eq", "ne", "in", "not_in"),
            compile=_nearest_store,
            label="Nearest store",
            description="The store with coordinates nearest the customer's location (code).",
        )
    )

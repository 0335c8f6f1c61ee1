"""Writes about places: postcode areas, and the location columns of a customer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from audiences.models import Customer, LocationSource, PostcodeArea
from audiences.places.geo import coordinates_error
from audiences.segments.recheck import customers_mark_changed

LOCATION_FIELDS = ("latitude", "longitude", "postcode")


def normalised_postcode(raw: str | None) -> str:
    return " ".join((raw or "").split()).upper()


def check_coordinates(latitude, longitude) -> None:
    if error := coordinates_error(latitude, longitude):
        raise ValidationError({"longitude" if latitude is not None and -90 <= latitude <= 90 else "latitude": [error]})


def customer_location_fields(fields: dict, *, current: Customer | None) -> dict:
    """The location columns to write for a customer's input `fields` (any of latitude, longitude, postcode).

    Coordinates given win; without them the postcode area's centre places the customer, or nothing does
    while the postcode is not among the imported areas (importing it later places them: postcode_area_upsert).
    A postcode given to a customer placed by their own coordinates is kept and moves nothing.
    """
    written: dict = {}
    coordinates_given = "latitude" in fields or "longitude" in fields
    if coordinates_given:
        check_coordinates(fields.get("latitude"), fields.get("longitude"))
    if "postcode" in fields:
        written["postcode"] = normalised_postcode(fields["postcode"])
    if coordinates_given and fields.get("latitude") is not None:
        return {**written, "latitude": fields["latitude"], "longitude": fields["longitude"],
                "location_source": LocationSource.COORDINATES}  # fmt: skip
    own_coordinates = current is not None and current.location_source == LocationSource.COORDINATES
    if coordinates_given or ("postcode" in fields and not own_coordinates):
        postcode = written.get("postcode", current.postcode if current else "")
        area = PostcodeArea.objects.filter(code=postcode).first() if postcode else None
        written.update(
            latitude=area.latitude if area else None,
            longitude=area.longitude if area else None,
            location_source=LocationSource.POSTCODE if area else "",
        )
    return written


@transaction.atomic
def postcode_area_upsert(*, code: str, latitude: float, longitude: float, name: str = "") -> tuple[PostcodeArea, bool]:
    """Create or move an area; the customers it places (those without coordinates of their own) move with it."""
    code = normalised_postcode(code)
    if not code:
        raise ValidationError({"code": ["A postcode area needs a code."]})
    check_coordinates(latitude, longitude)
    area, created = PostcodeArea.objects.update_or_create(
        code=code, defaults={"name": name, "latitude": latitude, "longitude": longitude}
    )
    placed = Customer.objects.filter(postcode=code).exclude(location_source=LocationSource.COORDINATES)
    moved = list(placed.exclude(Q(latitude=latitude) & Q(longitude=longitude)).values_list("pk", flat=True))
    if moved:
        Customer.objects.filter(pk__in=moved).update(
            latitude=latitude, longitude=longitude, location_source=LocationSource.POSTCODE
        )
        customers_mark_changed(customer_ids=moved)
    return area, created

"""Audiences' own sections of a customer's data: profile, consents, orders, events, segments and scores.

Erasure keeps orders (accounting and campaign figures need them; the customer they name no longer says who
it was), the consent history (proof of what was agreed, now tied only to hashed addresses) and the order
statistics; it removes every name, address, number, attribute and event's free text.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audiences.data_subjects.hashing import contact_digest
from audiences.data_subjects.models import ErasedContact
from audiences.data_subjects.registry import DataSection, register_data_section
from audiences.models import (
    Consent,
    ConsentRecord,
    ConsentStatus,
    Customer,
    CustomerPrediction,
    CustomerRecommendation,
    CustomerScore,
    Event,
    Order,
    OrderLine,
    OrderReturn,
    SegmentMembership,
    SegmentMembershipChange,
    Vehicle,
    VehicleOwnership,
)
from audiences.segments.recheck import customers_mark_changed
from audiences.services.consent import consent_record

PROFILE_FIELDS = [
    "external_id", "email", "phone", "first_name", "last_name", "birth_date", "language", "timezone", "city",
    "signed_up_at", "attributes", "currency", "total_spent", "orders_count", "first_order_at", "last_order_at",
    "created_at", "updated_at", "erased_at", "latitude", "longitude", "postcode", "location_source",
]  # fmt: skip
VEHICLE_FIELDS = ["vin", "make", "model", "year", "trim", "mileage", "mileage_read_at", "purchased_at", "store__code",
                  "last_service_at", "next_service_due", "next_service_mileage", "warranty_ends", "status"]  # fmt: skip
# The batch of events whose free text one UPDATE clears: a customer with years of events is not one statement.
EVENTS_BATCH = 5_000


def _profile(customer) -> dict:
    row = Customer.objects.filter(pk=customer.pk).values(*PROFILE_FIELDS, "store__code").get()
    row["store"] = row.pop("store__code")
    return row


def _profile_erase(customer) -> None:
    """Last: the addresses are hashed before they go, so nothing is ever sent to them again."""
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk, erased_at__isnull=True).update(erased_at=now)
    customer.refresh_from_db()
    for kind, address in ((ErasedContact.Kind.EMAIL, customer.email), (ErasedContact.Kind.PHONE, customer.phone)):
        if address:
            ErasedContact.objects.get_or_create(
                kind=kind, digest=contact_digest(address), customer=customer, defaults={"erased_at": customer.erased_at}
            )
    Customer.objects.filter(pk=customer.pk).update(
        email="", phone="", first_name="", last_name="", birth_date=None, timezone="", city="", attributes={},
        latitude=None, longitude=None, postcode="", location_source="", updated_at=now,
    )  # fmt: skip
    # The admin's history names the customer as it read then.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=str(customer.pk)
    ).update(object_repr=f"Erased customer {customer.pk}", change_message="")
    customers_mark_changed(customer_ids=[customer.pk])


def _consents(customer) -> dict:
    return {
        "in_force": list(
            Consent.objects.filter(customer=customer)
            .order_by("channel", "topic")
            .values("channel", "topic", "status", "source", "recorded_at")
        ),
        "history": list(
            ConsentRecord.objects.filter(customer=customer)
            .order_by("recorded_at", "id")
            .values("channel", "topic", "status", "source", "recorded_at")
        ),
    }


def _consents_erase(customer) -> None:
    """Every consent in force ends, recorded as the erasure: the history stays, tied to the erased customer."""
    for consent in Consent.objects.filter(customer=customer).exclude(status=ConsentStatus.OPTED_OUT):
        consent_record(
            customer=customer, channel=consent.channel, topic=consent.topic, status=ConsentStatus.OPTED_OUT,
            source="erasure",
        )  # fmt: skip


def _orders(customer) -> list[dict]:
    orders = list(
        Order.objects.filter(customer=customer)
        .order_by("placed_at", "id")
        .values(
            "id", "external_id", "store__code", "channel", "payment_method", "currency", "placed_at", "status",
            "subtotal", "discount_total", "shipping_price", "shipping_discount", "total", "cancelled_at",
        )
    )  # fmt: skip
    lines: dict[int, list] = {}
    for line in (
        OrderLine.objects.filter(order__customer=customer)
        .order_by("order_id", "line_no")
        .values("order_id", "line_no", "sku", "quantity", "unit_price", "subtotal", "discount", "total")
    ):
        lines.setdefault(line.pop("order_id"), []).append(line)
    returns: dict[int, list] = {}
    for row in (
        OrderReturn.objects.filter(order__customer=customer)
        .order_by("returned_at", "id")
        .values("order_id", "return_id", "amount", "returned_at")
    ):
        returns.setdefault(row.pop("order_id"), []).append(row)
    for order in orders:
        order["store"] = order.pop("store__code")
        order["lines"] = lines.get(order["id"], [])
        order["returns"] = returns.get(order.pop("id"), [])
    return orders


def _orders_size(customer) -> int:
    return OrderLine.objects.filter(order__customer=customer).count()


def _events(customer) -> list[dict]:
    return list(
        Event.objects.filter(customer=customer)
        .order_by("occurred_at", "id")
        .values("type", "occurred_at", "properties", "created_at")
    )


def _events_size(customer) -> int:
    return Event.objects.filter(customer=customer).count()


def _events_erase(customer) -> None:
    """The events stay (scores and journeys count them by type and time); their free text goes."""
    while True:
        ids = list(
            Event.objects.filter(customer=customer).exclude(properties={}).values_list("pk", flat=True)[:EVENTS_BATCH]
        )
        if not ids:
            return
        Event.objects.filter(pk__in=ids).update(properties={})


def _segments(customer) -> dict:
    return {
        "member_of": list(
            SegmentMembership.objects.filter(customer=customer)
            .order_by("segment__code")
            .values("segment__code", "segment__name", "entered_at")
        ),
        "history": list(
            SegmentMembershipChange.objects.filter(customer=customer)
            .order_by("changed_at", "id")
            .values("segment__code", "kind", "changed_at")
        ),
    }


def _scores(customer) -> dict | None:
    fields = [f.name for f in CustomerScore._meta.concrete_fields if f.name != "customer"]
    return CustomerScore.objects.filter(customer=customer).values(*fields).first()


def _recommendations(customer) -> list[dict]:
    rows = CustomerRecommendation.objects.filter(customer=customer).order_by("rank")
    return list(rows.values("rank", "product__sku", "score", "computed_at"))


def _prediction(customer) -> dict | None:
    fields = [f.name for f in CustomerPrediction._meta.concrete_fields if f.name != "customer"]
    return CustomerPrediction.objects.filter(customer=customer).values(*fields).first()


def _prediction_erase(customer) -> None:
    CustomerPrediction.objects.filter(customer=customer).delete()


def _vehicles(customer) -> dict:
    return {
        "owned": list(Vehicle.objects.filter(owner=customer).order_by("vin").values(*VEHICLE_FIELDS)),
        "ownership_history": list(
            VehicleOwnership.objects.filter(customer=customer)
            .order_by("started_at", "id")
            .values("vehicle__vin", "started_at", "ended_at", "source")
        ),
    }


def _vehicles_erase(customer) -> None:
    """The cars stay (a dealer's stock and service records); nothing ties them to the person any more."""
    VehicleOwnership.objects.filter(customer=customer).update(customer=None)
    Vehicle.objects.filter(owner=customer).update(owner=None)


def _recommendations_erase(customer) -> None:
    CustomerRecommendation.objects.filter(customer=customer).delete()


def register_audiences_data_sections() -> None:
    for section in [
        DataSection("profile", "Profile", _profile, _profile_erase, position=1000),
        DataSection("consents", "Consents", _consents, _consents_erase, position=10),
        DataSection("orders", "Orders", _orders, size=_orders_size, position=20),
        DataSection("events", "Events", _events, _events_erase, size=_events_size, position=30),
        DataSection("segments", "Segments", _segments, position=40),
        DataSection("scores", "Scores", _scores, position=50),
        DataSection("vehicles", "Vehicles", _vehicles, _vehicles_erase, position=60),
        DataSection("recommendations", "Recommendations", _recommendations, _recommendations_erase, position=70),
        DataSection("prediction", "Predicted value and churn", _prediction, _prediction_erase, position=80),
    ]:
        register_data_section(section)

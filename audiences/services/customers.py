"""Customers: their fields cleaned and normalised, created or updated."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from audiences import signals
from audiences.contact import InvalidPhone, normalised_email, phone_to_e164
from audiences.models import Customer, Language, Store
from audiences.places.services import LOCATION_FIELDS, customer_location_fields
from audiences.segments.recheck import customers_mark_changed
from audiences.services.validation import check_timezone
from config.errors import Conflict

CUSTOMER_FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "birth_date",
    "language",
    "timezone",
    "store",
    "city",
    "signed_up_at",
    "attributes",
    *LOCATION_FIELDS,
)


def _store_by_code(code: str, field: str = "store") -> Store:
    try:
        return Store.objects.get(code=code)
    except Store.DoesNotExist:
        raise ValidationError({field: [f"Unknown store '{code}'."]}) from None


def customer_clean_fields(fields: dict, *, current: Customer | None = None) -> dict:
    """Validate and normalise customer fields (phone to E.164, store code to Store, a postcode to its area's
    coordinates); `current` is the customer they update, if any."""
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError({name: ["Unknown customer field."] for name in sorted(unknown)})
    cleaned = {name: value for name, value in fields.items() if name not in LOCATION_FIELDS}
    cleaned.update(customer_location_fields(fields, current=current))
    if cleaned.get("phone"):
        try:
            cleaned["phone"] = phone_to_e164(cleaned["phone"], default_region=settings.DEFAULT_PHONE_REGION)
        except InvalidPhone as exc:
            raise ValidationError({"phone": [str(exc)]}) from None
    if cleaned.get("email"):
        cleaned["email"] = normalised_email(cleaned["email"])
    if cleaned.get("timezone"):
        check_timezone(cleaned["timezone"])
    if "language" in cleaned and cleaned["language"] not in Language.values:
        raise ValidationError({"language": [f"Unknown language '{cleaned['language']}'; use one of en, bn, sw."]})
    if "attributes" in cleaned and not isinstance(cleaned["attributes"], dict):
        raise ValidationError({"attributes": ["Attributes must be a JSON object."]})
    if "store" in cleaned:
        cleaned["store"] = _store_by_code(cleaned["store"]) if cleaned["store"] else None
    for optional in ("email", "phone", "first_name", "last_name", "timezone", "city"):
        if optional in cleaned and cleaned[optional] is None:
            cleaned[optional] = ""
    return cleaned


@transaction.atomic
def customer_upsert(*, external_id: str, **fields) -> tuple[Customer, bool]:
    """Create or update a customer; fields not given are left as they are."""
    placing = any(name in fields for name in LOCATION_FIELDS)
    current = Customer.objects.select_for_update().filter(external_id=external_id).first() if placing else None
    cleaned = customer_clean_fields(fields, current=current)
    # Until a customer has a currency, the home store's names the one total_spent is kept in.
    store = cleaned.get("store")
    defaults = {**cleaned, "currency": store.currency} if store else cleaned
    customer, created = Customer.objects.select_for_update().get_or_create(external_id=external_id, defaults=defaults)
    if customer.erased_at is not None:
        raise Conflict(
            code="customer_erased",
            message=f"Customer '{external_id}' was erased at their request; a new account needs a new id.",
        )
    if not created and cleaned:
        for name, value in cleaned.items():
            setattr(customer, name, value)
        if not customer.currency and customer.store_id:
            customer.currency = customer.store.currency
        customer.save()
    customers_mark_changed(customer_ids=[customer.pk])
    signals.send_after_commit(signals.customer_upserted, customer=customer, created=created)
    return customer, created

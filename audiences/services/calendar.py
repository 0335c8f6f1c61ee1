"""The retailer's own dates (audiences/retailer_dates.py)."""

from datetime import date

from django.db import transaction

from audiences.models import RetailerDate, Store
from audiences.services.catalog import check_country


@transaction.atomic
def retailer_date_upsert(
    *, name: str, starts_on: date, ends_on: date | None = None, country: str = "", stores: list[Store] | None = None
) -> RetailerDate:
    """The date of this name starting that day, created or changed; `stores` empty: all of the country's."""
    retailer_date, _ = RetailerDate.objects.update_or_create(
        name=name, starts_on=starts_on, defaults={"ends_on": ends_on, "country": check_country(country)}
    )
    retailer_date.full_clean()
    retailer_date.stores.set(stores or [])
    return retailer_date

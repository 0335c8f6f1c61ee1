"""Stores, the category tree and products, as the shop sends them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from audiences.local_calendar import country_for_currency, is_supported_country
from audiences.models import Category, Product, StockLevel, Store
from audiences.places.services import check_coordinates
from audiences.services.validation import check_currency, check_timezone


@transaction.atomic
def store_upsert(
    *,
    code: str,
    name: str,
    timezone: str,
    currency: str,
    city: str = "",
    manager_email: str | None = None,
    country: str | None = None,
    coordinates: tuple[float | None, float | None] | None = None,
) -> tuple[Store, bool]:
    """Create or update a store; `manager_email` (staff notifications), `country` (whose holidays apply) and
    `coordinates` (latitude, longitude; (None, None) removes them) are left as they are when not given, a new
    store's country being its currency's (BDT: BD).

    A store moved moves distance segments at their next refresh, not live."""
    check_timezone(timezone)
    check_currency(currency)
    defaults = {"name": name, "timezone": timezone, "currency": currency, "city": city}
    if coordinates is not None:
        check_coordinates(*coordinates)
        defaults["latitude"], defaults["longitude"] = coordinates
    if manager_email is not None:
        defaults["manager_email"] = manager_email
    if country is not None:
        defaults["country"] = check_country(country)
    store, created = Store.objects.update_or_create(code=code, defaults=defaults)
    if not store.country and (derived := country_for_currency(currency)):
        store.country = derived
        store.save(update_fields=["country"])
    return store, created


def check_country(country: str) -> str:
    """An ISO 3166 code whose public holidays we know, upper-cased; empty is allowed (no holidays)."""
    code = country.strip().upper()
    if code and not is_supported_country(code):
        raise ValidationError({"country": [f"'{country}' is not a country code whose holidays we know, e.g. BD."]})
    return code


@transaction.atomic
def category_upsert(*, code: str, name: str, parent_code: str | None = None) -> tuple[Category, bool]:
    parent = None
    if parent_code:
        try:
            parent = Category.objects.select_for_update().get(code=parent_code)
        except Category.DoesNotExist:
            raise ValidationError({"parent": [f"Unknown category '{parent_code}'."]}) from None
        if code in parent.lineage:
            raise ValidationError(
                {"parent": [f"'{parent_code}' is '{code}' or below it: a category tree has no cycles."]}
            )
    new_path = f"{parent.path if parent else '/'}{code}/"
    category = Category.objects.select_for_update().filter(code=code).first()
    created = category is None
    if created:
        category = Category.objects.create(code=code, name=name, parent=parent, path=new_path)
        return category, True
    old_path = category.path
    category.name, category.parent, category.path = name, parent, new_path
    category.save()
    if old_path != new_path:
        for descendant in Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk):
            descendant.path = new_path + descendant.path.removeprefix(old_path)
            descendant.save(update_fields=["path", "updated_at"])
    return category, False


@transaction.atomic
def product_upsert(
    *,
    sku: str,
    name: str,
    price: Decimal,
    currency: str,
    category_code: str | None = None,
    in_stock: bool = True,
    brand: str = "",
    consumable: bool = False,
) -> tuple[Product, bool]:
    check_currency(currency)
    if price < 0:
        raise ValidationError({"price": ["A price cannot be negative."]})
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code).first()
        if category is None:
            raise ValidationError({"category": [f"Unknown category '{category_code}'."]})
    product, created = Product.objects.update_or_create(
        sku=sku,
        defaults={
            "name": name,
            "category": category,
            "price": price,
            "currency": currency,
            "in_stock": in_stock,
            "brand": brand,
            "consumable": consumable,
        },
    )
    levels = StockLevel.objects.filter(product=product)
    if not created and levels.exists():
        # Once stores report stock, the flag follows them (in stock somewhere), not the catalog's default.
        product.in_stock = levels.filter(quantity__gt=0).exists()
        Product.objects.filter(pk=product.pk).update(in_stock=product.in_stock)
    return product, created

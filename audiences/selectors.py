"""Reads of the audiences data."""

from django.db.models import QuerySet

from audiences.models import Category, Consent, ConsentRecord, Customer, CustomerScore, Order, Product, Store
from audiences.profile import profile_extensions


def customer_get(*, external_id: str) -> Customer | None:
    return Customer.objects.select_related("store").filter(external_id=external_id).first()


def customers_by_external_id(*, external_ids: set[str]) -> dict[str, Customer]:
    return {customer.external_id: customer for customer in Customer.objects.filter(external_id__in=external_ids)}


def customer_consents(*, customer: Customer) -> QuerySet[Consent]:
    return Consent.objects.filter(customer=customer).order_by("channel", "topic")


def customer_consent_history(*, customer: Customer, limit: int = 20) -> list[ConsentRecord]:
    """What the customer said, newest first."""
    return list(ConsentRecord.objects.filter(customer=customer).order_by("-recorded_at", "-id")[:limit])


def customer_score(*, customer: Customer) -> CustomerScore | None:
    return CustomerScore.objects.filter(customer=customer).first()


def customer_recent_orders(*, customer: Customer, limit: int = 10) -> list[Order]:
    return list(Order.objects.filter(customer=customer).select_related("store").order_by("-placed_at", "-id")[:limit])


def customer_profile_extensions(*, customer: Customer) -> dict[str, object]:
    return profile_extensions(customer)


def store_get(*, code: str) -> Store | None:
    return Store.objects.filter(code=code).first()


def category_get(*, code: str) -> Category | None:
    return Category.objects.select_related("parent").filter(code=code).first()


def product_get(*, sku: str) -> Product | None:
    return Product.objects.select_related("category").filter(sku=sku).first()

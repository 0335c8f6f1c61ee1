"""Reads of the audiences data."""

from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from audiences.models import (
    Category,
    Consent,
    ConsentRecord,
    Customer,
    CustomerScore,
    Order,
    Product,
    RfmMovement,
    Segment,
    Store,
)
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


# What the back office's pickers offer (the promotion form's products, categories, brands, stores and
# segments): (value, label) pairs matching a search, and the labels of values already chosen.
PICKER_LIMIT = 20


def _category_labels(categories) -> dict[str, str]:
    """Each category with its tree: "Electronics › TV"."""
    categories = list(categories)
    ancestors = {code for category in categories for code in category.lineage}
    names = dict(Category.objects.filter(code__in=ancestors).values_list("code", "name"))
    return {c.code: " › ".join(names.get(code, code) for code in reversed(c.lineage)) for c in categories}


def _picks(kind: str, term: str):
    if kind == "products":
        found = Product.objects.filter(Q(sku__icontains=term) | Q(name__icontains=term)).order_by("sku")
        return [(p.sku, f"{p.sku} · {p.name}") for p in found[:PICKER_LIMIT]]
    if kind == "categories":
        found = Category.objects.filter(Q(code__icontains=term) | Q(name__icontains=term))[:PICKER_LIMIT]
        return list(_category_labels(found).items())
    if kind == "brands":
        found = Product.objects.filter(brand__icontains=term).exclude(brand="").order_by("brand")
        return [(brand, brand) for brand in found.values_list("brand", flat=True).distinct()[:PICKER_LIMIT]]
    if kind == "stores":
        found = Store.objects.filter(Q(code__icontains=term) | Q(name__icontains=term)).order_by("code")
        return [(s.code, f"{s.code} · {s.name}") for s in found[:PICKER_LIMIT]]
    if kind == "segments":
        found = Segment.objects.filter(Q(code__icontains=term) | Q(name__icontains=term)).order_by("name")
        return [(s.code, s.name) for s in found[:PICKER_LIMIT]]
    raise KeyError(kind)


PICKER_KINDS = ("products", "categories", "brands", "stores", "segments")


def picker_search(*, kind: str, term: str) -> list[tuple[str, str]]:
    """At most PICKER_LIMIT (value, label) pairs of `kind` whose code or name contains `term`."""
    return _picks(kind, term.strip())


def picker_labels(*, kind: str, values: list[str]) -> dict[str, str]:
    """The label of each chosen value that exists (a value that does not keeps its own text)."""
    if kind == "products":
        return {
            sku: f"{sku} · {name}" for sku, name in Product.objects.filter(sku__in=values).values_list("sku", "name")
        }
    if kind == "categories":
        return _category_labels(Category.objects.filter(code__in=values))
    if kind == "stores":
        return {
            code: f"{code} · {name}" for code, name in Store.objects.filter(code__in=values).values_list("code", "name")
        }
    if kind == "segments":
        return dict(Segment.objects.filter(code__in=values).values_list("code", "name"))
    return {value: value for value in values}


def rfm_cell_counts() -> dict[tuple[int, int], int]:
    """Scored customers per (recency, frequency) cell of the RFM grid."""
    rows = CustomerScore.objects.filter(rfm_r__isnull=False).values("rfm_r", "rfm_f").annotate(n=Count("pk"))
    return {(row["rfm_r"], row["rfm_f"]): row["n"] for row in rows}


def rfm_movement_latest() -> tuple[datetime | None, dict[tuple[str, str], int]]:
    """The latest scoring run's customers per (previous group, new group), with when it ran; (None, {}) before any."""
    latest = RfmMovement.objects.aggregate(at=Max("computed_at"))["at"]
    rows = RfmMovement.objects.filter(computed_at=latest).values_list("from_group", "to_group", "customers")
    return latest, {(before, after): n for before, after, n in rows} if latest else {}


def order_by_external_id(*, external_id: str) -> Order | None:
    return Order.objects.filter(external_id=external_id).first()


def order_return_lines(*, order_return) -> list:
    return list(order_return.lines.select_related("line").order_by("line__line_no"))

"""The documented context templates are rendered over: plain values only, never model objects.

`customer`, `store`, `coupon`, `loyalty`, `products`, `interested_in_stock`, `recommendations`,
`unsubscribe_url`, plus what the sender put in the message's context. Apps above messaging add values
(loyalty's balance and tier) through `register_context_provider`, so messaging does not import them; messaging
provides `interested_in_stock` and `recommendations` (the customer's nightly recommended products, in stock)
the same way."""

from collections.abc import Callable, Iterable

from audiences.currencies import quantize
from audiences.inventory import interested_in_stock
from audiences.models import Customer, Product
from audiences.recommendations.selectors import recommendations_by_customer

# A message shows a few recommended products, not the whole list the storefront can page through.
RECOMMENDATIONS_IN_MESSAGES = 3

# name -> fn(customers) -> {customer_id: value}; one call per batch, not per message.
ContextProvider = Callable[[list[Customer]], dict[int, object]]
_providers: dict[str, tuple[ContextProvider, bool]] = {}


def register_context_provider(name: str, provider: ContextProvider, *, only_when_named: bool = False) -> None:
    """`only_when_named`: a costly value, computed for a batch only when one of its templates names it."""
    _providers[name] = (provider, only_when_named)


def provided_values(customers: list[Customer], *, texts: Iterable[str] | None = None) -> dict[int, dict[str, object]]:
    """The providers' values per customer; with `texts` (the batch's template texts), the costly ones only
    when a text names them."""
    texts = None if texts is None else list(texts)
    values: dict[int, dict[str, object]] = {customer.pk: {} for customer in customers}
    for name, (provider, only_when_named) in _providers.items():
        if only_when_named and texts is not None and not any(name in text for text in texts):
            continue
        for customer_id, value in provider(customers).items():
            values.setdefault(customer_id, {})[name] = value
    return values


# The products a customer viewed lately that are in stock at their store (audiences.inventory).
register_context_provider("interested_in_stock", interested_in_stock, only_when_named=True)


def recommended_products(customers: list[Customer]) -> dict[int, list[dict]]:
    """Each customer's top recommended products still in stock (empty before the first nightly run)."""
    found = recommendations_by_customer(
        customer_ids=[customer.pk for customer in customers], limit=RECOMMENDATIONS_IN_MESSAGES
    )
    return {
        customer_id: [
            {
                "sku": row.product.sku,
                "name": row.product.name,
                "brand": row.product.brand,
                "price": str(quantize(row.product.price, row.product.currency)),
                "currency": row.product.currency,
            }
            for row in rows
        ]
        for customer_id, rows in found.items()
    }


def customer_values(customer: Customer) -> dict:
    return {
        "external_id": customer.external_id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "full_name": " ".join(part for part in (customer.first_name, customer.last_name) if part),
        "email": customer.email,
        "phone": customer.phone,
        "city": customer.city,
        "language": customer.language,
        "orders_count": customer.orders_count,
        "total_spent": customer.total_spent_display,
    }


def store_values(customer: Customer) -> dict:
    store = customer.store
    if store is None:
        return {}
    return {"code": store.code, "name": store.name, "city": store.city, "currency": store.currency}


def products_by_sku(skus: Iterable[str]) -> dict[str, dict]:
    rows = Product.objects.filter(sku__in=set(skus)).values("sku", "name", "price", "currency", "brand", "in_stock")
    return {row["sku"]: {**row, "price": str(quantize(row["price"], row["currency"]))} for row in rows}


def message_context(
    *,
    customer: Customer,
    extra: dict,
    provided: dict[str, dict],
    products: dict[str, dict],
    unsubscribe_url: str = "",
) -> dict:
    skus = extra.get("products") or []
    context = {key: value for key, value in extra.items() if key != "products"}
    context.update(
        customer=customer_values(customer),
        store=store_values(customer),
        coupon=extra.get("coupon") or {},
        loyalty={},
        products=[products[sku] for sku in skus if sku in products],
        unsubscribe_url=unsubscribe_url,
    )
    context.update(provided)
    return context


SAMPLE_CONTEXT_HELP = (
    "customer.first_name, customer.last_name, customer.full_name, customer.email, customer.phone, "
    "customer.city, customer.orders_count, customer.total_spent, store.name, store.city, coupon.code, "
    "coupon.description, loyalty.balance, loyalty.tier, products (each: sku, name, price, currency), "
    "interested_in_stock (products viewed in the last 30 days, in stock at the customer's store; each: sku, name, "
    "price, currency, brand), "
    "recommendations (up to 3 products picked for the customer, each: sku, name, brand, price, currency), "
    "unsubscribe_url"
)

"""The fields of the segment rule language and how each compiles to a condition on Customer.

A field knows which operators it accepts, the kind of value it reads (audiences.segments.values), and how to turn
(operator, value) into a `Q` over `audiences.Customer`. Apps above audiences add their own
fields (loyalty registers `loyalty_tier`) with `register_segment_field`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from audiences.calendar_selectors import stores_with_upcoming
from audiences.models import Category, CategoryPurchase, Consent, Event, Order, OrderLine, RfmGroup
from audiences.segments.values import RuleError

COMPARISON = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "exists")
TEXT_OPS = ("eq", "ne", "in", "not_in", "contains", "exists")
TIME_OPS = ("within_days", "older_than_days", "gt", "gte", "lt", "lte", "between", "exists")
ALL_OPS = frozenset((*COMPARISON, "contains", "within_days", "older_than_days"))


@dataclass(frozen=True)
class Condition:
    """One field condition as written: {"field", "op", "value", "within_days"?}."""

    field: str
    op: str
    value: object
    within_days: int | None = None
    currency: str | None = None  # for amounts: only customers whose totals are in this currency
    now: datetime = field(default_factory=timezone.now)
    options: dict = field(default_factory=dict)  # the field's own keys (distance_km: "store")


Compiler = Callable[[Condition, object], Q]


@dataclass(frozen=True)
class SegmentField:
    name: str
    kind: str  # text | integer | money | decimal | datetime | boolean | choice | json
    ops: tuple[str, ...]
    compile: Compiler
    choices: tuple[str, ...] = ()
    accepts_within_days: bool = False
    description: str = ""
    label: str = ""  # what the builder shows ("Average order value"); the name stays the stored code
    # Keys the condition must also give, each a text, with the builder's label: distance_km's {"store": "Store code"}.
    options: dict[str, str] = field(default_factory=dict)
    op_labels: dict[str, str] = field(default_factory=dict)  # the builder's words where the usual ones mislead

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ").replace(".", " ").capitalize()


_registry: dict[str, SegmentField] = {}


def register_segment_field(segment_field: SegmentField) -> None:
    _registry[segment_field.name] = segment_field


# The builder's names for the built-in fields, so that the registrations below stay about the rules.
BUILTIN_LABELS = {
    "email": "Email address",
    "phone": "Phone number",
    "city": "City",
    "store": "Home store",
    "store_country": "Home store's country",
    "upcoming_occasion": "Holiday or sale coming up",
    "currency": "Currency",
    "language": "Language",
    "signed_up_at": "Signed up",
    "first_order_at": "First order",
    "last_order_at": "Last order",
    "last_active_at": "Last active",
    "birth_month": "Birth month",
    "orders_count": "Number of orders",
    "total_spent": "Total spent",
    "avg_order_value": "Average order value",
    "purchased_sku": "Bought product (SKU)",
    "purchased_category": "Bought in category",
    "consent.email": "Email consent",
    "consent.sms": "SMS consent",
    "consent.whatsapp": "WhatsApp consent",
    "rfm_r": "RFM recency",
    "rfm_f": "RFM frequency",
    "rfm_m": "RFM monetary",
    "rfm_segment": "RFM segment",
    "engagement_score": "Engagement score",
    "loyalty_score": "Loyalty score",
    "frequency_trend": "Order frequency trend",
    "spend_trend": "Spend trend",
    "has_open_complaint": "Has an open complaint",
}


def segment_field(name: str) -> SegmentField | None:
    if name.startswith("attributes."):
        return _attribute_field(name)
    return _registry.get(name)


def segment_fields() -> list[SegmentField]:
    return sorted(_registry.values(), key=lambda f: f.name)


# --- compiling --------------------------------------------------------------------------------


def column(path: str, *, text: bool = False) -> Compiler:
    """Compile a condition on a column (or a related column) of Customer; for a text column an
    empty string counts as absent, as the models store "no value" that way."""

    def compile_condition(condition: Condition, value) -> Q:
        op = condition.op
        if op == "exists":
            present = Q(**{f"{path}__isnull": False}) & ~Q(**{path: ""}) if text else Q(**{f"{path}__isnull": False})
            return present if value else ~present
        if op == "within_days":
            return Q(**{f"{path}__gte": condition.now - timedelta(days=value)})
        if op == "older_than_days":
            return Q(**{f"{path}__lt": condition.now - timedelta(days=value)})
        if op == "eq":
            return Q(**{path: value})
        if op == "ne":
            return ~Q(**{path: value})
        if op == "in":
            return Q(**{f"{path}__in": value})
        if op == "not_in":
            return ~Q(**{f"{path}__in": value})
        if op == "between":
            return Q(**{f"{path}__gte": value[0], f"{path}__lte": value[1]})
        if op == "contains":
            return Q(**{f"{path}__icontains": value})
        return Q(**{f"{path}__{op}": value})

    return compile_condition


_ATTRIBUTE_KEY = re.compile(r"^(?!.*__)[A-Za-z0-9_]{1,64}$")  # no "__": the ORM would split the key there


def _attribute_field(name: str) -> SegmentField | None:
    key = name.removeprefix("attributes.")
    if not _ATTRIBUTE_KEY.match(key):
        return None
    return SegmentField(
        name=name,
        kind="json",
        ops=("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "contains", "exists"),
        compile=_attribute(key),
        label=f"Attribute {key}",
        description="A custom attribute of the customer (attributes.<key>).",
    )


_ATTRIBUTE_LOOKUPS = {"eq": "exact", "in": "in", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
_NEGATED_ATTRIBUTE_LOOKUPS = {"ne": "exact", "not_in": "in"}


def _attribute(key: str) -> Compiler:
    """A condition on one key of `attributes`, always ending in an explicit lookup: a bare
    `attributes__isnull` would be read as the isnull lookup on the whole field, not as the key
    "isnull" (keys with `__`, which the ORM would split, are refused by _ATTRIBUTE_KEY)."""

    def lookup(name: str, value) -> Q:
        return Q(**{f"attributes__{key}__{name}": value})

    def compile_condition(condition: Condition, value) -> Q:
        op = condition.op
        if op == "exists":
            present = Q(attributes__has_key=key)
            return present if value else ~present
        if op in _NEGATED_ATTRIBUTE_LOOKUPS:
            return ~lookup(_NEGATED_ATTRIBUTE_LOOKUPS[op], value)
        if op == "between":
            return lookup("gte", value[0]) & lookup("lte", value[1])
        if op == "contains":
            return lookup("icontains", value)
        return lookup(_ATTRIBUTE_LOOKUPS[op], value)

    return compile_condition


def in_currency(compile_amount: Compiler) -> Compiler:
    """An amount condition holds only for customers whose totals are in the rule's currency.

    A rule saved before amounts named their currency has none: it is applied to each customer's
    total in that customer's own currency, as it always was (docs/audiences.md).
    """

    def compile_condition(condition: Condition, value) -> Q:
        matches = compile_amount(condition, value)
        return Q(currency=condition.currency) & matches if condition.currency else matches

    return compile_condition


def _average_order_value(condition: Condition, value) -> Q:
    """total_spent / orders_count compared without division: avg >= v  <=>  spent >= v * count."""
    has_orders = Q(orders_count__gt=0)
    op = condition.op
    if op == "exists":
        return has_orders if value else ~has_orders
    if op == "between":
        low, high = value
        return has_orders & Q(total_spent__gte=F("orders_count") * low) & Q(total_spent__lte=F("orders_count") * high)
    return has_orders & Q(**{f"total_spent__{op}": F("orders_count") * value})


def _purchased(path: str) -> Compiler:
    """A placed (not cancelled) order with a line matching `path`, optionally within N days.

    A category (it and its descendants, as ids) is read from the customers' latest purchase per
    category (models.CategoryPurchase: a bought-within-N-days is a latest purchase within them); a
    SKU from the lines' copies of the order's customer, time and status (models.OrderLine). Each is
    one range of an index per id or SKU.
    """

    def compile_condition(condition: Condition, value) -> Q:
        values = value if isinstance(value, list) else [value]
        since = condition.now - timedelta(days=condition.within_days) if condition.within_days is not None else None
        if path == "category":
            purchases = CategoryPurchase.objects.filter(customer=OuterRef("pk"), category_id__in=_category_ids(values))
            if since is not None:
                purchases = purchases.filter(last_placed_at__gte=since)
            bought = Exists(purchases)
        else:
            lines = OrderLine.objects.filter(customer=OuterRef("pk"), order_status=Order.Status.PLACED, sku__in=values)
            if since is not None:
                lines = lines.filter(placed_at__gte=since)
            bought = Exists(lines)
        return ~bought if condition.op == "not_in" else bought

    return compile_condition


def _category_ids(codes: list[str]) -> list[int]:
    """The ids of these categories and their descendants; RuleError naming any unknown code."""
    paths = list(Category.objects.filter(code__in=codes).values_list("path", flat=True))
    if len(paths) != len(set(codes)):
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
        raise RuleError(f"names unknown categories: {', '.join(sorted(set(codes) - known))}")
    under = Q()
    for category_path in paths:
        under |= Q(path__startswith=category_path)
    return sorted(Category.objects.filter(under).values_list("pk", flat=True))


def _consent(channel: str) -> Compiler:
    def compile_condition(condition: Condition, value) -> Q:
        consents = Consent.objects.filter(customer=OuterRef("pk"), channel=channel, topic="marketing")
        if condition.op == "exists":
            return Q(Exists(consents)) if value else ~Q(Exists(consents))
        status = value
        matches = Q(Exists(consents.filter(status=status)))
        return matches if condition.op == "eq" else ~matches

    return compile_condition


def _open_complaint(condition: Condition, value) -> Q:
    """A complaint_opened event with no complaint_resolved at or after it."""
    resolved_later = Event.objects.filter(
        customer=OuterRef(OuterRef("pk")), type="complaint_resolved", occurred_at__gte=OuterRef("occurred_at")
    )
    open_complaints = Event.objects.filter(customer=OuterRef("pk"), type="complaint_opened").exclude(
        Exists(resolved_later)
    )
    has_open = Q(Exists(open_complaints))
    return has_open if value is (condition.op == "eq") else ~has_open


# Events a customer does not cause: a resolution is the shop's doing, not the customer's activity.
NOT_ACTIVITY = ("complaint_resolved",)


def _last_active(condition: Condition, value) -> Q:
    """Active in the last N days: an order, a sign-up or an event of theirs (a message, a view, ...).

    A customer with no sign-up date and no order counts as signed up when we first heard of them
    (`created_at`): one the storefront created today has not been inactive for 90 days.
    `older_than_days N` is the negation.
    """
    since = condition.now - timedelta(days=value)
    recent_events = Event.objects.filter(customer=OuterRef("pk"), occurred_at__gte=since).exclude(type__in=NOT_ACTIVITY)
    first_heard_of = Q(signed_up_at__isnull=True, first_order_at__isnull=True, created_at__gte=since)
    active = Q(last_order_at__gte=since) | Q(signed_up_at__gte=since) | first_heard_of | Q(Exists(recent_events))
    return active if condition.op == "within_days" else ~active


def _upcoming_occasion(condition: Condition, value) -> Q:
    """Customers of a store whose local calendar (its country's public holidays, the retailer's dates) has an
    occasion of this name from today to `within_days` ahead (today only without): "Eid al-Fitr within 7 days"."""
    today = timezone.localdate(condition.now)
    names = value if isinstance(value, list) else [value]
    store_ids = {
        store_id
        for name in names
        for store_id in stores_with_upcoming(name=name, today=today, within_days=condition.within_days or 0)
    }
    return Q(store_id__in=sorted(store_ids))


def _register_builtins() -> None:
    text = {"kind": "text", "ops": TEXT_OPS}
    for name, path in [("email", "email"), ("phone", "phone"), ("city", "city"), ("store", "store__code")]:
        register_segment_field(SegmentField(name=name, compile=column(path, text=True), **text))
    register_segment_field(
        SegmentField(
            name="currency",
            compile=column("currency", text=True),
            description="The currency of the customer's totals: the home store's, else the first order's.",
            **text,
        )
    )
    register_segment_field(
        SegmentField(
            name="store_country",
            compile=column("store__country", text=True),
            description="The ISO 3166 country of the home store (BD, TZ).",
            **text,
        )
    )
    register_segment_field(
        SegmentField(
            name="upcoming_occasion",
            kind="text",
            ops=("eq", "in"),
            compile=_upcoming_occasion,
            accepts_within_days=True,
            description="A public holiday of the home store's country or a retailer date for the store, from today "
            "to within_days ahead (Eid al-Fitr, Pohela Boishakh sale).",
        )
    )
    register_segment_field(
        SegmentField(
            name="language",
            kind="choice",
            ops=("eq", "ne", "in", "not_in", "exists"),
            choices=("en", "bn", "sw"),
            compile=column("language", text=True),
        )
    )
    for name in ("signed_up_at", "first_order_at", "last_order_at"):
        register_segment_field(SegmentField(name=name, kind="datetime", ops=TIME_OPS, compile=column(name)))
    register_segment_field(
        SegmentField(
            name="last_active_at",
            kind="datetime",
            ops=("within_days", "older_than_days"),
            compile=_last_active,
            description="The customer's latest order, sign-up or event (not a complaint's resolution).",
        )
    )
    register_segment_field(
        SegmentField(name="birth_month", kind="integer", ops=COMPARISON, compile=column("birth_date__month"))
    )
    register_segment_field(
        SegmentField(name="orders_count", kind="integer", ops=COMPARISON, compile=column("orders_count"))
    )
    register_segment_field(
        SegmentField(name="total_spent", kind="money", ops=COMPARISON, compile=in_currency(column("total_spent")))
    )
    register_segment_field(
        SegmentField(
            name="avg_order_value",
            kind="money",
            ops=("eq", "gt", "gte", "lt", "lte", "between", "exists"),
            compile=in_currency(_average_order_value),
        )
    )
    for name, path in [("purchased_sku", "sku"), ("purchased_category", "category")]:
        register_segment_field(
            SegmentField(
                name=name,
                kind="text",
                ops=("eq", "in", "not_in"),
                compile=_purchased(path),
                accepts_within_days=True,
            )
        )
    for channel in ("email", "sms", "whatsapp"):
        register_segment_field(
            SegmentField(
                name=f"consent.{channel}",
                kind="choice",
                ops=("eq", "ne", "exists"),
                choices=("opted_in", "opted_out"),
                compile=_consent(channel),
                description=f"The marketing consent in force for {channel}.",
            )
        )
    for name in ("rfm_r", "rfm_f", "rfm_m"):
        register_segment_field(
            SegmentField(
                name=name,
                kind="integer",
                ops=COMPARISON,
                compile=column(f"score__{name}"),
                description="RFM quintile, 1 (lowest) to 5 (best).",
            )
        )
    register_segment_field(
        SegmentField(
            name="rfm_segment",
            kind="choice",
            ops=("eq", "ne", "in", "not_in", "exists"),
            choices=tuple(RfmGroup.values),
            compile=column("score__rfm_segment", text=True),
        )
    )
    for name in ("engagement_score", "loyalty_score"):
        register_segment_field(
            SegmentField(name=name, kind="integer", ops=COMPARISON, compile=column(f"score__{name}"))
        )
    for name in ("frequency_trend", "spend_trend"):
        register_segment_field(
            SegmentField(
                name=name,
                kind="decimal",
                ops=COMPARISON,
                compile=column(f"score__{name}"),
                description="Recent (90 days) against earlier in the RFM window: -0.5 means halved.",
            )
        )
    register_segment_field(
        SegmentField(
            name="has_open_complaint",
            kind="boolean",
            ops=("eq", "ne"),
            compile=_open_complaint,
            description="A complaint_opened event with no complaint_resolved after it.",
        )
    )

    for name, label in BUILTIN_LABELS.items():
        _registry[name] = replace(_registry[name], label=label)


_register_builtins()

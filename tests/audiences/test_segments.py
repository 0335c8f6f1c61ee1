"""Each field and operator of the rule language against a small dataset computed by hand."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audiences.segments import services as segments
from audiences.segments.selectors import matching_customers, segment_live_count
from audiences.services.catalog import category_upsert, store_upsert
from audiences.services.consent import consent_record
from audiences.services.customers import customer_upsert
from audiences.services.events import EventInput, events_record
from audiences.services.orders import OrderLineInput, order_cancel, order_create

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def line(sku: str, price: str, quantity: int = 1, category=None):
    return OrderLineInput(sku=sku, quantity=quantity, unit_price=Decimal(price), category=category)


@pytest.fixture
def people(db):
    """A: Dhaka big spender, lapsed. B: Arusha, recent buyer, open complaint. C: no orders,
    resolved complaint, email opt-in. D: Chattogram, small buyer, cancelled order, SMS opt-out."""
    dhaka = store_upsert(code="DHK-01", name="Gulshan", timezone="Asia/Dhaka", currency="BDT")[0]
    store_upsert(code="ARU-01", name="Arusha", timezone="Africa/Dar_es_Salaam", currency="TZS")
    electronics = category_upsert(code="electronics", name="Electronics")[0]
    tv = category_upsert(code="tv", name="TV", parent_code="electronics")[0]
    cables = category_upsert(code="cables", name="Cables", parent_code="electronics")[0]
    grocery = category_upsert(code="grocery", name="Grocery")[0]
    assert electronics.path == "/electronics/"

    a = customer_upsert(
        external_id="A",
        email="a@example.com",
        phone="01712345678",
        language="bn",
        store="DHK-01",
        city="Dhaka",
        birth_date=date(1990, 4, 2),
        signed_up_at=days_ago(10),
        attributes={"car_year": 2015, "tier": "gold"},
    )[0]
    b = customer_upsert(
        external_id="B",
        language="sw",
        store="ARU-01",
        city="Arusha",
        signed_up_at=days_ago(400),
        attributes={"car_year": 2022},
    )[0]
    c = customer_upsert(
        external_id="C", city="Dhaka", language="en", signed_up_at=days_ago(40), birth_date=date(1985, 12, 24)
    )[0]
    d = customer_upsert(external_id="D", city="Chattogram", language="bn", store="DHK-01")[0]

    order_create(
        external_id="O-A1", currency="BDT", placed_at=days_ago(200), customer=a, store=dhaka,
        lines=[line("HDMI-2", "60000.00", category=cables)],
    )  # fmt: skip
    order_create(
        external_id="O-A2", currency="BDT", placed_at=days_ago(100), customer=a, store=dhaka,
        lines=[line("TV-55", "50000.00", category=tv)],
    )  # fmt: skip
    order_create(
        external_id="O-B1", currency="TZS", placed_at=days_ago(5), customer=b,
        lines=[line("HDMI-2", "75000.00", quantity=2, category=cables)],
    )  # fmt: skip
    order_create(external_id="O-D1", currency="BDT", placed_at=days_ago(1), customer=d, lines=[line("SOAP", "500.00")])
    cancelled = order_create(
        external_id="O-D2",
        currency="BDT",
        placed_at=days_ago(2),
        customer=d,
        lines=[line("RICE", "100.00", category=grocery)],
    )
    order_cancel(order=cancelled)

    events = [
        EventInput(customer=b, type="complaint_opened", occurred_at=days_ago(3)),
        EventInput(customer=c, type="complaint_opened", occurred_at=days_ago(60)),
        EventInput(customer=c, type="complaint_resolved", occurred_at=days_ago(50)),
        EventInput(customer=d, type="complaint_opened", occurred_at=days_ago(70)),
        EventInput(customer=a, type="product_viewed", occurred_at=days_ago(1)),
        EventInput(customer=a, type="product_viewed", occurred_at=days_ago(2)),
        EventInput(customer=a, type="product_viewed", occurred_at=days_ago(40)),
        EventInput(customer=b, type="product_viewed", occurred_at=days_ago(1)),
    ]
    events_record(events=events)
    consent_record(customer=c, channel="email", status="opted_in", source="storefront")
    consent_record(customer=d, channel="sms", status="opted_in", source="pos", recorded_at=days_ago(30))
    consent_record(customer=d, channel="sms", status="opted_out", source="sms_stop")


def members(rules) -> set[str]:
    segments.segment_rules_check(rules=rules)
    return set(matching_customers(rules).values_list("external_id", flat=True))


def cond(field, op, value, **extra):
    return {"all": [{"field": field, "op": op, "value": value, **extra}]}


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (cond("city", "eq", "Dhaka"), {"A", "C"}),
        (cond("city", "ne", "Dhaka"), {"B", "D"}),
        (cond("city", "in", ["Arusha", "Chattogram"]), {"B", "D"}),
        (cond("city", "not_in", ["Arusha", "Chattogram"]), {"A", "C"}),
        (cond("city", "contains", "chat"), {"D"}),
        (cond("email", "exists", True), {"A"}),
        (cond("email", "exists", False), {"B", "C", "D"}),
        (cond("email", "eq", "a@example.com"), {"A"}),
        (cond("phone", "eq", "+8801712345678"), {"A"}),
        (cond("language", "in", ["bn", "sw"]), {"A", "B", "D"}),
        (cond("store", "eq", "DHK-01"), {"A", "D"}),
        (cond("store", "exists", False), {"C"}),
        (cond("currency", "eq", "TZS"), {"B"}),
        (cond("signed_up_at", "within_days", 30), {"A"}),
        (cond("signed_up_at", "older_than_days", 30), {"B", "C"}),
        (cond("signed_up_at", "exists", False), {"D"}),
        (cond("signed_up_at", "lt", "2000-01-01"), set()),
        (cond("signed_up_at", "between", ["2000-01-01", "2100-01-01T00:00:00+06:00"]), {"A", "B", "C"}),
        (cond("birth_month", "eq", 12), {"C"}),
        (cond("birth_month", "between", [3, 6]), {"A"}),
        (cond("attributes.car_year", "lt", 2018), {"A"}),
        (cond("attributes.car_year", "gte", 2018), {"B"}),
        (cond("attributes.tier", "eq", "gold"), {"A"}),
        (cond("attributes.tier", "exists", True), {"A"}),
        (cond("attributes.car_year", "exists", False), {"C", "D"}),
        # Amounts are compared within their currency: A spent BDT 110,000, B TZS 150,000, D BDT 500.
        (cond("total_spent", "gte", "110000", currency="BDT"), {"A"}),
        (cond("total_spent", "gte", "110000", currency="TZS"), {"B"}),
        (cond("total_spent", "gt", "110000", currency="BDT"), set()),
        (cond("total_spent", "lt", "1000", currency="BDT"), {"D"}),  # C has no currency: spent nothing
        (cond("total_spent", "between", ["100", "1000"], currency="BDT"), {"D"}),
        (cond("total_spent", "exists", True, currency="TZS"), {"B"}),
        (cond("orders_count", "eq", 2), {"A"}),
        (cond("orders_count", "eq", 1), {"B", "D"}),  # D's cancelled order does not count
        (cond("orders_count", "ne", 0), {"A", "B", "D"}),
        (cond("orders_count", "lte", 0), {"C"}),
        (cond("avg_order_value", "gte", "55000", currency="BDT"), {"A"}),
        (cond("avg_order_value", "gte", "55000", currency="TZS"), {"B"}),
        (cond("avg_order_value", "lt", "55000", currency="BDT"), {"D"}),
        (cond("avg_order_value", "between", ["100", "60000"], currency="BDT"), {"A", "D"}),
        (cond("first_order_at", "older_than_days", 150), {"A"}),
        (cond("last_order_at", "older_than_days", 90), {"A"}),
        (cond("last_order_at", "within_days", 7), {"B", "D"}),
        (cond("last_order_at", "exists", False), {"C"}),
        (cond("purchased_sku", "eq", "HDMI-2"), {"A", "B"}),
        (cond("purchased_sku", "eq", "HDMI-2", within_days=30), {"B"}),
        (cond("purchased_sku", "in", ["RICE", "SOAP"]), {"D"}),  # the RICE order was cancelled
        (cond("purchased_sku", "not_in", ["HDMI-2"]), {"C", "D"}),
        (cond("purchased_category", "eq", "electronics"), {"A", "B"}),  # descendants tv and cables
        (cond("purchased_category", "eq", "tv"), {"A"}),
        (cond("purchased_category", "in", ["grocery"]), set()),
        (cond("consent.email", "eq", "opted_in"), {"C"}),
        (cond("consent.sms", "eq", "opted_out"), {"D"}),
        (cond("consent.sms", "ne", "opted_out"), {"A", "B", "C"}),
        (cond("consent.sms", "exists", False), {"A", "B", "C"}),
        (cond("has_open_complaint", "eq", True), {"B", "D"}),
        (cond("has_open_complaint", "ne", True), {"A", "C"}),
    ],
)
def test_field_and_operator(people, rules, expected):
    assert members(rules) == expected


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"all": [{"event": "complaint_opened"}]}, {"B", "C", "D"}),
        ({"all": [{"event": "complaint_opened", "within_days": 30}]}, {"B"}),
        ({"all": [{"event": "product_viewed", "min_count": 2}]}, {"A"}),
        ({"all": [{"event": "product_viewed", "within_days": 7, "min_count": 2}]}, {"A"}),
        ({"all": [{"event": "product_viewed", "within_days": 7, "min_count": 3}]}, set()),
        ({"all": [{"event": "never_happened"}]}, set()),
    ],
)
def test_event_conditions(people, rules, expected):
    assert members(rules) == expected


def test_groups_combine(people):
    rules = {
        "all": [
            {"field": "language", "op": "in", "value": ["bn", "sw", "en"]},
            {"any": [{"field": "city", "op": "eq", "value": "Arusha"}, {"event": "complaint_resolved"}]},
            {"not": {"field": "orders_count", "op": "gte", "value": 1}},
        ]
    }
    assert members(rules) == {"C"}


def test_nested_segment_is_inlined(people):
    segments.segment_create(code="dhaka", name="Dhaka", rules=cond("city", "eq", "Dhaka"))
    assert members({"all": [{"segment": "dhaka"}, {"field": "orders_count", "op": "gt", "value": 0}]}) == {"A"}
    assert members({"not": {"segment": "dhaka"}}) == {"B", "D"}


def test_predefined_seed_004_segments(people):
    from audiences.models import Customer, Segment

    predefined = {s.code: s.rules for s in Segment.objects.filter(predefined=True)}
    # Spent TZS 100,000+ or BDT 5,000+ (its documented equivalent): A BDT 110,000, B TZS 150,000; D BDT 500.
    assert members(predefined["high_value"]) == {"A", "B"}
    c = Customer.objects.get(external_id="C")
    order_create(
        external_id="O-C1", currency="TZS", placed_at=days_ago(200), customer=c, lines=[line("TV-55", "99999.00")]
    )
    assert members(predefined["high_value"]) == {"A", "B"}  # TZS 99,999
    order_create(external_id="O-C2", currency="TZS", placed_at=days_ago(200), customer=c, lines=[line("SOAP", "1.00")])
    assert members(predefined["high_value"]) == {"A", "B", "C"}  # TZS 100,000 without a home store

    # Inactive: no order, sign-up or event of theirs in 90 days, whether they ever bought or not.
    assert members(predefined["inactive_90d"]) == set()  # A signed up 10 days ago although her last order is old
    e = customer_upsert(external_id="E", signed_up_at=days_ago(300))[0]
    events_record(events=[EventInput(customer=e, type="product_viewed", occurred_at=days_ago(91))])
    assert members(predefined["inactive_90d"]) == {"E"}
    events_record(events=[EventInput(customer=e, type="message_replied", occurred_at=days_ago(89))])
    assert members(predefined["inactive_90d"]) == set()
    # A customer the storefront created today, with no sign-up date and no order, has not been inactive for 90 days;
    # one we have known for 100 days without any activity has.
    customer_upsert(external_id="F")
    assert members(predefined["inactive_90d"]) == set()
    Customer.objects.filter(external_id="F").update(created_at=days_ago(100))
    assert members(predefined["inactive_90d"]) == {"F"}

    assert members(predefined["new_30d"]) == {"A"}

    # Complaint recovery: a complaint resolved in the last 24 hours and none open. B's and D's are open.
    assert members(predefined["complaint"]) == set()
    b, d = Customer.objects.get(external_id="B"), Customer.objects.get(external_id="D")
    hours_ago = timezone.now() - timedelta(hours=2), timezone.now() - timedelta(hours=30)
    events_record(
        events=[
            EventInput(customer=b, type="complaint_resolved", occurred_at=hours_ago[0]),
            EventInput(customer=d, type="complaint_resolved", occurred_at=hours_ago[1]),
        ]
    )
    assert members(predefined["complaint"]) == {"B"}
    events_record(events=[EventInput(customer=b, type="complaint_opened", occurred_at=days_ago(0))])
    assert members(predefined["complaint"]) == set()  # a new complaint is open: no recovery offer yet


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"all": [{"field": "shoe_size", "op": "eq", "value": 42}]}, "unknown field 'shoe_size'"),
        ({"all": [{"field": "city", "op": "gt", "value": "A"}]}, "does not take operator 'gt'"),
        ({"all": [{"field": "orders_count", "op": "gte", "value": "many"}]}, "rules.all[0].value"),
        ({"all": [{"field": "total_spent", "op": "gte", "value": 10.5, "currency": "BDT"}]}, "expects an amount"),
        ({"all": [{"field": "total_spent", "op": "gte", "value": "100000"}]}, "name its currency"),
        ({"all": [{"field": "total_spent", "op": "gte", "value": "1", "currency": "XYZ"}]}, "unknown currency 'XYZ'"),
        ({"all": [{"field": "total_spent", "op": "gte", "value": "1.005", "currency": "TZS"}]}, "minor unit"),
        ({"all": [{"field": "city", "op": "eq", "value": "x", "currency": "TZS"}]}, "takes no currency"),
        ({"all": [{"field": "city", "op": "in", "value": "Dhaka"}]}, "expects a non-empty list"),
        ({"all": [{"field": "last_order_at", "op": "within_days", "value": -3}]}, "not negative"),
        ({"all": [{"field": "language", "op": "eq", "value": "fr"}]}, "expects one of en, bn, sw"),
        ({"all": [{"field": "city", "op": "eq"}]}, "value: missing"),
        ({"all": []}, "non-empty list"),
        ({"field": "city", "op": "eq", "value": "x"}, "top level must be a group"),
        ({"all": [{"segment": "nope"}]}, "unknown segment 'nope'"),
        ({"all": [{"event": "x", "min_count": 0}]}, "min_count"),
        ({"all": [{"field": "purchased_category", "op": "eq", "value": "nope"}]}, "unknown categories: nope"),
        ({"all": [{"field": "shoe_size", "op": "eq", "value": "42"}]}, "unknown field 'shoe_size'"),
        ({"all": [{"field": "city", "op": "eq", "value": "x", "within_days": 3}]}, "does not take within_days"),
    ],
)
def test_bad_rules_are_rejected_with_a_clear_message(people, rules, message):
    with pytest.raises(ValidationError) as error:
        segments.segment_rules_check(rules=rules)
    assert message in error.value.message_dict["rules"][0]


def test_cycles_between_segments_are_rejected(people):
    segments.segment_create(code="one", name="One", rules=cond("city", "eq", "Dhaka"))
    segments.segment_create(code="two", name="Two", rules={"all": [{"segment": "one"}]})
    with pytest.raises(ValidationError) as error:
        segments.segment_update(segment=segments.Segment.objects.get(code="one"), rules={"all": [{"segment": "two"}]})
    assert "cycle: one -> two -> one" in error.value.message_dict["rules"][0]
    with pytest.raises(ValidationError):
        segments.segment_create(code="self", name="Self", rules={"all": [{"segment": "self"}]})


def test_refresh_writes_snapshot_and_entered_exited_history(people):
    from audiences.models import SegmentMembershipChange

    segment = segments.segment_create(code="dhaka", name="Dhaka", rules=cond("city", "eq", "Dhaka"))
    first = segments.segment_refresh(segment=segment)
    assert (first.count, first.entered, first.exited) == (2, 2, 0)

    customer_upsert(external_id="C", city="Sylhet")
    customer_upsert(external_id="D", city="Dhaka")
    second = segments.segment_refresh(segment=segment)
    assert (second.count, second.entered, second.exited) == (2, 1, 1)
    history = {
        (change.customer.external_id, change.kind)
        for change in SegmentMembershipChange.objects.select_related("customer")
    }
    assert history == {("A", "entered"), ("C", "entered"), ("D", "entered"), ("C", "exited")}
    segment.refresh_from_db()
    assert segment.member_count == 2
    assert segment_live_count(rules=segment.rules) == 2

    third = segments.segment_refresh(segment=segment)
    assert (third.entered, third.exited) == (0, 0)


def test_the_seed_004_migration_updates_predefined_segments_an_operator_has_not_edited(db):
    import importlib

    from django.apps import apps

    from audiences.models import Segment

    migration = importlib.import_module("audiences.migrations.0008_customer_currency_and_seed004_segments")
    Segment.objects.filter(code="high_value").update(rules=migration.SHIPPED["high_value"])
    Segment.objects.filter(code="inactive_90d").update(rules=migration.SHIPPED["inactive_90d"])
    edited = {"all": [{"event": "complaint_opened", "within_days": 7}]}
    Segment.objects.filter(code="complaint").update(rules=edited)
    migration.seed_004_segments(apps, None)
    rules = dict(Segment.objects.values_list("code", "rules"))
    assert rules["high_value"] == migration.SEED_004["high_value"]["rules"]
    assert rules["inactive_90d"] == migration.SEED_004["inactive_90d"]["rules"]
    assert rules["complaint"] == edited  # the operator's version stays


def test_a_money_rule_saved_before_currencies_still_refreshes_and_compares_in_each_customers_currency(people):
    from audiences.models import Segment

    old = Segment.objects.create(code="old", name="Old", rules=cond("total_spent", "gte", "110000"))
    assert segments.segment_refresh(segment=old).count == 2  # A: BDT 110,000; B: TZS 150,000
    with pytest.raises(ValidationError, match="name its currency"):
        segments.segment_update(segment=old, rules=old.rules)


@pytest.mark.django_db
def test_stored_rules_with_an_empty_group_compile_instead_of_failing():
    """The API refuses empty groups; rows written past it (fixtures, old data) still count, as logic says."""
    from audiences.models import Customer
    from audiences.segments.language import compile_rules

    customer_upsert(external_id="C-1", email="one@example.com")
    no_nesting = lambda code: None  # noqa: E731
    assert Customer.objects.filter(compile_rules({"all": []}, resolve=no_nesting)).count() == 1
    assert Customer.objects.filter(compile_rules({"any": []}, resolve=no_nesting)).count() == 0
